/**
 * Python's answers to the ecosystem-neutral patterns (src/patterns/dependency-steps.ts): which
 * commands install the dependencies or the project, and which files they read. No build-reads
 * oracle: installing a project runs its build backend, which may read any file of the context.
 */
import type { DependencySteps } from '../../patterns/dependency-steps.js';
import type { ShellCommand } from '../../shell/shell.js';
import { readCommand } from './install-runs.js';

/** pip (`pip3`, `python -m pip`, `uv pip`) installing requirements files or local paths; Poetry, uv and Pipenv installs. */
function isDependencyStep(command: ShellCommand): boolean {
  const read = readCommand(command);
  if (read.pip) return read.pip.subcommand === 'install' && (read.pip.requirements.length > 0 || read.pip.localPaths.length > 0);
  return read.lock !== null;
}

/** Words a Dockerfile holds when this ecosystem's transforms can find something in it (pip, python, Poetry, uv or Pipenv): the fixer's cheap first test (Transform.mentions). */
export const PYTHON_MENTIONS = /pip|python|poetry|uv|pdm/i;

export const pythonSteps: DependencySteps = {
  ecosystem: 'python',
  mentions: PYTHON_MENTIONS,
  manifests: ['requirements*.txt', 'pyproject.toml', 'poetry.lock', 'uv.lock', 'Pipfile', 'Pipfile.lock'],
  isDependencyStep,
};
