/** What Go stages do: which RUNs call which `go` subcommands. Shared by the Go transforms. */
import { type Instruction, type ParsedDockerfile, perStage, type Stage } from '../../engine/parse.js';
import { officialImage } from '../../images/official-images.js';
import { runScript, type RunScript, scriptCommands, type ShellCommand } from '../../shell/shell.js';

export interface GoCommand {
  readonly instruction: Instruction;
  readonly command: ShellCommand;
  /** `build`, `test`, `mod download`, ... */
  readonly subcommand: string;
}

/** Subcommands that read the main module (and so its dependencies). */
const MODULE_SUBCOMMANDS = new Set([
  'build', 'install', 'test', 'vet', 'generate', 'run', 'list', 'get', 'tool',
  'mod download', 'mod tidy', 'mod verify', 'mod vendor', 'mod graph', 'mod why',
]);

export function needsModule(go: GoCommand): boolean {
  if (!MODULE_SUBCOMMANDS.has(go.subcommand)) return false;
  // `go install tool@v1.2.3` builds a tool outside the main module
  if (go.subcommand === 'install' || go.subcommand === 'run') {
    const targets = go.command.words.slice(2).filter((w) => !w.value.startsWith('-'));
    if (targets.length > 0 && targets.every((w) => w.value.includes('@'))) return false;
  }
  return true;
}

export interface StageScripts {
  readonly scripts: ReadonlyMap<Instruction, RunScript>;
  readonly goCommands: readonly GoCommand[];
}

/**
 * Parses every RUN of a stage once and lists the Go commands in order. Remembered per parse and
 * stage: the Go transforms, hoist-independent-run and dockerignore each ask it of the same parse.
 */
export const stageScripts = perStage(readStageScripts);

function readStageScripts(doc: ParsedDockerfile, stage: Stage): StageScripts {
  const scripts = new Map<Instruction, RunScript>();
  const goCommands: GoCommand[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword !== 'RUN') continue;
    const script = runScript(doc, instruction);
    scripts.set(instruction, script);
    for (const command of script.commands) {
      const subcommand = goSubcommand(command);
      if (subcommand !== null) goCommands.push({ instruction, command, subcommand });
    }
  }
  return { scripts, goCommands };
}

/** The official golang image or a mirror of it (`golang:1.22`, `ghcr.io/mirror/golang:1.21-alpine`), not a Windows variant. */
export function isGolangImage(image: string): boolean {
  return officialImage(image)?.name === 'golang';
}

/** The Go subcommand of a `go ...` command (`mod download` for `go mod download`), or null. */
export function goSubcommand(command: ShellCommand): string | null {
  if (command.words[0]?.value !== 'go') return null;
  const rest = command.words.slice(1).map((w) => w.value);
  // `go -C dir build` (Go 1.20+) puts -C before the subcommand
  let i = 0;
  while (rest[i] === '-C') i += 2;
  const sub = rest[i];
  if (sub === undefined) return null;
  if (sub === 'mod' && rest[i + 1] !== undefined) return `mod ${rest[i + 1]}`;
  return sub;
}

