/** Where the `go` command keeps its module and build caches in a RUN: the targets of its cache mounts. */
import { type RunEnvironment, trimSlash, userIds } from '../../engine/env.js';

export interface GoCacheDirs {
  readonly modCache: string;
  readonly buildCache: string;
  /** `uid=N,gid=M` options for a non-root numeric USER, or empty. */
  readonly ownerOptions: string;
}

/**
 * Where `go` keeps its module and build caches for a RUN, or the reason we cannot tell. Go's rules:
 * GOMODCACHE, else the first GOPATH entry + /pkg/mod; GOCACHE, else $XDG_CACHE_HOME/go-build,
 * else $HOME/.cache/go-build.
 */
export function goCacheDirs(env: RunEnvironment): GoCacheDirs | { reason: string } {
  if (env.windows) return { reason: `a Windows stage (${env.baseImage}): its Go caches are not at Linux paths, and RUN --mount needs a Linux builder` };
  const get = (name: string): string | null | undefined => env.vars.get(name);
  for (const name of ['GOPATH', 'GOMODCACHE', 'GOCACHE', 'HOME', 'XDG_CACHE_HOME']) {
    if (get(name) === null) return { reason: `ENV ${name} uses a value we cannot resolve` };
    if (env.args.has(name)) return { reason: `ARG ${name} may change where Go keeps its caches` };
  }
  const owner = userIds(env.user);
  if (owner === null) return { reason: `USER ${env.user}: its uid is unknown, so a cache mount would not be writable for it` };
  const modCache = get('GOMODCACHE') ?? (get('GOPATH') ? `${(get('GOPATH') ?? '').split(':')[0]}/pkg/mod` : undefined);
  const home = owner === '' ? get('HOME') : undefined; // a non-root user's HOME comes from /etc/passwd
  const buildCache = get('GOCACHE') ?? (get('XDG_CACHE_HOME') ? `${get('XDG_CACHE_HOME')}/go-build` : home ? `${home}/.cache/go-build` : undefined);
  if (!modCache || !buildCache) {
    return {
      reason: env.knownImage
        ? `USER ${env.user} is not root: set ENV GOCACHE and GOMODCACHE (or GOPATH) so the cache mounts have a known place`
        : `cannot tell where Go keeps its caches in ${env.baseImage || 'the base image'} (set ENV GOMODCACHE and GOCACHE, or use the golang image)`,
    };
  }
  if (!modCache.startsWith('/') || !buildCache.startsWith('/')) return { reason: 'the Go cache directories are relative paths' };
  return { modCache: trimSlash(modCache), buildCache: trimSlash(buildCache), ownerOptions: owner };
}

