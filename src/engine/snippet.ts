/**
 * A short quote of an instruction for skip reasons. Reasons should not cite line numbers of other
 * instructions: the driver reports the skips of its last pass, whose text earlier passes may have
 * shifted, so "line 7" could name the wrong line of the file the user has.
 */
import type { Instruction, ParsedDockerfile } from './parse.js';

/** `"WORKDIR /workspace/src/app"`: continuations joined, comment lines dropped, blanks collapsed, at most `max` characters. */
export function instructionSnippet(doc: ParsedDockerfile, instruction: Instruction, max = 60): string {
  const esc = doc.escapeChar === '`' ? '`' : '\\\\';
  const code = doc.source.text
    .slice(instruction.start, instruction.end)
    .split(/\r?\n/)
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(new RegExp(`${esc}[ \\t]*\\n`, 'g'), ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `"${code.length > max ? `${code.slice(0, max - 1).trimEnd()}…` : code}"`;
}
