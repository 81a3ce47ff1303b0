/**
 * The Python installs of a RUN, command by command, sorted by what they need from the build
 * context: the manifests only (`pip install -r requirements.txt`, `poetry install --no-root`,
 * `uv sync --no-install-project`, `pipenv install --deploy`), nothing (`pip install --upgrade pip`,
 * `apt-get install gcc`), the sources (`pip install .`, `python setup.py install`, anything unknown),
 * or both (`pip install -r requirements.txt -e .`, `poetry install`, `uv sync`: their dependencies
 * can be installed first, by the command's dependencies-only form).
 */
import type { ShellCommand } from '../../shell/shell.js';
import { type LockInstall, lockInstall } from './lock-installers.js';
import { type PipInstall, pipInstall } from './pip.js';
import { createdVenv } from './venv.js';

export type CommandNeeds = 'manifests' | 'nothing' | 'sources' | 'both';

export interface ReadCommand {
  readonly command: ShellCommand;
  readonly needs: CommandNeeds;
  readonly pip: PipInstall | null;
  readonly lock: LockInstall | null;
}

/** Programs that never read the build context whatever their arguments (package managers of the OS). */
const CONTEXT_FREE = new Set(['apt-get', 'apt', 'apk', 'yum', 'dnf', 'microdnf', 'echo', 'true', 'set', 'export', 'useradd', 'adduser', 'groupadd', 'addgroup']);
/** Programs that read the context only through the paths they are given: free when every path is absolute. */
const PATH_COMMANDS = new Set(['rm', 'mkdir', 'chmod', 'chown', 'ln', 'touch']);

/**
 * What one command of a RUN needs from the context. Remembered per command (a command belongs to
 * one parse): the Python transforms and hoist-independent-run read the same RUNs.
 */
export function readCommand(command: ShellCommand): ReadCommand {
  let known = readings.get(command);
  if (known === undefined) {
    known = read(command);
    readings.set(command, known);
  }
  return known;
}

const readings = new WeakMap<ShellCommand, ReadCommand>();

function read(command: ShellCommand): ReadCommand {
  const pip = pipInstall(command);
  if (pip) return { command, pip, lock: null, needs: pipNeeds(pip) };
  const lock = lockInstall(command);
  if (lock) return { command, pip: null, lock, needs: lock.packages.length > 0 ? 'sources' : lock.installsProject ? 'both' : 'manifests' };
  return { command, pip: null, lock: null, needs: otherNeeds(command) };
}

function pipNeeds(pip: PipInstall): CommandNeeds {
  if (pip.unreadable !== null) return 'sources';
  const files = pip.requirements.length > 0;
  if (pip.localPaths.length > 0) return files ? 'both' : 'sources';
  return files ? 'manifests' : 'nothing';
}

function otherNeeds(command: ShellCommand): CommandNeeds {
  const words = command.words.map((w) => w.value);
  const name = (words[0] ?? '').replace(/^.*\//, '');
  if (CONTEXT_FREE.has(name)) return 'nothing';
  if (PATH_COMMANDS.has(name)) return words.slice(1).every((w) => w.startsWith('-') || w.startsWith('/')) ? 'nothing' : 'sources';
  // creating a virtualenv at an absolute path, configuring the installer, emptying its cache
  const venv = createdVenv(command);
  if (venv !== null) return venv.startsWith('/') ? 'nothing' : 'sources';
  if ((name === 'poetry' && (words[1] === 'config' || words[1] === 'cache')) || (name === 'pip' && words[1] === 'cache')) return 'nothing';
  if (name === 'uv' && (words[1] === 'cache' || words[1] === 'python')) return 'nothing';
  return 'sources';
}

/**
 * The dependencies-only form of a command that installs the project too: pip without its local
 * targets, `poetry install --no-root`, `uv sync --no-install-project`. Words are taken as written.
 */
export function dependenciesOnly(read: ReadCommand, source: string): string | null {
  const words = read.command.words;
  const text = (w: { start: number; end: number }) => source.slice(w.start, w.end);
  const assignments = read.command.assignments.map(text);
  if (read.pip) {
    const local = new Set(read.pip.localPaths.map((w) => w.start));
    const kept = words.filter((w, i) => !local.has(w.start) && !(isEditable(w.value) && local.has(words[i + 1]?.start ?? -1)));
    return [...assignments, ...kept.map(text)].join(' ');
  }
  if (read.lock?.tool === 'poetry') return [...assignments, ...words.map(text), '--no-root'].join(' ');
  if (read.lock?.tool === 'uv') return [...assignments, ...words.map(text), '--no-install-project'].join(' ');
  return null;
}

function isEditable(word: string): boolean {
  return word === '-e' || word === '--editable';
}
