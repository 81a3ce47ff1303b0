/** Which runs the launcher treats as runs over many files (src/cli/v8-tiering.ts): a guess that decides only speed. */
import { expect, test } from '@jest/globals';
import { join } from 'node:path';
import { fixesManyFiles } from '../src/cli/v8-tiering.js';
import { projectRoot } from './helpers/paths.js';

const example = join(projectRoot, 'examples', 'go', 'mod-download-first', 'seed-naive');

test('several paths, a directory, or none (the working directory) are many files', () => {
  expect(fixesManyFiles(['--write', '--quiet', join(example, 'Dockerfile'), join(example, 'Dockerfile.expected')])).toBe(true);
  expect(fixesManyFiles(['--check', example])).toBe(true);
  expect(fixesManyFiles(['--write'])).toBe(true);
});

test('one file, stdin, prove, and argument forms only yargs reads are not', () => {
  expect(fixesManyFiles(['--check', '-q', join(example, 'Dockerfile')])).toBe(false);
  expect(fixesManyFiles(['--only', 'go/trimpath', join(example, 'Dockerfile')])).toBe(false);
  expect(fixesManyFiles(['-'])).toBe(false);
  expect(fixesManyFiles(['prove', join(example, 'Dockerfile'), example])).toBe(false);
  expect(fixesManyFiles(['-wq', 'a', 'b'])).toBe(false);
  expect(fixesManyFiles([join(example, 'no-such-file')])).toBe(false);
});
