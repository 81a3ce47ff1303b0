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

/** Everything below the review line, derived from the tool's behaviour on the file. */
export function renderExpectation(entry: CorpusEntry): string {
  const text = readFileSync(entry.path, 'utf8');
  const safe = fixText(text, { context: entry.context, dockerfilePath: 'Dockerfile' });
  const unsafe = fixText(text, { context: entry.context, dockerfilePath: 'Dockerfile', unsafe: true });
  const safeKeys = new Set(safe.changes.map((c) => `${c.transform}:${c.line}`));
  const unsafeOnly = unsafe.changes.filter((c) => !safeKeys.has(`${c.transform}:${c.line}`));
  return [
    `context (from MANIFEST facts): ${contextFiles(entry)}`,
    `status: ${safe.output === text && safe.files.length === 0 ? 'unchanged' : 'changed'}`,
    '',
    'changes:',
    ...lines(safe.changes.map((c) => `line ${c.line} ${c.transform}: ${c.detail ?? c.rationale}`)),
    'skips:',
    ...lines(safe.skips.map((s) => `line ${s.line} ${s.transform}: ${s.reason}`)),
    'unsafe adds:',
    ...lines(unsafeOnly.map((c) => `line ${c.line} ${c.transform}: ${c.detail ?? c.rationale}`)),
    'diff:',
    diffOf(safe, text),
  ].join('\n');
}

function lines(items: readonly string[]): string[] {
  return items.length === 0 ? ['  (none)'] : items.map((item) => `  ${item}`);
}

function contextFiles(entry: CorpusEntry): string {
  return entry.contextFiles.length === 0 ? '(empty)' : entry.contextFiles.join(', ');
}

function diffOf(result: FixResult, text: string): string {
  return [
    unifiedDiff('Dockerfile', text, result.output),
    ...result.files.map((f) => unifiedDiff(f.path, f.before ?? '', f.after, f.before === null)),
  ].join('');
}
