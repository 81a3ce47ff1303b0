/**
 * What a `pip install` (or `pip3`, `python -m pip`, `uv pip install`) command asks for: the
 * requirements and constraints files it reads, the local paths it installs (which need the sources
 * in the image), the named packages, the options that choose the index (they stay on the command
 * whatever is moved), and the flags that turn pip's cache off.
 */
import type { ShellCommand, ShellWord } from '../../shell/shell.js';

export type PipTool = 'pip' | 'uv pip';

export interface PipInstall {
  readonly tool: PipTool;
  readonly command: ShellCommand;
  /** `pip install`, or `pip sync`/`uv pip sync` (installs exactly a requirements file). */
  readonly subcommand: 'install' | 'sync';
  /** `-r FILE`: the files' words (their value is the path as the shell passes it). */
  readonly requirements: readonly ShellWord[];
  /** `-c FILE` (uv: also `--override FILE`). */
  readonly constraints: readonly ShellWord[];
  /** Arguments naming something on disk: `.`, `-e .`, `./libs/x`, `dist/app.whl`, `file:...`, `x @ file:...`. */
  readonly localPaths: readonly ShellWord[];
  /** Named requirements (`flask==3.0`, `uvicorn[standard]`, `git+https://...`). */
  readonly packages: readonly ShellWord[];
  /** `--index-url`, `--extra-index-url`, `--find-links`, `--trusted-host` and their values, as written. */
  readonly indexOptions: readonly ShellWord[];
  /** `--no-cache-dir` (pip) or `--no-cache`/`-n` (uv): the words that turn the cache off. */
  readonly noCache: readonly ShellWord[];
  /** `--cache-dir DIR` as given, or null. */
  readonly cacheDir: string | null;
  /** A word we cannot read (an expansion where a path or option should be): why, or null. */
  readonly unreadable: string | null;
}

const PIP_NAME = /^(?:.*\/)?pip(?:3(?:\.\d+)?)?$/;
const PYTHON_NAME = /^(?:.*\/)?python(?:3(?:\.\d+)?)?$/;
const UV_NAME = /^(?:.*\/)?uv$/;

/** pip options (general and `install`) that take the next word as their value. */
const WITH_VALUE = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-t', '--target', '--platform', '--python-version',
  '--implementation', '--abi', '--root', '--prefix', '--src', '--upgrade-strategy', '--install-option', '--global-option',
  '-C', '--config-settings', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--trusted-host', '--progress-bar',
  '--cache-dir', '--log', '--log-file', '--timeout', '--retries', '--proxy', '--cert', '--client-cert', '--exists-action',
  '--default-timeout', '--python', '--no-binary', '--only-binary', '--report', '--root-user-action', '--keyring-provider',
  // uv pip
  '--override', '-p', '--index', '--default-index', '--index-strategy', '--resolution', '--prerelease', '--link-mode',
  '--extra', '--group', '--config-file', '--python-platform', '--reinstall-package', '--upgrade-package', '-P',
  '--no-build-isolation-package', '--exclude-newer', '--directory', '--project', '--color',
]);
const INDEX_OPTIONS = new Set(['-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--trusted-host', '--index', '--default-index']);
const PIP_NO_CACHE = new Set(['--no-cache-dir']);
const UV_NO_CACHE = new Set(['--no-cache', '-n']);

/** The pip command's arguments after the program (`pip`, `python -m pip`, `uv pip`), or null. */
function pipArguments(words: readonly ShellWord[]): { tool: PipTool; args: readonly ShellWord[] } | null {
  const name = words[0]?.value ?? '';
  if (PIP_NAME.test(name)) return { tool: 'pip', args: words.slice(1) };
  if (PYTHON_NAME.test(name)) {
    // `python -m pip`, allowing the interpreter flags people put first (`python3 -u -m pip`)
    let i = 1;
    while (/^-[BEIOqsSuv]+$/.test(words[i]?.value ?? '')) i++;
    if (words[i]?.value === '-m' && words[i + 1]?.value === 'pip') return { tool: 'pip', args: words.slice(i + 2) };
    return null;
  }
  if (UV_NAME.test(name) && words[1]?.value === 'pip') return { tool: 'uv pip', args: words.slice(2) };
  return null;
}

