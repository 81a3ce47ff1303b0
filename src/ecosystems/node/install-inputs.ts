/**
 * The files a project install reads besides the sources: package.json, the manager's lockfile, its
 * configuration (`.npmrc`, `.yarnrc`, `.yarnrc.yml` with `.yarn/releases` and `.yarn/plugins`,
 * `.pnpmfile.cjs`, `pnpm-workspace.yaml`, `bunfig.toml`) and the patches it applies. Only those
 * present in the context are listed, context-relative.
 */
import type { BuildContext } from '../../context/context.js';
import { normalizePath } from '../../context/context.js';
import type { PackageManager } from './install-command.js';
import { join, LOCKFILES } from './package-manager.js';

/** Configuration each manager reads from the project directory (files and directories). */
const CONFIG: Readonly<Record<PackageManager, readonly string[]>> = {
  npm: ['.npmrc'],
  // Yarn classic reads .npmrc for registry settings too; Berry reads only .yarnrc.yml and .yarn/
  yarn: ['.npmrc', '.yarnrc', '.yarnrc.yml', '.yarn/releases', '.yarn/plugins', '.yarn/patches'],
  pnpm: ['.npmrc', '.pnpmfile.cjs', 'pnpm-workspace.yaml'],
  bun: ['.npmrc', 'bunfig.toml'],
};

/** Yarn Berry's zero-installs: the committed package cache is an input of the install. */
const ZERO_INSTALL_CACHE = '.yarn/cache';

export interface InstallInputs {
  /** Context-relative paths present in the context, files and directories, in a stable order. */
  readonly paths: readonly string[];
  /** Whether a lockfile of that manager is among them. */
  readonly locked: boolean;
}

/**
 * What `manager` reads when installing the project in `dir`: `extra` adds paths the project names
 * (patch files, lifecycle scripts), relative to `dir`; absent ones are left out.
 */
export function installInputs(context: BuildContext, dir: string, manager: PackageManager, options: { zeroInstalls?: boolean; extra?: readonly string[] } = {}): InstallInputs {
  const lockfiles = LOCKFILES[manager].filter((f) => context.exists(join(dir, f)));
  const config = CONFIG[manager].filter((f) => context.exists(join(dir, f)));
  const extra = (options.extra ?? []).map((f) => normalizePath(f)).filter((f) => f !== '' && context.exists(join(dir, f)));
  const patches = context.exists(join(dir, 'patches')) ? ['patches'] : [];
  const cache = options.zeroInstalls === true && context.exists(join(dir, ZERO_INSTALL_CACHE)) ? [ZERO_INSTALL_CACHE] : [];
  const paths = [...new Set(['package.json', ...lockfiles, ...config, ...patches, ...extra, ...cache])].map((f) => join(dir, f));
  return { paths, locked: lockfiles.length > 0 };
}
