/**
 * python/requirements-first (issue 14, point 1).
 *
 * Looks for: a stage that copies the whole build context (`COPY . .`) and then installs Python
 * dependencies from manifests: `pip install -r requirements.txt` (pip3, `python -m pip`,
 * `uv pip install`), `poetry install`, `uv sync`, `pipenv install`.
 * Checks: every file the install reads is in the context and not excluded by .dockerignore — for
 * pip the requirements and constraints files named on the command and everything they include with
 * `-r`/`-c`, at their paths; Poetry pyproject.toml (+ poetry.lock, poetry.toml); uv pyproject.toml
 * (+ uv.lock, uv.toml, .python-version); Pipenv Pipfile (+ Pipfile.lock); no requirement or manifest
 * entry names a local path (`-e ./libs/x`, `file:`, Poetry/uv path sources, a uv workspace), which
 * would need more of the sources; what runs before the install in its RUN needs no sources; a
 * virtualenv the install fills under the COPY destination is not overwritten by one in the context;
 * the generic checks of src/patterns/manifest-first.ts (nothing between the COPY and the install that
 * the install might need, the same directory).
 * Writes: `COPY <manifests> <dest>` and the install above the source COPY: the RUN moves whole when
 * it needs only the manifests; its leading dependency commands split off when a later command needs
 * the sources; for `pip install -r r.txt -e .`, `poetry install` and `uv sync`, a dependencies-only
 * RUN (`pip install -r r.txt`, `poetry install --no-root`, `uv sync --no-install-project`, as uv's
 * Docker guide does) goes above and the original stays after the COPY to install the project.
 */
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import { runEnvironment } from '../../src/engine/env.js';
import { copyDestinationDir, effectiveWorkdir, resolvePath } from '../../src/engine/instructions.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { contextFile, copiesBefore, insideContext, type InstallStep, type ManifestCopy, manifestFirst, wholeContextCopy } from '../../src/patterns/manifest-first.js';
import { runScript } from '../../src/shell/shell.js';
import { dependenciesOnly, type ReadCommand, readCommand } from '../../src/ecosystems/python/install-runs.js';
import { localSourceLine } from '../../src/ecosystems/python/project-files.js';
import { requirementsClosure } from '../../src/ecosystems/python/requirements.js';
import { createdVenv, venvOnPath } from '../../src/ecosystems/python/venv.js';
import { PYTHON_MENTIONS } from '../../src/ecosystems/python/steps.js';

/** Variables that change what an install fetches or where it puts it: one set between the COPY and the install blocks. */
const INSTALL_ENV = /^(PIP_\w+|POETRY_\w+|UV_\w+|PIPENV_\w+|VIRTUAL_ENV|PYTHON\w*|PATH|HOME|XDG_\w+|https?_proxy|no_proxy|all_proxy)$/i;
/** Files and settings a file command between the COPY and the install might change. */
const INSTALL_FILES = /requirements|constraints|\.txt\b|pyproject|poetry\.(lock|toml)|uv\.(lock|toml)|Pipfile|setup\.(py|cfg)|pip\.conf|\.python-version|netrc|\bPIP_|\bUV_|\bPOETRY_|venv/i;
/** Names a stage's earlier COPY of a manifest has: then the stage is split already. */
const MANIFEST_NAME = /(^|\/)([^/]*requirements[^/]*\.(txt|in)|constraints[^/]*\.txt|pyproject\.toml|poetry\.lock|uv\.lock|Pipfile(\.lock)?)$/;

export const requirementsFirst: Transform = {
  id: 'python/requirements-first',
  mentions: PYTHON_MENTIONS,
  title: 'Copy the requirements (or pyproject and lockfile) and install dependencies before copying the sources',
  rationale: 'the dependency install now depends only on the files listing the dependencies (requirements, or pyproject and lockfile), so a source change no longer reinstalls and rebuilds every package',
  safety: 'safe',
  preconditions: [
    'the files the install reads are in the context and not excluded by .dockerignore: requirements files with their -r/-c includes; pyproject.toml with poetry.lock or uv.lock; Pipfile with Pipfile.lock',
    'no requirement or manifest entry names a local path (-e ./libs/x, file:, Poetry/uv path sources, uv workspaces); pip install . and -e . stay after the COPY',
    'the commands before the install in its RUN need no sources',
    'no virtualenv directory in the context would be copied over the one the install fills',
    'no USER, SHELL, ENV/ARG of pip, Poetry, uv or Pipenv, or RUN other than file commands between the source COPY and the install',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) rewriteStage(doc, stage, context, out);
    return out.result();
  },
};

