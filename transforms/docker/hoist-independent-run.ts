/**
 * docker/hoist-independent-run (catalogue G-02, seed point 2; was go/hoist-independent-run).
 *
 * Looks for: in a stage that installs dependencies or builds (as an ecosystem of
 * transforms/ecosystems.ts tells: `go build`, `npm ci`, `pip install -r`, `cargo build`, `mvn`...),
 * RUN steps between the source COPY (the whole context, or what the ecosystem calls its sources) and
 * the first such step, which do not read the copied files: package installs (apt-get, apk, yum, dnf,
 * microdnf), account creation (useradd, adduser, addgroup, groupadd), `mkdir`/`rm`/`chmod`/`chown`/`ln`
 * of absolute paths, `update-ca-certificates`, an ecosystem's tool install (`go install tool@version`),
 * `git config --global`, with `echo`/`printf`/`set`/`export`/`true`.
 * Checks: the RUN is a plain script (no pipe, control flow, substitution or here-document) made only
 * of those commands, whose arguments are options, package names and absolute paths; nothing it uses
 * (its paths, the system directories its tools write, its mount targets) overlaps what the COPY/ADDs
 * it would cross write; it crosses no other RUN (but a plain dependency download its ecosystem vouches
 * for: go mod download), no WORKDIR, USER, SHELL or VOLUME, and no ENV/ARG that sets a variable it
 * expands or its tools read.
 * Writes: the RUN, as whole lines with the comments above it, moved above the manifest COPY (go.mod,
 * package.json...; or above the source COPY when there is none or something between the two cannot be
 * crossed). Several RUNs keep their order. Nothing is added or removed: each block is cut and pasted
 * byte for byte, with the blank line that set it off.
 */
import type { BuildContext } from '../../src/context/context.js';
import { normalizePath } from '../../src/context/context.js';
import { rootHome, runEnvironment, type RunEnvironment } from '../../src/engine/env.js';
import { copyWrites, globFreePrefix, imagePath, pathsOverlap } from '../../src/engine/image-paths.js';
import { copiesWholeContext, copySpec, declaredNames, effectiveWorkdir, globMatches } from '../../src/engine/instructions.js';
import { mountsOf } from '../../src/engine/mounts.js';
import { describeInstruction, moveAboveWithBlankLine, pasteAbove } from '../../src/engine/moves.js';
import type { Instruction, ParsedDockerfile, Stage } from '../../src/engine/parse.js';
import type { DependencySteps } from '../../src/patterns/dependency-steps.js';
import { plainRun } from '../../src/shell/plain-shell.js';
import { runScript, type ShellCommand, type ShellWord } from '../../src/shell/shell.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import { dependencySteps } from '../ecosystems.js';

