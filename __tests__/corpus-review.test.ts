/**
 * Every corpus file has a reviewed expectation (__tests__/corpus-expected/<manifest name>.txt):
 * which build context it was fixed in (the real one from ../shared/corpus/contexts, or one made
 * from manifest facts), its diff under the default transforms (context files it writes included),
 * the skip reasons, and what --unsafe adds. A change in behaviour fails here until someone reads the
 * new expectation and signs it with a verdict.
 *
 * After a deliberate change: `npm run corpus:update` regenerates them. Files whose body changed get
 * a PENDING review line that carries the old verdict (`| before: ...`); `git diff
 * __tests__/corpus-expected` shows what changed, and the last test lists every file still to review.
 */
import { expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describeWhen } from './helpers/conditional.js';
import { corpus, hasCorpus } from './helpers/corpus.js';
import { PENDING_REVIEW, pendingReview, REVIEW_PREFIX, renderExpectation } from './helpers/corpus-expectation.js';
import { projectRoot } from './helpers/paths.js';

const expectedDir = join(projectRoot, '__tests__', 'corpus-expected');
const update = process.env.CACHEFIX_UPDATE_CORPUS === '1';
const entries = corpus();
/** Per file, what is wrong with its stored expectation (filled by the per-file tests, listed by the last one). */
const unreviewed = new Map<string, string>();

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

const otherCorpus = process.env.CACHEFIX_CORPUS !== undefined;

describeWhen(
  hasCorpus && !otherCorpus,
  otherCorpus ? 'corpus review: the expectations are for ../shared/corpus, not CACHEFIX_CORPUS' : 'corpus review needs ../shared/corpus beside the project',
)('corpus review', () => {
  test.each(entries.map((e) => [e.file, e] as const))('%s', (file, entry) => {
    const path = expectationPath(file);
    const actual = renderExpectation(entry);
    const stored = readExpectation(path);
    if (update && stored?.body !== actual) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${pendingReview(stored?.review ?? null)}\n${actual}`);
    }
    const current = readExpectation(path);
    if (current === null) unreviewed.set(file, 'no expectation (npm run corpus:update writes one)');
    else if (current.body !== actual) unreviewed.set(file, 'behaviour changed since the review (npm run corpus:update, then review)');
    else if (!current.review.startsWith(REVIEW_PREFIX) || current.review.startsWith(PENDING_REVIEW)) unreviewed.set(file, 'PENDING: read the diff, write a verdict');
    expect(current).not.toBeNull();
    expect(current?.body).toBe(actual);
    expect(current?.review.startsWith(REVIEW_PREFIX)).toBe(true);
    expect(current?.review.startsWith(PENDING_REVIEW)).toBe(false);
  });

  test('every expectation belongs to a manifest entry', () => {
    const listed = new Set(entries.map((e) => expectationPath(e.file)));
    const stored = readdirSync(expectedDir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
    expect(stored.filter((p) => !listed.has(p)).map((p) => relative(expectedDir, p))).toEqual([]);
  });

  test('every expectation is current and has a verdict (the list of files still to review)', () => {
    expect([...unreviewed].map(([file, why]) => `${file}: ${why}`)).toEqual([]);
  });
});
