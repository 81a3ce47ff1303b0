/** offsetMapBack (binary search) gives the answer of a plain scan of the edits for every offset of every edited text. */
import { expect, test } from '@jest/globals';
import fc from 'fast-check';
import { applyEdits, type Edit, offsetMapBack } from '../src/engine/edits.js';

/** The reference: walk the sorted edits, shifting until the offset is reached. */
function mapOffsetBack(edits: readonly Edit[], offset: number): number {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let delta = 0;
  for (const edit of sorted) {
    const newStart = edit.start + delta;
    const newEnd = newStart + edit.text.length;
    if (offset < newStart) break;
    if (offset < newEnd) return edit.start;
    delta += edit.text.length - (edit.end - edit.start);
  }
  return offset - delta;
}

/** Non-overlapping edits on a text of `length`: insertions, deletions and replacements, some at the same offset, in any order. */
const editsOn = (length: number) =>
  fc
    .array(fc.record({ at: fc.nat(length), span: fc.nat(4), text: fc.constantFrom('', 'x', 'yy', 'long text\n') }), { maxLength: 8 })
    .map((raw) => {
      const edits: Edit[] = [];
      let cursor = 0;
      for (const r of [...raw].sort((a, b) => a.at - b.at)) {
        const start = Math.max(r.at, cursor);
        if (start > length) break;
        const end = Math.min(length, start + r.span);
        edits.push({ start, end, text: r.text });
        cursor = end;
      }
      return edits;
    })
    .chain((edits) => fc.shuffledSubarray(edits, { minLength: edits.length, maxLength: edits.length }));

test('same mapping as mapOffsetBack', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }).chain((text) => fc.tuple(fc.constant(text), editsOn(text.length))), ([text, edits]) => {
      const edited = applyEdits(text, edits.map((e) => ({ ...e, owner: 't' })));
      const back = offsetMapBack(edits);
      for (let offset = 0; offset <= edited.length + 1; offset++) expect(back(offset)).toBe(mapOffsetBack(edits, offset));
    }),
    { seed: 20_251_201, numRuns: 2000 },
  );
});

test('an insertion and a replacement at the same offset', () => {
  const edits: Edit[] = [{ start: 2, end: 4, text: 'Z' }, { start: 2, end: 2, text: 'ins' }];
  const back = offsetMapBack(edits);
  // "abcdef" -> "ab" + "ins" + "Z" + "ef"
  expect([0, 1, 2, 4, 5, 6, 7, 8].map(back)).toEqual([0, 1, 2, 2, 2, 4, 5, 6]);
  expect([0, 1, 2, 4, 5, 6, 7, 8].map((o) => mapOffsetBack(edits, o))).toEqual([0, 1, 2, 2, 2, 4, 5, 6]);
});
