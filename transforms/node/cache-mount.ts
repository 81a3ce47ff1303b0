/**
 * node/cache-mount (issue 13, transform 2).
 *
 * Looks for: RUN steps that install with npm, Yarn, pnpm or bun (a project install, an added or a
 * global package) without a cache mount of that manager's cache.
 * Checks: who runs the RUN (USER through the stage lineage; uid, gid and home from the official
 * node image's accounts, a `useradd -u`, or a numeric USER with ENV HOME); where the manager keeps
 * its cache for that user (npm: `$HOME/.npm`, npm_config_cache, `cache=` of .npmrc; Yarn classic:
 * `/usr/local/share/.cache/yarn` for root, `$HOME/.cache/yarn` otherwise, YARN_CACHE_FOLDER,
 * `cache-folder` of .yarnrc; pnpm: `$HOME/.local/share/pnpm/store`, PNPM_HOME, `store-dir`; bun:
 * `$HOME/.bun/install/cache`, BUN_INSTALL); Yarn Berry only with the node-modules linker and a global
 * cache (Plug'n'Play and zero-installs read `.yarn/cache` or the global cache at run time); no later
 * instruction reads that directory; a command emptying the cache in the RUN can be removed.
 * Writes: `--mount=type=cache,target=<cache>` (`sharing=locked` for Yarn classic, whose cache is not
 * safe for two installs at once; `uid=`/`gid=` for a non-root user), and removes `npm cache clean`,
 * `yarn cache clean`, `pnpm store prune` from the RUN's `&&` chain: the mount keeps the cache out of
 * the image anyway.
 */
import type { BuildContext } from '../../src/context/context.js';
import { cacheDir } from '../../src/ecosystems/node/caches.js';
import { cacheOption, cacheUser, cleansNodeCache, type PackageManager } from '../../src/ecosystems/node/install-command.js';
import { readPackageJson } from '../../src/ecosystems/node/package-json.js';
import { join, projectManager } from '../../src/ecosystems/node/package-manager.js';
import { installProjectDir } from '../../src/ecosystems/node/project-dir.js';
import { readPnpmWorkspace } from '../../src/ecosystems/node/pnpm-workspace.js';
import { berryCacheDir, readYarnrcYml, yarnMajor } from '../../src/ecosystems/node/yarn-berry.js';
import { runEnvironment } from '../../src/engine/env.js';
import type { Instruction, ParsedDockerfile, Stage } from '../../src/engine/parse.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import { type CacheTarget, cacheMounts, laterReads, removeCommands, type RunUser, runUser } from '../../src/patterns/cache-mount.js';
import { runScript, type ShellCommand } from '../../src/shell/shell.js';
import { NODE_MENTIONS } from '../../src/ecosystems/node/steps.js';

export const nodeCacheMount: Transform = {
  id: 'node/cache-mount',
  mentions: NODE_MENTIONS,
  title: "Mount npm's, Yarn's, pnpm's or bun's download cache on RUN steps that install packages",
  rationale: 'downloaded packages now persist between builds in a cache mount, so a change to package.json or the lockfile downloads only what changed instead of every package',
  safety: 'safe',
  usesMounts: true,
  preconditions: [
    "the RUN's user is known (root, the node image's node account, a useradd -u, or a numeric USER with ENV HOME); a non-root user gets uid/gid on the mount, and only for a cache directly in its home (BuildKit creates missing parents owned by root)",
    'the cache directory resolves to an absolute path (environment, .npmrc, .yarnrc, pnpm-workspace.yaml, command options)',
    "Yarn Berry only with nodeLinker: node-modules and a global cache (Plug'n'Play and zero-installs need their cache in the image)",
    'no later instruction reads the cache directory; a cache clean in the RUN can be removed from its && chain',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) {
      for (const run of stage.instructions) {
        if (run.keyword === 'RUN') mountRun(doc, stage, run, context.build, out);
      }
    }
    return out.result();
  },
};

