/** Reads the parts of a go.mod file that decide how a Dockerfile may fetch modules. */
import { perText } from '../../engine/memo.js';

export interface GoReplace {
  readonly from: string;
  readonly to: string;
  /** The target is a directory (`./lib`, `../shared`, `/abs`) rather than a module version. */
  readonly local: boolean;
}

export interface GoMod {
  readonly module: string | null;
  /** The `go` directive (`1.22`, `1.22.3`), or null. */
  readonly go: string | null;
  readonly toolchain: string | null;
  readonly requires: readonly string[];
  readonly replaces: readonly GoReplace[];
}

export interface GoWork {
  /** The `use` directories, as written (`./svc`, `.`). */
  readonly uses: readonly string[];
  readonly replaces: readonly GoReplace[];
}

/** go.work has the same syntax as go.mod, with `use` for the workspace's module directories. */
export function parseGoWork(text: string): GoWork {
  const uses: string[] = [];
  const parsed = parseDirectives(text, (verb, fields) => {
    if (verb === 'use' && fields[0]) uses.push(fields[0]);
  });
  return { uses, replaces: parsed.replaces };
}

/** go.mod's directives; read once per text (several transforms read the same go.mod in every pass). */
export const parseGoMod = perText((text: string): GoMod => parseDirectives(text, () => undefined));

function parseDirectives(text: string, other: (verb: string, fields: string[]) => void): GoMod {
  let module: string | null = null;
  let go: string | null = null;
  let toolchain: string | null = null;
  const requires: string[] = [];
  const replaces: GoReplace[] = [];
  let block: string | null = null;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    if (block !== null) {
      if (line === ')') {
        block = null;
        continue;
      }
      addDirective(block, line);
      continue;
    }
    const match = /^(\w+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, verb = '', rest = ''] = match;
    if (rest === '(') {
      block = verb;
      continue;
    }
    addDirective(verb, rest);
  }
  return { module, go, toolchain, requires, replaces };

  function addDirective(verb: string, rest: string): void {
    const fields = tokens(rest);
    if (verb === 'module') module = fields[0] ?? null;
    else if (verb === 'go') go = fields[0] ?? null;
    else if (verb === 'toolchain') toolchain = fields[0] ?? null;
    else if (verb === 'require' && fields[0]) requires.push(fields[0]);
    else if (verb === 'replace') {
      const arrow = fields.indexOf('=>');
      const from = fields[0];
      const to = fields[arrow + 1];
      if (arrow < 0 || !from || !to) return;
      // A replacement without a version is a directory: modfile.IsDirectoryPath also accepts
      // Windows forms (.\x, ..\x, \x, C:\x, C:/x)
      const local = fields.length === arrow + 2 && /^(\.{1,2}([/\\]|$)|[/\\]|[A-Za-z]:[/\\])/.test(to);
      replaces.push({ from, to, local });
    } else other(verb, fields);
  }
}

/** Splits a directive's fields the way go.mod does: blanks separate, "..." and `...` quote. */
function tokens(text: string): string[] {
  const found: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)/g;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    found.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] ?? m[3] ?? '');
  }
  return found;
}

/** Compares Go versions like `1.19`, `1.21.3`, `go1.22`: negative when a < b. */
export function compareGoVersions(a: string, b: string): number {
  const parts = (v: string): number[] => v.replace(/^go/, '').split(/[.a-z]/).map((n) => Number.parseInt(n, 10) || 0);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
