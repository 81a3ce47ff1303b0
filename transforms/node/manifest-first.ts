/**
 * node/manifest-first (issue 13, transform 1).
 *
 * Looks for: a stage whose first project install (`npm ci|install|i`, `yarn [install]`,
 * `pnpm install|i`, `bun install`) comes after a COPY of the whole context or of the directory that
 * holds package.json, with no earlier copy of package.json.
 * Checks: package.json is in the context and not excluded by .dockerignore, and reads as JSON;
 * every workspace (package.json `workspaces`, pnpm-workspace.yaml) resolves to directories of the
 * context; the install-time lifecycle scripts of the root and of each workspace (`preinstall`,
 * `install`, `postinstall`, `prepare`) name only files we can copy (`node scripts/x.js`,
 * `patch-package`), none reading .git or running a tool that reads the sources; `file:`, `link:` and
 * `portal:` dependencies lie inside the context; no binding.gyp (npm would compile the addon from the
 * sources); the RUN starts with the install (after an optional `cd`); and the shared checks of
 * src/patterns/manifest-first.ts (COPY flags, destination, nothing between the COPY and the install
 * that it may need, same directory).
 * Writes: `COPY package.json <lockfile> <config> <dest>` (one line per directory: workspaces at their
 * path, `.yarn/releases`, `patches/` and local dependencies each to their own), then the install
 * (the RUN moved whole, or its leading install commands split into a RUN of their own), above the
 * source COPY. Without a lockfile the split still helps; a warning with the change says the install
 * is not reproducible.
 */
import { normalizePath } from '../../src/context/context.js';
import { type InstallInRun, installsInRun } from '../../src/ecosystems/node/install-runs.js';
import { projectInputs } from '../../src/ecosystems/node/project-inputs.js';
import { copySpec, effectiveWorkdir, resolvePath } from '../../src/engine/instructions.js';
import type { Instruction, ParsedDockerfile, Stage } from '../../src/engine/parse.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { contextFile, copiesBefore, type InstallStep, insideContext, type ManifestCopy, manifestFirst } from '../../src/patterns/manifest-first.js';
import { runScript } from '../../src/shell/shell.js';
import { NODE_MENTIONS } from '../../src/ecosystems/node/steps.js';

/** Variables that change what an install resolves, fetches or runs: one set between the COPY and the install blocks. */
const INSTALL_ENV = /^(npm_config_\w+|NPM_\w+|NODE_\w+|YARN_\w+|PNPM_\w+|BUN_\w+|COREPACK_\w+|CI|HOME|PATH|XDG_\w+|HTTPS?_PROXY|NO_PROXY)$/i;
/** Files an install reads: a RUN naming one between the COPY and the install may change what it does. */
const INSTALL_FILES = /package(-lock)?\.json|npm-shrinkwrap|yarn\.lock|pnpm-|bun\.lockb?|bunfig|\.npmrc|\.yarnrc|\.yarn\b|\.pnpmfile|patches|node_modules/;
/** Commands that may ride with the install in the RUN that moves: they only empty the caches. */
const CACHE_CLEAN = /^(npm cache clean|npm cache verify|yarn cache clean|pnpm store prune)\b/;

export const nodeManifestFirst: Transform = {
  id: 'node/manifest-first',
  mentions: NODE_MENTIONS,
  title: 'Copy package.json and the lockfile and install before copying the sources',
  rationale: 'the dependency install now depends only on package.json, the lockfile and the package manager settings, so a source change no longer reinstalls every package',
  safety: 'safe',
  preconditions: [
    'package.json exists where the COPY maps the install directory, and .dockerignore does not exclude it (an excluded lockfile stays out)',
    'every workspace (package.json workspaces, pnpm-workspace.yaml) resolves to directories of the context; each gets its package.json copied at its path',
    'install-time lifecycle scripts (preinstall, install, postinstall, prepare) of the root and the workspaces name only files that are copied with the manifests; none runs husky, git or a tool reading the sources',
    'file:, link: and portal: dependencies lie inside the context and are copied with the manifests; no binding.gyp',
    'the RUN starts with the install (after an optional cd); no USER, ENV/ARG of npm, yarn, pnpm, Node or HOME, or RUN other than file commands, between the source COPY and the install',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) rewriteStage(doc, stage, context, out);
    return out.result();
  },
};

