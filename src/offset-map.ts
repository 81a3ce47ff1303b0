/**
 * mapOffsetBack (edits.ts) for many offsets over the same edits: the edits are sorted once and
 * each offset found by binary search. The fix loop maps every change and skip back to the original
 * text through every applied edit set, which with one sort and scan per offset grew quadratically
 * with the file (1,000 stages: a change per stage, an edit per stage). Same answers as mapOffsetBack.
 */
import type { Edit } from './edits.js';

/** A function from an offset in the edited text to the offset in the text the edits were applied to. */
export function offsetMapBack(edits: readonly Edit[]): (offset: number) => number {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  // newStarts[i]: where edit i's text begins in the edited text; deltas[i]: the shift before edit i.
  // Edits do not overlap (applyEdits checks), so the inserted ranges are disjoint and in order.
  const newStarts: number[] = [];
  const deltas: number[] = [];
  let delta = 0;
  for (const edit of sorted) {
    newStarts.push(edit.start + delta);
    deltas.push(delta);
    delta += edit.text.length - (edit.end - edit.start);
  }
  return (offset) => {
    // the last edit whose text begins at or before the offset
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((newStarts[mid] ?? 0) <= offset) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    const edit = sorted[i];
    if (!edit) return offset;
    const newStart = newStarts[i] ?? 0;
    if (offset < newStart + edit.text.length) return edit.start;
    return offset - ((deltas[i] ?? 0) + edit.text.length - (edit.end - edit.start));
  };
}
