/** The Go source files of a build context, found through the BuildContext view (bounded). */
import type { BuildContext } from '../../context/context.js';

/** Directories Go itself ignores or that hold other people's code. */
const SKIPPED = new Set(['vendor', 'testdata', 'node_modules', '.git']);
export const MAX_GO_FILES = 5000;

/**
 * Context-relative paths of `.go` files, or null when there are more than `limit` (a check must then skip).
 * One walk per context view: several transforms ask, in every pass of the fix loop, and a view's
 * answers never change (the file-system view remembers each one).
 */
export function goSourceFiles(build: BuildContext, limit = MAX_GO_FILES): readonly string[] | null {
  let byLimit = walks.get(build);
  if (!byLimit) walks.set(build, (byLimit = new Map()));
  if (!byLimit.has(limit)) byLimit.set(limit, walk(build, limit));
  return byLimit.get(limit) ?? null;
}

const walks = new WeakMap<BuildContext, Map<number, readonly string[] | null>>();

function walk(build: BuildContext, limit: number): readonly string[] | null {
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
