/** What Go stages do: which RUNs call which `go` subcommands. Shared by the Go transforms. */
import type { Instruction, ParsedDockerfile, Stage } from '../../engine/parse.js';
import { officialImage } from '../../images/official-images.js';
import { runScript, type RunScript, type ShellCommand } from '../../shell/shell.js';

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

/** Parses every RUN of a stage once and lists the Go commands in order. */
export function stageScripts(doc: ParsedDockerfile, stage: Stage): StageScripts {
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
