/** Finds Dockerfiles under the paths given on the command line. */
import type * as ChildProcess from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDockerfileName } from '../context/dockerfile-names.js';
import { isTemporaryName } from './atomic-write.js';
import { messageOf } from './error-message.js';

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

export interface Discovered {
  readonly files: readonly string[];
  /** Paths that could not be used, with the reason. */
  readonly errors: readonly { path: string; reason: string }[];
}

/**
 * Explicit files are taken as they are; directories are searched recursively (symlinked directories
 * are not followed) and git-ignored files are left out. The result is sorted and free of duplicates.
 * A directory given explicitly that holds no Dockerfile is an error, as a file that does not exist
 * is: the user named it expecting something to be checked. So is a directory that cannot be read.
 */
export function discover(paths: readonly string[], alsoTake: (file: string) => boolean = () => false): Discovered {
  const files: string[] = [];
  const errors: { path: string; reason: string }[] = [];
  for (const path of paths) {
    let info;
    try {
      info = statSync(path, { throwIfNoEntry: false });
    } catch (error) {
      errors.push({ path, reason: (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'too many levels of symbolic links' : String(error) });
      continue;
    }
    if (!info) {
      errors.push({ path, reason: 'no such file or directory' });
    } else if (info.isDirectory()) {
      const errorsBefore = errors.length;
      const found = walk(path, alsoTake, errors);
      const kept = withoutGitIgnored(path, found);
      if (kept.length === 0 && errors.length === errorsBefore) {
        const ignored = found.length > 0 ? ` (${found.length} git-ignored)` : '';
        errors.push({ path, reason: `no Dockerfile found in this directory${ignored}` });
      }
      files.push(...kept);
    } else {
      files.push(path);
    }
  }
  return { files: [...new Set(files)].sort(), errors };
}

function walk(dir: string, alsoTake: (file: string) => boolean, errors: { path: string; reason: string }[]): string[] {
  const found: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    // a directory removed while we walk held nothing to check; any other failure hides Dockerfiles
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') errors.push({ path: dir, reason: messageOf(error) });
    return found;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) found.push(...walk(path, alsoTake, errors));
    } else if (isTemporaryName(entry.name)) {
      continue; // another run's write in progress, or one left by a killed run
    } else if (entry.isFile() && (isDockerfileName(entry.name) || alsoTake(path))) {
      found.push(path);
    } else if (entry.isSymbolicLink() && isDockerfileName(entry.name) && isFileThroughLink(path)) {
      found.push(path); // a dangling or looping link found while walking is not the user's request: pass it by
    }
  }
  return found;
}

function isFileThroughLink(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

/** Asks git itself, so nested .gitignore files, global excludes and .git/info/exclude all count. */
function withoutGitIgnored(dir: string, files: string[]): string[] {
  if (files.length === 0) return files;
  // loaded here, not at start-up: only a directory walk asks git, and a hook run on files pays ~2 ms for it
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof ChildProcess;
  const result = spawnSync('git', ['-C', dir, 'check-ignore', '--stdin', '-z'], {
    input: files.map((f) => `${relativeTo(dir, f)}\0`).join(''),
    encoding: 'utf8',
  });
  // status 0: some ignored; 1: none ignored; 128 or an error: not a git work tree, keep everything
  if (result.status !== 0) return files;
  const ignored = new Set(result.stdout.split('\0').filter(Boolean));
  return files.filter((f) => !ignored.has(relativeTo(dir, f)));
}

function relativeTo(dir: string, file: string): string {
  return file.slice(dir.length).replace(/^[/\\]+/, '');
}
