/**
 * Which shell commands install a Node project's dependencies: `npm ci|install|i`, `yarn [install]`,
 * `pnpm install|i`, `bun install|i`, with their flags. An install that names packages
 * (`npm install lodash`, `yarn add x`, `pnpm add x`) adds a package: it is not a project install, it
 * reads no lockfile the same way, and the manifest-first split does not apply to it.
 */

export type PackageManager = 'npm' | 'yarn' | 'pnpm' | 'bun';

export interface NodeInstall {
  readonly manager: PackageManager;
  /** The subcommand as written (`ci`, `install`, `i`), or '' for a bare `yarn`. */
  readonly subcommand: string;
  /** The words after the subcommand (or after `yarn`), flags only for a project install. */
  readonly flags: readonly string[];
  /** The directory the command is pointed at (`--prefix dir`, `--cwd dir`, `-C dir`, `--dir dir`), or null. */
  readonly dir: string | null;
  /** Only the production dependencies (`--omit=dev`, `--production`, `--prod`). */
  readonly production: boolean;
  /** Fails rather than changing the lockfile (`npm ci`, `--frozen-lockfile`, `--immutable`, `--ci`). */
  readonly frozen: boolean;
  /** Installs one workspace or a filtered set (`-w`, `--workspace`, `--filter`, `--focus`). */
  readonly filtered: boolean;
}

/** npm options that take a value as the next word (`--omit dev`); any other `--flag` is a switch. */
const NPM_VALUE_FLAGS = new Set([
  '--omit', '--include', '--prefix', '-C', '--registry', '--cache', '--userconfig', '--globalconfig', '--loglevel',
  '--workspace', '-w', '--install-strategy', '--cpu', '--os', '--libc', '--tag', '--before', '--script-shell', '--only', '--also',
]);
const YARN_VALUE_FLAGS = new Set(['--cwd', '--modules-folder', '--cache-folder', '--mutex', '--network-timeout', '--registry', '--network-concurrency', '--mode', '--focus-workspace']);
const PNPM_VALUE_FLAGS = new Set(['--dir', '-C', '--filter', '-F', '--store-dir', '--registry', '--reporter', '--config', '--workspace-concurrency', '--virtual-store-dir', '--modules-dir', '--network-concurrency', '--child-concurrency', '--node-linker', '--package-import-method']);
const BUN_VALUE_FLAGS = new Set(['--cwd', '--cache-dir', '--registry', '--backend', '--filter', '--concurrent-scripts', '--network-concurrency', '--omit', '--linker']);

/** The names nodeInstall and cacheUser read as a package manager. */
const MANAGER_NAMES = new Set(['npm', 'yarn', 'yarnpkg', 'pnpm', 'bun']);

/** Yarn subcommands that are not installs (a first positional that is none of these runs a script). */
const YARN_INSTALL = new Set(['install']);

/** The project install a command runs (`words` after quote removal, the command name first), or null. */
export function nodeInstall(words: readonly string[]): NodeInstall | null {
  const rest = unwrap(words);
  const name = (rest[0] ?? '').replace(/^.*\//, '');
  const args = rest.slice(1);
  switch (name) {
    case 'npm': return npmInstall(args);
    case 'yarn': case 'yarnpkg': return yarnInstall(args);
    case 'pnpm': return pnpmInstall(args);
    case 'bun': return bunInstall(args);
    default: return null;
  }
}

/** `corepack pnpm install`, `npx --yes pnpm@9 install`: the package manager called through corepack or npx. */
function unwrap(words: readonly string[]): readonly string[] {
  const first = (words[0] ?? '').replace(/^.*\//, '');
  if (first === 'corepack' && /^(npm|yarn|pnpm)(@|$)/.test(words[1] ?? '')) return [(words[1] ?? '').replace(/@.*/, ''), ...words.slice(2)];
  if (first === 'npx' || first === 'pnpx') {
    const at = words.findIndex((w, i) => i > 0 && !w.startsWith('-'));
    if (at > 0 && /^(yarn|pnpm)(@|$)/.test(words[at] ?? '')) return [(words[at] ?? '').replace(/@.*/, ''), ...words.slice(at + 1)];
  }
  return words;
}

interface Split {
  /** Options before the subcommand (`npm --prefix x ci`), then the subcommand and what follows. */
  readonly before: readonly string[];
  readonly subcommand: string | null;
  readonly after: readonly string[];
}

/** Splits at the first positional word, stepping over options and their values. */
function splitAtSubcommand(args: readonly string[], valueFlags: ReadonlySet<string>): Split {
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    if (word.startsWith('-')) {
      if (valueFlags.has(word)) i++;
      continue;
    }
    return { before: args.slice(0, i), subcommand: word, after: args.slice(i + 1) };
  }
  return { before: args, subcommand: null, after: [] };
}

/** The positional (non-option) words of `args`. */
function positionals(args: readonly string[], valueFlags: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    if (word === '--') return [...found, ...args.slice(i + 1)];
    if (word.startsWith('-')) {
      if (valueFlags.has(word)) i++;
      continue;
    }
    found.push(word);
  }
  return found;
}

/** The value of an option given as `--name value` or `--name=value`, the last one winning. */
export function optionValue(args: readonly string[], names: readonly string[]): string | null {
  let value: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    for (const name of names) {
      if (word === name && i + 1 < args.length) value = args[i + 1] ?? null;
      else if (word.startsWith(`${name}=`)) value = word.slice(name.length + 1);
    }
  }
  return value;
}

function has(args: readonly string[], pattern: RegExp): boolean {
  return args.some((a) => pattern.test(a));
}