interface InstallRun {
  readonly run: Instruction;
  readonly commands: readonly ReadCommand[];
  /** A leading `cd DIR`: the pattern moves it with the install. */
  readonly cd: string | null;
}

function rewriteStage(doc: ParsedDockerfile, stage: Stage, context: TransformContext, out: ResultBuilder): void {
  // What it looks for: the first RUN installing from manifests, after a whole-context COPY.
  const install = firstInstallRun(doc, stage);
  if (!install) return projectOnly(doc, stage, out);
  const sourceCopy = wholeContextCopy(stage, install.run.start);
  if (!sourceCopy) return;
  if (copiesBefore(doc, stage, sourceCopy, (source) => MANIFEST_NAME.test(source))) return;
  const skip = (reason: string) => out.skip(sourceCopy, reason);

  // What it checks: which commands move, and what they read.
  const step = installStep(doc, install);
  if ('reason' in step) return skip(step.reason);
  const oldUv = 'add' in step.step && step.moving.some((c) => c.lock?.tool === 'uv') ? uvVersionBefore(doc, stage, install.run, [0, 4]) : null;
  if (oldUv) return skip(`the stage installs uv ${oldUv}, which has no uv sync --no-install-project (uv 0.4 has): upgrade uv to split the install`);
  const destDir = copyDestinationDir(doc, stage, sourceCopy);
  const runsIn = resolvePath(effectiveWorkdir(doc, stage, install.run), install.cd ?? '.');
  const copies = manifestCopies(doc, context, step.moving, destDir, runsIn, install.run);
  if ('reason' in copies) return skip(copies.reason);
  const venv = overwrittenVenv(doc, stage, context, install, step.moving, destDir, runsIn);
  if (venv) return skip(venv);

  // What it writes.
  const what = `the ${step.moving.map(toolName).filter((t, i, all) => all.indexOf(t) === i).join(' and ')} install`;
  const result = manifestFirst(doc, { stage, sourceCopy, firstUse: install.run, copies: copies.copies, step: step.step, env: INSTALL_ENV, files: INSTALL_FILES, what });
  if ('reason' in result) return skip(result.reason);
  out.change(sourceCopy, result.edits, result.detail);
}

/**
 * A stage whose only install is the project itself (`pip install .`, `pip install -e .`): its
 * dependencies are in the project's metadata, read with the sources; or one whose requirements file
 * only the shell knows (`-r $REQS`). Said, so the user knows why.
 */
function projectOnly(doc: ParsedDockerfile, stage: Stage, out: ResultBuilder): void {
  for (const run of stage.instructions) {
    if (run.keyword !== 'RUN' || !runScript(doc, run).parsed) continue;
    const sourceCopy = wholeContextCopy(stage, run.start);
    if (!sourceCopy) continue;
    const pip = runScript(doc, run).commands.map(readCommand).find((c) => c.pip !== null && (c.pip.localPaths.length > 0 || c.pip.unreadable !== null));
    if (!pip?.pip) continue;
    const target = pip.pip.localPaths[0]?.value ?? '.';
    out.skip(
      sourceCopy,
      pip.pip.unreadable !== null
        ? `${instructionSnippet(doc, run)}: ${pip.pip.unreadable}, so I cannot tell what to copy first`
        : `pip install ${target} reads the dependencies from the project (pyproject.toml or setup.py) with its sources; list them in a requirements file, installed before the COPY, to cache them`,
    );
    return;
  }
}

function toolName(read: ReadCommand): string {
  return read.pip?.tool ?? read.lock?.tool ?? 'pip';
}

/** The first RUN of the stage with an install reading manifests (alone, or with the project). */
function firstInstallRun(doc: ParsedDockerfile, stage: Stage): InstallRun | null {
  for (const run of stage.instructions) {
    if (run.keyword !== 'RUN') continue;
    const script = runScript(doc, run);
    if (!script.parsed) continue;
    const all = script.commands;
    const cd = all[0]?.words[0]?.value === 'cd' && all[0].words.length === 2 && all.length > 1 ? (all[0].words[1]?.value ?? null) : null;
    const commands = all.slice(cd === null ? 0 : 1).map(readCommand);
    if (commands.some((c) => (c.pip !== null || c.lock !== null) && (c.needs === 'manifests' || c.needs === 'both'))) return { run, commands, cd };
  }
  return null;
}

