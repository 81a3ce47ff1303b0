/** The shared .dockerignore mechanics: missing entries appended, and what stops them. */
import { expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { parseDockerfile } from '../../src/engine/parse.js';
import { ignoreEntries, type IgnoreEntry } from '../../src/patterns/ignore-entries.js';

const ENTRIES: IgnoreEntry[] = [
  { pattern: '.git', probe: '.git/HEAD' },
  { pattern: '**/node_modules', probe: 'web/node_modules/x/index.js' },
];

function write(dockerfile: string, files: Record<string, string>, guard?: () => string | null) {
  const context = { build: memoryContext({ Dockerfile: dockerfile, ...files }), dockerfilePath: 'Dockerfile' };
  return ignoreEntries(parseDockerfile(dockerfile), context, ENTRIES, '# added', guard);
}

test('creates the file, or appends the missing entries after a blank line in its line endings', () => {
  expect(write('FROM node:20\nCOPY . .\n', {})).toEqual({ file: { path: '.dockerignore', text: '# added\n.git\n**/node_modules\n' }, added: ['.git', '**/node_modules'], created: true });
  expect(write('FROM node:20\nCOPY . .\n', { '.dockerignore': '.git\r\ndist' })).toEqual({
    file: { path: '.dockerignore', text: '.git\r\ndist\r\n\r\n# added\r\n**/node_modules\r\n' },
    added: ['**/node_modules'],
    created: false,
  });
  expect(write('FROM node:20\nCOPY . .\n', { '.dockerignore': '.git\nnode_modules\n**/node_modules\n' })).toBeNull();
});

test('never excludes what a Dockerfile of the context reads or a ! rule re-includes; the guard is asked', () => {
  expect(write('FROM node:20\nCOPY node_modules /app/node_modules\n', {})).toEqual({ reason: 'this Dockerfile reads node_modules (line 2), which the new entries would exclude' });
  expect(write('FROM node:20\nCOPY . .\n', { 'Dockerfile.dev': 'FROM node:20\nCOPY .git .git\n' })).toEqual({ reason: 'Dockerfile.dev reads .git (line 2), which the new entries would exclude' });
  expect(write('FROM node:20\nCOPY . .\n', { '.dockerignore': '!.git\n' })).toEqual({ reason: 'the ignore file re-includes .git with !.git' });
  expect(write('FROM node:20\nCOPY . .\n', {}, () => 'the build reads .git')).toEqual({ reason: 'the build reads .git' });
});
