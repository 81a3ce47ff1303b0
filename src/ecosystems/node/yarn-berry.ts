/**
 * Where Yarn 2+ (Berry) keeps its cache, and whether a cache mount may hold it: Berry keeps it in
 * the project (`.yarn/cache`) up to Yarn 3 and with zero-installs, in `<globalFolder>/cache` from
 * Yarn 4 (enableGlobalCache); under Plug'n'Play (its default linker) the application loads its
 * packages from that cache at run time, so only a `node-modules` linker leaves nothing there the
 * image needs.
 */
import { parse } from 'yaml';

export interface BerrySettings {
  readonly nodeLinker: string | null;
  readonly enableGlobalCache: boolean | null;
  readonly cacheFolder: string | null;
  readonly globalFolder: string | null;
}

export function readYarnrcYml(text: string | null): BerrySettings | null {
  if (text === null) return { nodeLinker: null, enableGlobalCache: null, cacheFolder: null, globalFolder: null };
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    return null;
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) return null;
  const r = data as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    nodeLinker: str(r['nodeLinker']),
    enableGlobalCache: typeof r['enableGlobalCache'] === 'boolean' ? r['enableGlobalCache'] : null,
    cacheFolder: str(r['cacheFolder']),
    globalFolder: str(r['globalFolder']),
  };
}

/** The major version of Yarn from `packageManager` (`yarn@4.1.1`) or a release file name (`yarn-4.1.1.cjs`), or null. */
export function yarnMajor(packageManager: string | null, releases: readonly string[]): number | null {
  const pinned = /^yarn@(\d+)/.exec(packageManager ?? '');
  if (pinned) return Number(pinned[1]);
  const release = releases.map((name) => /^yarn-(\d+)\./.exec(name)).find((m) => m !== null);
  return release ? Number(release[1]) : null;
}

/** Berry's cache directory for a mount, or why there must be none. */
export function berryCacheDir(settings: BerrySettings, major: number | null, home: string, env: ReadonlyMap<string, string | null>): { dir: string } | { reason: string } {
  const nodeLinker = env.get('YARN_NODE_LINKER') ?? settings.nodeLinker ?? 'pnp';
  if (nodeLinker !== 'node-modules') {
    const why = settings.nodeLinker === null && !env.has('YARN_NODE_LINKER') ? "Yarn 2+ uses Plug'n'Play unless .yarnrc.yml sets nodeLinker: node-modules, and" : `Yarn Plug'n'Play (nodeLinker: ${nodeLinker})`;
    return { reason: `${why} loads packages from Yarn's cache at run time; a cache mount would hide them from the image` };
  }
  if (settings.cacheFolder !== null || env.has('YARN_CACHE_FOLDER')) return { reason: 'cacheFolder puts Yarn\'s cache at a place of its own; mount it by hand' };
  const global = env.get('YARN_ENABLE_GLOBAL_CACHE') ?? settings.enableGlobalCache;
  const globalCache = global === true || global === 'true' || global === '1' || (global === null || global === undefined ? major !== null && major >= 4 : false);
  if (!globalCache) return { reason: `Yarn ${major ?? '2+'} keeps its cache in the project's .yarn/cache unless enableGlobalCache is set` };
  const folder = env.get('YARN_GLOBAL_FOLDER') ?? settings.globalFolder ?? `${home === '/' ? '' : home}/.yarn/berry`;
  if (!folder.startsWith('/') || folder.includes('$')) return { reason: `Yarn's globalFolder (${folder}) is not an absolute path I can resolve` };
  return { dir: `${folder.replace(/\/+$/, '')}/cache` };
}
