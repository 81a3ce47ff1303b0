/**
 * Renamed transforms keep their old ids (src/engine/ids.ts): go/hoist-independent-run is now
 * docker/hoist-independent-run, go/move-unrelated-copy docker/move-unrelated-copy. Every place a user
 * writes an id accepts the old one and means the same transform.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixText } from '../src/index.js';
import { memoryContext } from '../src/context/context.js';
import { acceptedIds, idResolver } from '../src/engine/ids.js';
import { selectTransforms } from '../src/engine/select.js';
import { transforms } from '../transforms/index.js';
import { cachefix } from './helpers/cli.js';

const NAIVE = 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y git\nRUN go build -o /app/main .\n';
const HOISTED = 'FROM golang:1.22\nWORKDIR /app\nRUN apt-get update && apt-get install -y git\nCOPY . .\nRUN go build -o /app/main .\n';
const RENAMED = [
  ['go/hoist-independent-run', 'docker/hoist-independent-run'],
  ['go/move-unrelated-copy', 'docker/move-unrelated-copy'],
] as const;

test('the alias table: each former id resolves to its transform, and nothing else changes', () => {
  const resolve = idResolver(transforms);
  for (const [former, current] of RENAMED) {
    expect(resolve(former)).toBe(current);
    expect(transforms.find((t) => t.id === current)?.formerIds).toEqual([former]);
  }
  expect(resolve('go/trimpath')).toBe('go/trimpath');
  expect(resolve('go/nope')).toBe('go/nope');
  // a former id never names a transform that exists under it
  const ids = transforms.map((t) => t.id);
  expect(acceptedIds(transforms).filter((id) => !ids.includes(id)).sort()).toEqual(RENAMED.map(([f]) => f).sort());
});

test('selectTransforms (--only/--skip, the API) takes former ids', () => {
  expect(selectTransforms(transforms, { only: ['go/hoist-independent-run'], skip: [], unsafe: false }).map((t) => t.id)).toEqual(['docker/hoist-independent-run']);
  expect(selectTransforms(transforms, { only: [], skip: ['go/move-unrelated-copy'], unsafe: false }).map((t) => t.id)).not.toContain('docker/move-unrelated-copy');
  expect(() => selectTransforms(transforms, { only: ['go/hoist-independent-runs'], skip: [], unsafe: false })).toThrow('unknown transform go/hoist-independent-runs');
});

test('the public API: fixText with only/skip by the former id', () => {
  const context = memoryContext({ 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n\nfunc main() {}\n' });
  expect(fixText(NAIVE, { only: ['go/hoist-independent-run'], context }).output).toBe(HOISTED);
  expect(fixText(NAIVE, { only: ['docker/hoist-independent-run', 'go/trimpath'], skip: ['go/hoist-independent-run'], context }).output).toBe(NAIVE.replace('go build', 'go build -trimpath'));
});

test('an ignore comment naming the former id switches the transform off, without an unknown-id warning', () => {
  const text = NAIVE.replace('RUN apt-get', '# cachefix-ignore go/hoist-independent-run\nRUN apt-get');
  const result = fixText(text, { only: ['docker/hoist-independent-run'], context: memoryContext({ 'go.mod': 'module m\n\ngo 1.22\n' }) });
  expect(result.output).toBe(text);
  expect(result.skips).toEqual([]);
  const fileWide = `# cachefix-ignore-file go/hoist-independent-run\n${NAIVE}`;
  expect(fixText(fileWide, { only: ['docker/hoist-independent-run'], context: memoryContext({ 'go.mod': 'module m\n\ngo 1.22\n' }) }).output).toBe(fileWide);
});

describe('the CLI', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'cachefix-renamed-'));
    writeFileSync(join(work, 'go.mod'), 'module example.com/app\n\ngo 1.22\n');
    writeFileSync(join(work, 'main.go'), 'package main\n\nfunc main() {}\n');
    writeFileSync(join(work, 'Dockerfile'), NAIVE);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  test('--only with the former id runs the transform, reported under its current id', () => {
    const result = cachefix(['--write', '--quiet', '--only', 'go/hoist-independent-run', 'Dockerfile'], { cwd: work });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('Dockerfile:4 docker/hoist-independent-run: the step now runs before the sources are copied, so a source change no longer re-runs it\n');
    expect(readFileSync(join(work, 'Dockerfile'), 'utf8')).toBe(HOISTED);
  });

  test('a config file switching the former id off is valid and switches the transform off', () => {
    writeFileSync(join(work, '.cachefixrc.json'), JSON.stringify({ transforms: { 'go/hoist-independent-run': false } }));
    const config = JSON.parse(cachefix(['--print-config', 'Dockerfile'], { cwd: work }).stdout) as { transforms: string[] };
    expect(config.transforms).not.toContain('docker/hoist-independent-run');
    expect(config.transforms).toContain('go/trimpath');
    writeFileSync(join(work, '.cachefixrc.json'), JSON.stringify({ transforms: { 'go/move-unrelated-copy': false } }));
    const other = JSON.parse(cachefix(['--print-config', 'Dockerfile'], { cwd: work }).stdout) as { transforms: string[] };
    expect(other.transforms).toContain('docker/hoist-independent-run');
    expect(other.transforms).not.toContain('docker/move-unrelated-copy');
  });

  test('SARIF names the rule by its current id and lists the former one as deprecatedIds', () => {
    const result = cachefix(['--format', 'sarif', '--only', 'go/hoist-independent-run', 'Dockerfile'], { cwd: work });
    const log = JSON.parse(result.stdout) as { runs: { tool: { driver: { rules: { id: string; deprecatedIds?: string[] }[] } }; results: { ruleId: string }[] }[] };
    const rule = log.runs[0]?.tool.driver.rules.find((r) => r.id === 'docker/hoist-independent-run');
    expect(rule?.deprecatedIds).toEqual(['go/hoist-independent-run']);
    expect(log.runs[0]?.results.map((r) => r.ruleId)).toEqual(['docker/hoist-independent-run']);
  });
});
