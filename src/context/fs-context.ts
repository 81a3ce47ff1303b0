/**
 * The build context on disk, read-only, for the driver. Each answer is remembered, so one fix sees
 * one consistent context even when another process changes it meanwhile: a .dockerignore that
 * appears between two reads must not make a transform extend a file it saw missing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildContext, type ContextEntry, MAX_CONTEXT_FILE_BYTES, normalizePath } from './context.js';

export function fsContext(root: string): BuildContext {
  const resolve = (path: string): string => join(root, normalizePath(path));
  // a symlink loop or an unreadable directory in the context is a file we cannot see, not a failure
  const stat = remembered((path) => {
    try {
      return statSync(resolve(path), { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
  });
  return {
    description: root,
    exists: (path) => stat(path) !== undefined,
    readFile: remembered((path) => {
      const info = stat(path);
      if (!info?.isFile() || info.size > MAX_CONTEXT_FILE_BYTES) return null;
      try {
        return readFileSync(resolve(path), 'utf8');
      } catch {
        return null;
      }
    }),
    list: remembered((path): readonly ContextEntry[] | null => {
      try {
        return readdirSync(resolve(path), { withFileTypes: true }).map((e) => ({ name: e.name, directory: e.isDirectory() }));
      } catch {
        return null;
      }
    }),
  };
}

/** The first answer for each (normalized) path. */
function remembered<T>(look: (path: string) => T): (path: string) => T {
  const answers = new Map<string, T>();
  return (path) => {
    const key = normalizePath(path);
    if (!answers.has(key)) answers.set(key, look(path));
    return answers.get(key) as T;
  };
}
