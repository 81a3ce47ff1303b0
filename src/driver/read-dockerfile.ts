/**
 * Reading a Dockerfile from disk for the driver, refusing what is not one: each refusal is an
 * UnusableFileError whose message is the one-line reason shown as `PATH: reason`.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** A Dockerfile is a few kilobytes; past this size it is not one, and parsing it would take minutes. */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

export class UnusableFileError extends Error {
  override readonly name = 'UnusableFileError';
}

/**
 * The file's text. Opened without blocking, so a FIFO given by mistake is refused instead of
 * waiting for a writer; the type and size come from the open descriptor, so a file swapped after a
 * stat cannot slip past the checks.
 */
export function readDockerfile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new UnusableFileError('is a directory');
    if (!info.isFile()) throw new UnusableFileError('not a regular file (a FIFO, socket or device)');
    if (info.size > MAX_DOCKERFILE_BYTES) throw new UnusableFileError(tooLarge(info.size));
    return decodeDockerfile(readAtMost(fd, info.size, MAX_DOCKERFILE_BYTES));
  } finally {
    closeSync(fd);
  }
}

/** Reads until end of file, refusing more than `limit` bytes (the file may grow after the fstat). */
function readAtMost(fd: number, expected: number, limit: number): Buffer {
  let buffer = Buffer.allocUnsafe(Math.min(expected, limit) + 1); // one more byte: growth shows at once
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > limit) throw new UnusableFileError(tooLarge(length));
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, limit + 1));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const n = readSync(fd, buffer, length, buffer.length - length, null);
    if (n === 0) return buffer.subarray(0, length);
    length += n;
  }
}

function tooLarge(size: number): string {
  return `too large for a Dockerfile (${size} bytes; the limit is ${MAX_DOCKERFILE_BYTES} bytes)`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Dockerfiles are UTF-8 text; anything else is refused rather than mangled (a lenient decoder
 * would write U+FFFD back in place of the bytes it could not read). The BOM is kept.
 */
export function decodeDockerfile(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new UnusableFileError('empty file (Docker refuses a Dockerfile without instructions)');
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) throw new UnusableFileError('UTF-16 text; Dockerfiles are UTF-8');
  if (bytes.includes(0)) throw new UnusableFileError('binary file (contains NUL bytes)');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new UnusableFileError('not valid UTF-8');
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}
