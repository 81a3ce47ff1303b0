/**
 * Which Go commands a RUN runs, however it runs them: directly, through wrappers (`exec`, `env`,
 * `sh -c`, `xx-go`, see goInvocations), through `make` (the Makefile's recipes, read from the build
 * context), through a script from the context, or through a driver known to run `go build` (mage,
 * goreleaser). When a RUN may run Go in a way we cannot read, `unreadable` says why: a transform
 * that must treat every Go command of a stage alike then leaves the stage alone.
 */
import type { BuildContext } from '../../context/context.js';
import { normalizePath } from '../../context/context.js';
import { copiesWholeContext, copySpec, effectiveWorkdir } from '../../engine/instructions.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../engine/parse.js';
import { makeRecipes } from '../../shell/makefile.js';
import { runScript, type ScriptCommand, scriptCommands, type ShellCommand } from '../../shell/shell.js';
import { goCommandDir } from './go-binary.js';
import { combine, type GoInvocation, goInvocations, type GoReading, isGolangImage, mentionsGoCommand } from './go.js';

export interface GoRunReading {
  readonly invocations: readonly GoInvocation[];
  /** Why a Go command this RUN may run cannot be read, or null. */
  readonly unreadable: string | null;
  /** Why this RUN may call git (a recipe, `$(shell git …)`, a script), or null. */
  readonly git: string | null;
  /** How the Go commands are reached when not directly: `make build`, `./build.sh`, `goreleaser`. */
  readonly via: string | null;
  /** Variables a Makefile or script sets for the commands after it (`export GOPROXY=…`, `go env -w`). */
  readonly settings: readonly string[];
}

/** Drivers that build Go code whatever their configuration says. */
const GO_DRIVERS = new Set(['mage', 'goreleaser', 'goreleaser-xx']);
/** Task runners whose files we do not read; in a Go stage they may run anything. */
const OPAQUE_RUNNERS = new Set(['task', 'just', 'bazel', 'bazelisk']);
const MAKE = /^(.*\/)?g?make$/;
const SCRIPT_SHELLS = /^(.*\/)?(sh|bash|ash|dash)$/;

const NONE: GoRunReading = { invocations: [], unreadable: null, git: null, via: null, settings: [] };

/** The Go commands of a RUN, read through wrappers, Makefiles and scripts of the build context. */
export function readGoRun(doc: ParsedDockerfile, stage: Stage, run: Instruction, build: BuildContext): GoRunReading {
  return runReadings(run, build, () => read(doc, stage, run, build));
}

/**
 * Readings remembered per RUN, or per command of one (each belongs to one parse), while the build
 * context is the same view: several transforms ask again of the same parse.
 */
function remembered<K extends object>(): (key: K, build: BuildContext, read: () => GoRunReading) => GoRunReading {
  const known = new WeakMap<K, { build: BuildContext; reading: GoRunReading }>();
  return (key, build, read) => {
    let entry = known.get(key);
    if (entry?.build !== build) {
      entry = { build, reading: read() };
      known.set(key, entry);
    }
    return entry.reading;
  };
}

const runReadings = remembered<Instruction>();
const makeReadings = remembered<ShellCommand>();

