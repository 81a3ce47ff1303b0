/**
 * The registry: every transform, in the order the driver applies them. Each transform sees the
 * previous one's output, so the order is a design decision:
 * 1. environment clean-up first (gopath-env, vendor-mode), because it changes what later ones see;
 * 2. moves next: hoisting independent RUNs above the source COPY (in any ecosystem's stage) lets
 *    mod-download-first apply in the same pass, and unrelated COPYs move out of the way after it;
 *    python/requirements-first sits beside mod-download-first: the same move, for pip, Poetry, uv, Pipenv;
 * 3. then edits inside `go build` (flags, CGO_ENABLED, cross-compilation);
 * 4. cache mounts: they decorate every Go RUN, including the ones inserted above, and every apt-get
 *    install once the moves have put it where it stays; python/cache-mount likewise decorates the
 *    Python installs, including those requirements-first put above the source COPY;
 * 5. the .dockerignore last: it writes a context file and leaves the Dockerfile alone (python/dockerignore
 *    after docker/dockerignore, appending its own block to what that one wrote).
 */
import type { Transform } from '../src/engine/transform.js';
import { aptCacheMount } from './docker/apt-cache-mount.js';
import { dockerignore } from './docker/dockerignore.js';
import { hoistIndependentRun } from './docker/hoist-independent-run.js';
import { moveUnrelatedCopy } from './docker/move-unrelated-copy.js';
import { buildCacheMount } from './go/build-cache-mount.js';
import { crossCompile } from './go/cross-compile.js';
import { dropCacheDefeatingFlags } from './go/drop-cache-defeating-flags.js';
import { gopathEnv } from './go/gopath-env.js';
import { modDownloadFirst } from './go/mod-download-first.js';
import { pythonCacheMount } from './python/cache-mount.js';
import { pythonDockerignore } from './python/dockerignore.js';
import { requirementsFirst } from './python/requirements-first.js';
import { staticBinaryForMinimalFinal } from './go/static-binary-for-minimal-final.js';
import { stripSymbols } from './go/strip-symbols.js';
import { trimpath } from './go/trimpath.js';
import { vendorMode } from './go/vendor-mode.js';

export const transforms: readonly Transform[] = [
  gopathEnv,
  vendorMode,
  hoistIndependentRun,
  modDownloadFirst,
  requirementsFirst,
  moveUnrelatedCopy,
  dropCacheDefeatingFlags,
  trimpath,
  stripSymbols,
  staticBinaryForMinimalFinal,
  crossCompile,
  buildCacheMount,
  aptCacheMount,
  pythonCacheMount,
  dockerignore,
  pythonDockerignore,
];

export function transformById(id: string): Transform | undefined {
  return transforms.find((t) => t.id === id);
}
