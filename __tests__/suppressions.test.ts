/** Ignore comments switch transforms off for one instruction or the whole file, as whole changes. */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../src/context/context.js';
import { fixText } from '../src/engine/fixer.js';
import { parseDockerfile } from '../src/engine/parse.js';
import { suppressions } from '../src/engine/suppressions.js';
import { transforms } from '../transforms/index.js';

const context = memoryContext({ 'go.mod': 'module example.com/app\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n', 'go.sum': '', 'main.go': 'package main\n' });
const safe = transforms.filter((t) => t.safety === 'safe' && t.id !== 'docker/dockerignore');
const fix = (text: string) => fixText(text, { transforms: safe, context, knownTransformIds: transforms.map((t) => t.id) });

describe('ignore comments', () => {
  test('# cachefix-ignore <id> keeps that transform off the next instruction only', () => {
    const out = fix('FROM golang:1.19\nWORKDIR /app\nCOPY . .\n# cachefix-ignore go/trimpath\nRUN go build -o /a .\nRUN go build -o /b ./cmd/b\n').output;
    expect(out).toContain('# cachefix-ignore go/trimpath\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n    go build -o /a .\n');
    expect(out).toContain('go build -trimpath -o /b ./cmd/b');
  });
  test('# cachefix-ignore without ids keeps every transform off the instruction, and never splits a change', () => {
    const text = 'FROM golang:1.19\nWORKDIR /app\nCOPY . .\n# cachefix-ignore\nRUN go mod download\nRUN go build .\n';
    const out = fix(text).output;
    // moving the ignored download is a change that edits it: it is dropped whole, nothing is inserted
    expect(out).not.toContain('COPY go.mod');
    expect(out).toContain('# cachefix-ignore\nRUN go mod download\n');
  });
  test('# cachefix-ignore-file before the first instruction switches the file off', () => {
    const text = '# syntax=docker/dockerfile:1\n# cachefix-ignore-file\nFROM golang:1.19\nCOPY . .\nRUN go build .\n';
    expect(fix(text)).toMatchObject({ output: text, changes: [], skips: [] });
    const some = '# cachefix-ignore-file go/build-cache-mount\nFROM golang:1.19\nCOPY . .\nRUN go build .\n';
    expect(fix(some).output).not.toContain('--mount');
    expect(fix(some).output).toContain('COPY go.mod go.sum ./');
  });
  test('an ignore comment inside a continuation belongs to that instruction', () => {
    const doc = parseDockerfile('FROM a\nRUN go build \\\n  # cachefix-ignore\n  .\nRUN b\n');
    expect(suppressions(doc, []).ranges.map((r) => r.start)).toEqual([doc.instructions[1]?.start]);
  });
  test('unknown ids and a late ignore-file are warned about', () => {
    const result = fix('FROM golang:1.19\n# cachefix-ignore go/nope\nRUN echo\n# cachefix-ignore-file\n');
    expect(result.skips).toEqual([
      { transform: 'cachefix', line: 2, reason: 'warning: unknown transform id go/nope in this ignore comment (see cachefix --list)' },
      { transform: 'cachefix', line: 4, reason: 'warning: # cachefix-ignore-file must come before the first instruction; it was not applied' },
    ]);
  });
  test('a `# cachefix-ignore` mid-line is an argument to Docker, not a comment, and is not honoured', () => {
    const doc = parseDockerfile('FROM a\nRUN go build . # cachefix-ignore\n');
    expect(suppressions(doc, []).ranges).toEqual([]);
  });
});
