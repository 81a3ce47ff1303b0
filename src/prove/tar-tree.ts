/**
 * Reads a tar stream (`docker export`, `podman export`) into an image file tree: each entry's kind,
 * permission bits, size and sha256, without holding the files in memory. Pure: chunks in, a tree out.
 * Understands ustar, PAX extended headers (long paths, large sizes) and GNU long names.
 */
import { createHash, type Hash } from 'node:crypto';
import type { TreeEntry } from './image-compare.js';
import { goBuildInfo } from './go-buildinfo.js';

const BLOCK = 512;
/** Binaries larger than this are hashed without reading their Go build info. */
export const MAX_BINARY = 512 * 1024 * 1024;

interface Pending {
  readonly path: string;
  readonly type: string;
  readonly mode: number;
  readonly size: number;
  readonly link: string;
}

export class TarTree {
  readonly files = new Map<string, TreeEntry>();
  private buffer: Buffer = Buffer.alloc(0);
  /** The entry whose data is being read, and how many bytes of it (padding included) remain. */
  private current: { entry: Pending; remaining: number; padded: number; hash: Hash; head: Buffer; data: Buffer[] | null } | null = null;
  private pax: Record<string, string> = {};
  private longName: string | null = null;
  private longLink: string | null = null;
  private ended = false;

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.ended) return;
      if (this.current) {
        if (!this.consumeData()) return;
        continue;
      }
      if (this.buffer.length < BLOCK) return;
      const header = this.buffer.subarray(0, BLOCK);
      this.buffer = this.buffer.subarray(BLOCK);
      if (header.every((b) => b === 0)) {
        this.ended = true;
        return;
      }
      this.startEntry(header);
    }
  }

  private startEntry(header: Buffer): void {
    const field = (start: number, length: number) => {
      const raw = header.subarray(start, start + length);
      const end = raw.indexOf(0);
      return raw.subarray(0, end === -1 ? length : end).toString('utf8');
    };
    const type = field(156, 1) || '0';
    const prefix = header.subarray(257, 262).toString('latin1') === 'ustar' ? field(345, 155) : '';
    const name = field(0, 100);
    const path = this.pax.path ?? this.longName ?? (prefix ? `${prefix}/${name}` : name);
    const size = this.pax.size !== undefined ? Number(this.pax.size) : numeric(header.subarray(124, 136));
    const entry: Pending = { path, type, mode: numeric(header.subarray(100, 108)) & 0o7777, size, link: this.pax.linkpath ?? this.longLink ?? field(157, 100) };
    const meta = isMeta(type);
    if (!meta) {
      this.pax = {};
      this.longName = null;
      this.longLink = null;
    }
    const hasData = type === '0' || type === '7' || meta;
    const dataSize = hasData ? size : 0;
    // a file's bytes are kept until they show it is not an ELF binary (a Go binary's build info is read from them)
    const keep = meta || ((type === '0' || type === '7') && size <= MAX_BINARY);
    this.current = { entry, remaining: dataSize, padded: Math.ceil(dataSize / BLOCK) * BLOCK - dataSize, hash: createHash('sha256'), head: Buffer.alloc(0), data: keep ? [] : null };
  }

  /** Reads what it can of the current entry's data; true when the entry is complete. */
  private consumeData(): boolean {
    const current = this.current;
    if (current === null) return true;
    if (current.remaining > 0) {
      const take = Math.min(current.remaining, this.buffer.length);
      const piece = this.buffer.subarray(0, take);
      current.hash.update(piece);
      if (current.head.length < 4) current.head = Buffer.concat([current.head, piece.subarray(0, 4 - current.head.length)]);
      current.data?.push(Buffer.from(piece));
      if (current.head.length >= 4 && !isElf(current.head) && !isMeta(current.entry.type)) current.data = null;
      current.remaining -= take;
      this.buffer = this.buffer.subarray(take);
      if (current.remaining > 0) return false;
    }
    if (this.buffer.length < current.padded) {
      current.padded -= this.buffer.length;
      this.buffer = Buffer.alloc(0);
      return false;
    }
    this.buffer = this.buffer.subarray(current.padded);
    this.current = null;
    this.finish(current.entry, current.hash.digest('hex'), current.head, current.data);
    return true;
  }

  private finish(entry: Pending, hash: string, head: Buffer, data: Buffer[] | null): void {
    const text = () => Buffer.concat(data ?? []).toString('utf8');
    switch (entry.type) {
      case 'x':
        this.pax = paxRecords(text());
        return;
      case 'g':
        return;
      case 'L':
        this.longName = text().replace(/\0+$/, '');
        return;
      case 'K':
        this.longLink = text().replace(/\0+$/, '');
        return;
    }
    const path = imagePath(entry.path);
    if (path === '/') return;
    if (entry.type === '0' || entry.type === '7') {
      const elf = isElf(head);
      this.files.set(path, { kind: 'file', mode: entry.mode, size: entry.size, hash, elf, ...(elf && data ? { goBuild: goBuildLines(Buffer.concat(data)) } : {}) });
    }
    else if (entry.type === '1') {
      const target = this.files.get(imagePath(entry.link));
      this.files.set(path, target ? { ...target, mode: entry.mode } : { kind: 'file', mode: entry.mode, size: 0, hash: `hardlink ${entry.link}`, elf: false });
    } else if (entry.type === '2') this.files.set(path, { kind: 'symlink', mode: 0o777, size: 0, hash: entry.link, elf: false });
    else if (entry.type === '5') this.files.set(path, { kind: 'dir', mode: entry.mode, size: 0, hash: '', elf: false });
    else this.files.set(path, { kind: 'other', mode: entry.mode, size: 0, hash: entry.type, elf: false });
  }
}

function isMeta(type: string): boolean {
  return type === 'x' || type === 'g' || type === 'L' || type === 'K';
}

/** The build info as the comparison uses it: the Go version first, then the module info lines. */
export function goBuildLines(binary: Buffer): readonly string[] | null {
  const info = goBuildInfo(binary);
  return info ? [`go\t${info.version}`, ...info.lines] : null;
}

/** A tar member name as an absolute image path: `./usr/bin/` -> `/usr/bin`. */
export function imagePath(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/** An octal field, or GNU base-256 when its first byte has the high bit set. */
function numeric(field: Buffer): number {
  if ((field[0] ?? 0) & 0x80) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** PAX records: `LEN key=value\n`, LEN counting the whole record in bytes. */
function paxRecords(text: string): Record<string, string> {
  const records: Record<string, string> = {};
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    const space = bytes.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number(bytes.subarray(offset, space).toString('latin1'));
    if (!Number.isFinite(length) || length <= 0) break;
    const record = bytes.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    offset += length;
  }
  return records;
}
