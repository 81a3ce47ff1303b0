/**
 * docker/dockerignore and the other Dockerfiles at the context root, which the examples do not
 * show: the new entries apply to their builds too, so none of them may read what the entries exclude,
 * however the path is spelled.
 */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { dockerignore } from '../../transforms/docker/dockerignore.js';

const DOCKERFILE = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n';
const GO = { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n\nfunc main() {}\n' };

function fix(siblings: Record<string, string>) {
  const result = fixText(DOCKERFILE, { transforms: [dockerignore], context: memoryContext({ ...GO, Dockerfile: DOCKERFILE, ...siblings }), dockerfilePath: 'Dockerfile' });
  return { wrote: result.files.map((f) => f.path), skips: result.skips.map((s) => s.reason) };
}

describe('another Dockerfile at the context root that reads an excluded path: no .dockerignore is written', () => {
  test.each([
    ['a plain COPY', 'FROM alpine\nCOPY .git /src/.git\n', '.git (line 2)'],
    ['a JSON COPY', 'FROM alpine\nCOPY [".git", "/src/.git"]\n', '.git (line 2)'],
    ['a COPY of a file in an editor directory', 'FROM alpine\nCOPY conf/.idea/app.xml /etc/\n', 'conf/.idea/app.xml (line 2)'],
    ['a bind mount', 'FROM alpine\nRUN --mount=type=bind,source=.git,target=/g git -C /g log\n', '.git (line 2)'],
    ['a COPY continued onto the next line', 'FROM alpine\nCOPY \\\n  .git /src/.git\n', '.git (line 2)'],
    ['a COPY in a file with the backtick escape', '# escape=`\nFROM alpine\nCOPY `\n  .git /src/.git\n', '.git (line 3)'],
    // spellings where the text itself never holds `.git`
    ['a path split by a line continuation', 'FROM alpine\nCOPY .gi\\\nt /src/g\n', '.git (line 2)'],
    ['a path split by a comment line inside a continuation', 'FROM alpine\nCOPY .g\\\n# version stamp\nit /src/vcs\n', '.git (line 2)'],
    ['a path with an escaped character', 'FROM alpine\nCOPY .g\\it /src/g\n', '.git (line 2)'],
    ['a JSON path with a \\u escape', 'FROM alpine\nCOPY ["\\u002egit", "/src/g"]\n', '.git (line 2)'],
  ])('%s', (_name, sibling, read) => {
    expect(fix({ 'Dockerfile.dev': sibling })).toEqual({
      wrote: [],
      skips: [`Dockerfile.dev reads ${read}, which the new entries would exclude`],
    });
  });
});

describe('other Dockerfiles that read nothing the entries exclude do not stop the fix', () => {
  test.each([
    ['one without COPY', { 'Dockerfile.dev': 'FROM alpine\nRUN echo "no git here"\n' }],
    ['one that only mentions .git in a comment and a RUN', { 'Dockerfile.dev': 'FROM alpine\n# not .git\nRUN echo .git\nCOPY app /app\n' }],
    ['one that copies .Git (names are matched case-sensitively, as on Linux)', { 'Dockerfile.dev': 'FROM alpine\nCOPY [".Git", "/g"]\n' }],
    ['several, with quotes and continuations', { 'a.Dockerfile': 'FROM alpine\nCOPY ["app", "/app"]\n', 'Dockerfile.prod': 'FROM alpine\nRUN apk add \\\n  curl\n' }],
  ])('%s', (_name, siblings) => {
    expect(fix(siblings)).toEqual({ wrote: ['.dockerignore'], skips: [] });
  });
});

describe('appending to an existing ignore file leaves one blank line before the new block, never a leading or second one', () => {
  const written = (existing: string) =>
    fixText(DOCKERFILE, { transforms: [dockerignore], context: memoryContext({ ...GO, Dockerfile: DOCKERFILE, '.dockerignore': existing }), dockerfilePath: 'Dockerfile' })
      .files[0]?.after ?? '';
  const HEAD = '# added by cachefix';
  test.each([
    ['an empty file', '', HEAD],
    ['a file of blank lines', '\n\n', `\n\n${HEAD}`],
    ['a file with a final line break', 'bin/\n', `bin/\n\n${HEAD}`],
    ['a file without one', 'bin/', `bin/\n\n${HEAD}`],
    ['a file ending with a blank line', 'bin/\n\n', `bin/\n\n${HEAD}`],
    ['a CRLF file ending with a blank line', 'bin/\r\n\r\n', `bin/\r\n\r\n${HEAD}`],
  ])('%s', (_name, existing, start) => {
    expect(written(existing).startsWith(start)).toBe(true);
  });
});
