/** What Go stages do: which RUNs call which `go` subcommands. Shared by the Go transforms. */
import type { Instruction, ParsedDockerfile, Stage } from './parse.js';
import { goSubcommand, runScript, type RunScript, type ShellCommand } from './shell.js';

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
