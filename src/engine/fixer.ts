/**
 * The fix loop: enabled transforms run in registry order, each on a fresh parse of the previous
 * one's output, and the sequence repeats until a whole pass changes nothing (ESLint's and Ruff's
 * model). Pure: no I/O.
 */
import { type BuildContext, normalizePath, withPendingFiles } from '../context/context.js';
import { instructionStartDisagreement } from './buildkit-lines.js';
import { applyEdits, type Edit, offsetMapBack } from './edits.js';
import { isKnownKeyword, type ParsedDockerfile, parseDockerfile } from './parse.js';
import { reparseDockerfile } from './reparse.js';
import { sharingShellParses } from '../shell/shell.js';
import { lineOf, type SourceText, sourceText } from './source.js';
import { acceptedIds, idResolver } from './ids.js';
import { fileSuppressed, rangeSuppressed, type Suppressions, suppressions } from './suppressions.js';
import type { Safety, Transform, TransformResult } from './transform.js';

export interface FixOptions {
  readonly transforms: readonly Transform[];
  readonly context: BuildContext;
  /** The Dockerfile's path relative to the context root, when inside it (for `<name>.dockerignore`). */
  readonly dockerfilePath?: string | null;
  readonly maxPasses?: number;
  /** Every transform id there is (for warnings about unknown ids in ignore comments); default: `transforms`. */
  readonly knownTransformIds?: readonly string[];
}