/** The `pip install`/`pip sync` a command runs, or null for any other command (`pip list`, `pip download`...). */
export function pipInstall(command: ShellCommand): PipInstall | null {
  const program = pipArguments(command.words);
  if (program === null) return null;
  const { tool, args } = program;
  const requirements: ShellWord[] = [];
  const constraints: ShellWord[] = [];
  const localPaths: ShellWord[] = [];
  const packages: ShellWord[] = [];
  const indexOptions: ShellWord[] = [];
  const noCache: ShellWord[] = [];
  let subcommand: string | null = null;
  let cacheDir: string | null = null;
  let unreadable: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as ShellWord;
    const text = word.value;
    if (text.startsWith('-') && text !== '-') {
      const eq = text.indexOf('=');
      const [option, inline] = text.startsWith('--') && eq > 0 ? [text.slice(0, eq), text.slice(eq + 1)] : shortWithValue(text);
      const takesValue = WITH_VALUE.has(option);
      const valueWord = takesValue && inline === null ? args[i + 1] : undefined;
      if (takesValue && inline === null) i++;
      const value = inline ?? valueWord?.value ?? '';
      if ((tool === 'pip' ? PIP_NO_CACHE : UV_NO_CACHE).has(option)) noCache.push(word);
      if (option === '--cache-dir') cacheDir = value;
      if (INDEX_OPTIONS.has(option)) indexOptions.push(...(valueWord ? [word, valueWord] : [word]));
      const pathWord = valueWord ?? { ...word, value };
      if (option === '-r' || option === '--requirement') requirements.push(pathWord);
      else if (option === '-c' || option === '--constraint' || option === '--override') constraints.push(pathWord);
      else if (option === '-e' || option === '--editable') (isLocalTarget(value) ? localPaths : packages).push(pathWord);
      if ((option === '-r' || option === '-c' || option === '--requirement' || option === '--constraint') && /[$`*?]/.test(value)) unreadable ??= `${option} ${value} names a file only the shell knows`;
      continue;
    }
    if (subcommand === null) {
      subcommand = text;
      continue;
    }
    if (/[$`]/.test(word.text) && !/^["']?[A-Za-z0-9_.-]+/.test(word.text)) unreadable ??= `${word.text} is only known to the shell`;
    (isLocalTarget(text) ? localPaths : packages).push(word);
  }
  if (subcommand !== 'install' && subcommand !== 'sync') return null;
  return { tool, command, subcommand, requirements, constraints, localPaths, packages, indexOptions, noCache, cacheDir, unreadable };
}

/** `-rrequirements.txt` (a short option glued to its value) → [`-r`, value]; other words as they are. */
function shortWithValue(text: string): [string, string | null] {
  if (/^-[rceitfCp]./.test(text) && !text.startsWith('--')) return [text.slice(0, 2), text.slice(2)];
  return [text, null];
}

/**
 * Whether a requirement argument names something on disk: a path (`.`, `./x`, `../x`, `/x`, `x/y`),
 * an archive or wheel file, a `file:` URL, or a PEP 508 direct reference to one (`x @ file:///...`).
 * `git+https://...` and other URLs are fetched, not read from the context.
 */
export function isLocalTarget(requirement: string): boolean {
  const text = requirement.trim();
  if (/(^|@\s*)file:/i.test(text)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /@\s*[a-z][a-z0-9+.-]*:\/\//i.test(text)) return false;
  if (text === '.' || text === '..' || /^\.{1,2}\//.test(text) || text.startsWith('/') || text.startsWith('~')) return true;
  if (/\.(whl|tar\.gz|tgz|zip|tar\.bz2)$/i.test(text)) return true;
  // a name never holds a slash; `src/pkg` or `pkg/` is a directory
  return /^[^@<>=!~;\[\s]*\//.test(text);
}
