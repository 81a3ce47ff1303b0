/**
 * What a `cargo` command in a RUN does with the cache: which subcommand, which profile and target
 * triples (they decide the directory under target/ that holds the artifacts), which binaries, and
 * where the target directory and CARGO_HOME are.
 */
import type { RunEnvironment } from '../../engine/env.js';
import { trimSlash } from '../../engine/env.js';
import type { ShellCommand } from '../../shell/shell.js';

export interface CargoCommand {
  /** `build`, `install`, `run`, `test`, `chef`... (aliases `b`, `r`, `t` spelled out). */
  readonly subcommand: string;
  /** The profile directory under the target directory: `debug`, `release` or a custom profile's name. */
  readonly profileDir: string;
  /** `--target` triples (artifacts go under target/<triple>/<profile>/). */
  readonly targets: readonly string[];
  /** `--bin` names; empty means every binary of the selected packages. */
  readonly bins: readonly string[];
  /** `-p`/`--package` names; empty means the package in the current directory (or the default members). */
  readonly packages: readonly string[];
  readonly locked: boolean;
  readonly offline: boolean;
  /** `--target-dir`, or CARGO_TARGET_DIR given to the command. */
  readonly targetDir: string | null;
  readonly manifestPath: string | null;
  /** `cargo install --path <p>` / `--root <r>`. */
  readonly installPath: string | null;
  readonly installRoot: string | null;
  /** An argument holds an expansion (`$PROFILE`), so the directories above cannot be trusted. */
  readonly dynamic: boolean;
  readonly command: ShellCommand;
}

const ALIASES: Readonly<Record<string, string>> = { b: 'build', r: 'run', t: 'test', c: 'check' };
/** Options that take a value in the next word when not written `--opt=value`. */
const VALUED = new Set([
  '--profile', '--target', '--bin', '--example', '--test', '--bench', '-p', '--package', '--target-dir', '--manifest-path',
  '--features', '-F', '-j', '--jobs', '--path', '--root', '--color', '--config', '-Z', '--exclude', '--message-format',
  '--version', '--vers', '--git', '--branch', '--tag', '--rev', '--index', '--registry', '--lockfile-path', '-C',
]);

/** `cargo …` (also `xx-cargo`, `cross` and `cargo +toolchain`) read as a CargoCommand, or null for any other command. */
export function cargoCommand(command: ShellCommand): CargoCommand | null {
  const [name, ...rest] = command.words;
  if (!name || !/^(?:.*\/)?(?:cargo|xx-cargo|cross)$/.test(name.value)) return null;
  let words = rest;
  if (words[0]?.value.startsWith('+')) words = words.slice(1);
  // global options before the subcommand
  let i = 0;
  while (i < words.length && (words[i]?.value ?? '').startsWith('-')) i += VALUED.has(words[i]?.value ?? '') ? 2 : 1;
  const sub = words[i]?.value;
  if (sub === undefined) return null;
  const subcommand = ALIASES[sub] ?? sub;
  const args = words.slice(i + 1);
  const values = (...names: string[]): string[] => {
    const found: string[] = [];
    for (let j = 0; j < args.length; j++) {
      const word = args[j]?.value ?? '';
      if (word === '--') break;
      for (const n of names) {
        if (word === n && args[j + 1]) found.push(args[j + 1]?.value ?? '');
        else if (word.startsWith(`${n}=`)) found.push(word.slice(n.length + 1));
        else if (n.length === 2 && word.startsWith(n) && word.length > 2 && !word.startsWith('--')) found.push(word.slice(2));
      }
    }
    return found;
  };
  const has = (...names: string[]): boolean => args.some((a) => names.includes(a.value));
  const profile = values('--profile').at(-1) ?? (has('--release', '-r') || subcommand === 'install' ? 'release' : 'dev');
  const profileDir = profile === 'dev' || profile === 'test' ? 'debug' : profile === 'bench' ? 'release' : profile;
  const envDir = command.assignments.find((a) => a.name === 'CARGO_TARGET_DIR')?.value ?? null;
  return {
    subcommand,
    profileDir,
    targets: values('--target'),
    bins: values('--bin'),
    packages: values('-p', '--package'),
    locked: has('--locked', '--frozen'),
    offline: has('--offline', '--frozen'),
    targetDir: values('--target-dir').at(-1) ?? envDir,
    manifestPath: values('--manifest-path').at(-1) ?? null,
    installPath: subcommand === 'install' ? (values('--path').at(-1) ?? null) : null,
    installRoot: subcommand === 'install' ? (values('--root').at(-1) ?? null) : null,
    dynamic: command.words.some((w) => /[$`*?]/.test(w.value)) || command.assignments.some((a) => a.value.includes('$')),
    command,
  };
}

/** Subcommands that download crates into CARGO_HOME and compile into the target directory. */
export function compilesCrates(cargo: CargoCommand): boolean {
  return ['build', 'install', 'run', 'test', 'check', 'bench', 'doc', 'clippy', 'fetch', 'chef', 'auditable', 'zigbuild'].includes(cargo.subcommand);
}

/** Where cargo keeps downloaded crates: CARGO_HOME, else $HOME/.cargo. */
export function cargoHome(env: RunEnvironment): string | { reason: string } {
  const home = env.vars.get('CARGO_HOME');
  if (home === null) return { reason: 'ENV CARGO_HOME uses a value we cannot resolve' };
  if (env.args.has('CARGO_HOME')) return { reason: 'ARG CARGO_HOME may change where cargo keeps its registry' };
  if (home !== undefined) return home.startsWith('/') ? trimSlash(home) : { reason: `CARGO_HOME ${home} is a relative path` };
  if (env.user !== 'root' && env.user !== '0') return { reason: `USER ${env.user}: set ENV CARGO_HOME so the cache mounts have a known place` };
  // an image we do not know may set CARGO_HOME itself (cargo-chef's and other Rust-based images do)
  if (!env.knownImage) return { reason: `cannot tell where cargo keeps its registry in ${env.baseImage || 'the base image'} (set ENV CARGO_HOME, or use the rust image)` };
  const userHome = env.vars.get('HOME');
  if (userHome === null) return { reason: 'ENV HOME uses a value we cannot resolve' };
  // cargo reads $HOME, which Docker sets to the account's home: /root for root
  return `${trimSlash(userHome ?? '/root')}/.cargo`;
}

/** The cache-mount targets of cargo's downloads under CARGO_HOME (never CARGO_HOME itself: it holds bin/ and config). */
export function cargoDownloadDirs(home: string): string[] {
  return [`${home}/registry`, `${home}/git`];
}

/**
 * The directory of the artifacts one command leaves: `<target dir>/<triple>/<profile>`, one per
 * --target (the first only when several are given: the caller then cannot pick one).
 */
export function artifactDirs(cargo: CargoCommand, targetDir: string): string[] {
  if (cargo.targets.length === 0) return [`${targetDir}/${cargo.profileDir}`];
  return cargo.targets.map((t) => `${targetDir}/${t}/${cargo.profileDir}`);
}
