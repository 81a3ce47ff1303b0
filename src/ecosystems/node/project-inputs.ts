/**
 * Everything a project install reads before the sources are there, gathered from the build context:
 * the install inputs of the project directory, every workspace's package.json, the files its
 * lifecycle scripts name, its local (`file:`, `link:`, `portal:`) dependencies. Or the reason that
 * set cannot be known, in words a Node developer recognises.
 */
import type { BuildContext } from '../../context/context.js';
import { normalizePath } from '../../context/context.js';
import type { NodeInstall } from './install-command.js';
import { installInputs } from './install-inputs.js';
import { lifecycleNeeds } from './lifecycle.js';
import { type PackageJson, readPackageJson } from './package-json.js';
import { join, projectManager } from './package-manager.js';
import { readPnpmWorkspace } from './pnpm-workspace.js';
import { rcValue } from './caches.js';
import { resolveWorkspaces } from './workspaces.js';
import { insideContext } from '../../patterns/manifest-first.js';

export interface ProjectInputs {
  /** Context-relative files and directories the install reads, the project's package.json first. */
  readonly paths: readonly string[];
  /** Which of them are directories (copied each to its own path). */
  readonly directories: ReadonlySet<string>;
  /** A lockfile of the manager is among them. */
  readonly locked: boolean;
  /** Workspace directories found (context-relative). */
  readonly workspaces: readonly string[];
}

export interface InputsOptions {
  /** Whether a context path is visible to the build (present and not excluded by .dockerignore). */
  readonly visible: (path: string) => boolean;
}

/** Where a context-relative path lands when resolved from `dir`, or null when it leaves the context. */
function fromDir(dir: string, path: string): string | null {
  if (path.startsWith('~')) return null;
  return insideContext(dir === '' ? path : `${dir}/${path}`);
}

const isDirectory = (context: BuildContext, path: string): boolean => context.list(path) !== null;

