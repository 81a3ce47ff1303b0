import { describe, expect, test } from '@jest/globals';
import { applyEdits, OverlappingEditsError, offsetMapBack } from '../src/engine/edits.js';

const own = (start: number, end: number, text: string, owner = 't') => ({ start, end, text, owner });

describe('applyEdits', () => {
  test('applies insertions, replacements and removals together, in any given order', () => {
    expect(applyEdits('abcdef', [own(4, 6, ''), own(0, 0, '>'), own(2, 3, 'X')])).toBe('>abXd');
  });
  test('keeps the given order of insertions at the same offset', () => {
    expect(applyEdits('ab', [own(1, 1, '1'), own(1, 1, '2')])).toBe('a12b');
  });
  test('an insertion at the boundary of a replacement is not an overlap', () => {
    expect(applyEdits('abc', [own(1, 2, 'X'), own(2, 2, '+'), own(1, 1, '-')])).toBe('a-X+c');
  });
  test('overlapping edits are a bug that names both transforms', () => {
    expect(() => applyEdits('abcdef', [own(1, 4, 'x', 'go/a'), own(3, 5, 'y', 'go/b')])).toThrow(OverlappingEditsError);
    expect(() => applyEdits('abcdef', [own(1, 4, 'x', 'go/a'), own(3, 5, 'y', 'go/b')])).toThrow(/go\/a \[1,4\) and go\/b \[3,5\)/);
    expect(() => applyEdits('abcdef', [own(2, 2, 'x', 'go/a'), own(1, 4, 'y', 'go/b')])).toThrow(OverlappingEditsError);
  });
  test('rejects edits outside the text', () => {
    expect(() => applyEdits('ab', [own(1, 5, '')])).toThrow(RangeError);
  });
  test('leaves a BOM and CRLF alone outside the edits', () => {
    const text = '\uFEFFFROM a\r\nRUN b\r\n';
    expect(applyEdits(text, [own(9, 9, 'COPY x y\r\n')])).toBe('\uFEFFFROM a\r\nCOPY x y\r\nRUN b\r\n');
  });
});

describe('offsetMapBack', () => {
  const edits = [{ start: 2, end: 2, text: 'XYZ' }, { start: 4, end: 6, text: '' }];
  // "abcdefg" -> "abXYZcdg"
  test('maps offsets before, inside and after edits to the original', () => {
    expect(offsetMapBack(edits)(1)).toBe(1);
    expect(offsetMapBack(edits)(3)).toBe(2);
    expect(offsetMapBack(edits)(5)).toBe(2);
    expect(offsetMapBack(edits)(6)).toBe(3);
    expect(offsetMapBack(edits)(7)).toBe(6);
  });
});
