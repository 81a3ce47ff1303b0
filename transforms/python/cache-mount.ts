/**
 * python/cache-mount (issue 14, point 2).
 *
 * Looks for: RUNs that install Python packages: `pip install` (pip3, `python -m pip`), `uv pip
 * install`, `uv sync`, `poetry install`, `pipenv install`/`sync`.
 * Checks: who the RUN runs as and so where the installer's cache is (pip `$HOME/.cache/pip`, uv
 * `$HOME/.cache/uv`, Poetry `$HOME/.cache/pypoetry` — only its `cache` and `artifacts`, since Poetry
 * keeps virtualenvs there too — Pipenv `$HOME/.cache/pipenv` and pip's; or PIP_CACHE_DIR,
 * UV_CACHE_DIR, POETRY_CACHE_DIR, PIPENV_CACHE_DIR, XDG_CACHE_HOME, `--cache-dir`); no ENV turning the
 * cache off for every RUN (PIP_NO_CACHE_DIR, UV_NO_CACHE: the user decides to remove it); no later
 * instruction reading the cache directory (a mount would hide what the RUN left there); commands
 * emptying the cache (`rm -rf ~/.cache/pip`, `pip cache purge`) can be taken out of an && chain.
 * Writes: `--mount=type=cache,target=<cache>` (with uid/gid for a non-root USER), and in that RUN
 * only: `--no-cache-dir`/`--no-cache` and a `PIP_NO_CACHE_DIR=…` prefix removed (the mount never goes
 * into the image, so the image stays as small), cache-emptying commands removed, and
 * `UV_LINK_MODE=copy` before uv (the cache and the environment are on different file systems, so
 * uv could not hard-link).
 */
import type { Edit } from '../../src/engine/edits.js';
import { runEnvironment } from '../../src/engine/env.js';
import { copySpec, effectiveWorkdir, resolvePath } from '../../src/engine/instructions.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import { removeTokenEdits } from '../../src/engine/removal.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import { type CacheTarget, cacheMounts, laterReads, removeCommands, runUser } from '../../src/patterns/cache-mount.js';
import { runScript, type ShellCommand, type ShellWord } from '../../src/shell/shell.js';
import { CACHE_OFF_VARS, cacheDir, type CacheTool, cacheToolsOf } from '../../src/ecosystems/python/caches.js';
import { readCommand, type ReadCommand } from '../../src/ecosystems/python/install-runs.js';
import { PYTHON_MENTIONS } from '../../src/ecosystems/python/steps.js';

export const pythonCacheMount: Transform = {
  id: 'python/cache-mount',
  mentions: PYTHON_MENTIONS,
  title: 'Mount the cache of pip, uv, Poetry or Pipenv on the RUNs that install Python packages',
  rationale: 'a rebuild of the install step reuses the wheels built and downloaded before, so a package built from source is compiled once',
  safety: 'safe',
  usesMounts: true,
  preconditions: [
    'the USER of the RUN and its home are known (root, an account of the official image, a useradd -u, or a numeric USER with ENV HOME)',
    'the cache directory resolves (PIP_CACHE_DIR, UV_CACHE_DIR, POETRY_CACHE_DIR, PIPENV_CACHE_DIR, XDG_CACHE_HOME, HOME, --cache-dir) to an absolute path',
    'no ENV PIP_NO_CACHE_DIR / UV_NO_CACHE / POETRY_NO_CACHE turns the cache off for every RUN',
    'no later instruction reads the cache directory; commands emptying it are plain && steps that can be removed',
  ],
  apply(doc) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) {
      for (const run of stage.instructions) if (run.keyword === 'RUN') mountRun(doc, stage, run, out);
    }
    return out.result();
  },
};

const INSTALLER = (c: ReadCommand) => c.pip !== null || c.lock !== null;