/** What `install` reads in the project at `dir` (context-relative), or why we cannot tell. */
export function projectInputs(context: BuildContext, dir: string, install: NodeInstall, options: InputsOptions): ProjectInputs | { reason: string } {
  const manifest = join(dir, 'package.json');
  const text = context.readFile(manifest);
  if (text === null) return { reason: `${manifest} cannot be read` };
  const pkg = readPackageJson(text);
  if (pkg === null) return { reason: `${manifest} is not a JSON object` };
  const manager = projectManager(context, dir, install.manager, pkg.packageManager);
  if (context.exists(join(dir, 'binding.gyp')) && !scriptsIgnored(context, dir, install)) {
    return { reason: `${join(dir, 'binding.gyp')}: the install compiles this package's native addon from its sources` };
  }

  const extra: string[] = [];
  const packages: { dir: string; pkg: PackageJson }[] = [{ dir, pkg }];
  const workspaces = workspacePatterns(context, dir, install, pkg);
  if ('reason' in workspaces) return workspaces;
  const found = resolveWorkspaces(context, dir, workspaces.patterns);
  if ('reason' in found) return found;
  const workspaceDirs = found.dirs.filter((w) => options.visible(join(w, 'package.json')));
  for (const w of workspaceDirs) {
    const wsText = context.readFile(join(w, 'package.json'));
    const wsPkg = wsText === null ? null : readPackageJson(wsText);
    if (wsPkg === null) return { reason: `the workspace manifest ${join(w, 'package.json')} is not a JSON object` };
    // the install links a workspace's executables into node_modules/.bin and makes them executable: they must exist
    if (wsPkg.hasBin) return { reason: `the workspace ${w} declares bin executables, which the install links before the sources are copied` };
    packages.push({ dir: w, pkg: wsPkg });
  }

  const paths: string[] = [];
  for (const { dir: at, pkg: p } of packages) {
    if (at !== dir) paths.push(join(at, 'package.json'));
    // lifecycle scripts run during the install, in each package, before the sources are copied
    if (!scriptsIgnored(context, dir, install) && p.lifecycle.length > 0) {
      const needs = lifecycleNeeds(p.lifecycle, p.scripts);
      const where = at === dir ? 'package.json' : join(at, 'package.json');
      if (!('reason' in needs) && needs.gitHooks === true && options.visible('.git')) {
        return { reason: `${where}: a lifecycle script installs git hooks (husky) and .git is in the build context; the install would now run before .git is copied (add .git to .dockerignore)` };
      }
      if ('reason' in needs) return { reason: `${where}: ${needs.reason}; the install would now run it before the sources are copied (copy what it needs above the install by hand, or install with --ignore-scripts)` };
      for (const file of needs.files) {
        const path = fromDir(at, file);
        if (path === null) return { reason: `${where}: a lifecycle script reads ${file}, outside the build context` };
        if (!options.visible(path)) return { reason: `${where}: a lifecycle script reads ${file}, which is not in the build context` };
        paths.push(path);
      }
    }
    for (const dep of p.localDependencies) {
      const path = fromDir(at, dep.path);
      const where = at === dir ? 'package.json' : join(at, 'package.json');
      if (path === null) return { reason: `${where} depends on ${dep.name} at ${dep.spec}, outside the build context` };
      if (!options.visible(path)) return { reason: `${where} depends on ${dep.name} at ${dep.spec}, which is not in the build context` };
      paths.push(path);
    }
    for (const patch of p.patchFiles) {
      const path = fromDir(at, patch);
      if (path !== null && options.visible(path)) extra.push(path);
    }
  }

  // settings that name project paths the install reads: Yarn classic's offline mirror and yarn-path, Berry's yarnPath
  const yarnrc = context.readFile(join(dir, '.yarnrc'));
  const yarnrcYml = context.readFile(join(dir, '.yarnrc.yml'));
  const named = [
    rcValue(yarnrc, 'yarn-offline-mirror', true),
    rcValue(yarnrc, 'yarn-path', true),
    /^yarnPath:\s*["']?([^"'\s]+)/m.exec(yarnrcYml ?? '')?.[1] ?? null,
  ];
  for (const setting of named) {
    if (setting === null || install.manager !== 'yarn') continue;
    const path = fromDir(dir, setting);
    if (path === null) return { reason: `Yarn's settings read ${setting}, outside the build context` };
    if (options.visible(path)) paths.push(path);
  }
  const inputs = installInputs(context, dir, install.manager, { zeroInstalls: manager.zeroInstalls });
  const visibleInputs = inputs.paths.filter(options.visible);
  const all = [...new Set([...visibleInputs, ...extra, ...paths].map(normalizePath))];
  // a directory copied whole already brings the files under it
  const directories = new Set(all.filter((p) => isDirectory(context, p)));
  const kept = all.filter((p) => ![...directories].some((d) => d !== p && p.startsWith(`${d}/`)));
  const locked = manager.lockfiles.some((l) => visibleInputs.includes(l));
  return { paths: kept, directories, locked, workspaces: workspaceDirs };
}

/** `--ignore-scripts`, or `ignore-scripts=true` in the project's .npmrc (npm, pnpm and Yarn classic read it). */
function scriptsIgnored(context: BuildContext, dir: string, install: NodeInstall): boolean {
  if (install.flags.some((f) => f === '--ignore-scripts' || f === '--ignore-scripts=true')) return true;
  return rcValue(context.readFile(join(dir, '.npmrc')), 'ignore-scripts') === 'true';
}

/** The workspace globs the install follows: pnpm reads pnpm-workspace.yaml, the others package.json. */
function workspacePatterns(context: BuildContext, dir: string, install: NodeInstall, pkg: PackageJson): { patterns: readonly string[] } | { reason: string } {
  if (install.manager !== 'pnpm') return { patterns: pkg.workspaces };
  const file = join(dir, 'pnpm-workspace.yaml');
  const text = context.readFile(file);
  if (text === null) return { patterns: [] };
  const workspace = readPnpmWorkspace(text);
  if (workspace === null) return { reason: `${file} cannot be read as YAML` };
  return { patterns: workspace.packages };
}
