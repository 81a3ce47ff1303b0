/**
 * Every corpus file has a reviewed expectation (__tests__/corpus-expected/<manifest name>.txt):
 * its diff under the default transforms, the skip reasons, and what --unsafe adds. A change in
 * behaviour fails here until someone reads the new expectation and signs it with a verdict.
 *
 * Regenerate after a deliberate change: CACHEFIX_UPDATE_CORPUS=1 npx jest __tests__/corpus-review.test.ts
 * (files whose body changed get a PENDING review line, which fails until replaced by a verdict).
 */
import { expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describeWhen } from './helpers/conditional.js';
import { corpus, hasCorpus } from './helpers/corpus.js';
import { PENDING_REVIEW, REVIEW_PREFIX, renderExpectation } from './helpers/corpus-expectation.js';
import { projectRoot } from './helpers/paths.js';

const expectedDir = join(projectRoot, '__tests__', 'corpus-expected');
const update = process.env.CACHEFIX_UPDATE_CORPUS === '1';
const entries = corpus();

function expectationPath(file: string): string {
  return join(expectedDir, `${file}.txt`);
}

/** Splits an expectation into its hand-written review line and the generated body. */
function readExpectation(path: string): { review: string; body: string } | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  const newline = text.indexOf('\n');
  return { review: text.slice(0, newline), body: text.slice(newline + 1) };
}

describeWhen(hasCorpus, 'corpus review needs ../shared/corpus beside the project')('corpus review', () => {
  test.each(entries.map((e) => [e.file, e] as const))('%s', (file, entry) => {
    const path = expectationPath(file);
    const actual = renderExpectation(entry);
    const stored = readExpectation(path);
    if (update && stored?.body !== actual) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${PENDING_REVIEW}\n${actual}`);
    }
    const current = readExpectation(path);
    expect(current).not.toBeNull();
    expect(current?.body).toBe(actual);
    expect(current?.review.startsWith(REVIEW_PREFIX)).toBe(true);
    expect(current?.review).not.toBe(PENDING_REVIEW);
  });

  test('every expectation belongs to a manifest entry', () => {
    const listed = new Set(entries.map((e) => expectationPath(e.file)));
    const stored = readdirSync(expectedDir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
    expect(stored.filter((p) => !listed.has(p)).map((p) => relative(expectedDir, p))).toEqual([]);
  });
});