function mountRun(doc: ParsedDockerfile, stage: Stage, run: Instruction, out: ResultBuilder): void {
  // What it looks for.
  const script = runScript(doc, run);
  if (!script.parsed) return;
  const commands = script.commands.map(readCommand);
  const installs = commands.filter(INSTALLER);
  if (installs.length === 0) return;
  const skip = (reason: string) => out.skip(run, reason);

  // What it checks: who runs it, where the caches are, what would defeat or see them.
  const user = runUser(doc, stage, run);
  if ('reason' in user) return skip(`cannot tell where the cache goes: ${user.reason}`);
  const env = runEnvironment(doc, stage, run);
  const targets: CacheTarget[] = [];
  const cacheOff: ShellWord[] = [];
  const offAssignments: { start: number; end: number; next: ShellWord | null }[] = [];
  const uvCommands: ShellCommand[] = [];
  for (const install of installs) {
    const tool = install.pip?.tool ?? install.lock?.tool ?? 'pip';
    const vars = new Map(env.vars);
    for (const a of install.command.assignments) vars.set(a.name, a.value);
    for (const cacheTool of cacheToolsOf(tool)) {
      const envOff = CACHE_OFF_VARS[cacheTool].find((name) => env.vars.has(name) && !install.command.assignments.some((a) => a.name === name));
      if (envOff) return skip(`ENV ${envOff} turns the ${cacheTool} cache off for every RUN; remove it so a cache mount (which stays out of the image) can keep the wheels`);
      const given = install.pip?.tool === 'pip' && cacheTool === 'pip' ? install.pip.cacheDir : null;
      const dir = given !== null ? resolvePath(null, given) ?? { reason: `--cache-dir ${given} is not an absolute path` } : cacheDir(cacheTool, vars, user.home);
      if (typeof dir !== 'string') return skip(dir.reason);
      for (const target of poetryParts(cacheTool, dir)) if (!targets.some((t) => t.target === target)) targets.push({ target });
    }
    cacheOff.push(...(install.pip?.noCache ?? []), ...(install.lock?.noCache ?? []));
    const words = install.command.words;
    install.command.assignments.forEach((a, i) => {
      if (Object.values(CACHE_OFF_VARS).some((names) => names.includes(a.name))) {
        offAssignments.push({ start: a.start, end: a.end, next: install.command.assignments[i + 1] ? null : (words[0] ?? null) });
      }
    });
    if ((tool === 'uv' || tool === 'uv pip') && !vars.has('UV_LINK_MODE') && !words.some((w) => w.value.startsWith('--link-mode'))) uvCommands.push(install.command);
  }
  for (const { target } of targets) {
    const reader = laterReads(doc, stage, run, target);
    if (reader) return skip(`${instructionSnippet(doc, reader)} reads ${target}, which a cache mount would hide from it`);
    const writer = earlierWrite(doc, stage, run, target);
    if (writer) return skip(`${instructionSnippet(doc, writer)} puts files in ${target}, which a cache mount would hide from this RUN`);
  }
  const emptying = (c: ShellCommand) => targets.some((t) => emptiesCache(c, t.target, user.home, env.vars));
  // a command of the RUN naming the cache (`--find-links /root/.cache/pip`) reads what the image has there
  const names = (c: ShellCommand, target: string) => c.words.some((w, i) => w.value.includes(target) && !w.value.startsWith('--cache-dir') && c.words[i - 1]?.value !== '--cache-dir');
  const naming = script.commands.find((c) => !emptying(c) && targets.some((t) => names(c, t.target)));
  if (naming) return skip(`${instructionSnippet(doc, run)} names ${targets.find((t) => names(naming, t.target))?.target ?? 'the cache'} itself, which a cache mount would replace`);
  const removals = removeCommands(doc, run, emptying);
  if (removals === null) return skip(`${instructionSnippet(doc, run)} empties the cache in a way I cannot take out of the RUN (not a plain && step)`);

  // What it writes.
  const mounts = cacheMounts(doc, stage, run, targets, user);
  if ('reason' in mounts) return skip(mounts.reason);
  if (mounts.added.length === 0) return;
  const edits: Edit[] = [...mounts.edits, ...removals];
  for (const word of cacheOff) {
    const command = installs.find((c) => c.command.words.includes(word))?.command;
    const i = command?.words.indexOf(word) ?? -1;
    edits.push(...removeTokenEdits(doc, word, command?.words[i - 1] ?? null, command?.words[i + 1] ?? null));
  }
  for (const assignment of offAssignments) edits.push(...removeTokenEdits(doc, assignment, null, assignment.next));
  for (const command of uvCommands) {
    const at = command.words[0]?.start;
    if (at !== undefined) edits.push({ start: at, end: at, text: 'UV_LINK_MODE=copy ' });
  }
  const removed = [...cacheOff.map((w) => w.value), ...offAssignments.map((a) => doc.source.text.slice(a.start, a.end))];
  out.change(run, edits, `mounted ${mounts.added.join(', ')}${removed.length > 0 ? `; removed ${removed.join(', ')}, which would keep the cache empty` : ''}`);
}

/**
 * An instruction that leaves files in the cache directory for this RUN to read: an earlier COPY or
 * ADD of the stage family into it.
 */
function earlierWrite(doc: ParsedDockerfile, stage: Stage, run: Instruction, target: string): Instruction | null {
  const inside = (path: string | null) => path !== null && (path === target || path.startsWith(`${target}/`) || target.startsWith(`${path}/`));
  for (const s of stageLineage(doc, stage)) {
    for (const i of s.instructions) {
      if (s === stage && i.start >= run.start) break;
      const spec = copySpec(i);
      if (spec && inside(resolvePath(effectiveWorkdir(doc, s, i), spec.dest))) return i;
    }
  }
  return null;
}

/** Poetry keeps its virtualenvs in its cache directory: only the download caches are mounted. */
function poetryParts(tool: CacheTool, dir: string): string[] {
  return tool === 'poetry' ? [`${dir}/cache`, `${dir}/artifacts`] : [dir];
}

/** `rm -rf <cache or a directory above it>`, `pip cache purge`, `poetry cache clear`, `uv cache clean`. */
function emptiesCache(command: ShellCommand, target: string, home: string, vars: ReadonlyMap<string, string | null>): boolean {
  const words = command.words.map((w) => w.value);
  const name = (words[0] ?? '').replace(/^.*\//, '');
  if ((name === 'pip' || name === 'pip3') && words[1] === 'cache') return true;
  if (name === 'poetry' && words[1] === 'cache') return true;
  if (name === 'uv' && words[1] === 'cache' && (words[2] === 'clean' || words[2] === 'prune')) return true;
  if (name !== 'rm') return false;
  return words.slice(1).some((w) => {
    const expanded = w.replace(/^~(?=\/|$)/, home).replace(/\$\{?(\w+)\}?/g, (all, name: string) => (name === 'HOME' ? home : vars.get(name) ?? all));
    const path = expanded.replace(/\/+$/, '');
    return path !== '' && !w.startsWith('-') && (target === path || target.startsWith(`${path}/`) || path.startsWith(`${target}/`));
  });
}
