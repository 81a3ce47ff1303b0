/**
 * go/vendor-mode (catalogue G-08). NOT YET IMPLEMENTED: a placeholder that changes nothing.
 */
import { ResultBuilder, type Transform } from '../../src/transform.js';

export const vendorMode: Transform = {
  id: 'go/vendor-mode',
  title: 'Build vendored modules from vendor/ without downloading them',
  rationale: 'placeholder: not implemented yet',
  safety: 'safe',
  preconditions: [],
  apply() {
    return new ResultBuilder().result();
  },
};
