/**
 * go/strip-symbols (catalogue G-04c). NOT YET IMPLEMENTED: a placeholder that changes nothing.
 */
import { ResultBuilder, type Transform } from '../../src/transform.js';

export const stripSymbols: Transform = {
  id: 'go/strip-symbols',
  title: 'Add -s -w to the go build -ldflags',
  rationale: 'placeholder: not implemented yet',
  safety: 'unsafe',
  preconditions: [],
  apply() {
    return new ResultBuilder().result();
  },
};
