/**
 * go/drop-cache-defeating-flags (catalogue G-04d). NOT YET IMPLEMENTED: a placeholder that changes nothing.
 */
import { ResultBuilder, type Transform } from '../../src/transform.js';

export const dropCacheDefeatingFlags: Transform = {
  id: 'go/drop-cache-defeating-flags',
  title: 'Drop go build -a and -installsuffix, which defeat the build cache',
  rationale: 'placeholder: not implemented yet',
  safety: 'safe',
  preconditions: [],
  apply() {
    return new ResultBuilder().result();
  },
};
