/** The public API as README documents it. */
import { expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixFiles, fixText, memoryContext, transforms } from '../src/index.js';

const NAIVE = 'FROM golang:1.19\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/main .\n';
const context = memoryContext({ 'go.mod': 'module example.com/app\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n', 'go.sum': '' });

test('fixText picks the safe transforms by default, honours only/unsafe, and is pure', () => {
  const all = fixText(NAIVE, { context });
  expect(all.output).toContain('COPY go.mod go.sum ./');
  expect(all.output).toContain('go build -trimpath');
  expect(all.changes.every((c) => c.safety === 'safe')).toBe(true);
  expect(fixText(NAIVE, { context, only: ['go/trimpath'] }).output).toBe(NAIVE.replace('go build', 'go build -trimpath'));
  expect(fixText(NAIVE, { context, only: ['go/strip-symbols'] }).output).toContain('-ldflags="-s -w"');
  expect(fixText(NAIVE, { context, unsafe: true }).changes.some((c) => c.safety === 'unsafe')).toBe(true);
  expect(fixText(NAIVE, { context, mounts: false }).output).not.toContain('--mount');
  expect(fixText(NAIVE).skips.map((s) => s.reason)).toContain('no go.mod at the root of the build context (<memory>); pass --context if the build runs elsewhere');
  expect(transforms.length).toBeGreaterThan(10);
});

test('fixFiles reports per file and writes only when asked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cachefix-library-'));
  try {
    writeFileSync(join(dir, 'go.mod'), 'module example.com/app\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n');
    writeFileSync(join(dir, 'Dockerfile'), NAIVE);
    const dry = await fixFiles([dir], { only: ['go/mod-download-first'] });
    expect(dry.exitCode).toBe(0);
    expect(dry.files.map((f) => f.status)).toEqual(['changed']);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(NAIVE);
    const written = await fixFiles(['Dockerfile'], { cwd: dir, write: true, only: ['go/mod-download-first'] });
    expect(written.files[0]?.path).toBe('Dockerfile');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain('COPY go.mod ./\nRUN go mod download\nCOPY . .');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
