/**
 * The project-and-lockfile installers: `poetry install`, `uv sync` and `pipenv install`/`pipenv sync`.
 * Each reads a manifest and a lockfile (and, unless told not to, installs the project itself, which
 * needs the sources). What a command reads and whether it installs the project is all a
 * requirements-first rewrite needs to know.
 */
import type { ShellCommand, ShellWord } from '../../shell/shell.js';

export type LockTool = 'poetry' | 'uv' | 'pipenv';

export interface LockInstall {
  readonly tool: LockTool;
  readonly command: ShellCommand;
  /** The words after the program (`install --no-root --only main`). */
  readonly args: readonly ShellWord[];
  /** Whether the command installs the project itself (Poetry without --no-root, uv sync without --no-install-project). */
  readonly installsProject: boolean;
  /** The files the dependency install reads, relative to the project directory. */
  readonly manifests: readonly string[];
  /** Optional files read when present (poetry.toml, uv.toml, .python-version). */
  readonly optional: readonly string[];
  /** `--directory`/`-C`/`--project` given: the project is elsewhere than the working directory. */
  readonly directory: string | null;
  /** Packages named on the command (`pipenv install flask`): it changes the Pipfile rather than installing the lock. */
  readonly packages: readonly ShellWord[];
  /** `--no-cache` (uv) / `--no-cache` (poetry): the cache is off for this command. */
  readonly noCache: readonly ShellWord[];
}

const POETRY_VALUE = new Set(['--only', '--without', '--with', '-E', '--extras', '-C', '--directory', '-P', '--project']);
const UV_VALUE = new Set([
  '--extra', '--group', '--only-group', '--no-group', '--package', '--project', '--directory', '--cache-dir', '-p', '--python',
  '--index', '--default-index', '--index-url', '--extra-index-url', '-f', '--find-links', '--link-mode', '--config-file',
  '--no-install-package', '--reinstall-package', '--upgrade-package', '-P', '--exclude-newer', '--index-strategy', '--color',
]);
const PIPENV_VALUE = new Set(['--python', '--pypi-mirror', '-r', '--requirements', '--categories', '--extra-pip-args']);

/** The lockfile install a command runs, or null. */
export function lockInstall(command: ShellCommand): LockInstall | null {
  const name = (command.words[0]?.value ?? '').replace(/^.*\//, '');
  const sub = command.words[1]?.value;
  const args = command.words.slice(2);
  if (name === 'poetry' && sub === 'install') return poetry(command, args);
  if (name === 'uv' && sub === 'sync') return uvSync(command, args);
  if (name === 'pipenv' && (sub === 'install' || sub === 'sync')) return pipenv(command, args);
  return null;
}

function scan(args: readonly ShellWord[], withValue: ReadonlySet<string>): { flags: Map<string, string>; positional: ShellWord[]; flagWords: Map<string, ShellWord> } {
  const flags = new Map<string, string>();
  const flagWords = new Map<string, ShellWord>();
  const positional: ShellWord[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as ShellWord;
    if (!word.value.startsWith('-')) {
      positional.push(word);
      continue;
    }
    const eq = word.value.indexOf('=');
    const option = eq > 0 ? word.value.slice(0, eq) : word.value;
    let value = eq > 0 ? word.value.slice(eq + 1) : '';
    if (eq < 0 && withValue.has(option)) value = args[++i]?.value ?? '';
    flags.set(option, value);
    flagWords.set(option, word);
  }
  return { flags, positional, flagWords };
}

function poetry(command: ShellCommand, args: readonly ShellWord[]): LockInstall {
  const { flags, positional, flagWords } = scan(args, POETRY_VALUE);
  return {
    tool: 'poetry',
    command,
    args,
    installsProject: !flags.has('--no-root'),
    manifests: ['pyproject.toml', 'poetry.lock'],
    optional: ['poetry.toml'],
    directory: flags.get('-C') ?? flags.get('--directory') ?? flags.get('-P') ?? flags.get('--project') ?? null,
    packages: positional,
    noCache: flagWords.has('--no-cache') ? [flagWords.get('--no-cache') as ShellWord] : [],
  };
}

function uvSync(command: ShellCommand, args: readonly ShellWord[]): LockInstall {
  const { flags, positional, flagWords } = scan(args, UV_VALUE);
  const noCache = ['--no-cache', '-n'].flatMap((f) => (flagWords.has(f) ? [flagWords.get(f) as ShellWord] : []));
  return {
    tool: 'uv',
    command,
    args,
    installsProject: !flags.has('--no-install-project') && !flags.has('--no-install-workspace'),
    manifests: ['pyproject.toml', 'uv.lock'],
    optional: ['uv.toml', '.python-version'],
    directory: flags.get('--directory') ?? flags.get('--project') ?? null,
    packages: positional,
    noCache,
  };
}

function pipenv(command: ShellCommand, args: readonly ShellWord[]): LockInstall {
  const { positional } = scan(args, PIPENV_VALUE);
  return {
    tool: 'pipenv',
    command,
    args,
    // Pipenv installs the project only when the Pipfile lists it (`-e .`); the transform reads the Pipfile for that
    installsProject: false,
    manifests: ['Pipfile', 'Pipfile.lock'],
    optional: [],
    directory: null,
    packages: positional,
    noCache: [],
  };
}
