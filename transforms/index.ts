/**
 * The registry: every transform, in the order the driver applies them. Each transform sees the
 * previous one's output, so the order is a design decision:
 * 1. environment clean-up first (gopath-env, vendor-mode), because it changes what later ones see;
 * 2. moves next: hoisting independent RUNs above the source COPY (in any ecosystem's stage) lets
 *    mod-download-first apply in the same pass, and unrelated COPYs move out of the way after it;
 *    java/maven-deps-first beside mod-download-first (it adds the resolution step the cache mounts
 *    below then decorate), and rust/deps-first likewise (rust/cache-mount then sees its placeholder
 *    build as the earlier build that keeps the target directory out of a mount, and copies no
 *    artifacts out: the dependency layer caches them; without one, a workspace say, it mounts
 *    target/ and copies what later stages COPY --from it to /cargo-out);
 *    python/requirements-first and node/manifest-first likewise: the same shape (manifests and the
 *    install above the source COPY), for pip, Poetry, uv and Pipenv, and for npm, yarn, pnpm and bun;
 * 3. then edits inside `go build` (flags, CGO_ENABLED, cross-compilation) and inside the Node
 *    install (node/frozen-lockfile, once manifest-first has put the lockfile COPY before it);
 * 4. cache mounts: they decorate every Go RUN, including the ones inserted above, and every apt-get
 *    install once the moves have put it where it stays; rust/cache-mount after the Go ones (it
 *    mounts every cargo step of a stage family, all or nothing, so it runs once the steps are final),
 *    java/maven-cache-mount likewise for the Maven steps, the resolution step added above included;
 *    python/cache-mount decorates the Python installs, including those requirements-first put above;
 *    node/cache-mount every npm/yarn/pnpm/bun install (after node/manifest-first moved it) and
 *    node/framework-build-cache every next build;
 * 5. the .dockerignore last: it writes a context file and leaves the Dockerfile alone (rust/dockerignore
 *    before docker/dockerignore, which then finds .git already excluded or adds it for Go stages;
 *    python/dockerignore and node/dockerignore after them, each appending only what is missing for
 *    its stages).
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
import { staticBinaryForMinimalFinal } from './go/static-binary-for-minimal-final.js';
import { stripSymbols } from './go/strip-symbols.js';
import { trimpath } from './go/trimpath.js';
import { vendorMode } from './go/vendor-mode.js';
import { rustCacheMount } from './rust/cache-mount.js';
import { rustDepsFirst } from './rust/deps-first.js';
import { rustDockerignore } from './rust/dockerignore.js';
import { mavenCacheMount } from './java/maven-cache-mount.js';
import { mavenDepsFirst } from './java/maven-deps-first.js';
import { pythonCacheMount } from './python/cache-mount.js';
import { pythonDockerignore } from './python/dockerignore.js';
import { requirementsFirst } from './python/requirements-first.js';
import { nodeCacheMount } from './node/cache-mount.js';
import { nodeDockerignore } from './node/dockerignore.js';
import { nodeFrameworkBuildCache } from './node/framework-build-cache.js';
import { nodeFrozenLockfile } from './node/frozen-lockfile.js';
import { nodeManifestFirst } from './node/manifest-first.js';

export const transforms: readonly Transform[] = [
  gopathEnv,
  vendorMode,
  hoistIndependentRun,
  modDownloadFirst,
  mavenDepsFirst,
  rustDepsFirst,
  requirementsFirst,
  nodeManifestFirst,
  moveUnrelatedCopy,
  nodeFrozenLockfile,
  dropCacheDefeatingFlags,
  trimpath,
  stripSymbols,
  staticBinaryForMinimalFinal,
  crossCompile,
  buildCacheMount,
  rustCacheMount,
  mavenCacheMount,
  nodeCacheMount,
  nodeFrameworkBuildCache,
  aptCacheMount,
  pythonCacheMount,
  rustDockerignore,
  dockerignore,
  pythonDockerignore,
  nodeDockerignore,
];

export function transformById(id: string): Transform | undefined {
  return transforms.find((t) => t.id === id);
}