function npmInstall(args: readonly string[]): NodeInstall | null {
  const split = splitAtSubcommand(args, NPM_VALUE_FLAGS);
  const sub = split.subcommand;
  if (sub !== 'ci' && sub !== 'install' && sub !== 'i' && sub !== 'clean-install' && sub !== 'isntall' && sub !== 'in') return null;
  if (positionals(split.after, NPM_VALUE_FLAGS).length > 0) return null; // `npm install lodash` adds a package
  const all = [...split.before, ...split.after];
  if (has(all, /^(-g|--global|--location=global)$/)) return null;
  return {
    manager: 'npm',
    subcommand: sub,
    flags: split.after,
    dir: optionValue(all, ['--prefix', '-C']),
    production: has(all, /^(--production|--only=prod(uction)?)$/) || optionValue(all, ['--omit']) === 'dev',
    frozen: sub === 'ci' || sub === 'clean-install',
    filtered: optionValue(all, ['--workspace', '-w']) !== null,
  };
}

function yarnInstall(args: readonly string[]): NodeInstall | null {
  const split = splitAtSubcommand(args, YARN_VALUE_FLAGS);
  if (split.subcommand !== null && !YARN_INSTALL.has(split.subcommand)) return null;
  if (split.subcommand !== null && positionals(split.after, YARN_VALUE_FLAGS).length > 0) return null;
  const all = [...split.before, ...split.after];
  if (has(all, /^(-v|--version|-h|--help)$/)) return null;
  return {
    manager: 'yarn',
    subcommand: split.subcommand ?? '',
    flags: all,
    dir: optionValue(all, ['--cwd']),
    production: has(all, /^(--production|--prod)(=true)?$/),
    frozen: has(all, /^(--frozen-lockfile|--immutable|--pure-lockfile)$/),
    filtered: has(all, /^--focus$/),
  };
}

function pnpmInstall(args: readonly string[]): NodeInstall | null {
  const split = splitAtSubcommand(args, PNPM_VALUE_FLAGS);
  if (split.subcommand !== 'install' && split.subcommand !== 'i') return null;
  if (positionals(split.after, PNPM_VALUE_FLAGS).length > 0) return null;
  const all = [...split.before, ...split.after];
  if (has(all, /^(-g|--global)$/)) return null;
  return {
    manager: 'pnpm',
    subcommand: split.subcommand,
    flags: split.after,
    dir: optionValue(all, ['--dir', '-C']),
    production: has(all, /^(-P|--prod|--production)$/),
    frozen: has(all, /^--frozen-lockfile$/),
    filtered: optionValue(all, ['--filter', '-F']) !== null,
  };
}

function bunInstall(args: readonly string[]): NodeInstall | null {
  const split = splitAtSubcommand(args, BUN_VALUE_FLAGS);
  if (split.subcommand !== 'install' && split.subcommand !== 'i') return null;
  if (positionals(split.after, BUN_VALUE_FLAGS).length > 0) return null;
  const all = [...split.before, ...split.after];
  if (has(all, /^(-g|--global)$/)) return null;
  return {
    manager: 'bun',
    subcommand: split.subcommand,
    flags: split.after,
    dir: optionValue(all, ['--cwd']),
    production: has(all, /^(-p|--production)$/),
    frozen: has(all, /^(--frozen-lockfile|--ci)$/),
    filtered: optionValue(all, ['--filter']) !== null,
  };
}

/**
 * The package manager whose download cache a command fills: any install, including one that adds
 * packages or installs them globally (`npm i -g pnpm`, `yarn add x`, `pnpm add x`, `bun add x`).
 */
export function cacheUser(words: readonly string[]): PackageManager | null {
  const rest = unwrap(words);
  const name = (rest[0] ?? '').replace(/^.*\//, '');
  // asked of every command of every RUN: most are no package manager at all
  if (!MANAGER_NAMES.has(name)) return null;
  const project = nodeInstall(words);
  if (project !== null) return project.manager;
  const flags = name === 'npm' ? NPM_VALUE_FLAGS : name === 'pnpm' ? PNPM_VALUE_FLAGS : name === 'bun' ? BUN_VALUE_FLAGS : YARN_VALUE_FLAGS;
  const sub = splitAtSubcommand(rest.slice(1), flags).subcommand;
  if (name === 'npm' && ['install', 'i', 'ci', 'add', 'in', 'isntall', 'update', 'up'].includes(sub ?? '')) return 'npm';
  if ((name === 'yarn' || name === 'yarnpkg') && (sub === 'add' || sub === 'global' || sub === 'upgrade')) return 'yarn';
  if (name === 'pnpm' && ['add', 'install', 'i', 'update', 'up', 'fetch'].includes(sub ?? '')) return 'pnpm';
  if (name === 'bun' && ['add', 'install', 'i', 'a', 'update'].includes(sub ?? '')) return 'bun';
  return null;
}

/** An option of the install that moves the cache (`npm ci --cache /tmp/c`, `yarn --cache-folder`, `pnpm --store-dir`), or null. */
export function cacheOption(manager: PackageManager, words: readonly string[]): string | null {
  const names = manager === 'npm' ? ['--cache'] : manager === 'yarn' ? ['--cache-folder'] : manager === 'pnpm' ? ['--store-dir'] : ['--cache-dir'];
  return optionValue(words, names);
}

/** Commands that empty a manager's cache: with the cache mounted they would throw away what the mount keeps. */
export function cleansNodeCache(words: readonly string[]): boolean {
  const [tool, sub, action] = words;
  if (tool === 'npm' && sub === 'cache' && action === 'clean') return true;
  if (tool === 'yarn' && sub === 'cache' && action === 'clean') return true;
  if (tool === 'pnpm' && sub === 'store' && action === 'prune') return true;
  if (tool === 'bun' && sub === 'pm' && action === 'cache' && words[3] === 'rm') return true;
  return false;
}