function rewriteStage(doc: ParsedDockerfile, stage: Stage, context: TransformContext, out: ResultBuilder): void {
  // What it looks for: the first project install of the stage, and the COPY of its project before it.
  // the RUNs after the first install are not read
  let firstInstall: { run: Instruction; installs: InstallInRun[] } | undefined;
  for (const run of stage.instructions) {
    if (run.keyword !== 'RUN') continue;
    const installs = installsInRun(doc, run);
    if (installs.length > 0) {
      firstInstall = { run, installs };
      break;
    }
  }
  if (!firstInstall) return;
  const { run } = firstInstall;
  const found = sourceCopyOf(doc, stage, run, context);
  if (!found) return;
  const { copy: sourceCopy, dir } = found;
  if (copiesBefore(doc, stage, sourceCopy, (source) => /(^|\/)package\.json$/.test(source))) return;
  const install = firstInstall.installs[0]!;

  // What it checks: the project's manifests, and what the install reads besides them.
  const manifest = dir === '' ? 'package.json' : `${dir}/package.json`;
  const state = contextFile(context, manifest);
  if (state === 'absent') return out.skip(run, missingManifest(doc, stage, run, install, dir, context));
  if (state === 'ignored') return out.skip(sourceCopy, `.dockerignore excludes ${manifest}`);
  if (install.install.filtered) return out.skip(run, `${commandText(doc, install)} installs selected workspaces only; copy their manifests by hand`);
  const prefix = install.install.dir === null ? '' : insideContext(install.install.dir);
  if (prefix === null || prefix !== '') return out.skip(run, `${commandText(doc, install)} installs in another directory (${install.install.dir ?? ''})`);
  const inputs = projectInputs(context.build, dir, install.install, { visible: (path) => contextFile(context, path) === 'present' });
  if ('reason' in inputs) return out.skip(run, inputs.reason);
  const step = installStep(doc, run, install);
  if ('reason' in step) return out.skip(run, step.reason);

  // What it writes: the manifest COPY lines and the install, above the source COPY.
  const copies = manifestCopies(inputs.paths, inputs.directories, dir);
  const result = manifestFirst(doc, {
    stage,
    sourceCopy,
    firstUse: run,
    copies,
    step: step.step,
    env: settingsEnv(context, dir),
    files: INSTALL_FILES,
    what: commandText(doc, install),
  });
  if ('reason' in result) return out.skip(run, result.reason);
  const warning = inputs.locked ? undefined : 'no lockfile in the build context: every build resolves the versions again, so the install is not reproducible (commit one, and keep it out of .dockerignore)';
  out.change(sourceCopy, result.edits, result.detail, warning);
}

/**
 * The variables that change the install: npm's, Yarn's, pnpm's and Node's own, and any the
 * project's settings read (`//registry/:_authToken=${NPM_TOKEN}` in .npmrc, `${NPM_AUTH}` in
 * .yarnrc.yml): an ARG or ENV setting one between the COPY and the install must stay above it.
 */
function settingsEnv(context: TransformContext, dir: string): RegExp {
  const names = ['.npmrc', '.yarnrc', '.yarnrc.yml', 'bunfig.toml']
    .map((f) => context.build.readFile(dir === '' ? f : `${dir}/${f}`) ?? '')
    .flatMap((text) => [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? ''));
  if (names.length === 0) return INSTALL_ENV;
  return new RegExp(`${INSTALL_ENV.source.slice(0, -2)}|${[...new Set(names)].join('|')})$`, 'i');
}

