/** The build context on disk, read-only, for the driver. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildContext, MAX_CONTEXT_FILE_BYTES, normalizePath } from './context.js';

export function fsContext(root: string): BuildContext {
  const resolve = (path: string): string => join(root, normalizePath(path));
  const stat = (path: string) => statSync(resolve(path), { throwIfNoEntry: false });
  return {
    description: root,
    exists: (path) => stat(path) !== undefined,
    readFile: (path) => {
      const info = stat(path);
      if (!info?.isFile() || info.size > MAX_CONTEXT_FILE_BYTES) return null;
      try {
        return readFileSync(resolve(path), 'utf8');
      } catch {
        return null;
      }
    },
    list: (path) => {
      try {
        return readdirSync(resolve(path), { withFileTypes: true }).map((e) => ({ name: e.name, directory: e.isDirectory() }));
      } catch {
        return null;
      }
    },
  };
}
