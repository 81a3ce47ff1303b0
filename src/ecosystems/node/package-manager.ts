/**
 * Which package manager a project uses and how: its lockfile, the `packageManager` field, Yarn
 * Berry (a `.yarnrc.yml` or a release under `.yarn/releases`) and Yarn's zero-installs (a committed
 * `.yarn/cache`). Read from the build context, paths relative to its root.
 */
import type { BuildContext } from '../../context/context.js';
import type { PackageManager } from './install-command.js';

/** Each manager's lockfiles, in the order its install prefers them. */
export const LOCKFILES: Readonly<Record<PackageManager, readonly string[]>> = {
  npm: ['npm-shrinkwrap.json', 'package-lock.json'],
  yarn: ['yarn.lock'],
  pnpm: ['pnpm-lock.yaml'],
  bun: ['bun.lock', 'bun.lockb'],
};

export interface ProjectManager {
  /** The lockfiles of `manager` present in the directory (context-relative). */
  readonly lockfiles: readonly string[];
  /** Other managers' lockfiles there (a project moving from one to another). */
  readonly otherLockfiles: readonly string[];
  /** The manager `packageManager` names (`pnpm@9.1.0` → pnpm), or null. */
  readonly pinned: PackageManager | null;
  /** Its version from `packageManager` (`9.1.0`), or null. */
  readonly pinnedVersion: string | null;
  /** Yarn 2 or later (Berry): a `.yarnrc.yml`, a `.yarn/releases` binary, or `packageManager: yarn@2+`. */
  readonly berry: boolean;
  /** Yarn Berry's zero-installs: the project carries its package cache in `.yarn/cache`. */
  readonly zeroInstalls: boolean;
}

export function join(dir: string, file: string): string {
  return dir === '' ? file : `${dir}/${file}`;
}

/** How the project in `dir` (context-relative, '' for the root) is installed by `manager`. */
export function projectManager(context: BuildContext, dir: string, manager: PackageManager, packageManagerField: string | null): ProjectManager {
  const present = (file: string): boolean => context.exists(join(dir, file));
  const lockfiles = LOCKFILES[manager].filter(present).map((f) => join(dir, f));
  const otherLockfiles = (Object.keys(LOCKFILES) as PackageManager[])
    .filter((m) => m !== manager)
    .flatMap((m) => LOCKFILES[m].filter(present).map((f) => join(dir, f)));
  const m = /^(npm|yarn|pnpm|bun)@([^+\s]*)/.exec(packageManagerField ?? '');
  const pinned = (m?.[1] as PackageManager | undefined) ?? null;
  const pinnedVersion = m?.[2] ?? null;
  const yarnMajor = pinned === 'yarn' ? Number.parseInt(pinnedVersion ?? '', 10) : NaN;
  const berry = manager === 'yarn' && (yarnMajor >= 2 || (Number.isNaN(yarnMajor) && (present('.yarnrc.yml') || (context.list(join(dir, '.yarn/releases')) ?? []).length > 0)));
  const zeroInstalls = berry && (context.list(join(dir, '.yarn/cache')) ?? []).some((e) => e.name.endsWith('.zip'));
  return { lockfiles, otherLockfiles, pinned, pinnedVersion, berry, zeroInstalls };
}
