/**
 * `go build` / `go install` commands inside RUN steps, their flags with source positions, and the
 * minimal edits the flag transforms need (add a flag, drop a flag, set an environment prefix).
 */
import type { Edit } from '../../engine/edits.js';
import { type Instruction, type ParsedDockerfile, perStage, type Stage } from '../../engine/parse.js';
import { runScript, type ShellCommand, type ShellWord } from '../../shell/shell.js';
import { goSubcommand } from './go.js';

export interface GoBuildCommand {
  readonly stage: Stage;
  readonly instruction: Instruction;
  readonly command: ShellCommand;
  /** `build` or `install`. */
  readonly subcommand: string;
  /** The word `build`/`install`: new flags go right after it. */
  readonly subcommandWord: ShellWord;
  readonly flags: readonly GoFlag[];
}

export interface GoFlag {
  /** Name with one leading dash, as Go prints it: `-ldflags`, `-trimpath`, `-a`. */
  readonly name: string;
  /** The value (quotes removed), or null for a boolean flag without `=`. */
  readonly value: string | null;
  /** The flag word, and the separate value word when written `-o out`. */
  readonly words: readonly ShellWord[];
  /** `-ldflags=...` (value in the same word) rather than `-ldflags ...`. */
  readonly inline: boolean;
}

/** go build flags that take a value in the next word when written without `=` (`go help build`). */
const VALUE_FLAGS = new Set([
  '-C', '-o', '-p', '-asmflags', '-buildmode', '-compiler', '-gccgoflags', '-gcflags', '-installsuffix',
  '-ldflags', '-mod', '-modfile', '-overlay', '-pgo', '-pkgdir', '-tags', '-toolexec', '-covermode', '-coverpkg', '-exec',
]);

/** Every `go build` and `go install` (of the main module) in the stages' RUN steps. */
export function goBuildCommands(doc: ParsedDockerfile, stages: readonly Stage[] = doc.stages): GoBuildCommand[] {
  return stages.flatMap((stage) => stageGoBuilds(doc, stage));
}

/** A stage's builds, read once per parse: the Go flag transforms each ask them of the same parse. */
const stageGoBuilds = perStage((doc, stage): readonly GoBuildCommand[] => {
  const found: GoBuildCommand[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword !== 'RUN' || instruction.onbuild) continue;
    for (const command of runScript(doc, instruction).commands) {
      const subcommand = goSubcommand(command);
      if (subcommand !== 'build' && subcommand !== 'install') continue;
      const index = command.words.findIndex((w, i) => i > 0 && w.value === subcommand);
      const subcommandWord = command.words[index];
      if (!subcommandWord) continue;
      const flags = parseFlags(command.words.slice(index + 1));
      // `go install tool@v1.2.3` builds someone else's module: not ours to tune
      if (subcommand === 'install' && command.words.slice(index + 1).some((w) => !w.value.startsWith('-') && w.value.includes('@'))) continue;
      found.push({ stage, instruction, command, subcommand, subcommandWord, flags });
    }
  }
  return found;
});

/** Go's flag syntax: `-name`, `--name`, `-name=value`, `-name value`; flags stop at the first argument. */
export function parseFlags(words: readonly ShellWord[]): GoFlag[] {
  const flags: GoFlag[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.value.startsWith('-') || word.value === '-' ) break;
    if (word.value === '--') break;
    const body = word.value.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = `-${eq >= 0 ? body.slice(0, eq) : body}`;
    if (eq >= 0) {
      flags.push({ name, value: body.slice(eq + 1), words: [word], inline: true });
    } else if (VALUE_FLAGS.has(name) && words[i + 1]) {
      const valueWord = words[++i]!;
      flags.push({ name, value: valueWord.value, words: [word, valueWord], inline: false });
    } else {
      flags.push({ name, value: null, words: [word], inline: false });
    }
  }
  return flags;
}

/** Inserts ` <text>` right after the `build`/`install` word: `go build -trimpath -o app .`. */
export function addFlagEdit(build: GoBuildCommand, text: string): Edit {
  return { start: build.subcommandWord.end, end: build.subcommandWord.end, text: ` ${text}` };
}