/** Where package managers read and write: a COPY into any of these may change what they do. */
const PACKAGE_PATHS = [
  '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/usr/bin', '/usr/sbin', '/usr/lib', '/usr/lib32',
  '/usr/lib64', '/usr/libexec', '/usr/include', '/usr/share', '/usr/local/share/ca-certificates', '/var/lib', '/var/cache', '/var/log',
];
const PACKAGE_TOOLS = new Set(['apt-get', 'apt', 'apk', 'yum', 'dnf', 'microdnf']);
/** Subcommands that only install, update or remove packages (not `apt-get source`, `apk fetch`, which write to the working directory). */
const PACKAGE_SUBCOMMANDS: Readonly<Record<string, ReadonlySet<string>>> = {
  'apt-get': new Set(['update', 'install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'clean', 'autoclean', 'autoremove', 'remove', 'purge']),
  apk: new Set(['add', 'update', 'upgrade', 'del', 'cache']),
  yum: new Set(['install', 'update', 'upgrade', 'clean', 'makecache', 'remove', 'erase', 'reinstall', 'groupinstall']),
};
/** Options whose value is the next word, so that word is not taken for the subcommand. */
const PACKAGE_VALUE_OPTIONS = new Set([
  '-o', '-c', '-t', '--option', '--config-file', '--target-release', // apt
  '-X', '--repository', '--virtual', '-p', '--root', '--cache-dir', '--keys-dir', '--repositories-file', '--arch', // apk
  '--config', '--releasever', '--installroot', '--setopt', '--repo', '--enablerepo', '--disablerepo', '-x', '--exclude', // yum, dnf
]);
const ACCOUNT_TOOLS = new Set(['useradd', 'adduser', 'addgroup', 'groupadd']);
const HOME_OPTIONS = new Set(['-d', '-h', '--home', '--home-dir']);
const NO_OP_TOOLS = new Set(['set', 'export', 'unset', 'true', ':', 'echo', 'printf']);
/** Tools whose operands are all paths (after chmod's mode or chown's owner). */
const PATH_TOOLS = new Set(['mkdir', 'rm', 'chmod', 'chown', 'chgrp', 'ln']);
/** Variables each tool reads without being told (front-ends, locale, proxies, git settings; an ecosystem's tool says its own). */
const IMPLICIT_ENV: Readonly<Record<string, RegExp>> = {
  package: /^(PATH|LD_\w+|TMPDIR|LANG|LANGUAGE|LC_\w+|TZ|DEBIAN_\w+|DEBCONF_\w+|APT_\w+|DPKG_\w+|https?_proxy|ftp_proxy|no_proxy|all_proxy)$/i,
  account: /^(PATH|LD_\w+|LANG|LANGUAGE|LC_\w+)$/,
  files: /^(PATH|LD_\w+)$/,
  git: /^(PATH|LD_\w+|HOME|GIT_\w+|XDG_\w+)$/,
};

/** Instructions a RUN may move across: they neither change its environment nor write files. */
const NEUTRAL_KEYWORDS = new Set(['LABEL', 'EXPOSE', 'MAINTAINER', 'STOPSIGNAL', 'HEALTHCHECK', 'CMD', 'ENTRYPOINT', 'ONBUILD']);
/** Tool installs an ecosystem vouches for (`go install tool@version`), by command name. */
const TOOL_INSTALLS = new Map(dependencySteps.flatMap((e) => (e.toolInstall ? [[e.toolInstall.tool, e.toolInstall] as const] : [])));

export const hoistIndependentRun: Transform = {
  id: 'docker/hoist-independent-run',
  formerIds: ['go/hoist-independent-run'],
  title: 'Move RUN steps that do not read the sources above the source COPY',
  rationale: 'the step now runs before the sources are copied, so a source change no longer re-runs it',
  safety: 'safe',
  preconditions: [
    'the stage installs dependencies or builds (go, npm/yarn/pnpm/bun, pip/poetry/uv/pipenv, cargo, maven/gradle) after the source COPY',
    'every command is a package install, account creation, mkdir/rm/chmod/chown/ln of absolute paths, go install tool@version or git config --global',
    'arguments are options, package names or absolute paths outside what the crossed COPYs write; no pipe, control flow or substitution',
    'no other RUN, WORKDIR, USER, SHELL or VOLUME in between, and no ENV/ARG of a variable the RUN uses or its tools read',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    // the ecosystems the file mentions, looked for only once a stage passes the cheap tests (each test reads the whole text)
    let ecosystems: readonly DependencySteps[] | undefined;
    const mentioned = () => (ecosystems ??= dependencySteps.filter((e) => e.mentions === undefined || e.mentions.test(doc.source.text)));
    for (const stage of doc.stages) rewriteStage(doc, stage, context.build, mentioned, out);
    return out.result();
  },
};

/** A path the RUN reads or writes, and which of its commands does. */
interface Touch {
  readonly path: string;
  readonly by: string;
}

/** What a movable RUN does, as far as crossing other instructions is concerned. */
interface Effects {
  readonly touches: readonly Touch[];
  readonly expands: ReadonlySet<string>;
  readonly tools: readonly string[];
  /** Whether a variable, set between the old and new place, could change what the tools do. */
  readonly reads: (name: string) => boolean;
}

function rewriteStage(doc: ParsedDockerfile, stage: Stage, build: BuildContext, mentioned: () => readonly DependencySteps[], out: ResultBuilder): void {
  // What it looks for: the RUNs between the source COPY and the stage's first install or build.
  // The cheap tests first, before each ecosystem reads the stage's RUNs: a RUN that moves, or is
  // reported, holds a command of the kinds moved here (any other stays without a word, see
  // runEffects), comes after a COPY from the context and has another RUN (the install or build)
  // after it. A final stage of COPY --from has none.
  const firstCopy = stage.instructions.findIndex((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && copySpec(i)?.from === null);
  if (firstCopy < 0) return;
  const runsAfter = stage.instructions.slice(firstCopy + 1).filter((i) => i.keyword === 'RUN');
  if (!runsAfter.slice(0, -1).some((run) => runScript(doc, run).commands.some(isCandidateCommand))) return;
  const ecosystems = mentioned().map((e) => ({ e, runs: stepRuns(doc, stage, e) })).filter((s) => s.runs.length > 0);
  if (ecosystems.length === 0) return;
  const active = ecosystems.map((s) => s.e);
  const sourceCopy = stage.instructions.find((i) => isSourceCopy(i, build, active));
  if (!sourceCopy) return;
  const limit = Math.min(...ecosystems.map((s) => s.runs.find((r) => r.start > sourceCopy.start)?.start ?? Infinity));
  if (limit === Infinity) return;
  const manifestCopy = stage.instructions.filter((i) => i.start < sourceCopy.start && isManifestCopy(i, active)).at(-1);

  // What it checks, RUN by RUN: a RUN that stays blocks the ones after it.
  const hoisted: { run: Instruction; aboveManifest: boolean }[] = [];
  for (const run of stage.instructions.filter((i) => i.keyword === 'RUN' && i.start > sourceCopy.start && i.start < limit)) {
    const effects = runEffects(doc, stage, run);
    // a RUN of only `echo`/`export`/`true` is not what this is about
    if (!('reason' in effects) && effects.tools.length === 0) continue;
    if ('reason' in effects) {
      if (effects.looksIndependent) out.skip(run, effects.reason);
      continue;
    }
    const moving = new Set(hoisted.map((h) => h.run));
    const crossed = (from: Instruction, to: Instruction) => stage.instructions.filter((i) => i.start >= from.start && i.start < to.start);
    const blocker = firstBlocker(doc, stage, build, active, crossed(sourceCopy, run), effects, moving);
    if (blocker !== null) {
      out.skip(run, blocker);
      continue;
    }
    const aboveManifest = manifestCopy !== undefined && firstBlocker(doc, stage, build, active, crossed(manifestCopy, sourceCopy), effects, moving) === null;
    hoisted.push({ run, aboveManifest });
  }
  if (hoisted.length === 0) return;

  // What it writes: every block cut and pasted, in order, above one common target.
  const target = manifestCopy && hoisted.every((h) => h.aboveManifest) ? manifestCopy : sourceCopy;
  const at = pasteAbove(doc, target);
  for (const { run } of hoisted) out.change(run, moveAboveWithBlankLine(doc, run, at), `moved above the ${describeInstruction(doc, target)}`);
}

/** The RUNs of the stage that hold an install or build step of the ecosystem, in order. */
function stepRuns(doc: ParsedDockerfile, stage: Stage, ecosystem: DependencySteps): readonly Instruction[] {
  if (ecosystem.stepRuns) return ecosystem.stepRuns(doc, stage);
  return stage.instructions.filter((i) => i.keyword === 'RUN' && runScript(doc, i).commands.some((c) => ecosystem.isDependencyStep(c)));
}

/** COPY/ADD of the whole context, or of what an ecosystem of the stage calls its sources (.go files, a directory holding them). */
function isSourceCopy(instruction: Instruction, build: BuildContext, ecosystems: readonly DependencySteps[]): boolean {
  const spec = copySpec(instruction);
  if (!spec || spec.from !== null || isManifestCopy(instruction, ecosystems)) return false;
  if (copiesWholeContext(spec)) return true;
  return spec.sources.some((source) => {
    if (/:\/\//.test(source)) return false;
    const path = normalizePath(source);
    return ecosystems.some((e) => e.holdsSources?.(path, build) === true);
  });
}

/** A COPY of the stage's ecosystems' manifests only (go.mod, go.sum; package.json and its lockfile...). */
function isManifestCopy(instruction: Instruction, ecosystems: readonly DependencySteps[]): boolean {
  const spec = copySpec(instruction);
  if (!spec || spec.from !== null) return false;
  return spec.sources.every((source) => {
    const name = normalizePath(source).split('/').pop() ?? '';
    return ecosystems.some((e) => e.manifests.some((m) => name === m || globMatches(name, m) || globMatches(m, name)));
  });
}

/** The RUN's effects, or why it must stay (and whether it looked like a candidate, to report it). */
function runEffects(doc: ParsedDockerfile, stage: Stage, run: Instruction): Effects | { reason: string; looksIndependent: boolean } {
  const looksIndependent = runScript(doc, run).commands.some(isCandidateCommand);
  const plain = plainRun(doc, run);
  if ('reason' in plain) return { reason: `the RUN ${plain.reason}`, looksIndependent };
  const env = withOwnAssignments(runEnvironment(doc, stage, run), plain.commands);
  const touches: Touch[] = [];
  for (const command of plain.commands) {
    const problem = commandEffects(command, env, touches);
    if (problem !== null) return { reason: problem, looksIndependent };
  }
  for (const target of plain.redirects) {
    const path = target.startsWith('/') ? imagePath(null, target) : null;
    if (path === null) return { reason: `the RUN redirects to ${target}, a path that may be among the copied files`, looksIndependent };
    touches.push({ path, by: 'a redirection' });
  }
  const workdir = effectiveWorkdir(doc, stage, run);
  for (const mount of mountsOf(run)) {
    const path = mount.target === '' ? null : imagePath(workdir, mount.target);
    if (path === null) return { reason: `cannot tell where the mount ${mount.target || '(no target)'} goes`, looksIndependent };
    touches.push({ path, by: `the ${mount.type} mount` });
  }
  const tools = [...new Set(plain.commands.map(toolName).filter((t) => !NO_OP_TOOLS.has(t)))];
  const patterns = tools.map((t) => TOOL_INSTALLS.get(t)?.env ?? IMPLICIT_ENV[PACKAGE_TOOLS.has(t) ? 'package' : ACCOUNT_TOOLS.has(t) ? 'account' : t === 'git' ? t : 'files'] ?? /^PATH$/);
  return { touches, expands: plain.expands, tools, reads: (name) => patterns.some((p) => p.test(name)) };
}

/**
 * The environment with what the RUN itself sets (`export GOBIN=/x`, `HOME=/y go install ...`), since
 * that decides where its tools write; a value built from variables counts as unknown.
 */
function withOwnAssignments(env: RunEnvironment, commands: readonly ShellCommand[]): RunEnvironment {
  const vars = new Map(env.vars);
  const set = (name: string, value: string, text: string) => vars.set(name, text.includes('$') ? null : value);
  for (const command of commands) {
    for (const a of command.assignments) set(a.name, a.value, a.value);
    if (command.words[0]?.value !== 'export') continue;
    for (const word of command.words.slice(1)) {
      const eq = word.value.indexOf('=');
      if (eq > 0) set(word.value.slice(0, eq), word.value.slice(eq + 1), word.text);
    }
  }
  return { ...env, vars };
}

function toolName(command: ShellCommand): string {
  const name = command.words[0]?.value ?? '';
  return name.startsWith('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
}

/** A command of the kind this transform moves (whether or not its arguments allow it). */
function isCandidateCommand(command: ShellCommand): boolean {
  const name = toolName(command);
  const first = command.words[1]?.value;
  return PACKAGE_TOOLS.has(name) || ACCOUNT_TOOLS.has(name) || PATH_TOOLS.has(name) || name === 'update-ca-certificates' ||
    TOOL_INSTALLS.get(name)?.installs(command) === true || (name === 'git' && first === 'config');
}

/** Adds what one command touches, or says why the RUN must stay. */
function commandEffects(command: ShellCommand, env: RunEnvironment, touches: Touch[]): string | null {
  const name = toolName(command);
  const args = command.words.slice(1);
  if (command.words[0]?.text.includes('$')) return `the RUN runs a command named by a variable (${command.words[0].text})`;
  if (NO_OP_TOOLS.has(name)) return null;
  const add = (paths: readonly string[], by = name) => touches.push(...paths.map((path) => ({ path, by })));

  if (PACKAGE_TOOLS.has(name)) {
    const sub = subcommand(args);
    const allowed = PACKAGE_SUBCOMMANDS[name === 'apt' ? 'apt-get' : name === 'dnf' || name === 'microdnf' ? 'yum' : name];
    if (sub === null || !allowed?.has(sub)) return `${name} ${sub ?? ''}`.trim() + ' is not a package install, update or removal';
    add(PACKAGE_PATHS);
    return argumentPaths(name, args, env, touches, name.startsWith('apt'));
  }
  if (ACCOUNT_TOOLS.has(name)) {
    add(['/etc']);
    const home = args.findIndex((w) => HOME_OPTIONS.has(w.value));
    // without a home option, the new user's home is /home/<name> (or none, for a group)
    if (home < 0 && (name === 'useradd' || name === 'adduser')) add(['/home']);
    return argumentPaths(name, args, env, touches, false);
  }
  if (name === 'update-ca-certificates') {
    add(['/etc/ssl', '/etc/ca-certificates', '/usr/share/ca-certificates', '/usr/local/share/ca-certificates']);
    return argumentPaths(name, args, env, touches, false);
  }
  if (PATH_TOOLS.has(name)) {
    // chmod's mode and chown's owner come first; mkdir -m takes a mode
    let operandsToSkip = name === 'chmod' || name === 'chown' || name === 'chgrp' ? 1 : 0;
    for (let i = 0; i < args.length; i++) {
      const word = args[i] as ShellWord;
      if (word.value.startsWith('-') && !(name === 'chmod' && operandsToSkip > 0 && /^-[rwxXst]+$/.test(word.value))) {
        if (name === 'mkdir' && (word.value === '-m' || word.value === '--mode')) i++;
        continue;
      }
      if (operandsToSkip > 0) {
        operandsToSkip--;
        continue;
      }
      const path = expandPath(word, env);
      if (path === null) return `cannot tell where ${word.text} points`;
      if (!path.startsWith('/')) return `${name} gets the relative path ${word.text}, which may be among the copied files`;
      add([imagePath(null, globFreePrefix(path)) ?? '/']);
    }
    return null;
  }
  const tool = TOOL_INSTALLS.get(name);
  if (tool) {
    const writes = tool.writes(command, env);
    if ('reason' in writes) return writes.reason;
    add(writes.paths, writes.by);
    return null;
  }
  if (name === 'git') {
    if (args[0]?.value !== 'config') return `git ${args[0]?.value ?? ''}`.trim() + ' may read the copied sources';
    if (!args.some((w) => w.value === '--global' || w.value === '--system')) return 'git config without --global writes the copied repository\'s own config';
    const home = rootHome(env);
    if (home === null) return `cannot tell the home directory of USER ${env.user}, where git config --global writes`;
    add([`${home}/.gitconfig`, `${home}/.config/git`, '/etc/gitconfig'], 'git config');
    return null;
  }
  return `${name} may read the copied sources`;
}

/** The first word that is neither an option nor an option's value. */
function subcommand(args: readonly ShellWord[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const value = args[i]?.value ?? '';
    if (value.startsWith('-')) {
      if (PACKAGE_VALUE_OPTIONS.has(value)) i++;
      continue;
    }
    return value;
  }
  return null;
}

/** Checks every argument: no relative path; absolute paths (also in `--opt=/path`) are recorded. */
function argumentPaths(name: string, args: readonly ShellWord[], env: RunEnvironment, touches: Touch[], aptStyle: boolean): string | null {
  for (const word of args) {
    const value = word.value.startsWith('-') && word.value.includes('=') ? word.value.slice(word.value.indexOf('=') + 1) : word.value;
    if (value.startsWith('-')) continue;
    if (isRelativePath(value, aptStyle)) return `${name} gets the relative path ${word.text}, which may be among the copied files`;
    if (word.text.includes('$') && /^\$|\//.test(value)) {
      const path = expandPath(word, env);
      if (path === null) return `cannot tell where ${word.text} points`;
      if (!path.startsWith('/')) return `${name} gets the relative path ${word.text}, which may be among the copied files`;
      touches.push({ path: imagePath(null, globFreePrefix(path)) ?? '/', by: name });
    } else if (value.startsWith('/')) {
      touches.push({ path: imagePath(null, globFreePrefix(value)) ?? '/', by: name });
    }
  }
  return null;
}

/** `.`, `./x`, `../x`, `~/x`, `dir/file`, `x.deb`: a path relative to the working directory (or home). */
function isRelativePath(value: string, aptStyle: boolean): boolean {
  if (value === '' || value.startsWith('/') || /:\/\//.test(value)) return false;
  if (value === '.' || value === '..' || /^\.\.?\//.test(value) || value.startsWith('~')) return true;
  if (/\.(deb|rpm|apk)$/.test(value)) return true;
  // apt's `package/release` is not a path
  if (aptStyle && /^[a-z0-9][a-z0-9+.-]*\/[A-Za-z0-9][A-Za-z0-9.~+-]*$/.test(value)) return false;
  return value.includes('/');
}

/** A word with `$NAME`/`${NAME}` expanded from the known environment; null when something is unknown. */
function expandPath(word: ShellWord, env: RunEnvironment): string | null {
  if (!word.text.includes('$')) return word.value;
  if (/\$\{[^}]*[^\w}]/.test(word.text) || /['\\]/.test(word.text)) return null;
  let unknown = false;
  const value = word.text.replace(/"/g, '').replace(/\$(\w+)|\$\{(\w+)\}/g, (_m, a: string | undefined, b: string | undefined) => {
    const v = env.vars.get(a ?? b ?? '');
    if (v === undefined || v === null) unknown = true;
    return v ?? '';
  });
  return unknown ? null : value;
}

/** Why the RUN cannot move above every instruction in `crossed`, or null when it can. */
function firstBlocker(
  doc: ParsedDockerfile,
  stage: Stage,
  build: BuildContext,
  ecosystems: readonly DependencySteps[],
  crossed: readonly Instruction[],
  effects: Effects,
  moving: ReadonlySet<Instruction>,
): string | null {
  for (const instruction of crossed) {
    const where = `the ${describeInstruction(doc, instruction)}`;
    switch (instruction.keyword) {
      case 'RUN':
        if (moving.has(instruction) || onlyDownloads(doc, instruction, ecosystems)) continue;
        return `${where} stays before it, and this RUN may depend on what it does`;
      case 'COPY':
      case 'ADD': {
        const writes = copyWrites(doc, stage, instruction, build);
        if (writes === null) return `cannot tell where ${where} writes`;
        for (const write of writes) {
          const touch = effects.touches.find((t) => pathsOverlap(write, t.path));
          if (touch) return `${where} writes ${write}, which overlaps ${touch.path} used by ${touch.by}`;
        }
        continue;
      }
      case 'ENV':
      case 'ARG':
        for (const name of declaredNames(instruction)) {
          if (effects.expands.has(name)) return `it uses $${name}, which ${where} sets`;
          if (effects.reads(name)) return `${where} sets ${name}, which ${effects.tools.join(', ')} may read`;
        }
        continue;
      default:
        if (NEUTRAL_KEYWORDS.has(instruction.keyword)) continue;
        return `moving it would cross ${where}`;
    }
  }
  return null;
}

/** A RUN that only downloads dependencies into a cache (`go mod download`), as its ecosystem says: the hoisted step cannot need it. */
function onlyDownloads(doc: ParsedDockerfile, run: Instruction, ecosystems: readonly DependencySteps[]): boolean {
  const { commands } = runScript(doc, run);
  return ecosystems.some((e) => e.onlyDownloads?.(commands) === true);
}

