/**
 * Every examples/<transform>/<case>/ directory is a fixture: Dockerfile in, Dockerfile.expected out
 * (byte for byte), messages.txt the exact lines printed on stderr; the case directory is the context.
 * examples/pipeline/<case>/ runs the default set (every safe transform), as `cachefix` does.
 */
import { describe, expect, test } from '@jest/globals';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { withPendingFiles } from '../src/context/context.js';
import { fsContext } from '../src/context/fs-context.js';
import { fixText } from '../src/engine/fixer.js';
import { transforms } from '../transforms/index.js';
import { cachefix } from './helpers/cli.js';
import { examples } from './helpers/examples.js';
import { removedText } from './helpers/removed-text.js';

const all = examples();

test('there are examples for every transform', () => {
  for (const t of transforms) expect(all.filter((e) => e.transform === t.id).length).toBeGreaterThanOrEqual(2);
});

describe.each(all)('$name', ({ dir, transform }) => {
  const input = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  const expected = readFileSync(join(dir, 'Dockerfile.expected'), 'utf8');
  const pipeline = transform === 'pipeline';
  const only = pipeline ? transforms.filter((t) => t.safety === 'safe') : transforms.filter((t) => t.id === transform);
  const cliSelection = pipeline ? [] : ['--only', transform];
  const fix = (text: string) => fixText(text, { transforms: only, context: fsContext(dir), dockerfilePath: 'Dockerfile' });

  const expectedContext = join(dir, 'expected-context');
  const expectedFiles = existsSync(expectedContext)
    ? readdirSync(expectedContext, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(expectedContext, join(e.parentPath, e.name)).split('\\').join('/'))
        .sort()
    : [];

  test('gives exactly the expected output', () => {
    expect(JSON.stringify(fix(input).output)).toBe(JSON.stringify(expected));
  });

  test('changes exactly the expected context files (expected-context/)', () => {
    const files = fix(input).files;
    expect(files.map((f) => f.path).sort()).toEqual(expectedFiles);
    for (const f of files) expect(JSON.stringify(f.after)).toBe(JSON.stringify(readFileSync(join(expectedContext, f.path), 'utf8')));
  });

  test('is idempotent: a second run makes no edit', () => {
    const first = fix(input);
    const written = new Map(first.files.map((f) => [f.path, f.after]));
    const second = fixText(expected, { transforms: only, context: withPendingFiles(fsContext(dir), written), dockerfilePath: 'Dockerfile' });
    expect(JSON.stringify(second.output)).toBe(JSON.stringify(expected));
    expect(second.changes).toEqual([]);
    expect(second.files).toEqual([]);
  });

  test('removes nothing but blanks, moved text, and what the example declares in removes.json', () => {
    const declaredPath = join(dir, 'removes.json');
    const declared: string[] = existsSync(declaredPath) ? JSON.parse(readFileSync(declaredPath, 'utf8')) as string[] : [];
    expect(removedText(fix(input).history).map((r) => r.text)).toEqual(declared);
  });

  test('the CLI prints the expected messages and --write leaves the expected bytes on disk', () => {
    const work = mkdtempSync(join(tmpdir(), 'cachefix-example-'));
    try {
      cpSync(dir, work, { recursive: true });
      rmSync(join(work, 'Dockerfile.expected'));
      rmSync(join(work, 'expected-context'), { recursive: true, force: true });
      const result = cachefix(['--write', '--quiet', ...cliSelection, 'Dockerfile'], { cwd: work });
      expect(result.status).toBe(0);
      expect(result.stderr).toBe(readFileSync(join(dir, 'messages.txt'), 'utf8'));
      expect(readFileSync(join(work, 'Dockerfile')).equals(readFileSync(join(dir, 'Dockerfile.expected')))).toBe(true);
      for (const path of expectedFiles) expect(readFileSync(join(work, path)).equals(readFileSync(join(expectedContext, path)))).toBe(true);
      expect(cachefix(['--check', '--quiet', ...cliSelection, 'Dockerfile'], { cwd: work }).status).toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
