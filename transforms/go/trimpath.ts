/**
 * go/trimpath (catalogue G-04b). NOT YET IMPLEMENTED: a placeholder that changes nothing.
 */
import { ResultBuilder, type Transform } from '../../src/transform.js';

export const trimpath: Transform = {
  id: 'go/trimpath',
  title: 'Add -trimpath to go build so cached packages do not depend on the directory',
  rationale: 'placeholder: not implemented yet',
  safety: 'safe',
  preconditions: [],
  apply() {
    return new ResultBuilder().result();
  },
};
