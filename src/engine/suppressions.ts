/**
 * Ignore comments, on their own line (Docker reads a `#` after an instruction as an argument):
 *   # cachefix-ignore                      the next instruction, every transform
 *   # cachefix-ignore go/trimpath,go/x     the next instruction, those transforms
 *   # cachefix-ignore-file [ids]           the whole file (among the comments before the first instruction)
 */
import type { ParsedDockerfile } from './parse.js';
import { lineText } from './source.js';

/** `all`, or the ids named. */
type Scope = 'all' | ReadonlySet<string>;

export interface Suppressions {
  /** Transforms switched off for the whole file. */
  readonly file: Scope | null;
  /** Instruction ranges and the transforms switched off there. */
  readonly ranges: readonly { readonly start: number; readonly end: number; readonly scope: Scope }[];
  /** Ignore comments that name unknown transforms, or a file-level one after the first instruction. */
  readonly warnings: readonly { readonly offset: number; readonly message: string }[];
}

const COMMENT = /^\s*#\s*cachefix-ignore(-file)?(?:\s+(\S.*?))?\s*$/;

/** `resolve` maps a former id to the transform's current one (src/engine/ids.ts), so old comments keep working. */
export function suppressions(doc: ParsedDockerfile, knownIds: readonly string[], resolve: (id: string) => string = (id) => id): Suppressions {
  let file: Scope | null = null;
  const ranges: { start: number; end: number; scope: Scope }[] = [];
  const warnings: { offset: number; message: string }[] = [];
  const firstInstruction = doc.instructions[0]?.start ?? doc.source.text.length;
  for (const line of [...doc.commentLines].sort((a, b) => a - b)) {
    const match = COMMENT.exec(lineText(doc.source, line));
    if (!match) continue;
    const offset = doc.source.lineStarts[line] ?? 0;
    const ids = (match[2] ?? '').split(/[\s,]+/).filter(Boolean);
    for (const id of ids.filter((i) => !knownIds.includes(i))) {
      warnings.push({ offset, message: `unknown transform id ${id} in this ignore comment (see cachefix --list)` });
    }
    const scope: Scope = ids.length === 0 ? 'all' : new Set(ids.map(resolve));
    if (match[1]) {
      if (offset > firstInstruction) warnings.push({ offset, message: '# cachefix-ignore-file must come before the first instruction; it was not applied' });
      else file = merge(file, scope);
      continue;
    }
    // the next instruction that starts after this comment (comments inside a continuation belong to it)
    const next = doc.instructions.find((i) => i.start > offset);
    const inside = doc.instructions.find((i) => i.start < offset && i.end > offset);
    const target = inside ?? next;
    if (target) ranges.push({ start: target.start, end: target.end, scope });
  }
  return { file, ranges, warnings };
}

function merge(a: Scope | null, b: Scope): Scope {
  if (a === null) return b;
  if (a === 'all' || b === 'all') return 'all';
  return new Set([...a, ...b]);
}

function covers(scope: Scope, id: string): boolean {
  return scope === 'all' || scope.has(id);
}

/** Whether transform `id` is switched off for the whole file. */
export function fileSuppressed(s: Suppressions, id: string): boolean {
  return s.file !== null && covers(s.file, id);
}

/** Whether anything at `[start, end]` (a change's location or one of its edits) is switched off for `id`. */
export function rangeSuppressed(s: Suppressions, id: string, start: number, end: number): boolean {
  // a point (an insertion, a location) inside the instruction; an edited span [start, end) overlapping it
  return s.ranges.some((r) => covers(r.scope, id) && (start === end ? start >= r.start && start <= r.end : start < r.end && end > r.start));
}
