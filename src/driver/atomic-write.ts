/**
 * Replacing a file so that every reader, and every crash, sees either the old or the new content:
 * the text goes to a temporary file in the same directory, is flushed to disk, and is renamed over
 * the file. A symlink is written through: its target is replaced, the link stays a link.
 *
 * write-file-atomic does the same, but names its temporary file `<name>.<number>`: beside a
 * Dockerfile that is `Dockerfile.1234`, which matches `Dockerfile.*`, so a concurrent run could
 * pick it up and a file left by a killed run would be taken for a Dockerfile by the next one. Ours
 * are hidden and end in `.tmp`: `.Dockerfile.cachefix-<pid>-<random>.tmp`.
 */
import {
  accessSync, chmodSync, chownSync, closeSync, constants, fsyncSync, openSync, readdirSync, realpathSync,
  renameSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

const TEMP_INFIX = '.cachefix-';
const TEMP_SUFFIX = '.tmp';

/** Is this the name of one of our temporary files (of any file)? */
export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_INFIX) && name.endsWith(TEMP_SUFFIX);
}

/** The file a write to `path` replaces: the symlink's target, or `path` itself (also when it does not exist yet). */
export function writeTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Throws (with the system's error code) when `path` could not be replaced: its directory takes no
 * new file, or the file itself is read-only. Lets the driver refuse a fix before writing any part of it.
 */
export function checkWritable(path: string): void {
  const target = writeTarget(path);
  accessSync(dirname(target), constants.W_OK);
  if (statSync(target, { throwIfNoEntry: false })) accessSync(target, constants.W_OK);
}

export function writeFileAtomic(path: string, text: string): void {
  const target = writeTarget(path);
  const dir = dirname(target);
  const existing = statSync(target, { throwIfNoEntry: false });
  const { temp, fd } = createTemporary(dir, basename(target), existing ? 0o600 : 0o666);
  try {
    try {
      const bytes = Buffer.from(text, 'utf8');
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (existing) {
      // the replacement keeps the file's owner (when we may set it) and its permissions
      if (process.getuid?.() === 0) unlessUnsupported(() => chownSync(temp, existing.uid, existing.gid));
      unlessUnsupported(() => chmodSync(temp, existing.mode & 0o7777));
    }
    renameSync(temp, target);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw error;
  }
  syncDirectory(dir);
  removeStaleTemporaries(dir, basename(target));
}

/**
 * A new temporary file beside the target: `.NAME.cachefix-PID-RANDOM.tmp`, opened with 'wx' so that
 * a name someone else holds is never reused (another name is tried). A new file gets the umask's mode.
 */
function createTemporary(dir: string, name: string, mode: number): { temp: string; fd: number } {
  for (let attempt = 0; ; attempt++) {
    // Math.random, not node:crypto: the name only has to differ from the other writers' (the CLI's start-up counts)
    const random = Math.floor(Math.random() * 0x100000000).toString(16);
    const temp = join(dir, `.${name}${TEMP_INFIX}${process.pid}-${random}${TEMP_SUFFIX}`);
    try {
      return { temp, fd: openSync(temp, 'wx', mode) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 10) throw error;
    }
  }
}

/** File systems without owners or modes (FAT, some network mounts) refuse chown and chmod: keep going. */
function unlessUnsupported(change: () => void): void {
  try {
    change();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EINVAL' && code !== 'ENOSYS') throw error;
  }
}

/** Makes the rename itself durable; some file systems cannot sync a directory, which is harmless. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}

/**
 * A run killed between creating its temporary file and the rename (SIGKILL, power loss) leaves it
 * behind; the next write of the same file removes it, unless the process that made it still runs.
 */
function removeStaleTemporaries(dir: string, name: string): void {
  const prefix = `.${name}${TEMP_INFIX}`;
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((e) => e.startsWith(prefix) && e.endsWith(TEMP_SUFFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    try {
      unlinkSync(join(dir, entry));
    } catch {
      // someone else removed it
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}
