/** Reading and adding `RUN --mount=...` flags without disturbing the rest of the instruction. */
import type { Edit } from './edits.js';
import type { Flag, Instruction, ParsedDockerfile } from './parse.js';
import { indentOf } from './style.js';

export interface Mount {
  readonly type: string;
  /** The target path, without a trailing slash. */
  readonly target: string;
  readonly flag: Flag;
}

/** The `--mount` flags of a RUN (`type` defaults to bind; `target` may be spelled dst or destination). */
export function mountsOf(instruction: Instruction): Mount[] {
  return instruction.flags
    .filter((f) => f.name === 'mount')
    .map((flag) => {
      const option = (name: string) => flag.options.find((o) => o.name === name)?.value;
      const target = option('target') ?? option('dst') ?? option('destination') ?? '';
      return { type: option('type') ?? 'bind', target: target.length > 1 ? target.replace(/\/+$/, '') : target, flag };
    });
}

/**
 * Edits that add `--mount=<spec>` flags after the keyword (or after the existing flags), one per
 * continuation line in the file's escape character and line ending:
 *   RUN --mount=type=cache,target=/go/pkg/mod \
 *       go build .
 * A heredoc RUN keeps its mounts on the first line, where the heredoc marker must stay.
 */
export function addMounts(doc: ParsedDockerfile, run: Instruction, specs: readonly string[]): Edit[] {
  if (specs.length === 0) return [];
  const text = doc.source.text;
  const at = run.flags.reduce((end, f) => Math.max(end, f.end), run.keywordEnd);
  let blanks = at;
  while (text[blanks] === ' ' || text[blanks] === '\t') blanks++;
  const flags = specs.map((s) => `--mount=${s}`);
  if (run.hasHeredoc) return [{ start: at, end: at, text: ` ${flags.join(' ')}` }];
  const esc = doc.escapeChar;
  const eol = doc.source.eol;
  const indent = continuationIndent(doc, run);
  const continuesHere = text[blanks] === esc && /^[ \t]*(\r?\n|\r)/.test(text.slice(blanks + 1));
  if (continuesHere || blanks >= run.end) {
    // `RUN \` already breaks the line: add our lines before that break
    return [{ start: at, end: at, text: ` ${flags.join(` ${esc}${eol}${indent}`)}` }];
  }
  return [{ start: at, end: blanks, text: ` ${flags.map((f) => `${f} ${esc}${eol}${indent}`).join('')}` }];
}

/** The indentation of the RUN's continuation lines, or its own indentation plus four spaces. */
function continuationIndent(doc: ParsedDockerfile, run: Instruction): string {
  const lines = doc.source.lineStarts;
  for (let line = run.line + 1; line <= run.endLine; line++) {
    if (doc.commentLines.has(line)) continue;
    const start = lines[line] ?? 0;
    const indent = /^[ \t]*/.exec(doc.source.text.slice(start, lines[line + 1] ?? doc.source.text.length))?.[0] ?? '';
    if (indent.length > 0) return indent;
  }
  return `${indentOf(doc, run)}    `;
}
