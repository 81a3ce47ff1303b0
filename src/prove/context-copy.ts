/**
 * Copies a build context for `cachefix prove`, so the builds and the change never touch the user's
 * files. What `.dockerignore` keeps out of the build is not copied (a directory it excludes is skipped
 * whole unless a `!` line could bring part of it back); files keep their mode and times, symlinks
 * stay links. Copies are reflinks where the file system has them.
 */
import { chmodSync, constants, copyFileSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

export interface CopyRules {
  ignores(path: string): boolean;
  /** The rules re-include something (`!path`): an excluded directory may still hold a file the build sees. */
  readonly negations: boolean;
  /** Context paths copied whatever the rules say (the Dockerfile, the ignore file). */
  readonly always: ReadonlySet<string>;
}

/** Copies `from` into `to` (which must not exist); returns the context paths copied (files, links and directories). */
export function copyContext(from: string, to: string, rules: CopyRules): string[] {
  const copied: string[] = [];
  mkdirSync(to, { recursive: true });
  const visit = (path: string): void => {
    const source = join(from, path);
    for (const name of readdirSync(source)) {
      const relative = path === '' ? name : `${path}/${name}`;
      const info = lstatSync(join(from, relative));
      const ignored = !rules.always.has(relative) && rules.ignores(relative);
      const target = join(to, relative);
      if (info.isDirectory()) {
        if (ignored && !rules.negations) continue;
        mkdirSync(target);
        chmodSync(target, info.mode & 0o7777);
        visit(relative);
        utimesSync(target, info.atime, info.mtime);
        if (!ignored) copied.push(relative);
      } else if (ignored) continue;
      else if (info.isSymbolicLink()) {
        symlinkSync(readlinkSync(join(from, relative)), target);
        copied.push(relative);
      } else if (info.isFile()) {
        copyFileSync(join(from, relative), target, constants.COPYFILE_FICLONE);
        utimesSync(target, info.atime, info.mtime);
        copied.push(relative);
      }
      // sockets, FIFOs and devices: Docker refuses to send them, so they are left out
    }
  };
  visit('');
  return copied;
}
