/** Git-style unified diffs (`--- a/PATH` / `+++ b/PATH`) that `git apply` and `patch -p1` accept. */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** Empty when nothing changed. A new file is diffed from /dev/null, as git does. */
export function unifiedDiff(path: string, before: string, after: string, created = false): string {
  if (before === after && !created) return '';
  return createTwoFilesPatch(created ? '/dev/null' : `a/${path}`, `b/${path}`, before, after, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
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
