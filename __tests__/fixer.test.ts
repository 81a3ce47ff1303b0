import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../src/context/context.js';
import { ConvergenceError, fixText, MAX_STAGES, TransformBugError } from '../src/engine/fixer.js';
import type { Transform } from '../src/engine/transform.js';

const context = memoryContext({});
const base = { title: 't', rationale: 'because', safety: 'safe' as const, preconditions: [] };

/** Appends `line` once, at the end, if missing. */
const appendOnce = (id: string, line: string): Transform => ({
  ...base,
  id,
  apply: (doc) => doc.source.text.includes(line)
    ? { edits: [], changes: [], skips: [] }
    : { edits: [{ start: doc.source.text.length, end: doc.source.text.length, text: `${line}\n` }], changes: [{ offset: doc.source.text.length }], skips: [] },
});

describe('fixText', () => {
  test(`a file of more than ${MAX_STAGES} stages is left alone with a reason (their lineages take minutes)`, () => {
    const stages = (n: number) => ['FROM golang:1.22 AS s0\n', ...Array.from({ length: n - 1 }, (_, i) => `FROM s${i} AS s${i + 1}\n`)].join('');
    const over = fixText(stages(MAX_STAGES + 1), { transforms: [appendOnce('x/one', 'LABEL one=1')], context });
    expect(over.output).toBe(stages(MAX_STAGES + 1));
    expect(over.skips).toEqual([{ transform: 'cachefix', line: 1, reason: `${MAX_STAGES + 1} stages, more than cachefix rewrites (${MAX_STAGES}); not rewritten` }]);
    expect(fixText(stages(MAX_STAGES), { transforms: [appendOnce('x/one', 'LABEL one=1')], context }).changes).toHaveLength(1);
  });
  test('runs transforms in order, each on the previous output, until stable', () => {
    const result = fixText('FROM a\n', { transforms: [appendOnce('x/one', 'LABEL one=1'), appendOnce('x/two', 'LABEL two=2')], context });
    expect(result.output).toBe('FROM a\nLABEL one=1\nLABEL two=2\n');
    expect(result.passes).toBe(2);
    expect(result.changes.map((c) => c.transform)).toEqual(['x/one', 'x/two']);
  });
  test('reports change lines in the original text', () => {
    const result = fixText('FROM a\nRUN b\n', { transforms: [appendOnce('x/one', 'LABEL one=1'), appendOnce('x/two', 'LABEL two=2')], context });
    expect(result.changes.map((c) => c.line)).toEqual([3, 3]);
  });
  test('a ping-pong pair of transforms is reported by name', () => {
    const toggle = (id: string, from: string, to: string): Transform => ({
      ...base,
      id,
      apply: (doc) => {
        const at = doc.source.text.indexOf(from);
        return at < 0 ? { edits: [], changes: [], skips: [] } : { edits: [{ start: at, end: at + from.length, text: to }], changes: [{ offset: at }], skips: [] };
      },
    });
    const run = () => fixText('FROM a\nLABEL x=1\n', { transforms: [toggle('x/up', 'x=1', 'x=2'), toggle('x/down', 'x=2', 'x=1')], context });
    expect(run).toThrow(ConvergenceError);
    expect(run).toThrow(/x\/up, x\/down/);
  });
  test('a transform that never stops is cut off after maxPasses', () => {
    const grow: Transform = { ...base, id: 'x/grow', apply: (doc) => ({ edits: [{ start: doc.source.text.length, end: doc.source.text.length, text: 'LABEL a=b\n' }], changes: [], skips: [] }) };
    expect(() => fixText('FROM a\n', { transforms: [grow], context, maxPasses: 3 })).toThrow(/did not converge after 3 passes; still changing the text: x\/grow/);
  });
  test('a transform that breaks an instruction is a bug, not output', () => {
    const breaker: Transform = { ...base, id: 'x/break', apply: () => ({ edits: [{ start: 0, end: 0, text: 'FOO ' }], changes: [], skips: [] }) };
    expect(() => fixText('FROM a\n', { transforms: [breaker], context })).toThrow(TransformBugError);
  });
  test('a file with lone carriage returns is left alone, with a reason', () => {
    const result = fixText('FROM a\rRUN b\n', { transforms: [appendOnce('x/one', 'LABEL one=1')], context });
    expect(result.output).toBe('FROM a\rRUN b\n');
    expect(result.skips).toEqual([{ transform: 'cachefix', line: 1, reason: expect.stringContaining('carriage returns without line feeds') }]);
  });
  test('`line N` in a skip reason is mapped to the original file', () => {
    const prepend: Transform = { ...base, id: 'x/prepend', apply: (doc) => doc.source.text.includes('LABEL top=1')
      ? { edits: [], changes: [], skips: [] }
      : { edits: [{ start: 7, end: 7, text: 'LABEL top=1\n' }], changes: [{ offset: 7 }], skips: [] } };
    const cite: Transform = { ...base, id: 'x/cite', apply: (doc) => {
      const run = doc.instructions.find((i) => i.keyword === 'RUN')!;
      return { edits: [], changes: [], skips: [{ offset: run.start, reason: `see line ${run.line + 1}` }] };
    } };
    const result = fixText('FROM a\nRUN b\n', { transforms: [prepend, cite], context });
    expect(result.skips).toEqual([{ transform: 'x/cite', line: 2, reason: 'see line 2' }]);
  });
  test('skips come from the final pass, once each', () => {
    const skipper: Transform = { ...base, id: 'x/skip', apply: () => ({ edits: [], changes: [], skips: [{ offset: 0, reason: 'no' }] }) };
    const result = fixText('FROM a\n', { transforms: [appendOnce('x/one', 'LABEL one=1'), skipper], context });
    expect(result.skips).toEqual([{ transform: 'x/skip', line: 1, reason: 'no' }]);
  });
});
