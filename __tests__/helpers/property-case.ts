/**
 * One property-test case (a generated Dockerfile, a build context, a transform selection), the fix it
 * gets through the public fixText, and the checks every fix must pass, each returning the problems it
 * found (empty: none). The fix is memoised, so the properties of property.test.ts, which draw the
 * same cases from the same seed, fix each case once.
 */
import fc from 'fast-check';
import { withPendingFiles } from '../../src/context/context.js';
import { fixText, type FixResult, memoryContext, parseDockerfile, type Selection, transforms } from '../../src/index.js';
import { isKnownKeyword } from '../../src/engine/parse.js';
import { buildContext, type GeneratedContext } from './context-arbitrary.js';
import { dockerInstructions } from './docker-view.js';
import { dockerfile } from './dockerfile-arbitrary.js';
import type { RenderedDockerfile } from './dockerfile-model.js';
import { fileStyleProblems, replayProblems, reparseProblems, unexpectedRemovals, untouchedInstructionProblems } from './fix-invariants.js';

export interface PropertyCase {
  readonly dockerfile: RenderedDockerfile;
  readonly context: GeneratedContext;
  readonly selection: Selection;
}

const ids = transforms.map((t) => t.id);

/** The default (safe) set most often, every transform, no mounts, and single transforms or subsets. */
export const selection: fc.Arbitrary<Selection> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Selection>({}) },
  { weight: 3, arbitrary: fc.constant<Selection>({ unsafe: true }) },
  { weight: 1, arbitrary: fc.constant<Selection>({ unsafe: true, mounts: false }) },
  { weight: 2, arbitrary: fc.constantFrom(...ids).map((id): Selection => ({ only: [id] })) },
  { weight: 1, arbitrary: fc.subarray(ids, { minLength: 2 }).map((only): Selection => ({ only })) },
);

export const propertyCase: fc.Arbitrary<PropertyCase> = fc.record({ dockerfile, context: buildContext, selection });

export type Outcome = { readonly ok: true; readonly result: FixResult } | { readonly ok: false; readonly error: unknown };

function options(c: PropertyCase, pending: ReadonlyMap<string, string> = new Map()) {
  return {
    ...c.selection,
    context: withPendingFiles(memoryContext(c.context.files), pending),
    dockerfilePath: c.context.dockerfilePath,
  };
}

const fixes = new Map<string, Outcome>();