/** How the install gets above the COPY, and the commands that do (their manifests are copied). */
function installStep(doc: ParsedDockerfile, install: InstallRun): { step: InstallStep; moving: ReadCommand[] } | { reason: string } {
  const { run, commands } = install;
  const firstNeed = commands.findIndex((c) => c.needs === 'sources' || c.needs === 'both');
  const before = firstNeed < 0 ? commands : commands.slice(0, firstNeed);
  const installs = (list: readonly ReadCommand[]) => list.filter((c) => c.needs === 'manifests');
  if (firstNeed < 0) return { step: { move: run }, moving: installs(commands) };
  const stopper = commands[firstNeed] as ReadCommand;
  const name = stopper.command.words.map((w) => w.value).slice(0, 3).join(' ');
  if (stopper.needs === 'both') {
    const deps = dependenciesOnly(stopper, doc.source.text);
    if (deps === null) return { reason: `${name} in ${instructionSnippet(doc, run)} needs the sources` };
    const prefix = before.map((c) => doc.source.text.slice(c.command.start, c.command.end));
    return { step: { add: [...prefix, deps].join(' && ') }, moving: [...installs(before), { ...stopper, needs: 'manifests' }] };
  }
  if (installs(before).length > 0) return { step: { split: run, commands: firstNeed }, moving: installs(before) };
  const local = stopper.pip?.localPaths[0]?.value;
  return {
    reason: local
      ? `${name} … ${local} in ${instructionSnippet(doc, run)} installs from the sources, so it must stay after the COPY`
      : `${instructionSnippet(doc, run)} runs ${name} before the install, which may need the sources: put the install in a RUN of its own first`,
  };
}

/** The COPY lines the moving installs need, by directory, or why they cannot be known. */
function manifestCopies(
  doc: ParsedDockerfile,
  context: TransformContext,
  moving: readonly ReadCommand[],
  destDir: string | null,
  runsIn: string | null,
  run: Instruction,
): { copies: ManifestCopy[] } | { reason: string } {
  if (destDir === null || runsIn === null) {
    const noWorkdir = !stageLineage(doc, doc.stages[run.stage] as Stage).some((s) => s.instructions.some((i) => i.keyword === 'WORKDIR'));
    return {
      reason: noWorkdir
        ? `${instructionSnippet(doc, run)} runs in the base image's working directory, which I do not know (the stage sets no WORKDIR): set one`
        : `I cannot tell where ${instructionSnippet(doc, run)} runs (a variable in WORKDIR, cd or the COPY destination)`,
    };
  }
  const files: string[] = [];
  // an install path as a context path: relative to where the install runs, inside what the COPY brings
  const toContext = (path: string): string | { reason: string } => {
    const absolute = resolvePath(runsIn, path);
    const relative = absolute === null ? null : absolute === destDir ? '' : absolute.startsWith(`${destDir === '/' ? '' : destDir}/`) ? absolute.slice(destDir === '/' ? 1 : destDir.length + 1) : null;
    const inside = relative === null ? null : insideContext(relative);
    return inside === null ? { reason: `the install reads ${path}, which the source COPY does not bring` } : inside;
  };
  const need = (path: string, optional: boolean): string | null => {
    const state = contextFile(context, path);
    if (state === 'present') {
      if (!files.includes(path)) files.push(path);
      return null;
    }
    if (optional) return null;
    return state === 'ignored' ? `.dockerignore excludes ${path}, which the install reads` : `${path} is not in the build context (${context.build.description})`;
  };
  for (const read of moving) {
    if (read.pip) {
      const roots: string[] = [];
      for (const word of [...read.pip.requirements, ...read.pip.constraints]) {
        const path = toContext(word.value);
        if (typeof path !== 'string') return path;
        roots.push(path);
      }
      const closure = requirementsClosure(context.build, roots);
      if (closure.problem) return { reason: closure.problem };
      const local = closure.local[0];
      if (local) return { reason: `${local.file} line ${local.line} (${local.text}) installs from a path in the context, which needs the sources` };
      for (const file of closure.files) {
        const problem = need(file, false);
        if (problem) return { reason: problem };
      }
    } else if (read.lock) {
      if (read.lock.directory !== null) return { reason: `${read.lock.tool} ${read.command.words[1]?.value ?? ''} runs in ${read.lock.directory}; copy its manifests by hand` };
      const dir = toContext('.');
      if (typeof dir !== 'string') return dir;
      const at = (name: string) => (dir === '' ? name : `${dir}/${name}`);
      const [manifest, lockfile] = read.lock.manifests.map(at) as [string, string];
      const problem = need(manifest, false);
      if (problem) return { reason: problem };
      need(lockfile, true);
      for (const optional of read.lock.optional) need(at(optional), true);
      // Poetry reads the readme pyproject.toml names when it loads the project, even with --no-root
      const readme = read.lock.tool === 'poetry' ? /^\s*readme\s*=\s*["']([^"']+)["']/m.exec(context.build.readFile(manifest) ?? '')?.[1] : undefined;
      if (readme !== undefined) {
        const path = insideContext(dir === '' ? readme : `${dir}/${readme}`);
        if (path !== null) need(path, true);
      }
      const local = localSourceLine(context.build.readFile(manifest) ?? '');
      if (local) return { reason: `${manifest} line ${local.line} (${local.text}) points at a local directory, which needs the sources` };
    }
  }
  const byDir = new Map<string, string[]>();
  for (const file of files) {
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    byDir.set(dir, [...(byDir.get(dir) ?? []), file]);
  }
  return { copies: [...byDir].map(([dir, list]) => ({ dir, files: list })) };
}

