/**
 * go/gopath-env (catalogue G-11). NOT YET IMPLEMENTED: a placeholder that changes nothing.
 */
import { ResultBuilder, type Transform } from '../../src/transform.js';

export const gopathEnv: Transform = {
  id: 'go/gopath-env',
  title: 'Remove ENV GOPATH and GO111MODULE=on that module builds do not need',
  rationale: 'placeholder: not implemented yet',
  safety: 'unsafe',
  preconditions: [],
  apply() {
    return new ResultBuilder().result();
  },
};
