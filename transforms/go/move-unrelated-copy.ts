/**
 * go/move-unrelated-copy (catalogue G-10). NOT YET IMPLEMENTED: a placeholder that changes nothing.
 */
import { ResultBuilder, type Transform } from '../../src/transform.js';

export const moveUnrelatedCopy: Transform = {
  id: 'go/move-unrelated-copy',
  title: 'Move COPY of files the Go build does not read after the build',
  rationale: 'placeholder: not implemented yet',
  safety: 'safe',
  preconditions: [],
  apply() {
    return new ResultBuilder().result();
  },
};
