/**
 * python/dockerignore (issue 14, point 3).
 *
 * Looks for: a stage that installs Python packages (pip, uv, Poetry, Pipenv) and copies the whole
 * build context, while the ignore file lets through what a Python checkout accumulates and no image
 * needs: bytecode (`__pycache__`, `*.pyc`), a host virtualenv (`.venv`, `venv`: copied over the
 * image's, it would replace what the install put there), tool caches (`.pytest_cache`, `.mypy_cache`,
 * `.ruff_cache`, `.tox`) and `.git`. Each changes without a source change, and so invalidates
 * `COPY . .` and every step after it.
 * Checks: nothing the build reads becomes excluded (a COPY/ADD/bind-mount source of any Dockerfile at
 * the context root, a `!` rule re-including an entry: src/patterns/ignore-entries.ts); `.git` is left
 * out when a RUN calls git or the project takes its version from git (setuptools-scm, hatch-vcs,
 * versioneer, poetry-dynamic-versioning, pbr); `venv` only when that directory is a virtualenv (or
 * absent), since a package may be called venv.
 * Writes: the ignore file, created or appended, with the entries it lacks.
 */
import type { BuildContext } from '../../src/context/context.js';
import { copiesWholeContext, copySpec } from '../../src/engine/instructions.js';
import type { ParsedDockerfile } from '../../src/engine/parse.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import { ignoreEntries, type IgnoreEntry } from '../../src/patterns/ignore-entries.js';
import { runScript } from '../../src/shell/shell.js';
import { readCommand } from '../../src/ecosystems/python/install-runs.js';
import { PYTHON_MENTIONS } from '../../src/ecosystems/python/steps.js';

const ENTRIES: readonly IgnoreEntry[] = [
  { pattern: '**/__pycache__', probe: 'pkg/__pycache__/mod.cpython-312.pyc' },
  { pattern: '**/*.py[cod]', probe: 'pkg/mod.pyc' },
  { pattern: '.venv', probe: '.venv/pyvenv.cfg' },
  { pattern: 'venv', probe: 'venv/pyvenv.cfg' },
  { pattern: '**/.pytest_cache', probe: 'tests/.pytest_cache/README.md' },
  { pattern: '.mypy_cache', probe: '.mypy_cache/CACHEDIR.TAG' },
  { pattern: '.ruff_cache', probe: '.ruff_cache/CACHEDIR.TAG' },
  { pattern: '.tox', probe: '.tox/py312/pyvenv.cfg' },
  { pattern: '.git', probe: '.git/HEAD' },
];

/** Build back-ends and plugins that take the project's version from git metadata. */
const VCS_VERSIONING = /setuptools[_-]scm|hatch-vcs|versioneer|dynamic-versioning|\bpbr\b|vcs-versioning|source\s*=\s*["'](vcs|scm)["']/i;

const HEADER = '# added by cachefix: bytecode, virtualenvs, tool caches and VCS data change without a source change and would invalidate COPY . .';

export const pythonDockerignore: Transform = {
  id: 'python/dockerignore',
  mentions: PYTHON_MENTIONS,
  title: 'Exclude bytecode, virtualenvs, tool caches and .git from a Python build context',
  rationale: 'bytecode, a host virtualenv and tool caches change without a source change, so excluding them keeps COPY . . cached (and a host .venv from replacing the image\'s)',
  safety: 'safe',
  preconditions: [
    'a stage installs Python packages and copies the whole context',
    'no COPY/ADD/bind-mount source of any Dockerfile at the context root becomes excluded, no ! rule re-includes an entry',
    '.git only when no RUN calls git and the project does not take its version from git; venv only when it is a virtualenv or absent',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    // What it looks for: a whole-context copy in a stage that installs Python packages.
    const wholeCopy = doc.stages
      .filter((stage) => stage.instructions.some((i) => i.keyword === 'RUN' && runScript(doc, i).commands.map(readCommand).some((c) => c.pip !== null || c.lock !== null)))
      .flatMap((stage) => stage.instructions)
      .find((i) => {
        const spec = copySpec(i);
        return spec !== null && copiesWholeContext(spec);
      });
    if (!wholeCopy) return out.result();

    // What it checks: which entries the build can do without.
    const entries = ENTRIES.filter((e) => (e.pattern !== '.git' || keepsGit(doc, context.build) === null) && (e.pattern !== 'venv' || venvIsVirtualenv(context.build)));

    // What it writes.
    const written = ignoreEntries(doc, context, entries, HEADER);
    if (written === null) return out.result();
    if ('reason' in written) return out.skip(wholeCopy, written.reason), out.result();
    out.writeFile(wholeCopy, written.file, `${written.created ? 'created' : 'appended to'} ${written.file.path}: ${written.added.join(' ')}`);
    return out.result();
  },
};

/** Why the build may need .git: a RUN calling git, or a version taken from git. */
function keepsGit(doc: ParsedDockerfile, build: BuildContext): string | null {
  for (const run of doc.instructions.filter((i) => i.keyword === 'RUN')) {
    const script = runScript(doc, run);
    const text = doc.source.text.slice(run.argsStart, run.end);
    if (!script.parsed ? /(^|[\s;&|(])git\s/.test(text) : script.commands.some((c) => c.words[0]?.value === 'git')) return 'a RUN calls git';
  }
  for (const file of ['pyproject.toml', 'setup.py', 'setup.cfg']) {
    if (VCS_VERSIONING.test(build.readFile(file) ?? '')) return `${file} takes the version from git`;
  }
  return null;
}

/** `venv/` is a virtualenv (it has pyvenv.cfg) or does not exist: a package of that name stays. */
function venvIsVirtualenv(build: BuildContext): boolean {
  return !build.exists('venv') || build.exists('venv/pyvenv.cfg');
}
