/** A failure as it reads in a `PATH: reason` line: file-system codes in words, else its message. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'ENOENT') return 'no such file or directory';
    if (code === 'ELOOP') return 'too many levels of symbolic links';
    if (code === 'EROFS') return 'read-only file system';
    if (code === 'ENOSPC') return 'no space left on device';
    if (code === 'EISDIR') return 'is a directory';
    if (code === 'ENOTDIR') return 'not a directory';
    return error.message;
  }
  return String(error);
}
