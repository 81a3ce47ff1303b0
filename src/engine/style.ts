/** New text follows the file's own style: keyword case, line endings, indentation. */
import type { Instruction, ParsedDockerfile } from './parse.js';
import { lineStartAt } from './source.js';

const lowerCaseFiles = new WeakMap<ParsedDockerfile, boolean>();

/** The keyword written the way this file writes keywords (majority of lower- vs upper-case). */
export function keyword(doc: ParsedDockerfile, upper: string): string {
  let lowerCase = lowerCaseFiles.get(doc);
  if (lowerCase === undefined) {
    let lower = 0;
    let upperCount = 0;
    for (const instruction of doc.instructions) {
      if (instruction.rawKeyword === instruction.rawKeyword.toLowerCase()) lower++;
      else if (instruction.rawKeyword === instruction.rawKeyword.toUpperCase()) upperCount++;
    }
    lowerCase = lower > upperCount;
    lowerCaseFiles.set(doc, lowerCase);
  }
  return lowerCase ? upper.toLowerCase() : upper.toUpperCase();
}

/** The blanks before an instruction on its first line (files that indent stage bodies keep doing so). */
export function indentOf(doc: ParsedDockerfile, instruction: Instruction): string {
  const start = lineStartAt(doc.source, instruction.start);
  return doc.source.text.slice(start, instruction.start).replace(/[^ \t]/g, '');
}

/**
 * Where the block of comment lines directly above an instruction starts (its own line start when
 * there are none): comments that describe an instruction travel with it. Never reaches into the
 * parser directives.
 */
export function attachedCommentsStart(doc: ParsedDockerfile, instruction: Instruction): number {
  let line = instruction.line;
  while (line > 0 && doc.commentLines.has(line - 1) && (doc.source.lineStarts[line - 1] ?? 0) >= doc.directivesEnd) {
    const previousInstruction = doc.instructions.find((i) => i.line <= line - 1 && i.endLine >= line - 1);
    if (previousInstruction) break; // a comment inside someone else's continuation
    line--;
  }
  return doc.source.lineStarts[line] ?? 0;
}

/** The whole lines an instruction occupies, with its attached comments and the final line break. */
export function instructionBlock(doc: ParsedDockerfile, instruction: Instruction): { start: number; end: number } {
  const start = attachedCommentsStart(doc, instruction);
  const endLine = instruction.endLine;
  const end = doc.source.lineStarts[endLine + 1] ?? doc.source.text.length;
  return { start, end };
}
