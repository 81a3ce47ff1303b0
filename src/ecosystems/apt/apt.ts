/**
 * What Debian's and Ubuntu's package tools do in a Dockerfile: which commands download packages or
 * package lists, where apt keeps them, which commands clean them up, and which base images ship the
 * official images' `docker-clean` hook. Knowledge only; transforms/docker/apt-cache-mount.ts uses it.
 */
import { imageRepositoryName } from '../../images/official-images.js';
import type { ShellCommand, ShellWord } from '../../shell/shell.js';

/** Where apt keeps downloaded packages (`archives/`) and, without docker-clean, its binary caches. */
export const APT_CACHE_DIR = '/var/cache/apt';
/** Where `apt-get update` writes the package lists. */
export const APT_LISTS_DIR = '/var/lib/apt/lists';
/**
 * The official Debian and Ubuntu images' hook: after every dpkg run and every update it deletes
 * `/var/cache/apt/archives/*.deb` and the `*.bin` caches, so a cache mount of /var/cache/apt would
 * keep nothing.
 */
export const DOCKER_CLEAN = '/etc/apt/apt.conf.d/docker-clean';

/** The package tools this module knows. */
export type AptTool = 'apt-get' | 'apt' | 'aptitude';

export interface AptCommand {
  readonly command: ShellCommand;
  readonly tool: AptTool;
  /** `install`, `update`, `clean`, ...; null when none is given. */
  readonly subcommand: string | null;
  /** The option words before and after the subcommand (`-y`, `-o`, `Dir::Cache=/x`, ...). */
  readonly options: readonly ShellWord[];
}

/** Subcommands that download packages into /var/cache/apt/archives before installing them. */
const INSTALLING = new Set(['install', 'reinstall', 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'satisfy']);
/** Subcommands that empty the package cache: on a cache mount they throw away what it exists to keep. */
const CLEANING = new Set(['clean']);
/** apt-get options that take the next word as their value. */
const OPTIONS_WITH_VALUE = new Set(['-o', '--option', '-c', '--config-file', '-t', '--target-release', '--default-release', '-a', '--host-architecture', '-P', '--build-profiles']);

/** The apt command `command` runs (after `NAME=value` prefixes), or null. */
export function aptCommand(command: ShellCommand): AptCommand | null {
  const tool = command.words[0]?.value;
  if (tool !== 'apt-get' && tool !== 'apt' && tool !== 'aptitude') return null;
  const options: ShellWord[] = [];
  let subcommand: string | null = null;
  const words = command.words.slice(1);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word) continue;
    if (word.value.startsWith('-')) {
      options.push(word);
      const next = words[i + 1];
      if (OPTIONS_WITH_VALUE.has(word.value) && next) {
        options.push(next);
        i++;
      }
    } else if (subcommand === null) subcommand = word.value;
  }
  return { command, tool, subcommand, options };
}

export function installsPackages(apt: AptCommand): boolean {
  return apt.subcommand !== null && INSTALLING.has(apt.subcommand);
}

export function updatesLists(apt: AptCommand): boolean {
  return apt.subcommand === 'update';
}

export function cleansCache(apt: AptCommand): boolean {
  return apt.subcommand !== null && CLEANING.has(apt.subcommand);
}

/**
 * Why this command's apt would not use the default cache and list directories, or null: `-c FILE`
 * reads a configuration we cannot see, and `-o Dir...` moves the directories.
 */
export function movedDirectories(apt: AptCommand): string | null {
  for (let i = 0; i < apt.options.length; i++) {
    const option = apt.options[i]?.value ?? '';
    const value = apt.options[i + 1]?.value ?? '';
    if (option === '-c' || option === '--config-file' || option.startsWith('--config-file=')) return `${apt.tool} reads its configuration from another file (${option})`;
    const setting = option === '-o' || option === '--option' ? value : option.startsWith('--option=') ? option.slice('--option='.length) : option.startsWith('-o') ? option.slice(2) : '';
    if (/^Dir(::|=)/i.test(setting)) return `${apt.tool} -o ${setting} moves apt's directories`;
  }
  return null;
}