/** A RUN whose text (heredoc, exec form, unparsable shell) mentions a Go command that reads modules. */
export function mentionsGoCommand(doc: ParsedDockerfile, instruction: Instruction): boolean {
  return /(^|[\s;&|("'`[])go["',\s]+(build|install|test|vet|generate|run|list|get|mod)\b/.test(doc.source.text.slice(instruction.argsStart, instruction.end));
}

/** A Go command reached directly or through the commands that run it (`exec`, `env X=1`, `sh -c`, `xx-go`). */
export interface GoInvocation {
  /** `build`, `mod download`, ... */
  readonly subcommand: string;
  /** The words after the subcommand. */
  readonly args: readonly string[];
  /** `NAME=value` settings that reach go: prefixes and `env` arguments. */
  readonly assignments: readonly { readonly name: string; readonly value: string }[];
}

/** What a command runs of Go: the invocations found, or why a Go command in it cannot be read. */
export type GoReading = { readonly invocations: readonly GoInvocation[] } | { readonly unreadable: string };

/** `go`, `/usr/local/go/bin/go`, `${GOROOT}/bin/go`, a golang.org/dl `go1.22.3`, or tonistiigi/xx's `xx-go`. */
function isGoProgram(word: string): boolean {
  return /^(.*\/)?(go|go\d+(\.\d+)*(rc\d+|beta\d+)?|xx-go)$/.test(word);
}

/** Wrappers that run their command in the same environment, and how many option words each takes. */
const WRAPPERS: Readonly<Record<string, (rest: readonly string[]) => number | null>> = {
  exec: (rest) => skipOptions(rest, new Set(['-a'])),
  command: (rest) => (rest.some((w) => w === '-v' || w === '-V') ? null : skipOptions(rest, new Set())),
  time: (rest) => skipOptions(rest, new Set(['-f', '-o'])),
  nohup: () => 0,
  nice: (rest) => skipOptions(rest, new Set(['-n'])),
  ionice: (rest) => skipOptions(rest, new Set(['-c', '-n', '-p'])),
  timeout: (rest) => {
    const options = skipOptions(rest, new Set(['-s', '-k', '--signal', '--kill-after']));
    return options === null ? null : options + 1; // the duration
  },
  stdbuf: (rest) => skipOptions(rest, new Set(['-i', '-o', '-e'])),
};

/** Commands that never run their arguments, though one may be the word `go`. */
const NEVER_RUN = new Set(['echo', 'printf', 'test', '[', 'which', 'type', 'apk', 'apt-get', 'apt', 'yum', 'dnf', 'ln', 'rm', 'cp', 'mv', 'chmod', 'chown', 'ls', 'mkdir', 'git', 'grep', 'sed']);
/** Shells whose `-c` script we read in turn. */
const SHELLS = /^(.*\/)?(sh|bash|ash|dash|zsh|ksh)$/;
/** Variables that move the module cache, or switch module downloads off, for the command they prefix. */
const CACHE_VARIABLES = new Set(['GOPATH', 'GOMODCACHE', 'GOFLAGS', 'GOPROXY', 'HOME', 'GOCACHE', 'XDG_CACHE_HOME']);

/** The number of option words before the command (`-n 10` counts two), or null for `--help`-style forms. */
function skipOptions(rest: readonly string[], withValue: ReadonlySet<string>): number | null {
  let i = 0;
  while (i < rest.length && rest[i]?.startsWith('-')) {
    if (rest[i] === '--') return i + 1;
    i += withValue.has(rest[i] ?? '') ? 2 : 1;
  }
  return i;
}

/**
 * The Go commands a command runs, read through the wrappers that keep the environment (`exec`,
 * `command`, `time`, `nice`, `nohup`, `timeout`, `env NAME=value`), `sh -c '<script>'`, absolute
 * paths to go and `xx-go`. A Go command behind anything else (`sudo go build`, `env -i go build`,
 * `sh -c "$SCRIPT"`) cannot be read: where it keeps its caches is not known.
 */
export function goInvocations(words: readonly string[], assignments: GoInvocation['assignments'] = [], depth = 0): GoReading {
  const [name, ...rest] = words;
  if (name === undefined) return { invocations: [] };
  if (isGoProgram(name)) {
    if (rest[0]?.startsWith('--')) return { invocations: [] }; // `xx-go --wrap` installs a wrapper, no build
    let i = 0;
    while (rest[i] === '-C') i += 2;
    const sub = rest[i];
    if (sub === undefined) return { invocations: [] };
    const subcommand = sub === 'mod' && rest[i + 1] !== undefined ? `mod ${rest[i + 1]}` : sub;
    return { invocations: [{ subcommand, args: rest.slice(subcommand.includes(' ') ? i + 2 : i + 1), assignments }] };
  }
  // gotestsum runs `go test` with the arguments after `--`, in its own environment
  if (/^(.*\/)?gotestsum$/.test(name)) return { invocations: [{ subcommand: 'test', args: rest.slice(rest.indexOf('--') + 1), assignments }] };
  if (depth > 4) return { unreadable: `nests ${name} too deeply to read` };
  const wrapper = WRAPPERS[name];
  if (wrapper) {
    const skip = wrapper(rest);
    return skip === null ? { invocations: [] } : goInvocations(rest.slice(skip), assignments, depth + 1);
  }
  if (name === 'env' || name === '/usr/bin/env') {
    const added = [...assignments];
    let i = 0;
    for (; i < rest.length; i++) {
      const word = rest[i] ?? '';
      const assignment = /^([A-Za-z_]\w*)=(.*)$/s.exec(word);
      if (assignment) added.push({ name: assignment[1] ?? '', value: assignment[2] ?? '' });
      else if (word === '-u' || word === '--unset') i++;
      else if (word === '--') continue;
      else if (word.startsWith('-')) return mentionsGo(rest) ? { unreadable: `runs go through env ${word}, which changes the environment go reads its caches from` } : { invocations: [] };
      else break;
    }
    return goInvocations(rest.slice(i), added, depth + 1);
  }
  if (SHELLS.test(name)) {
    const c = rest.findIndex((w) => /^-[a-z]*c[a-z]*$/.test(w));
    if (c < 0) return { invocations: [] }; // a script file: read by whoever knows the context
    const script = rest[c + 1] ?? '';
    if (!/\bgo\b|xx-go/.test(script)) return { invocations: [] };
    const inner = scriptCommands(script);
    if (inner === null) return { unreadable: `runs go inside ${name} -c in a script I cannot read` };
    return combine(inner.map((command) => goInvocations(command.words, [...assignments, ...command.assignments], depth + 1)));
  }
  if (!NEVER_RUN.has(name) && mentionsGo(rest)) return { unreadable: `runs go through ${name}, which may change its user or environment` };
  return { invocations: [] };
}

/**
 * Whether some word is a Go program followed by a subcommand that reads modules, or a script for
 * another command to run that holds one (`su -c "go build"`).
 */
function mentionsGo(words: readonly string[]): boolean {
  // both patterns need the letters `go`: a cheap test first, for the arguments of every command
  return words.some((w, i) => w.includes('go') && ((isGoProgram(w) && MODULE_SUBCOMMANDS.has(words[i + 1] ?? '')) || GO_IN_SCRIPT.test(w)));
}

const GO_IN_SCRIPT = /(^|[\s;&|])(\S*\/)?(go|xx-go)\s+(build|install|test|vet|generate|run|list|get|tool|mod)\b/;

/** Several readings as one: the first unreadable one wins. */
export function combine(readings: readonly GoReading[]): GoReading {
  const unreadable = readings.find((r): r is { unreadable: string } => 'unreadable' in r);
  return unreadable ?? { invocations: readings.flatMap((r) => ('invocations' in r ? r.invocations : [])) };
}

/** A setting on a Go command that moves its module or build cache away from the stage's (`GOMODCACHE=/x go build`). */
export function cacheSetting(go: GoInvocation): string | null {
  const setting = go.assignments.find((a) => CACHE_VARIABLES.has(a.name));
  return setting ? `${setting.name}=${setting.value}` : null;
}

/** Whether a Go invocation reads the main module: `go install tool@v1` builds outside it. */
export function invocationNeedsModule(go: GoInvocation): boolean {
  if (!MODULE_SUBCOMMANDS.has(go.subcommand)) return false;
  if (go.subcommand !== 'install' && go.subcommand !== 'run') return true;
  const targets = go.args.filter((w) => !w.startsWith('-'));
  return !(targets.length > 0 && targets.every((w) => w.includes('@')));
}
