/** The Go source files of a build context, found through the BuildContext view (bounded). */
import type { BuildContext } from '../../context/context.js';

/** Directories Go itself ignores or that hold other people's code. */
const SKIPPED = new Set(['vendor', 'testdata', 'node_modules', '.git']);
export const MAX_GO_FILES = 5000;

/** Context-relative paths of `.go` files, or null when there are more than `limit` (a check must then skip). */
export function goSourceFiles(build: BuildContext, limit = MAX_GO_FILES): string[] | null {
  const found: string[] = [];
  const pending = [''];
  while (pending.length > 0) {
    const dir = pending.pop() ?? '';
    for (const entry of build.list(dir) ?? []) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.directory) {
        if (!SKIPPED.has(entry.name) && !entry.name.startsWith('_') && !entry.name.startsWith('.')) pending.push(path);
      } else if (entry.name.endsWith('.go')) {
        found.push(path);
        if (found.length > limit) return null;
      }
    }
  }
  return found.sort();
}
