/** A replacement of the half-open UTF-16 range [start, end) by `text`. Insertions have start === end. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** An edit tagged with the transform that asked for it, so conflicts can name their authors. */
export interface OwnedEdit extends Edit {
  readonly owner: string;
}

/** Two edits claim the same text: a bug in the transform(s) named, never merged silently. */
export class OverlappingEditsError extends Error {
  constructor(
    readonly first: OwnedEdit,
    readonly second: OwnedEdit,
  ) {
    super(
      `overlapping edits: ${first.owner} [${first.start},${first.end}) and ${second.owner} [${second.start},${second.end})`,
    );
    this.name = 'OverlappingEditsError';
  }
}

/**
 * Applies all edits at once to `text`. Insertions at the same offset keep their given order.
 * Edits must not overlap; an insertion exactly at the boundary of a replacement is allowed.
 */
export function applyEdits(text: string, edits: readonly OwnedEdit[]): string {
  const sorted = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.index - b.index)
    .map(({ edit }) => edit);
  let out = '';
  let cursor = 0;
  let previous: OwnedEdit | undefined;
  for (const edit of sorted) {
    if (edit.start < 0 || edit.end > text.length || edit.start > edit.end) {
      throw new RangeError(`${edit.owner}: edit [${edit.start},${edit.end}) is outside the text (length ${text.length})`);
    }
    if (previous && overlaps(previous, edit)) throw new OverlappingEditsError(previous, edit);
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
    previous = edit;
  }
  return out + text.slice(cursor);
}

/** `b` starts at or after `a` (sorted); an insertion at the boundary of a replacement consumes nothing. */
function overlaps(a: Edit, b: Edit): boolean {
  return b.start < a.end;
}

/**
 * Maps offsets in the text produced by `edits` back to the original text: positions outside edits
 * shift, positions inside inserted text map to the start of the edit that produced them. The edits
 * are sorted once and each offset found by binary search: the fix loop maps every change and skip
 * back through every applied edit set, which with a scan per offset grew quadratically with the file.
 */
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
