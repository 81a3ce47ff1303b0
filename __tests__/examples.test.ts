/**
 * Every examples/<transform>/<case>/ directory is a fixture: Dockerfile in, Dockerfile.expected out
 * (byte for byte), messages.txt the exact lines printed on stderr; the case directory is the context.
 */
import { describe, expect, test } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsContext } from '../src/fs-context.js';
import { fixText } from '../src/fixer.js';
import { transforms } from '../transforms/index.js';
import { cachefix } from './helpers/cli.js';
import { examples } from './helpers/examples.js';

const all = examples();

test('there are examples for every transform', () => {
  for (const t of transforms) expect(all.filter((e) => e.transform === t.id).length).toBeGreaterThanOrEqual(2);
});

describe.each(all)('$name', ({ dir, transform }) => {
  const input = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  const expected = readFileSync(join(dir, 'Dockerfile.expected'), 'utf8');
  const only = transforms.filter((t) => t.id === transform);
  const fix = (text: string) => fixText(text, { transforms: only, context: fsContext(dir), dockerfilePath: 'Dockerfile' });

  test('gives exactly the expected output', () => {
    expect(JSON.stringify(fix(input).output)).toBe(JSON.stringify(expected));
  });

  test('is idempotent: a second run makes no edit', () => {
    const second = fix(expected);
    expect(JSON.stringify(second.output)).toBe(JSON.stringify(expected));
    expect(second.changes).toEqual([]);
  });

  test('keeps every input line (comments, continuations, line endings) in the output', () => {
    const count = (text: string) => {
      const lines = new Map<string, number>();
      for (const line of text.split('\n')) lines.set(line, (lines.get(line) ?? 0) + 1);
      return lines;
    };
    const out = count(expected);
    for (const [line, n] of count(input)) expect([line, out.get(line) ?? 0]).toEqual([line, Math.max(n, out.get(line) ?? 0)]);
  });

  test('the CLI prints the expected messages and --write leaves the expected bytes on disk', () => {
    const work = mkdtempSync(join(tmpdir(), 'cachefix-example-'));
    try {
      cpSync(dir, work, { recursive: true });
      rmSync(join(work, 'Dockerfile.expected'));
      const result = cachefix(['--write', '--quiet', '--only', transform, 'Dockerfile'], { cwd: work });
      expect(result.status).toBe(0);
      expect(result.stderr).toBe(readFileSync(join(dir, 'messages.txt'), 'utf8'));
      expect(readFileSync(join(work, 'Dockerfile')).equals(readFileSync(join(dir, 'Dockerfile.expected')))).toBe(true);
      expect(cachefix(['--check', '--quiet', '--only', transform, 'Dockerfile'], { cwd: work }).status).toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
