/**
 * Dockerfiles that Docker itself refuses to parse. The driver reports them (`PATH:LINE: reason`,
 * exit 2) and never rewrites them: edits placed by a misreading of the file could land anywhere,
 * and "fixing" a file that cannot build hides the real problem. Only errors BuildKit's parser and
 * instruction reader certainly raise are listed, so that no buildable Dockerfile is refused.
 */
import type { Heredoc, Instruction } from 'dockerfile-ast';
import { buildkitHeredocs, HEREDOC_KEYWORDS, logicalLine } from './buildkit-lines.js';
import { dockerfileAst, isKnownKeyword } from './parse.js';
import { type SourceText, sourceText } from './source.js';

export interface DockerfileError {
  /** 1-based line of the offending instruction; null when the error is about the whole file. */
  readonly line: number | null;
  readonly reason: string;
}

/** The first error in the file, or null when Docker would parse it. */
export function dockerfileError(text: string): DockerfileError | null {
  const dockerfile = dockerfileAst(text);
  const instructions = dockerfile.getInstructions();
  let source: SourceText | null = null;
  if (instructions.length === 0) return { line: null, reason: 'no instructions, only comments or blank lines (Docker refuses it)' };
  let sawFrom = false;
  let previous: Instruction | null = null;
  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    const line = instruction.getRange().start.line + 1;
    if (!isKnownKeyword(keyword)) return unknownInstruction(instruction, line, previous);
    if (keyword === 'FROM') {
      sawFrom = true;
      const args = instruction.getArguments().map((a) => a.getValue());
      if (args.length === 0) return { line, reason: 'FROM without an image' };
      // BuildKit: "FROM requires either one or three arguments"
      if (args.length !== 1 && !(args.length === 3 && args[1]?.toLowerCase() === 'as')) {
        return { line, reason: `FROM takes an image and an optional AS name, not: ${args.join(' ')}` };
      }
    } else if (!sawFrom && keyword !== 'ARG') {
      return { line, reason: `${keyword} before the first FROM (only ARG may come before it)` };
    }
    const open = heredocsOf(instruction).find((h) => h.getName() !== '' && h.getDelimiterRange() === null);
    // dockerfile-ast also sees `<<` inside quotes (`python -c "print(1 <<3)"`); BuildKit does not,
    // and builds the file (which is then not rewritten: see buildkit-lines.ts)
    source ??= sourceText(text);
    if (open && buildkitHeredocs(logicalLine(source, dockerfile.getEscapeCharacter(), line - 1).text, dockerfile.getEscapeCharacter()).some((h) => h.name === open.getName())) {
      return { line, reason: `unterminated heredoc <<${open.getName()}: no ${open.getName()} line before the end of the file` };
    }
    previous = instruction;
  }
  if (!sawFrom) return { line: null, reason: 'no FROM instruction, so nothing to build' };
  return null;
}

/** `3<<EOF` (a heredoc for another file descriptor): BuildKit reads it, dockerfile-ast does not. */
const FD_HEREDOC = /(?:^|\s)(\d+<<-?\s*["']?[A-Za-z_][\w.-]*)/;

function unknownInstruction(instruction: Instruction, line: number, previous: Instruction | null): DockerfileError {
  const fdHeredoc = previous && HEREDOC_KEYWORDS.has(previous.getKeyword()) ? FD_HEREDOC.exec(previous.getTextContent()) : null;
  if (fdHeredoc && previous) {
    // the heredoc body was read as instructions: say what the parser got wrong, not what it then saw
    return {
      line: previous.getRange().start.line + 1,
      reason: `the heredoc ${fdHeredoc[1] ?? ''} (with a file descriptor) is not understood by the parser; not rewritten`,
    };
  }
  return { line, reason: `unknown instruction ${instruction.getKeyword()}` };
}


function heredocsOf(instruction: Instruction): readonly Heredoc[] {
  if (!HEREDOC_KEYWORDS.has(instruction.getKeyword())) return [];
  try {
    // public on Run, Copy and Add (Add inherits it), declared protected on their common base
    return (instruction as unknown as { getHeredocs(): Heredoc[] }).getHeredocs();
  } catch {
    return []; // dockerfile-ast #123 (a comment ending in a backslash inside a continuation) throws here
  }
}
