/**
 * Public API:
 *   import { fixText, fixFiles, transforms } from 'dockerfile-cachefix';
 *   const { output, changes, skips } = fixText(text, { context: fsContext('.'), only: ['go/trimpath'] });
 *   const { files, exitCode } = await fixFiles(['services/'], { write: true });
 */
import { transforms as registry } from '../transforms/index.js';
import { type BuildContext, memoryContext } from './context/context.js';
import { type FixResult, fixText as fixWith } from './engine/fixer.js';
import { plainPainter, run, type RunResult } from './driver/run.js';
import { acceptedIds } from './engine/ids.js';
import { selectTransforms } from './engine/select.js';
import type { Transform } from './engine/transform.js';

export interface Selection {
  /** Run only these transform ids (naming an unsafe one enables it). */
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  /** Also run the unsafe transforms. */
  readonly unsafe?: boolean;
  /** false: leave out transforms that add `RUN --mount` (classic builder, kaniko). */
  readonly mounts?: boolean;
}

export interface FixTextOptions extends Selection {
  /** The build context the checks read (go.mod, .dockerignore, ...); default: an empty one. */
  readonly context?: BuildContext;
  /** The Dockerfile's path inside the context, for `<Dockerfile>.dockerignore`. */
  readonly dockerfilePath?: string | null;
  /** Exactly these transforms, in this order (overrides the selection). */
  readonly transforms?: readonly Transform[];
}

/** Rewrites one Dockerfile's text. Pure: no file is read or written (the context is a view you pass). */
export function fixText(text: string, options: FixTextOptions = {}): FixResult {
  return fixWith(text, {
    transforms: options.transforms ?? chosen(options),
    context: options.context ?? memoryContext({}),
    dockerfilePath: options.dockerfilePath ?? null,
    knownTransformIds: acceptedIds(registry),
  });
}

export interface FixFilesOptions extends Selection {
  /** Write the changes in place (atomically); default: only report them. */
  readonly write?: boolean;
  /** Resolve relative paths against this directory; default: process.cwd(). */
  readonly cwd?: string;
  /** The build context directory; default: each Dockerfile's directory. */
  readonly context?: string;
}

/** Fixes files and directories as the CLI does, without printing; returns a report per file. */
export async function fixFiles(paths: readonly string[], options: FixFilesOptions = {}): Promise<RunResult> {
  const silent = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => Buffer.alloc(0), paint: plainPainter };
  return run(
    {
      paths,
      mode: options.write === true ? 'write' : 'diff',
      transforms: chosen(options),
      knownTransformIds: acceptedIds(registry),
      cwd: options.cwd ?? process.cwd(),
      quiet: true,
      ...(options.context !== undefined ? { context: options.context } : {}),
    },
    silent,
  );
}

function chosen(selection: Selection): Transform[] {
  return selectTransforms(registry, {
    only: selection.only ?? [],
    skip: selection.skip ?? [],
    unsafe: selection.unsafe === true,
    mounts: selection.mounts !== false,
  });
}

export const transforms: readonly Transform[] = registry;
export { ConvergenceError, TransformBugError } from './engine/fixer.js';
export type { AppliedChange, ContextFileChange, FixResult, SkippedChange } from './engine/fixer.js';
export { memoryContext } from './context/context.js';
export type { BuildContext, ContextEntry } from './context/context.js';
export { fsContext } from './context/fs-context.js';
export { parseDockerfile } from './engine/parse.js';
export type { Instruction, ParsedDockerfile, Stage } from './engine/parse.js';
export type { FileReport, RunResult } from './driver/run.js';
export type { Safety, Transform, TransformContext, TransformResult } from './engine/transform.js';
