/**
 * The reviewed expectation of one corpus file: what the default fix does to it (diff, changes,
 * skip reasons) and what `--unsafe` would add. Kept under __tests__/corpus-expected/, named by the
 * manifest's file name, so that any change in behaviour shows up in review as a changed file.
 */
import { readFileSync } from 'node:fs';
import { unifiedDiff } from '../../src/driver/diff.js';
import type { FixResult } from '../../src/engine/fixer.js';
import { fixText } from '../../src/index.js';
import type { CorpusEntry } from './corpus.js';

/** The first line a reviewer writes by hand; regeneration keeps it, or marks it PENDING when the body changed. */
export const REVIEW_PREFIX = '# review: ';
export const PENDING_REVIEW = `${REVIEW_PREFIX}PENDING (behaviour changed: read the diff, then write a verdict here)`;
/** What follows PENDING_REVIEW when the file had a verdict before: the old one, to reuse or rewrite. */
export const PREVIOUS_VERDICT = ' | before: ';

/** The review line regeneration writes: PENDING, carrying the verdict the old body had (if any, and not itself pending). */
export function pendingReview(previous: string | null): string {
  const verdict = previous?.startsWith(PENDING_REVIEW) ? previous.slice(PENDING_REVIEW.length + PREVIOUS_VERDICT.length) : previous?.slice(REVIEW_PREFIX.length);
  return verdict ? `${PENDING_REVIEW}${PREVIOUS_VERDICT}${verdict}` : PENDING_REVIEW;
}

/** Everything below the review line, derived from the tool's behaviour on the file. */
export function renderExpectation(entry: CorpusEntry): string {
  const text = readFileSync(entry.path, 'utf8');
  const options = { context: entry.context, dockerfilePath: entry.dockerfilePath };
  const safe = fixText(text, options);
  const unsafe = fixText(text, { ...options, unsafe: true });
  const safeKeys = new Set(safe.changes.map((c) => `${c.transform}:${c.line}`));
  const unsafeOnly = unsafe.changes.filter((c) => !safeKeys.has(`${c.transform}:${c.line}`));
  return [
    ...contextLines(entry),
    `status: ${safe.output === text && safe.files.length === 0 ? 'unchanged' : 'changed'}`,
    '',
    'changes:',
    ...lines(safe.changes.map((c) => `line ${c.line} ${c.transform}: ${c.detail ?? c.rationale}${c.warning ? ` (warning: ${c.warning})` : ''}`)),
    'skips:',
    ...lines(safe.skips.map((s) => `line ${s.line} ${s.transform}: ${s.reason}`)),
    'unsafe adds:',
    ...lines(unsafeOnly.map((c) => `line ${c.line} ${c.transform}: ${c.detail ?? c.rationale}${c.warning ? ` (warning: ${c.warning})` : ''}`)),
    'diff:',
    diffOf(safe, text, entry.dockerfilePath),
  ].join('\n');
}

function lines(items: readonly string[]): string[] {
  return items.length === 0 ? ['  (none)'] : items.map((item) => `  ${item}`);
}

/** Which context the file was fixed in: the real one (and what it holds) or one made from manifest facts. */
function contextLines(entry: CorpusEntry): string[] {
  const { source } = entry;
  if (source.kind === 'facts') {
    return [
      `context: SYNTHETIC, from the corpus MANIFEST facts (no real context: ${source.why})`,
      `  files: ${source.files.length === 0 ? '(none)' : source.files.join(', ')}`,
    ];
  }
  return [
    `context: real, ${source.dir} (Dockerfile at ${entry.dockerfilePath}${source.git ? '; a .git directory added, as the checkout has one there' : ''})`,
    `  files with content: ${source.realFiles.join(', ')}`,
    `  and ${source.placeholders} empty placeholders`,
  ];
}

function diffOf(result: FixResult, text: string, dockerfilePath: string): string {
  return [
    unifiedDiff(dockerfilePath, text, result.output),
    ...result.files.map((f) => unifiedDiff(f.path, f.before ?? '', f.after, f.before === null)),
  ].join('');
}
