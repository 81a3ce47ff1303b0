/**
 * What a fix deleted, from its edit history: the text each edit replaced, leaving out blanks and
 * text that the same transform step pasted elsewhere (a move). Whatever remains must be something the
 * transform means to delete (removes.json of an example, the removal vocabulary of the property tests).
 */
import type { AppliedEdits } from '../../src/engine/fixer.js';

export interface RemovedText {
  readonly transform: string;
  readonly text: string;
}

export function removedText(history: readonly AppliedEdits[]): RemovedText[] {
  const removed: RemovedText[] = [];
  for (const step of history) {
    for (const edit of step.edits) {
      const text = step.before.slice(edit.start, edit.end);
      const moved = step.edits.some((other) => other !== edit && other.text.includes(text));
      if (!/^\s*$/.test(text) && !moved) removed.push({ transform: step.transform, text });
    }
  }
  return removed;
}
