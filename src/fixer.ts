/**
 * The fix loop: enabled transforms run in registry order, each on a fresh parse of the previous
 * one's output, and the sequence repeats until a whole pass changes nothing (ESLint's and Ruff's
 * model). Pure: no I/O.
 */
import type { BuildContext } from './context.js';
import { applyEdits, type Edit, mapOffsetBack } from './edits.js';
import { isKnownKeyword, parseDockerfile } from './parse.js';
import { lineOf, sourceText } from './source.js';
import type { Safety, Transform } from './transform.js';

export interface FixOptions {
  readonly transforms: readonly Transform[];
  readonly context: BuildContext;
  /** The Dockerfile's path relative to the context root, when inside it (for `<name>.dockerignore`). */
  readonly dockerfilePath?: string | null;
  readonly maxPasses?: number;
}

/** A rewrite that was made. `line` is 1-based, in the original text. */
export interface AppliedChange {
  readonly transform: string;
  readonly safety: Safety;
  readonly line: number;
  readonly rationale: string;
  readonly detail?: string;
}

/** A rewrite that was not made. `line` is 1-based, in the original text. */
export interface SkippedChange {
  readonly transform: string;
  readonly line: number;
  readonly reason: string;
}

/** One transform's edits, in the coordinates of the text it saw (`before`). */
export interface AppliedEdits {
  readonly transform: string;
  readonly before: string;
  readonly edits: readonly Edit[];
}

export interface FixResult {
  readonly output: string;
  /** Every applied edit set in order: replaying them on the input gives the output. */
  readonly history: readonly AppliedEdits[];
  readonly changes: readonly AppliedChange[];
  readonly skips: readonly SkippedChange[];
  readonly passes: number;
}

/** The transforms keep rewriting each other's output: a bug, named by the transforms involved. */
export class ConvergenceError extends Error {
  constructor(readonly transforms: readonly string[], passes: number) {
    super(`the fixes did not converge after ${passes} passes; still changing the text: ${transforms.join(', ')}`);
    this.name = 'ConvergenceError';
  }
}

/** A transform produced text that no longer parses as the same kind of Dockerfile: never written. */
export class TransformBugError extends Error {
  constructor(readonly transform: string, message: string) {
    super(`${transform}: ${message}`);
    this.name = 'TransformBugError';
  }
}

const DEFAULT_MAX_PASSES = 10;

export function fixText(text: string, options: FixOptions): FixResult {
  const maxPasses = options.maxPasses ?? DEFAULT_MAX_PASSES;
  const original = sourceText(text);
  const context = { build: options.context, dockerfilePath: options.dockerfilePath ?? null };
  /** Every edit set applied so far, oldest first, to map offsets back to the original text. */
  const history: AppliedEdits[] = [];
  const toOriginalLine = (offset: number): number => {
    let at = offset;
    for (let i = history.length - 1; i >= 0; i--) at = mapOffsetBack(history[i]?.edits ?? [], at);
    return lineOf(original, at) + 1;
  };

  const changes: AppliedChange[] = [];
  const seen = new Set([text]);
  let current = text;
  for (let pass = 1; pass <= maxPasses; pass++) {
    const changedBy: string[] = [];
    const skips: SkippedChange[] = [];
    for (const transform of options.transforms) {
      const doc = parseDockerfile(current);
      const result = transform.apply(doc, context);
      for (const skip of result.skips) {
        skips.push({ transform: transform.id, line: toOriginalLine(skip.offset), reason: skip.reason });
      }
      if (result.edits.length === 0) continue;
      const next = applyEdits(current, result.edits.map((e) => ({ ...e, owner: transform.id })));
      if (next === current) continue;
      checkStillParses(transform.id, current, next);
      for (const change of result.changes) {
        changes.push({
          transform: transform.id,
          safety: transform.safety,
          line: toOriginalLine(change.offset),
          rationale: transform.rationale,
          ...(change.detail ? { detail: change.detail } : {}),
        });
      }
      history.push({ transform: transform.id, before: current, edits: [...result.edits] });
      current = next;
      changedBy.push(transform.id);
    }
    if (changedBy.length === 0) return { output: current, history, changes, skips: dedupe(skips), passes: pass };
    if (seen.has(current)) throw new ConvergenceError(changedBy, pass);
    seen.add(current);
  }
  throw new ConvergenceError(lastChangers(options.transforms, current, context), maxPasses);
}

function lastChangers(transforms: readonly Transform[], text: string, context: Parameters<Transform['apply']>[1]): string[] {
  return transforms.filter((t) => t.apply(parseDockerfile(text), context).edits.length > 0).map((t) => t.id);
}

/** A rewrite must not turn known instructions into unknown ones (a broken continuation, a lost newline). */
function checkStillParses(transform: string, before: string, after: string): void {
  const unknown = (text: string): number =>
    parseDockerfile(text).instructions.filter((i) => !isKnownKeyword(i.keyword)).length;
  if (unknown(after) > unknown(before)) {
    throw new TransformBugError(transform, 'the rewritten Dockerfile has an instruction Docker would not recognise');
  }
}

function dedupe(skips: SkippedChange[]): SkippedChange[] {
  const seen = new Set<string>();
  return skips
    .filter((s) => {
      const key = `${s.transform}\0${s.line}\0${s.reason}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line);
}
