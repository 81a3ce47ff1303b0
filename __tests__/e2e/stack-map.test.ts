/**
 * The CLI bundle is minified; an internal error's stack is read back through the source map built
 * beside it (src/cli/stack-map.ts). Checked on the real bundle and map in dist/src.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join } from 'node:path';
import { originalStack, type SourceMapEntry } from '../../src/cli/stack-map.js';
import { cliPath, projectRoot } from '../helpers/paths.js';

const bundle = join(dirname(cliPath), 'cachefix.cjs');

describe('originalStack', () => {
  const entries: Record<string, SourceMapEntry> = {
    '0:9': { originalSource: '../../src/engine/fixer.ts', originalLine: 119, originalColumn: 4 },
    '2:0': {},
  };
  const findEntry = (line: number, column: number) => entries[`${line}:${column}`] ?? {};

  test('replaces each position in the bundle by its source position, 1-based like V8\'s', () => {
    const stack = 'Error: boom\n    at a (/opt/x.y/cachefix.cjs:1:10)\n    at /opt/x.y/cachefix.cjs:1:10';
    expect(originalStack(stack, '/opt/x.y/cachefix.cjs', findEntry)).toBe('Error: boom\n    at a (src/engine/fixer.ts:120:5)\n    at src/engine/fixer.ts:120:5');
  });

  test('leaves positions that map nowhere, and other files, as they are (the path is matched literally)', () => {
    const stack = 'at b (/opt/x.y/cachefix.cjs:3:1)\nat c (node:internal/x:1:10)\nat d (/opt/xzy/cachefix.cjs:1:10)';
    expect(originalStack(stack, '/opt/x.y/cachefix.cjs', findEntry)).toBe(stack);
  });
});

test('the built bundle\'s map leads a position in the bundle back to the source line it came from', () => {
  const text = readFileSync(bundle, 'latin1');
  const marker = 'did not converge after';
  const offset = text.indexOf(marker);
  expect(offset).toBeGreaterThan(0);
  const before = text.slice(0, offset).split('\n');
  const stack = `ConvergenceError: x\n    at fixLoop (${bundle}:${before.length}:${(before.at(-1)?.length ?? 0) + 1})`;
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  const mapped = originalStack(stack, bundle, (line, column) => map.findEntry(line, column));
  const sourceLine = readFileSync(join(projectRoot, 'src', 'engine', 'fixer.ts'), 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;
  expect(mapped).toMatch(new RegExp(`^ConvergenceError: x\\n    at fixLoop \\(src/engine/fixer\\.ts:${sourceLine}:\\d+\\)$`));
});
