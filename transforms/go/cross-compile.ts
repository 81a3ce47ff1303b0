/**
 * go/cross-compile (catalogue G-05). NOT YET IMPLEMENTED: a placeholder that changes nothing.
 */
import { ResultBuilder, type Transform } from '../../src/transform.js';

export const crossCompile: Transform = {
  id: 'go/cross-compile',
  title: 'Cross-compile on the build platform instead of hard-coding GOOS and GOARCH',
  rationale: 'placeholder: not implemented yet',
  safety: 'unsafe',
  preconditions: [],
  apply() {
    return new ResultBuilder().result();
  },
};