function read(doc: ParsedDockerfile, stage: Stage, run: Instruction, build: BuildContext): GoRunReading {
  if (run.keyword !== 'RUN' || run.onbuild) return NONE;
  const script = runScript(doc, run);
  if (!script.parsed) {
    if (run.jsonForm && !run.hasHeredoc) return fromReading(goInvocations(run.jsonValues), null, null);
    // a heredoc or shell we cannot parse: a textual hint stands for a build
    return mentionsGoCommand(doc, run) ? { ...NONE, invocations: [{ subcommand: 'build', args: [], assignments: [] }] } : NONE;
  }
  // the image is looked up only for a command that needs it (make, a driver, a script): most do not
  let golang: boolean | undefined;
  const golangBased = () => (golang ??= isGolangImage(stageLineage(doc, stage).at(-1)?.image ?? ''));
  const parts: GoRunReading[] = [];
  for (const command of script.commands) {
    const words = command.words.map((w) => w.value);
    const name = words[0] ?? '';
    if (MAKE.test(name) && golangBased()) parts.push(readMake(doc, stage, run, command, build));
    else if (GO_DRIVERS.has(name) && golangBased()) parts.push({ ...NONE, invocations: [{ subcommand: 'build', args: [], assignments: [] }], git: `runs ${name}, which may read .git (version stamps)`, via: name });
    else if (OPAQUE_RUNNERS.has(name) && golangBased()) parts.push({ ...NONE, unreadable: `runs ${name}, whose Go commands I cannot read`, git: `runs ${name}, which may read .git (version stamps)` });
    else if (scriptPath(words) !== null && golangBased()) parts.push(readScript(doc, stage, run, command, scriptPath(words) ?? '', build));
    else parts.push(fromReading(goInvocations(words, command.assignments), null, name === 'git' ? 'calls git' : null));
  }
  return {
    invocations: parts.flatMap((p) => p.invocations),
    unreadable: parts.find((p) => p.unreadable !== null)?.unreadable ?? null,
    git: parts.find((p) => p.git !== null)?.git ?? null,
    via: parts.find((p) => p.via !== null)?.via ?? null,
    settings: parts.flatMap((p) => p.settings),
  };
}

function fromReading(reading: GoReading, via: string | null, git: string | null, settings: readonly string[] = []): GoRunReading {
  return 'unreadable' in reading ? { ...NONE, unreadable: reading.unreadable, git, via, settings } : { invocations: reading.invocations, unreadable: null, git, via, settings };
}

/** The variables commands of a Makefile recipe or script set for what follows them. */
function settingsOf(commands: readonly ScriptCommand[]): string[] {
  return commands.flatMap((c) => {
    const [name, ...rest] = c.words;
    if (name === undefined) return c.assignments.map((a) => a.name);
    if (name === 'export' || name === 'declare' || name === 'typeset') return rest.map((w) => w.split('=')[0] ?? '');
    if (/^(.*\/)?go$/.test(name) && rest[0] === 'env' && rest.includes('-w')) return rest.filter((w) => w.includes('=')).map((w) => w.split('=')[0] ?? '');
    return [];
  });
}

/** `./build.sh`, `scripts/build`, `sh build.sh`, `bash -e ./x.sh`: the script file a command runs, or null. */
function scriptPath(words: readonly string[]): string | null {
  const [name = '', ...rest] = words;
  if (SCRIPT_SHELLS.test(name)) {
    if (rest.some((w) => /^-[a-z]*c[a-z]*$/.test(w))) return null; // sh -c: read as a command
    return rest.find((w) => !w.startsWith('-')) ?? null;
  }
  return name.startsWith('./') || (name.includes('/') && !name.startsWith('/') && !name.startsWith('$')) ? name : null;
}

/**
 * What a `make` command of a RUN runs, read from the Makefiles of the build context: its Go
 * commands, whether a recipe or `$(shell …)` calls git, or why the Makefile cannot be read.
 */
export function readMake(doc: ParsedDockerfile, stage: Stage, run: Instruction, command: ShellCommand, build: BuildContext): GoRunReading {
  // docker/dockerignore asks again of the same parse
  return makeReadings(command, build, () => readMakeRecipes(doc, stage, run, command, build));
}

