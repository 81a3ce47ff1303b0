/**
 * Python's answers to the ecosystem-neutral patterns (src/patterns/dependency-steps.ts): which
 * commands install the dependencies or the project, and which files they read. No build-reads
 * oracle: installing a project runs its build backend, which may read any file of the context.
 */
import type { DependencySteps } from '../../patterns/dependency-steps.js';
import type { ShellCommand } from '../../shell/shell.js';

const PIP = /^pip(3(\.\d+)?)?$/;
const PYTHON = /^python(3(\.\d+)?)?$/;

function isDependencyStep(command: ShellCommand): boolean {
  const words = command.words.map((w) => w.value);
  const tool = (words[0] ?? '').split('/').pop() ?? '';
  // `python -m pip install ...` is pip
  const rest = PYTHON.test(tool) && words[1] === '-m' ? words.slice(2) : words;
  const name = (rest[0] ?? '').split('/').pop() ?? '';
  // `uv pip install ...` is pip too
  const args = name === 'uv' && rest[1] === 'pip' ? rest.slice(2) : rest.slice(1);
  if (PIP.test(name) || (name === 'uv' && rest[1] === 'pip')) {
    return args[0] === 'install' && args.some((a) => a === '-r' || a === '--requirement' || /^-r.|^--requirement=/.test(a) || a === '.' || a.startsWith('./'));
  }
  if (name === 'poetry' || name === 'pipenv') return args[0] === 'install';
  return name === 'uv' && args[0] === 'sync';
}

export const pythonSteps: DependencySteps = {
  ecosystem: 'python',
  manifests: ['requirements*.txt', 'pyproject.toml', 'poetry.lock', 'uv.lock', 'Pipfile', 'Pipfile.lock'],
  isDependencyStep,
};
