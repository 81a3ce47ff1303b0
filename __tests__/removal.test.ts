/**
 * Removing whole instructions (src/engine/removal.ts): the blank-line rule must hold when several
 * instructions go at once, so a rewrite never leaves two blank lines where the original had one.
 */
import { describe, expect, test } from '@jest/globals';
import { applyEdits } from '../src/engine/edits.js';
import { parseDockerfile } from '../src/engine/parse.js';
import { removeInstructionEdit, removeInstructionsEdits } from '../src/engine/removal.js';

const apply = (text: string, edits: readonly { start: number; end: number; text: string }[]) => applyEdits(text, edits.map((e) => ({ ...e, owner: 't' })));

function removing(text: string, lines: readonly number[]): string {
  const doc = parseDockerfile(text);
  const targets = doc.instructions.filter((i) => lines.includes(i.line + 1));
  return apply(text, removeInstructionsEdits(doc, targets));
}

describe('removing several instructions', () => {
  test.each([
    ['two touching instructions between blank lines leave one blank line', 'FROM a\n\nCOPY go.mod ./\nRUN go mod download\n\nCOPY . .\n', [3, 4], 'FROM a\n\nCOPY . .\n'],
    ['with a comment attached above the second', 'FROM a\n\nCOPY go.mod ./\n# fetch\nRUN go mod download\n\nCOPY . .\n', [3, 5], 'FROM a\n\nCOPY . .\n'],
    ['with CRLF line breaks and blanks on the blank lines', 'FROM a\r\n  \r\nCOPY go.mod ./\r\nRUN x\r\n\t\r\nCOPY . .\r\n', [3, 4], 'FROM a\r\n  \r\nCOPY . .\r\n'],
    ['at the start of the file', 'COPY a ./\nRUN b\n\nFROM c\n', [1, 2], 'FROM c\n'],
    ['at the end of a file without a final line break', 'FROM a\nCOPY b ./\nRUN c', [2, 3], 'FROM a'],
    ['apart: each follows the rule on its own', 'FROM a\n\nRUN b\n\nRUN c\n\nRUN d\n', [3, 7], 'FROM a\n\nRUN c\n\n'],
    ['touching, without blank lines around: nothing more goes', 'FROM a\nRUN b\nRUN c\nRUN d\n', [2, 3], 'FROM a\nRUN d\n'],
    ['the double blank lines the original has elsewhere stay', 'FROM a\n\n\nRUN b\n\nRUN c\nRUN d\n\nRUN e\n', [6, 7], 'FROM a\n\n\nRUN b\n\nRUN e\n'],
  ])('%s', (_name, text, lines, expected) => {
    expect(removing(text, lines)).toBe(expected);
  });

  test('one edit per instruction, in the order given, each within its own lines', () => {
    const text = 'FROM a\n\nCOPY go.mod ./\nRUN go mod download\n\nCOPY . .\n';
    const doc = parseDockerfile(text);
    const [copy, run] = [doc.instructions[1]!, doc.instructions[2]!];
    const [runEdit, copyEdit] = removeInstructionsEdits(doc, [run, copy]);
    expect(text.slice(copyEdit!.start, copyEdit!.end)).toBe('COPY go.mod ./\n');
    expect(text.slice(runEdit!.start, runEdit!.end)).toBe('RUN go mod download\n\n');
    // alone, the RUN has no blank line above it, so the one below stays
    const alone = removeInstructionEdit(doc, run);
    expect(text.slice(alone.start, alone.end)).toBe('RUN go mod download\n');
  });
});
