/** The contract every transform implements. Transforms are pure: text and context in, edits out. */
import type { BuildContext } from '../context/context.js';
import type { Edit } from './edits.js';
import type { Instruction, ParsedDockerfile } from './parse.js';

/** `safe`: runs by default; `unsafe`: changes the image in a way someone could notice, opt-in only. */
export type Safety = 'safe' | 'unsafe';

export interface TransformContext {
  readonly build: BuildContext;
  /** The Dockerfile's path relative to the context root, when it lies inside it. */
  readonly dockerfilePath: string | null;
}

/** One applied rewrite, located at an offset of the text the transform saw. */
export interface TransformChange {
  readonly offset: number;
  /** The edits (and context-file writes) that make this change, so it can be dropped as a whole. */
  readonly edits?: readonly Edit[];
  readonly files?: readonly ContextFileWrite[];
  /** Extra detail beyond the transform's rationale (what exactly was written). */
  readonly detail?: string;
  /** Something about the project the user should act on, which the rewrite could not fix (printed with the change). */
  readonly warning?: string;
}

/**
 * A place where the pattern was found but the rewrite was not made, and why. A reason (or a change
 * detail) may cite `line N` of the text the transform saw: the fixer rewrites it to the line of the
 * original file, which is what the user reads.
 */
export interface TransformSkip {
  readonly offset: number;
  readonly reason: string;
}

/** A file of the build context (`.dockerignore`) that a transform writes, with its whole new text. */
export interface ContextFileWrite {
  /** Path relative to the context root. */
  readonly path: string;
  readonly text: string;
}

export interface TransformResult {
  readonly edits: readonly Edit[];
  readonly changes: readonly TransformChange[];
  readonly skips: readonly TransformSkip[];
  /** Context files to create or replace, as part of the same fix. */
  readonly files?: readonly ContextFileWrite[];
}

export interface Transform {
  /** Stable id, `<ecosystem>/<pattern>`, equal to its file path under `transforms/`. */
  readonly id: string;
  /**
   * Ids it was known by before a rename: config files, ignore comments, --only/--skip and the
   * public API still accept them, and SARIF lists them as the rule's deprecatedIds (src/engine/ids.ts).
   */
  readonly formerIds?: readonly string[];
  /** One imperative line: what it does. */
  readonly title: string;
  /** One sentence a user reads in the output: why this helps the build cache. */
  readonly rationale: string;
  readonly safety: Safety;
  /** Adds BuildKit `RUN --mount` flags: off with --no-mounts (classic builder, kaniko). */
  readonly usesMounts?: boolean;
  /**
   * Words a Dockerfile must contain for this transform to find anything in it (its ecosystem's
   * commands, `npm|yarn|pnpm|bun`): the fixer does not hand it other files. A cheap test on the text,
   * so it must err towards matching: leave it out when the transform reads commands through scripts.
   */
  readonly mentions?: RegExp;
  /** What it checks in the build context before rewriting (shown by `--list` and the README). */
  readonly preconditions: readonly string[];
  apply(doc: ParsedDockerfile, context: TransformContext): TransformResult;
}

/** Collects a transform's edits, changes and skips while it walks the file. */
export class ResultBuilder {
  readonly edits: Edit[] = [];
  readonly changes: TransformChange[] = [];
  readonly skips: TransformSkip[] = [];
  readonly files: ContextFileWrite[] = [];

  change(at: Instruction | number, edits: readonly Edit[], detail?: string, warning?: string): void {
    this.edits.push(...edits);
    this.changes.push({ offset: typeof at === 'number' ? at : at.start, edits, files: [], ...(detail ? { detail } : {}), ...(warning ? { warning } : {}) });
  }

  /** A change made in a context file rather than in the Dockerfile; `at` locates it for messages. */
  writeFile(at: Instruction | number, file: ContextFileWrite, detail?: string): void {
    this.files.push(file);
    this.changes.push({ offset: typeof at === 'number' ? at : at.start, edits: [], files: [file], ...(detail ? { detail } : {}) });
  }

  skip(at: Instruction | number, reason: string): void {
    this.skips.push({ offset: typeof at === 'number' ? at : at.start, reason });
  }

  result(): TransformResult {
    return { edits: this.edits, changes: this.changes, skips: this.skips, ...(this.files.length > 0 ? { files: this.files } : {}) };
  }
}
