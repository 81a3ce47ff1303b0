/**
 * What a go build's flags mean beyond their shell syntax: the flags GOFLAGS adds, Go's own splitting
 * of a `-ldflags`/`-gcflags` value (cmd/internal/quoted.Split), and whether a build is a debug build.
 */
import { buildEnv, type EnvSetting } from './go-binary.js';
import type { GoBuildCommand, GoFlag } from './go-build.js';
import { declaredNames } from '../../engine/instructions.js';
import { type ParsedDockerfile, stageLineage } from '../../engine/parse.js';

/** A flag as Go reads it from GOFLAGS: `-name` or `-name=value` (GOFLAGS has no separate values). */
export interface GoflagsFlag {
  readonly name: string;
  readonly value: string | null;
}

/** The flags GOFLAGS gives a go command, and where it is set (for messages). */
export interface Goflags {
  readonly flags: readonly GoflagsFlag[];
  /** `ENV GOFLAGS`, `the GOFLAGS= prefix`, ...; null when GOFLAGS is not set. */
  readonly where: string | null;
}

const WHERE: Record<EnvSetting['where'], string> = {
  prefix: 'the GOFLAGS= prefix',
  shell: 'GOFLAGS set earlier in the RUN',
  'go env -w': 'go env -w GOFLAGS',
  ENV: 'ENV GOFLAGS',
  ARG: 'ARG GOFLAGS',
};

/**
 * GOFLAGS as a go command sees it (its prefix, an `export`, `go env -w`, ENV, or an ARG), or
 * `{ unknown }` naming where it is set when its value is not literal (a variable, a build argument).
 */
export function goflagsOf(doc: ParsedDockerfile, build: GoBuildCommand): Goflags | { unknown: string } {
  const setting = buildEnv(doc, build, 'GOFLAGS');
  if (setting === null) return { flags: [], where: null };
  // env.ts splits `ENV GOFLAGS="-a -b"` at the blank (it reads dockerfile-ast's arguments): re-read it here
  const value = setting.where === 'ENV' ? envGoflags(doc, build) : setting.value;
  if (value === null) return { unknown: WHERE[setting.where] };
  // "Each entry must be a standalone flag": GOFLAGS is split at blanks, quotes mean nothing (go help environment)
  const words = value.split(/\s+/).filter((w) => w.startsWith('-'));
  const flags = words.map((word) => {
    const body = word.replace(/^--?/, '');
    const eq = body.indexOf('=');
    return eq >= 0 ? { name: `-${body.slice(0, eq)}`, value: body.slice(eq + 1) } : { name: `-${body}`, value: null };
  });
  return { flags, where: WHERE[setting.where] };
}

/**
 * The value of the last `ENV GOFLAGS` before the build in its stage lineage, read from the source
 * with shell quoting (`ENV GOFLAGS="-mod=vendor -trimpath"`, `ENV GOFLAGS -trimpath`); null when it
 * uses a variable or cannot be read.
 */
function envGoflags(doc: ParsedDockerfile, build: GoBuildCommand): string | null {
  const env = stageLineage(doc, build.stage)
    .reverse()
    .flatMap((s) => s.instructions)
    .filter((i) => i.keyword === 'ENV' && (i.stage !== build.stage.index || i.start < build.instruction.start) && declaredNames(i).includes('GOFLAGS'))
    .at(-1);
  if (!env) return null;
  const args = doc.source.text.slice(env.argsStart, env.end).replace(/[\\`][ \t]*\r?\n/g, ' ');
  const legacy = /^GOFLAGS[ \t]+(.*)$/s.exec(args);
  const word = legacy ? legacy[1]?.trim() : /(?:^|\s)GOFLAGS=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"']*)(?=\s|$)/.exec(args)?.[1];
  if (word === undefined || /[$`\\]/.test(word.replace(/^"(.*)"$/s, '$1').replace(/\\"/g, ''))) return null;
  return /^(["']).*\1$/s.test(word) ? word.slice(1, -1).replace(/\\"/g, '"') : word;
}

/** Go's quoted.Split: fields separated by blanks; a field may be wrapped whole in '...' or "..." (no escapes). Null when a quote is not closed. */
export function splitQuoted(text: string): string[] | null {
  const fields: string[] = [];
  let s = text;
  for (;;) {
    s = s.replace(/^[ \t\n\r]+/, '');
    if (s === '') return fields;
    const quote = s[0];
    if (quote === "'" || quote === '"') {
      const close = s.indexOf(quote, 1);
      if (close < 0) return null;
      fields.push(s.slice(1, close));
      s = s.slice(close + 1);
      continue;
    }
    const blank = s.search(/[ \t\n\r]/);
    const end = blank < 0 ? s.length : blank;
    fields.push(s.slice(0, end));
    s = s.slice(end);
  }
}

/**
 * The flags part of a per-package flag value (`-ldflags`, `-gcflags`): Go reads `pattern=flags` when
 * the trimmed value does not start with `-` (`all=-N -l`), otherwise the whole value.
 */
export function perPackageFlags(value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('-')) return trimmed;
  const eq = trimmed.indexOf('=');
  return eq > 0 ? trimmed.slice(eq + 1) : trimmed;
}

/**
 * A build for a debugger: `-gcflags` with `-N` (no optimisation) or `-l` (no inlining), usually
 * `all=-N -l` for Delve. It needs the real source paths and the DWARF data.
 */
export function isDebugBuild(flags: readonly (GoFlag | GoflagsFlag)[]): boolean {
  return flags.some((f) => f.name === '-gcflags' && f.value !== null && (splitQuoted(perPackageFlags(f.value)) ?? []).some((w) => /^--?[Nl](=|$)/.test(w)));
}