/** The fix of the case's Dockerfile, or what it threw; computed once per distinct case. */
export function fixCase(c: PropertyCase): Outcome {
  const key = JSON.stringify([c.dockerfile.text, c.context, c.selection]);
  let outcome = fixes.get(key);
  if (outcome === undefined) {
    try {
      outcome = { ok: true, result: fixText(c.dockerfile.text, options(c)) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    fixes.set(key, outcome);
  }
  return outcome;
}

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Runs `check` on the fix's result; a throw (TransformBugError, ConvergenceError, anything) is a problem itself. */
function withResult(c: PropertyCase, check: (result: FixResult) => string[]): string[] {
  const outcome = fixCase(c);
  if (!outcome.ok) return [`the fix threw ${describeError(outcome.error)}`];
  return check(outcome.result);
}

export const neverThrowsProblems = (c: PropertyCase): string[] => withResult(c, () => []);

/** The output parses, and has no more instructions Docker would not recognise than the input. */
export function outputParsesProblems(c: PropertyCase): string[] {
  return withResult(c, ({ output }) => {
    const unknown = (text: string) => parseDockerfile(text).instructions.filter((i) => !isKnownKeyword(i.keyword)).length;
    try {
      const [before, after] = [unknown(c.dockerfile.text), unknown(output)];
      return after > before ? [`the output has ${after} unknown instructions, the input ${before}`] : [];
    } catch (error) {
      return [`the output does not parse: ${describeError(error)}`];
    }
  });
}

/** A second run on the output, with the context files the first run wrote, changes nothing. */
export function idempotenceProblems(c: PropertyCase): string[] {
  return withResult(c, (first) => {
    let second: FixResult;
    try {
      second = fixText(first.output, options(c, new Map(first.files.map((f) => [f.path, f.after]))));
    } catch (error) {
      return [`the second run threw ${describeError(error)}`];
    }
    return [
      ...(second.output === first.output ? [] : [`the second run changed the text to ${JSON.stringify(second.output)}`]),
      ...second.changes.map((ch) => `the second run made a change: ${ch.transform} at line ${ch.line}`),
      ...second.files.map((f) => `the second run wrote ${f.path}: ${JSON.stringify(f.after)}`),
    ];
  });
}

export const replayAndRemovalProblems = (c: PropertyCase): string[] =>
  withResult(c, (result) => [...replayProblems(c.dockerfile.text, result), ...unexpectedRemovals(c.dockerfile.text, result)]);

export const untouchedProblems = (c: PropertyCase): string[] => withResult(c, (result) => untouchedInstructionProblems(result));

export const reparseStepProblems = (c: PropertyCase): string[] => withResult(c, (result) => reparseProblems(result));

export const styleProblems = (c: PropertyCase): string[] => withResult(c, (result) => fileStyleProblems(c.dockerfile.text, result.output));

/**
 * Where dockerfile-ast 0.7.1 (under src/engine/parse.ts) reads an instruction differently from BuildKit, each
 * with its smallest known case; the model check leaves these out, so it keeps guarding everything else.
 */
function parserDivergences(text: string, escape: string): ('splits' | 'flags')[] {
  const esc = escape === '`' ? '`' : '\\\\';
  const droppedComment = `${esc}[ \\t]*\\r?\\n(?:[ \\t]*(?:#[^\\n]*)?\\r?\\n)*[ \\t]*#`;
  // `RUN\⏎# c⏎  b`: the keyword right against the escape, then a comment line, ends the instruction
  // at the comment (`RUN\⏎#no⏎  b` even reads keyword `RUNNO`); BuildKit reads `RUN  b`.
  const found: ('splits' | 'flags')[] = [];
  if (new RegExp(`^[A-Za-z]+${droppedComment}`).test(text)) found.push('splits');
  // `RUN echo a\\ \\⏎  b`: an escape character and blanks right before a continuation end the
  // instruction there (the next line reads as keyword `B`); BuildKit continues it.
  if (new RegExp(`${esc}[ \\t]+${esc}[ \\t]*\\r?\\n`).test(text)) found.push('splits');
  // `COPY \⏎# C:\go⏎  --from=b /a /b`: an escape character inside a dropped comment hides the flags after it.
  if (new RegExp(`${esc}[ \\t]*\\r?\\n(?:[ \\t]*(?:#[^\\n]*)?\\r?\\n)*[ \\t]*#[^\\n]*${esc}[^\\n]*\\n[\\s\\S]*--`).test(text)) found.push('flags');
  return found;
}

/** The parser finds the instructions the renderer wrote: same count, keywords, offsets and flags. */
export function modelAgreementProblems(rendered: RenderedDockerfile): string[] {
  const divergences = rendered.instructions.map((i) => parserDivergences(rendered.text.slice(i.start, i.end), rendered.escape));
  if (divergences.some((d) => d.includes('splits'))) return [];
  const parsed = parseDockerfile(rendered.text).instructions;
  if (parsed.length !== rendered.instructions.length) {
    return [`parsed ${parsed.length} instructions (${parsed.map((i) => i.keyword).join(' ')}), rendered ${rendered.instructions.length}`];
  }
  return rendered.instructions.flatMap((want, i) => {
    const got = parsed[i];
    if (got === undefined) return [];
    const problems: string[] = [];
    const at = `instruction ${i + 1} (${want.keyword})`;
    if (got.keyword !== want.keyword) problems.push(`${at}: parsed keyword ${got.keyword}`);
    if (got.start !== want.start || got.end !== want.end) problems.push(`${at}: parsed [${got.start},${got.end}), rendered [${want.start},${want.end})`);
    const flags = (fs: readonly { start: number; end: number }[]) => fs.map((f) => `${f.start}-${f.end}`).join(',');
    if (!divergences[i]?.includes('flags') && flags(got.flags) !== flags(want.flags)) problems.push(`${at}: parsed flags at ${flags(got.flags)}, rendered ${flags(want.flags)}`);
    if (got.hasHeredoc !== (want.spec.heredoc !== undefined)) problems.push(`${at}: parsed hasHeredoc ${got.hasHeredoc}`);
    // with its flags hidden, dockerfile-ast starts the arguments at the first flag: no JSON form either
    if (want.spec.json === true && !got.jsonForm && !divergences[i]?.includes('flags')) problems.push(`${at}: rendered in JSON form, parsed as shell form`);
    return problems;
  });
}

/** A BuildKit-style reading (helpers/docker-view.ts) finds what the renderer wrote: keywords and arguments. */
export function dockerViewModelProblems(rendered: RenderedDockerfile): string[] {
  const docker = dockerInstructions(rendered.text);
  if (docker.length !== rendered.instructions.length) {
    return [`BuildKit reads ${docker.length} instructions (${docker.map((i) => i.keyword).join(' ')}), rendered ${rendered.instructions.length}`];
  }
  return rendered.instructions.flatMap((want, i) => {
    const got = docker[i];
    if (got === undefined) return [];
    if (got.keyword !== want.keyword) return [`instruction ${i + 1}: BuildKit reads keyword ${got.keyword}, rendered ${want.keyword}`];
    if (want.logical !== null && !got.line.trimEnd().endsWith(want.logical)) {
      return [`instruction ${i + 1}: BuildKit reads ${JSON.stringify(got.line)}, rendered arguments ${JSON.stringify(want.logical)}`];
    }
    return [];
  });
}

/**
 * The output as BuildKit reads it (not as src/engine/parse.ts does): every instruction has a known keyword,
 * and there are as many stages as before. This catches a continuation cut where our parser and
 * Docker disagree about where an instruction ends.
 */
export function dockerViewProblems(c: PropertyCase): string[] {
  return withResult(c, ({ output }) => {
    const [before, after] = [dockerInstructions(c.dockerfile.text), dockerInstructions(output)];
    const unknown = (is: typeof before) => is.filter((i) => !isKnownKeyword(i.keyword));
    const froms = (is: typeof before) => is.filter((i) => i.keyword === 'FROM').length;
    return [
      ...(unknown(after).length > unknown(before).length ? unknown(after).map((i) => `BuildKit would read an unknown instruction ${JSON.stringify(i.line)}`) : []),
      ...(froms(after) !== froms(before) ? [`BuildKit reads ${froms(after)} stages, the input had ${froms(before)}`] : []),
    ];
  });
}

/** A failure report: the problems, then the case in a form to paste into a unit test. */
export function report(c: PropertyCase, problems: readonly string[]): string {
  return [
    ...problems,
    `Dockerfile: ${JSON.stringify(c.dockerfile.text)}`,
    `context: ${JSON.stringify(c.context.files)} (Dockerfile at ${String(c.context.dockerfilePath)})`,
    `selection: ${JSON.stringify(c.selection)}`,
  ].join('\n');
}