/**
 * Why a virtualenv the install fills would be overwritten by the source COPY once the install runs
 * first, or null: the venv lies under the COPY destination and the context holds a directory at the
 * same place (a host `.venv`) that .dockerignore does not exclude.
 */
function overwrittenVenv(
  doc: ParsedDockerfile,
  stage: Stage,
  context: TransformContext,
  install: InstallRun,
  moving: readonly ReadCommand[],
  destDir: string | null,
  runsIn: string | null,
): string | null {
  if (destDir === null || runsIn === null) return null;
  const env = runEnvironment(doc, stage, install.run);
  const candidates: (string | null | undefined)[] = [venvOnPath(env.vars.get('PATH')), env.vars.get('VIRTUAL_ENV'), ...install.commands.map((c) => createdVenv(c.command))];
  if (moving.some((c) => c.lock?.tool === 'uv')) candidates.push(env.vars.get('UV_PROJECT_ENVIRONMENT') ?? '.venv');
  if (moving.some((c) => c.lock?.tool === 'poetry' || c.lock?.tool === 'pipenv')) candidates.push('.venv');
  for (const candidate of candidates) {
    if (!candidate) continue;
    const absolute = resolvePath(runsIn, candidate);
    if (absolute === null || !absolute.startsWith(`${destDir === '/' ? '' : destDir}/`)) continue;
    const relative = absolute.slice(destDir === '/' ? 1 : destDir.length + 1);
    if (contextFile(context, relative) === 'present') {
      return `the context has ${relative}/, which the source COPY would copy over the virtualenv the install fills at ${absolute}: add ${relative} to .dockerignore`;
    }
  }
  return null;
}

/** The version of uv the stage installs (`COPY --from=ghcr.io/astral-sh/uv:0.3.2`, `pip install uv==0.3.2`) when older than `min`, or null. */
function uvVersionBefore(doc: ParsedDockerfile, stage: Stage, run: Instruction, min: readonly [number, number]): string | null {
  for (const s of stageLineage(doc, stage)) {
    for (const i of s.instructions) {
      if (s === stage && i.start >= run.start) break;
      const text = doc.source.text.slice(i.start, i.end);
      const found = /astral-sh\/uv:(\d+)\.(\d+)[\w.-]*/.exec(text) ?? /\buv==(\d+)\.(\d+)[\w.]*/.exec(text) ?? (s.image.includes('astral-sh/uv:') ? /astral-sh\/uv:(\d+)\.(\d+)/.exec(s.image) : null);
      if (!found) continue;
      const [major, minor] = [Number(found[1]), Number(found[2])];
      if (major < min[0] || (major === min[0] && minor < min[1])) return found[0].replace(/^.*[:=]/, '');
    }
  }
  return null;
}
