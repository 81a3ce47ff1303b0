/**
 * go/static-binary-for-minimal-final (catalogue G-12). NOT YET IMPLEMENTED: a placeholder that changes nothing.
 */
import { ResultBuilder, type Transform } from '../../src/transform.js';

export const staticBinaryForMinimalFinal: Transform = {
  id: 'go/static-binary-for-minimal-final',
  title: 'Set CGO_ENABLED=0 when a Go binary goes into a scratch, distroless/static, alpine or busybox image',
  rationale: 'placeholder: not implemented yet',
  safety: 'safe',
  preconditions: [],
  apply() {
    return new ResultBuilder().result();
  },
};
