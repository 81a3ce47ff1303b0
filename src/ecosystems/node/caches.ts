/**
 * Where each package manager keeps its download cache for the user who runs the install: the target
 * of its cache mount. A mount there keeps tarballs between builds; it must not hide configuration
 * (npm's own settings live in npmrc files, outside these directories).
 */
import type { PackageManager } from './install-command.js';

export interface CacheSettings {
  /** The user running the install: `root` is special for Yarn classic. */
  readonly root: boolean;
  /** That user's home directory. */
  readonly home: string;
  /** The environment of the RUN (ENV in effect, and the command's own `NAME=value` prefixes). */
  readonly env: ReadonlyMap<string, string | null>;
  /** The project's `.npmrc` text, or null. */
  readonly npmrc: string | null;
  /** The project's `.yarnrc` (classic) text, or null. */
  readonly yarnrc: string | null;
  /** The `storeDir` of pnpm-workspace.yaml, or null. */
  readonly pnpmStoreDir: string | null;
}

export type CacheDir = { readonly dir: string } | { readonly reason: string };

/** npm reads `npm_config_<key>` in any case (NPM_CONFIG_CACHE too). */
function npmEnv(env: ReadonlyMap<string, string | null>, key: string): string | null | undefined {
  for (const [name, value] of env) if (name.toLowerCase() === `npm_config_${key}`) return value;
  return undefined;
}

/** `key=value` of an npmrc or `.yarnrc` (`key value` / `key "value"`) text, the last one winning. */
export function rcValue(text: string | null, key: string, yarnStyle = false): string | null {
  if (text === null) return null;
  let value: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const m = yarnStyle ? new RegExp(`^\\s*"?${key}"?\\s+"?([^"]*)"?\\s*$`).exec(line) : new RegExp(`^\\s*${key}\\s*=\\s*(.*?)\\s*$`).exec(line);
    if (m) value = m[1] ?? null;
  }
  return value;
}

function absolute(path: string, home: string, what: string): CacheDir {
  const expanded = path.replace(/^~(?=\/|$)/, home).replace(/\$\{?HOME\}?/g, home);
  if (expanded.includes('$')) return { reason: `${what} (${path}) uses a variable I cannot resolve` };
  if (!expanded.startsWith('/')) return { reason: `${what} (${path}) is a relative path` };
  return { dir: expanded.length > 1 ? expanded.replace(/\/+$/, '') : expanded };
}

/** The cache directory of `manager` (Yarn classic; Berry is handled by the caller) for these settings. */
export function cacheDir(manager: PackageManager, s: CacheSettings): CacheDir {
  const env = (name: string): string | null | undefined => s.env.get(name);
  switch (manager) {
    case 'npm': {
      const fromEnv = npmEnv(s.env, 'cache');
      if (fromEnv === null) return { reason: 'npm_config_cache is set to a value I cannot resolve' };
      if (fromEnv !== undefined) return absolute(fromEnv, s.home, 'npm_config_cache');
      const fromRc = rcValue(s.npmrc, 'cache');
      if (fromRc !== null) return absolute(fromRc, s.home, 'the cache setting of .npmrc');
      return { dir: `${trim(s.home)}/.npm` };
    }
    case 'yarn': {
      const fromEnv = env('YARN_CACHE_FOLDER');
      if (fromEnv === null) return { reason: 'YARN_CACHE_FOLDER is set to a value I cannot resolve' };
      if (fromEnv !== undefined) return absolute(fromEnv, s.home, 'YARN_CACHE_FOLDER');
      const fromRc = rcValue(s.yarnrc, 'cache-folder', true) ?? rcValue(s.yarnrc, '--cache-folder', true);
      if (fromRc !== null) return absolute(fromRc, s.home, 'the cache-folder setting of .yarnrc');
      const xdg = env('XDG_CACHE_HOME');
      if (xdg === null) return { reason: 'XDG_CACHE_HOME is set to a value I cannot resolve' };
      if (xdg !== undefined) return absolute(`${xdg}/yarn`, s.home, 'XDG_CACHE_HOME');
      // Yarn 1 puts root's cache under /usr/local/share, everyone else's under their home
      return { dir: s.root ? '/usr/local/share/.cache/yarn' : `${trim(s.home)}/.cache/yarn` };
    }
    case 'pnpm': {
      const fromEnv = npmEnv(s.env, 'store_dir') ?? npmEnv(s.env, 'store-dir');
      if (fromEnv === null) return { reason: 'npm_config_store_dir is set to a value I cannot resolve' };
      if (fromEnv !== undefined) return absolute(fromEnv, s.home, 'npm_config_store_dir');
      const fromRc = rcValue(s.npmrc, 'store-dir') ?? s.pnpmStoreDir;
      if (fromRc !== null) return absolute(fromRc, s.home, 'the store-dir setting');
      const pnpmHome = env('PNPM_HOME');
      if (pnpmHome === null) return { reason: 'PNPM_HOME is set to a value I cannot resolve' };
      if (pnpmHome !== undefined) return absolute(`${pnpmHome}/store`, s.home, 'PNPM_HOME');
      const xdg = env('XDG_DATA_HOME');
      if (xdg === null) return { reason: 'XDG_DATA_HOME is set to a value I cannot resolve' };
      if (xdg !== undefined) return absolute(`${xdg}/pnpm/store`, s.home, 'XDG_DATA_HOME');
      return { dir: `${trim(s.home)}/.local/share/pnpm/store` };
    }
    case 'bun': {
      const fromEnv = env('BUN_INSTALL_CACHE_DIR');
      if (fromEnv === null) return { reason: 'BUN_INSTALL_CACHE_DIR is set to a value I cannot resolve' };
      if (fromEnv !== undefined) return absolute(fromEnv, s.home, 'BUN_INSTALL_CACHE_DIR');
      const install = env('BUN_INSTALL');
      if (install === null) return { reason: 'BUN_INSTALL is set to a value I cannot resolve' };
      if (install !== undefined) return absolute(`${install}/install/cache`, s.home, 'BUN_INSTALL');
      return { dir: `${trim(s.home)}/.bun/install/cache` };
    }
  }
}

function trim(home: string): string {
  return home === '/' ? '' : home.replace(/\/+$/, '');
}