/** A rewrite that was made. `line` is 1-based, in the original text. */
export interface AppliedChange {
  readonly transform: string;
  readonly safety: Safety;
  readonly line: number;
  readonly rationale: string;
  readonly detail?: string;
  /** Something the user should act on that the rewrite could not fix (a missing lockfile). */
  readonly warning?: string;
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

/** A context file the fix creates or changes; `before` is null for a new file. */
export interface ContextFileChange {
  readonly path: string;
  readonly before: string | null;
  readonly after: string;
}

export interface FixResult {
  readonly output: string;
  /** Changes to files of the build context (`.dockerignore`), part of the same fix. */
  readonly files: readonly ContextFileChange[];
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

/** Real Dockerfiles have tens of stages; a file of thousands is generated, or hostile. */
export const MAX_STAGES = 1000;

export function fixText(text: string, options: FixOptions): FixResult {
  return sharingShellParses(() => fixLoop(text, options));
}

/** A file no transform may touch, with the reason as one skip at `line`. */
function leftAlone(text: string, line: number, reason: string): FixResult {
  return { output: text, files: [], history: [], changes: [], skips: [{ transform: 'cachefix', line, reason }], passes: 0 };
}

function fixLoop(text: string, options: FixOptions): FixResult {
  if (/\r(?!\n)/.test(text)) {
    // dockerfile-ast ends a line at a lone CR, BuildKit does not: edits could land inside a line
    return leftAlone(text, 1, 'the file has carriage returns without line feeds, which Docker and the parser read differently; not rewritten');
  }
  const maxPasses = options.maxPasses ?? DEFAULT_MAX_PASSES;
  const original = sourceText(text);
  const dockerfilePath = options.dockerfilePath ?? null;
  const pendingFiles = new Map<string, string>();
  // One view per state of the pending files, never changed after: readings remembered per context
  // (a Go RUN's, a Makefile's) hold for every transform that sees the same view.
  let view = { build: options.context, dockerfilePath };
  /** Every edit set applied so far, oldest first, to map offsets back to the original text. */
  const history: AppliedEdits[] = [];
  /** history[i]'s edits as an offset map, built once per edit set: changes and skips are mapped by the thousand in large files. */
  const mapsBack: ((offset: number) => number)[] = [];
  const toOriginalLine = (offset: number): number => {
    let at = offset;
    for (let i = history.length - 1; i >= 0; i--) {
      const back = (mapsBack[i] ??= offsetMapBack(history[i]?.edits ?? []));
      at = back(at);
    }
    return lineOf(original, at) + 1;
  };
  /** Messages say `line N` of the text the transform saw; users read the original file. */
  const originalLines = (message: string, seen: SourceText): string => {
    if (history.length === 0) return message;
    const starts = seen.lineStarts;
    return message.replace(/\bline (\d+)\b/g, (whole, n: string) => {
      const start = starts[Number(n) - 1];
      return start === undefined ? whole : `line ${toOriginalLine(start)}`;
    });
  };

  const changes: AppliedChange[] = [];
  // compared, not hashed: a Set would hash the whole text of every state, and a fix has a few states
  const seen = [`${text}\0`];
  const known = options.knownTransformIds ?? acceptedIds(options.transforms);
  const resolve = idResolver(options.transforms);
  let current = text;
  // One parse per distinct text: a transform that changes nothing hands the next one the same view
  // (transforms never mutate it), and the parse that checked a rewrite is the next one's input. After
  // a rewrite only the instructions it touched are parsed again (src/engine/reparse.ts).
  let doc = parseDockerfile(current);
  if (doc.stages.length > MAX_STAGES) {
    // transforms follow each stage's lineage: thousands of stages built on each other take minutes
    return leftAlone(text, 1, `${doc.stages.length} stages, more than cachefix rewrites (${MAX_STAGES}); not rewritten`);
  }
  const disagreement = instructionStartDisagreement(doc);
  if (disagreement !== null) {
    return leftAlone(text, disagreement + 1, 'Docker and the parser disagree on where an instruction starts here (a line continuation or a heredoc they read differently); not rewritten');
  }
  let ignored = suppressions(doc, known, resolve);
  // Transforms are pure: one that sees the same parse and the same context files as in the pass
  // before (every transform after the last one that changed something) would answer the same.
  const lastAnswer = new Map<Transform, { readonly doc: ParsedDockerfile; readonly view: typeof view; readonly result: TransformResult }>();
  // an ecosystem's transforms share one word list: tested once per text
  let mentionsOf = { text: current, found: new Map<RegExp, boolean>() };
  const mentioned = (words: RegExp): boolean => {
    if (mentionsOf.text !== current) mentionsOf = { text: current, found: new Map() };
    let found = mentionsOf.found.get(words);
    if (found === undefined) mentionsOf.found.set(words, (found = words.test(current)));
    return found;
  };
  const answer = (transform: Transform): TransformResult => {
    const last = lastAnswer.get(transform);
    if (last !== undefined && last.doc === doc && last.view === view) return last.result;
    if (transform.mentions && !mentioned(transform.mentions)) return NOTHING;
    const result = withoutSuppressed(transform.id, transform.apply(doc, view), ignored);
    lastAnswer.set(transform, { doc, view, result });
    return result;
  };
  for (let pass = 1; pass <= maxPasses; pass++) {
    const changedBy: string[] = [];
    const skips: SkippedChange[] = [];
    for (const warning of ignored.warnings) {
      skips.push({ transform: 'cachefix', line: toOriginalLine(warning.offset), reason: `warning: ${warning.message}` });
    }
    for (const transform of options.transforms) {
      const result = answer(transform);
      for (const skip of result.skips) {
        skips.push({ transform: transform.id, line: toOriginalLine(skip.offset), reason: originalLines(skip.reason, doc.source) });
      }
      const fileWrites = (result.files ?? []).filter((f) => view.build.readFile(f.path) !== f.text);
      const next = result.edits.length === 0 ? current : applyEdits(current, result.edits.map((e) => ({ ...e, owner: transform.id })));
      if (next === current && fileWrites.length === 0) continue;
      const nextDoc = next === current ? doc : reparseDockerfile(doc, result.edits, next);
      if (next !== current) checkStillParses(transform.id, doc, nextDoc);
      for (const file of fileWrites) pendingFiles.set(normalizePath(file.path), file.text);
      if (fileWrites.length > 0) {
        view = { build: withPendingFiles(options.context, new Map(pendingFiles)), dockerfilePath };
      }
      for (const change of result.changes) {
        changes.push({
          transform: transform.id,
          safety: transform.safety,
          line: toOriginalLine(change.offset),
          rationale: transform.rationale,
          ...(change.detail ? { detail: originalLines(change.detail, doc.source) } : {}),
          ...(change.warning ? { warning: originalLines(change.warning, doc.source) } : {}),
        });
      }
      if (next !== current) {
        history.push({ transform: transform.id, before: current, edits: [...result.edits] });
        doc = nextDoc;
        ignored = suppressions(doc, known, resolve);
      }
      current = next;
      changedBy.push(transform.id);
    }
    if (changedBy.length === 0) {
      const files = [...pendingFiles].map(([path, after]) => ({ path, before: options.context.readFile(path), after }));
      return { output: current, files, history, changes, skips: dedupe(skips), passes: pass };
    }
    const state = `${current}\0${[...pendingFiles].map(([p, t]) => `${p}\0${t}`).join('\0')}`;
    if (seen.some((s) => s.length === state.length && s === state)) throw new ConvergenceError(changedBy, pass);
    seen.push(state);
  }
  throw new ConvergenceError(lastChangers(options.transforms, current, view), maxPasses);
}

/** What a transform finds in a file that does not mention its commands. */
const NOTHING: TransformResult = { edits: [], changes: [], skips: [] };

function lastChangers(transforms: readonly Transform[], text: string, context: Parameters<Transform['apply']>[1]): string[] {
  return transforms.filter((t) => {
    const result = t.apply(parseDockerfile(text), context);
    return result.edits.length > 0 || (result.files ?? []).some((f) => context.build.readFile(f.path) !== f.text);
  }).map((t) => t.id);
}

/** A rewrite must not turn known instructions into unknown ones (a broken continuation, a lost newline). */
function checkStillParses(transform: string, before: ParsedDockerfile, after: ParsedDockerfile): void {
  const unknown = (doc: ParsedDockerfile): number => doc.instructions.filter((i) => !isKnownKeyword(i.keyword)).length;
  if (unknown(after) > unknown(before)) {
    throw new TransformBugError(transform, 'the rewritten Dockerfile has an instruction Docker would not recognise');
  }
  const disagreement = instructionStartDisagreement(after);
  if (disagreement !== null) {
    throw new TransformBugError(transform, `the rewritten Dockerfile has a line continuation Docker reads differently (line ${disagreement + 1})`);
  }
}

/**
 * Drops what ignore comments switch off: every change located in, or editing, an ignored
 * instruction, as a whole (its edits and file writes), and the skips located there.
 */
function withoutSuppressed(id: string, result: TransformResult, s: Suppressions): TransformResult {
  if (fileSuppressed(s, id)) return { edits: [], changes: [], skips: [] };
  if (s.ranges.length === 0) return result;
  const attributed = result.changes.every((c) => c.edits !== undefined);
  if (!attributed) return result; // a hand-made result without per-change edits cannot be split safely
  const suppressed = (c: TransformResult['changes'][number]) =>
    rangeSuppressed(s, id, c.offset, c.offset) || (c.edits ?? []).some((e) => rangeSuppressed(s, id, e.start, e.end));
  const changes = result.changes.filter((c) => !suppressed(c));
  return {
    edits: changes.flatMap((c) => c.edits ?? []),
    changes,
    skips: result.skips.filter((k) => !rangeSuppressed(s, id, k.offset, k.offset)),
    files: changes.flatMap((c) => c.files ?? []),
  };
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
