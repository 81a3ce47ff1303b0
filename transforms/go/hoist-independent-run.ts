/**
 * go/hoist-independent-run (catalogue G-02). NOT YET IMPLEMENTED: a placeholder that changes nothing.
 */
import { ResultBuilder, type Transform } from '../../src/transform.js';

export const hoistIndependentRun: Transform = {
  id: 'go/hoist-independent-run',
  title: 'Move RUN steps that do not read the sources above the source COPY',
  rationale: 'placeholder: not implemented yet',
  safety: 'safe',
  preconditions: [],
  apply() {
    return new ResultBuilder().result();
  },
};