/** Where a path given to `rm` lies with respect to the apt directories a cache mount would hold. */
export type AptPathPlace =
  /** the lists directory or something in it (`/var/lib/apt/lists/*`) */
  | 'lists'
  /** the package cache or something in it (`/var/cache/apt/*`, `/var/cache/apt/archives/*.deb`) */
  | 'cache'
  /** a directory holding one of them (`/var/lib/apt`, `/var/cache/*`): rm would reach the mount point */
  | 'above'
  | 'elsewhere';

/** Where `path` (as written to rm, maybe with a glob) lies: see AptPathPlace. */
export function aptPathPlace(path: string): AptPathPlace {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const inside = (dir: string) => trimmed === dir || trimmed.startsWith(`${dir}/`);
  if (inside(APT_LISTS_DIR)) return 'lists';
  if (inside(APT_CACHE_DIR)) return 'cache';
  // a glob or a directory that contains a mount target
  const holds = (dir: string) => {
    const parts = dir.split('/');
    for (let n = 1; n < parts.length; n++) {
      const prefix = parts.slice(0, n).join('/') || '/';
      if (trimmed === prefix || trimmed === `${prefix === '/' ? '' : prefix}/*`) return true;
    }
    return false;
  };
  if (holds(APT_LISTS_DIR) || holds(APT_CACHE_DIR)) return 'above';
  return 'elsewhere';
}

/** The path arguments of an `rm` command (options dropped), or null when the command is no rm. */
export function rmPaths(command: ShellCommand): ShellWord[] | null {
  if (command.words[0]?.value !== 'rm') return null;
  let endOfOptions = false;
  return command.words.slice(1).filter((w) => {
    if (endOfOptions) return true;
    if (w.value === '--') {
      endOfOptions = true;
      return false;
    }
    return !w.value.startsWith('-');
  });
}

/**
 * Docker Official Images built on the official debian or ubuntu images (their Debian and Ubuntu
 * tags), and so shipping docker-clean and no package lists. A tag naming another distribution
 * (alpine, windowsservercore) has no apt-get at all, so a RUN using apt-get there fails anyway.
 */
const DEBIAN_FAMILY_IMAGES: ReadonlySet<string> = new Set([
  'debian', 'ubuntu', 'buildpack-deps', 'golang', 'node', 'python', 'ruby', 'php', 'rust', 'openjdk',
  'eclipse-temurin', 'maven', 'gradle', 'perl', 'gcc', 'r-base', 'elixir', 'erlang', 'haskell', 'julia',
  'swift', 'clojure', 'pypy', 'httpd', 'nginx', 'postgres',
]);

/**
 * Whether `image` names one of those official images (from Docker Hub or a mirror, as
 * `public.ecr.aws/docker/library/golang:1.24-bookworm`), not an Alpine or Windows variant.
 */
export function isDebianFamilyOfficialImage(image: string): boolean {
  if (/alpine|windowsservercore|nanoserver/i.test(image)) return false;
  return DEBIAN_FAMILY_IMAGES.has(imageRepositoryName(image));
}

/** A RUN's text (heredoc, exec form, unparsable shell) that mentions apt installing something. */
export function mentionsAptInstall(text: string): boolean {
  return /(^|[\s;&|("'`[])(apt-get|apt|aptitude)["',\s]+(?:-\S+["',\s]+)*(install|reinstall|upgrade|dist-upgrade|full-upgrade|build-dep)\b/.test(text);
}

/** A RUN's text that mentions a list update (`apt-get update`, `apt update`). */
export function mentionsAptUpdate(text: string): boolean {
  return /(^|[\s;&|("'`[])(apt-get|apt|aptitude)["',\s]+(?:-\S+["',\s]+)*update\b/.test(text);
}
