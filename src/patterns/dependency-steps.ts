/**
 * What an ecosystem tells the ecosystem-neutral patterns (docker/hoist-independent-run,
 * docker/move-unrelated-copy): which commands install its dependencies or build, and which files
 * they read. The patterns know no ecosystem; each ecosystem exports one DependencySteps from
 * src/ecosystems/<eco>/steps.ts and transforms/ecosystems.ts gathers them.
 *
 * Only `ecosystem`, `manifests` and `isDependencyStep` are required. The optional members let an
 * ecosystem that knows more say so (Go reads its commands through wrappers and knows what its build
 * reads); an ecosystem that leaves one out gets the cautious answer.
 */
import type { BuildContext } from '../context/context.js';
import type { RunEnvironment } from '../engine/env.js';
import type { Instruction, ParsedDockerfile, Stage } from '../engine/parse.js';
import type { ShellCommand } from '../shell/shell.js';

export interface DependencySteps {
  /** `go`, `node`, `python`, ... */
  readonly ecosystem: string;
  /** Words a Dockerfile holds when it may have this ecosystem's steps (its commands' names): a cheap first test; absent: every file. */
  readonly mentions?: RegExp;
  /** Names of the files its installs read (manifests, lockfiles, settings); `*` globs allowed. A COPY of only these is a manifest COPY. */
  readonly manifests: readonly string[];
  /** Whether a command of a RUN installs dependencies or builds: it reads the manifests or the copied sources. */
  isDependencyStep(command: ShellCommand): boolean;

  /**
   * The stage's RUNs that hold a dependency step, in order, when the ecosystem reads RUNs more
   * deeply than command by command (unreadable RUNs that mention a step included). Absent: the RUNs
   * holding a command for which isDependencyStep is true.
   */
  stepRuns?(doc: ParsedDockerfile, stage: Stage): readonly Instruction[];
  /** Whether a context path (a file or directory a COPY names) holds its sources; absent: only a whole-context COPY copies sources. */
  holdsSources?(path: string, build: BuildContext): boolean;
  /** Whether a RUN's commands only download dependencies into a cache outside the copied tree (`go mod download`), so an independent RUN may move above it. Absent: never. */
  onlyDownloads?(commands: readonly ShellCommand[]): boolean;
  /** Its own commands that install a tool without reading the copied sources (`go install tool@version`). */
  readonly toolInstall?: ToolInstall;
  /**
   * What its build reads, for moving a COPY of files the build does not read past the build.
   * Absent: the ecosystem cannot tell (a Node or Python build may read any file), so such a COPY
   * never moves in its stages.
   */
  readonly buildReads?: BuildReads;
}

/** An ecosystem's command that installs a tool from a registry, reading nothing the COPY brought. */
export interface ToolInstall {
  /** The command's name (`go`). */
  readonly tool: string;
  /** Whether the command looks like a tool install (then a refusal is reported as a skip). */
  installs(command: ShellCommand): boolean;
  /** What the command writes (image paths), or why it may read the copied sources. */
  writes(command: ShellCommand, env: RunEnvironment): { readonly paths: readonly string[]; readonly by: string } | { readonly reason: string };
  /** Variables the tool reads without being told: setting one in between blocks the move. */
  readonly env: RegExp;
}

/** One file a COPY brings: where it is in the context and where it may land in the image. */
export interface CopiedFile {
  readonly context: string;
  readonly image: readonly string[];
}

/** What a COPY of configuration or assets brings, as the build-reads oracle sees it. */
export interface UnrelatedFiles {
  readonly files: readonly CopiedFile[];
  /** Every image path the COPY writes (files, and a destination directory it may create). */
  readonly writes: readonly string[];
  /** Names a RUN or a directive would use to refer to the files. */
  readonly names: readonly string[];
  /** How messages call it: its first source. */
  readonly label: string;
}

/** The build of one stage, as its ecosystem sees it. */
export interface StageBuild {
  /** The step after which the build starts (the dependency download): COPYs after it are candidates. */
  readonly after: Instruction;
  /** The RUNs that build, in order: a moved COPY lands after the last one. */
  readonly builds: readonly Instruction[];
}

/** An ecosystem's oracle of what its build reads. */
export interface BuildReads {
  /** The stage's build, or null when the stage has none this oracle can follow. */
  stageBuild(doc: ParsedDockerfile, stage: Stage): StageBuild | null;
  /** What a file of this name is to every build (`a Go build input`: a source, a module file), or null when nothing. */
  buildInput(name: string): string | null;
  /** Why the build may read one of the files (an embed pattern, a directive naming one), or null. */
  readsFiles(doc: ParsedDockerfile, stage: Stage, copy: Instruction, files: UnrelatedFiles, build: BuildContext): string | null;
  /**
   * Why a command of a RUN between the COPY and the last build may read the files or write where
   * they go, or null when the COPY may cross it; `undefined`: not the ecosystem's command.
   */
  crossCommand(doc: ParsedDockerfile, stage: Stage, run: Instruction, command: ShellCommand, cwd: string | null, files: UnrelatedFiles, build: BuildContext): string | null | undefined;
}

/** Whether a text (a RUN, a directive) names a file: the name stands alone, not inside a longer name. */
export function mentionsName(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_-])`).test(text);
}