function readMakeRecipes(doc: ParsedDockerfile, stage: Stage, run: Instruction, command: ShellCommand, build: BuildContext): GoRunReading {
  const words = command.words.map((w) => w.value);
  const name = words[0] ?? 'make';
  const dir = contextDir(doc, stage, run, command);
  let args = words.slice(1);
  while (args[0] === '-C') args = args.slice(2); // goCommandDir has followed these
  const via = [name, ...args].join(' ');
  if (dir === null) return { ...NONE, unreadable: `runs ${via} in a directory I cannot map to the build context (a variable, or no COPY of the context above it)`, git: `runs ${name}, which may read .git (version stamps)` };
  const recipes = makeRecipes(args, dir, (path) => build.readFile(path));
  if ('reason' in recipes) return { ...NONE, unreadable: `runs ${via}, whose Go commands I cannot tell (${recipes.reason})`, git: `runs ${name}, which may read .git (version stamps)` };
  let git: string | null = null;
  // make exports a variable to its recipes only with `export` (or from the environment it had)
  const settings = recipes.files.flatMap((f) => [...(build.readFile(f) ?? '').matchAll(/^[ \t]*(?:override[ \t]+)?export[ \t]+([A-Za-z_]\w*)/gm)].map((m) => m[1] ?? ''));
  const readingsOf = [...recipes.lines.map((l) => l.text), ...recipes.shells].map((text) => {
    const commands = scriptCommands(text);
    settings.push(...settingsOf(commands ?? []));
    // git itself, or a script of the repository, which may call it
    if (commands === null ? /\bgit\b/.test(text) : commands.some((c) => /^(.*\/)?git$|^\.\.?\//.test(c.words[0] ?? ''))) git = `runs ${via}, whose Makefile may call git`;
    if (commands === null) return /\bgo\b/.test(text) ? { unreadable: `runs ${via}, whose recipe "${text}" I cannot read` } : { invocations: [] };
    return combine(commands.map((c) => goInvocations(c.words, c.assignments)));
  });
  return fromReading(combine(readingsOf), via, git, settings);
}

function readScript(doc: ParsedDockerfile, stage: Stage, run: Instruction, command: ShellCommand, path: string, build: BuildContext): GoRunReading {
  const dir = contextDir(doc, stage, run, command);
  const file = dir === null ? null : normalizePath(dir === '' ? path : `${dir}/${path}`);
  const text = file === null ? null : build.readFile(file);
  const git = `runs ${path}, which may read .git (version stamps)`;
  if (text === null) return { ...NONE, unreadable: `runs ${path}, which is not in the build context (it may run go)`, git };
  const commands = scriptCommands(text);
  if (commands === null) return /\bgo\b/.test(text) ? { ...NONE, unreadable: `runs ${path}, a script I cannot read`, git } : NONE;
  return fromReading(combine(commands.map((c) => goInvocations(c.words, c.assignments))), path, commands.some((c) => c.words[0] === 'git') ? git : null, settingsOf(commands));
}

/**
 * The context directory a command of a RUN runs in: its directory (WORKDIR and `cd`) relative to
 * where the last whole-context COPY put the context. Null when that cannot be known.
 */
function contextDir(doc: ParsedDockerfile, stage: Stage, run: Instruction, command: ShellCommand): string | null {
  const dir = goCommandDir(doc, stage, run, command);
  if (dir === null) return null;
  for (const s of stageLineage(doc, stage)) {
    const copy = s.instructions.filter((i) => (s !== stage || i.start < run.start) && copySpec(i) !== null && copiesWholeContext(copySpec(i) ?? { sources: [], dest: '', from: '' })).at(-1);
    if (!copy) continue;
    const dest = copySpec(copy)?.dest ?? '';
    const base = dest.startsWith('/') ? `/${normalizePath(dest)}` : effectiveWorkdir(doc, s, copy);
    if (base === null || dest.includes('$')) return null;
    const root = dest.startsWith('/') ? base : `/${normalizePath(`${base}/${dest}`)}`;
    const rootDir = root === '/' ? '' : root;
    if (dir === rootDir || dir === root) return '';
    return dir.startsWith(`${rootDir}/`) ? dir.slice(rootDir.length + 1) : null;
  }
  return null;
}
