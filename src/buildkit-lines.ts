/**
 * Where BuildKit starts each instruction, checked against dockerfile-ast. The two join continued
 * lines differently in corners (an escape followed by blanks, a comment line right after
 * `RUN \`), and a rewrite planned on
 * dockerfile-ast's reading of such a file can break it for Docker: a RUN cut short and moved keeps
 * its dangling escape, which then swallows the next instruction. Pure.
 */
import type { ParsedDockerfile } from './parse.js';
import { lineOf } from './source.js';

/**
 * The first zero-based line where BuildKit and dockerfile-ast disagree on whether an instruction
 * starts there, or null when they agree on every line. Heredoc bodies are taken as dockerfile-ast
 * reads them; their lines are not instructions for either. A comment line inside a continuation
 * with the escape character in it (not just at its end) counts too: dockerfile-ast then misreads
 * the rest of the instruction (`COPY \⏎# C:\go⏎  --from=b /a /b` has no flags and one argument, `g`).
 */
export function instructionStartDisagreement(doc: ParsedDockerfile): number | null {
  const { text, lineStarts } = doc.source;
  const lineText = (i: number): string => text.slice(lineStarts[i], i + 1 < lineStarts.length ? lineStarts[i + 1] : text.length).replace(/\r?\n$/, '');
  const byStartLine = new Map(doc.instructions.map((instruction) => [lineOf(doc.source, instruction.start), instruction]));
  const isDropped = (line: string): boolean => /^[ \t]*(#|$)/.test(line);
  const continues = (line: string): boolean => line.replace(/[ \t]+$/, '').endsWith(doc.escapeChar);

  const seen = new Set<number>();
  let i = lineOf(doc.source, doc.directivesEnd);
  while (i < lineStarts.length) {
    if (isDropped(lineText(i))) {
      i++;
      continue;
    }
    const instruction = byStartLine.get(i);
    if (instruction === undefined) return i;
    seen.add(i);
    // BuildKit: a line ending in the escape (blanks after it allowed) goes on past comment and blank lines
    let last = i;
    while (continues(lineText(last)) && last + 1 < lineStarts.length) {
      last++;
      while (last + 1 < lineStarts.length && isDropped(lineText(last))) {
        if (escapeInside(lineText(last), doc.escapeChar)) return last;
        last++;
      }
    }
    i = instruction.hasHeredoc ? Math.max(last, lineOf(doc.source, instruction.end)) + 1 : last + 1;
  }
  for (const line of byStartLine.keys()) if (!seen.has(line)) return line;
  return null;
}

/** The escape character somewhere in a line other than at its end (`# C:\go`, not `# deps \`). */
function escapeInside(line: string, escapeChar: string): boolean {
  const end = line.replace(/[ \t]+$/, '');
  return (end.endsWith(escapeChar) ? end.slice(0, -1) : end).includes(escapeChar);
}
