/** Git-style unified diffs (`--- a/PATH` / `+++ b/PATH`) that `git apply` and `patch -p1` accept. */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** Empty when nothing changed. A new file is diffed from /dev/null, as git does. */
export function unifiedDiff(path: string, before: string, after: string, created = false): string {
  if (before === after && !created) return '';
  const oldName = created ? '/dev/null' : `a/${path}`;
  const patch = createTwoFilesPatch(oldName, `b/${path}`, before, after, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
    // jsdiff is quadratic on large rewrites; past this, show the whole file replaced
    timeout: DIFF_TIMEOUT_MS,
  });
  return patch ?? wholeFilePatch(oldName, `b/${path}`, before, after);
}

const DIFF_TIMEOUT_MS = 2000;

/** A correct (if unminimised) patch: every old line removed, every new line added. */
function wholeFilePatch(oldName: string, newName: string, before: string, after: string): string {
  const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  const a = lines(before);
  const b = lines(after);
  const noEol = (text: string) => (text !== '' && !text.endsWith('\n') ? ['\\ No newline at end of file'] : []);
  return [
    `--- ${oldName}`,
    `+++ ${newName}`,
    `@@ -${a.length === 0 ? 0 : 1},${a.length} +${b.length === 0 ? 0 : 1},${b.length} @@`,
    ...a.map((l) => `-${l}`),
    ...noEol(before),
    ...b.map((l) => `+${l}`),
    ...noEol(after),
    '',
  ].join('\n');
}

export interface Painter {
  red(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  bold(text: string): string;
}

export function colorDiff(diff: string, paint: Painter): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return paint.bold(line);
      if (line.startsWith('@@')) return paint.cyan(line);
      if (line.startsWith('+')) return paint.green(line);
      if (line.startsWith('-')) return paint.red(line);
      return line;
    })
    .join('\n');
}