function mountRun(doc: ParsedDockerfile, stage: Stage, run: Instruction, build: BuildContext, out: ResultBuilder): void {
  // What it looks for: the installs of the RUN and their managers.
  const script = runScript(doc, run);
  if (!script.parsed) return;
  const installs = script.commands.flatMap((command) => {
    const manager = cacheUser(command.words.map((w) => w.value));
    return manager === null ? [] : [{ command, manager }];
  });
  if (installs.length === 0) return;

  // What it checks: the user, and each manager's cache directory for that user.
  const user = runUser(doc, stage, run);
  if ('reason' in user) return out.skip(run, `cannot mount the package cache: ${user.reason}`);
  const project = installProjectDir(doc, stage, run, build);
  const targets: CacheTarget[] = [];
  for (const { command, manager } of installs) {
    const dir = cacheOf(doc, stage, run, build, project, user, manager, command);
    if ('reason' in dir) return out.skip(run, dir.reason);
    // BuildKit creates a missing parent of a mount target owned by root: the user could not write beside the cache
    const parent = dir.dir.slice(0, dir.dir.lastIndexOf('/')) || '/';
    if (user.uid !== 0 && parent !== user.home.replace(/(.)\/+$/, '$1')) {
      return out.skip(run, `USER ${user.name} is not root and ${dir.dir} is not directly in its home ${user.home}: BuildKit would create ${parent} owned by root`);
    }
    const reader = laterReads(doc, stage, run, dir.dir);
    if (reader) return out.skip(run, `${instructionSnippet(doc, reader)} reads ${dir.dir}, which a cache mount would leave empty in the image`);
    if (!targets.some((t) => t.target === dir.dir)) targets.push(manager === 'yarn' && !dir.berry ? { target: dir.dir, sharing: 'locked' } : { target: dir.dir });
  }
  const mounts = cacheMounts(doc, stage, run, targets, user);
  if ('reason' in mounts) return out.skip(run, mounts.reason);
  if (mounts.added.length === 0) return;
  const cleans = removeCommands(doc, run, (c) => cleansNodeCache(c.words.map((w) => w.value)));
  if (cleans === null) return out.skip(run, `${instructionSnippet(doc, run)} empties the package cache in a way I cannot take out of it; remove the cache clean by hand`);

  // What it writes: the mounts, and the cache clean-ups they make useless.
  out.change(run, [...mounts.edits, ...cleans], `mounted ${mounts.added.join(', ')}`);
}

interface CacheOfRun {
  readonly dir: string;
  readonly berry: boolean;
}

function cacheOf(
  doc: ParsedDockerfile,
  stage: Stage,
  run: Instruction,
  build: BuildContext,
  project: string,
  user: RunUser,
  manager: PackageManager,
  command: ShellCommand,
): CacheOfRun | { reason: string } {
  const words = command.words.map((w) => w.value);
  const option = cacheOption(manager, words);
  if (option !== null) {
    return option.startsWith('/') && !option.includes('$') ? { dir: option.replace(/(.)\/+$/, '$1'), berry: false } : { reason: `the cache option ${option} is not an absolute path` };
  }
  const env = new Map(runEnvironment(doc, stage, run).vars);
  for (const a of command.assignments) env.set(a.name, a.value.includes('$') ? null : a.value);
  env.delete('HOME'); // the home comes with the user (runUser already read an ENV HOME)
  const pkgText = build.readFile(join(project, 'package.json'));
  const pkg = pkgText === null ? null : readPackageJson(pkgText);
  // --immutable and --immutable-cache exist only in Yarn 2+: the command says Berry when the context does not
  const berryFlag = words.some((w) => /^--(immutable|immutable-cache|check-cache)$/.test(w));
  if (manager === 'yarn' && (berryFlag || projectManager(build, project, 'yarn', pkg?.packageManager ?? null).berry)) {
    if (projectManager(build, project, 'yarn', pkg?.packageManager ?? null).zeroInstalls) {
      return { reason: "Yarn zero-installs: the project carries its packages in .yarn/cache, which the install and the image read; it gets no cache mount" };
    }
    const settings = readYarnrcYml(build.readFile(join(project, '.yarnrc.yml')));
    if (settings === null) return { reason: `${join(project, '.yarnrc.yml')} cannot be read as YAML` };
    const releases = (build.list(join(project, '.yarn/releases')) ?? []).map((e) => e.name);
    const dir = berryCacheDir(settings, yarnMajor(pkg?.packageManager ?? null, releases), user.home, env);
    return 'reason' in dir ? dir : { dir: dir.dir, berry: true };
  }
  const workspace = build.readFile(join(project, 'pnpm-workspace.yaml'));
  const dir = cacheDir(manager, {
    root: user.uid === 0,
    home: user.home,
    env,
    npmrc: build.readFile(join(project, '.npmrc')),
    yarnrc: build.readFile(join(project, '.yarnrc')),
    pnpmStoreDir: workspace === null ? null : (readPnpmWorkspace(workspace)?.storeDir ?? null),
  });
  return 'reason' in dir ? dir : { dir: dir.dir, berry: false };
}