/** Why there is no package.json where the COPY puts the project: the install may run in a directory below it. */
function missingManifest(doc: ParsedDockerfile, stage: Stage, run: Instruction, install: InstallInRun, dir: string, context: TransformContext): string {
  const workdir = effectiveWorkdir(doc, stage, run);
  const where = install.cd === null ? workdir : resolvePath(workdir, install.cd);
  const below = where === null ? null : where.split('/').filter(Boolean).at(-1) ?? null;
  const candidate = below === null ? null : dir === '' ? below : `${dir}/${below}`;
  if (candidate !== null && context.build.exists(`${candidate}/package.json`)) {
    return `${commandText(doc, install)} runs in ${where ?? ''}, below where the source COPY puts the context; copy ${candidate}/package.json and the lockfile to it by hand`;
  }
  return `no ${dir === '' ? 'package.json' : `${dir}/package.json`} in the build context for ${commandText(doc, install)}`;
}

/** The whole-context COPY, or a COPY of the one directory that holds package.json, before `run`; with that directory. */
function sourceCopyOf(doc: ParsedDockerfile, stage: Stage, run: Instruction, context: TransformContext): { copy: Instruction; dir: string } | null {
  for (const i of stage.instructions) {
    if (i.start >= run.start) return null;
    const spec = copySpec(i);
    if (!spec || spec.from !== null || spec.sources.length !== 1) continue;
    const source = spec.sources[0] ?? '';
    if (/[*?[\]$]/.test(source)) continue;
    const dir = insideContext(source);
    if (dir === null) continue;
    if (dir === '' || (context.build.list(dir) !== null && context.build.exists(`${dir}/package.json`))) return { copy: i, dir: normalizePath(dir) };
  }
  return null;
}

/** How the install gets above the COPY: the RUN whole when it only installs (and cleans caches), else its leading install commands. */
function installStep(doc: ParsedDockerfile, run: Instruction, install: InstallInRun): { step: InstallStep } | { reason: string } {
  const commands = runScript(doc, run).commands;
  const lead = commands[0]?.words[0]?.value === 'cd' ? 1 : 0;
  if (install.index !== lead) {
    return { reason: `${instructionSnippet(doc, run)} runs other commands before ${commandText(doc, install)}; put the install in a RUN of its own first` };
  }
  const rest = commands.slice(lead);
  let count = 0;
  while (count < rest.length && (count === 0 || isCacheClean(doc, rest[count]!.start, rest[count]!.end))) count++;
  if (count === rest.length) return { step: { move: run } };
  return { step: { split: run, commands: count } };
}

function isCacheClean(doc: ParsedDockerfile, start: number, end: number): boolean {
  return CACHE_CLEAN.test(doc.source.text.slice(start, end));
}

function commandText(doc: ParsedDockerfile, install: InstallInRun): string {
  return install.command.words.map((w) => w.text).join(' ');
}

/**
 * One COPY per destination directory, relative to the source COPY's own directory `base`: files
 * grouped by the directory they sit in, each directory copied on a line of its own (a directory
 * source copies its contents, so it needs its own destination).
 */
function manifestCopies(paths: readonly string[], directories: ReadonlySet<string>, base: string): ManifestCopy[] {
  const rel = (path: string): string => (base === '' ? path : path.slice(base.length + 1));
  const byDir = new Map<string, string[]>();
  const dirs: ManifestCopy[] = [];
  for (const path of paths) {
    if (base !== '' && !path.startsWith(`${base}/`)) continue;
    if (directories.has(path)) {
      dirs.push({ dir: rel(path), files: [path] });
      continue;
    }
    const parent = rel(path).includes('/') ? rel(path).slice(0, rel(path).lastIndexOf('/')) : '';
    byDir.set(parent, [...(byDir.get(parent) ?? []), path]);
  }
  return [...[...byDir].map(([dir, files]): ManifestCopy => ({ dir, files })), ...dirs];
}
