/**
 * Absolute paths inside the image being built: resolving a path against a WORKDIR, and asking whether
 * two instructions can touch the same files. Used by transforms that reorder instructions, where two
 * steps may swap only if neither reads or writes what the other does.
 */
import { type BuildContext, normalizePath } from '../context/context.js';
import { copySpec, effectiveWorkdir, globMatches } from './instructions.js';
import type { Instruction, ParsedDockerfile, Stage } from './parse.js';

/**
 * `path` as an absolute, normalized image path (`/app/bin`), resolved against `workdir`; null when it
 * cannot be known: a variable, a quote, a Windows path, or a relative path with an unknown WORKDIR.
 */
export function imagePath(workdir: string | null, path: string): string | null {
  if (/[$"'`\\]|^[A-Za-z]:/.test(path)) return null;
  if (path.startsWith('/')) return `/${normalizePath(path)}`;
  if (workdir === null) return null;
  return `/${normalizePath(`${workdir}/${path}`)}`;
}

/** The directory part before the first glob character: `/var/lib/apt/lists/*` → `/var/lib/apt/lists`. */
export function globFreePrefix(path: string): string {
  const glob = path.search(/[*?[]/);
  if (glob < 0) return path;
  const slash = path.lastIndexOf('/', glob);
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** Whether `ancestor` is `path` or one of its parent directories (both absolute and normalized). */
export function isSameOrInside(path: string, ancestor: string): boolean {
  if (ancestor === '/') return true;
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

/** Whether two absolute paths can name the same file: equal, or one inside the other. */
export function pathsOverlap(a: string, b: string): boolean {
  return isSameOrInside(a, b) || isSameOrInside(b, a);
}

/**
 * The image paths a COPY/ADD writes, a directory standing for everything under it; null when the
 * destination cannot be resolved. A context file copied into a directory writes only `<dest>/<name>`
 * (a glob in the last segment is resolved in the context); a directory, a missing, remote or
 * `--from` source may write anything under the destination.
 */
export function copyWrites(doc: ParsedDockerfile, stage: Stage, copy: Instruction, build: BuildContext): string[] | null {
  const spec = copySpec(copy);
  if (!spec) return null;
  const dest = imagePath(effectiveWorkdir(doc, stage, copy), spec.dest);
  if (dest === null) return null;
  const intoDirectory = spec.sources.length > 1 || /[/\\]$/.test(spec.dest) || spec.dest === '.';
  if (!intoDirectory) return [dest];
  const prefix = dest === '/' ? '' : dest;
  return spec.sources.flatMap((source) => {
    if (spec.from !== null || /:\/\//.test(source)) return [dest];
    const path = normalizePath(source);
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    // a glob in the last segment: what it matches in the context (a directory's contents may go anywhere below dest)
    const matches = /[*?[]/.test(name) && !/[*?[]/.test(dir)
      ? (build.list(dir) ?? []).filter((e) => globMatches(name, e.name)).map((e) => (dir === '' ? e.name : `${dir}/${e.name}`))
      : [path];
    if (matches.length === 0 && /[*?[]/.test(path)) return [];
    return matches.map((match) => {
      const plainFile = match !== '' && !/[*?[]/.test(match) && build.exists(match) && build.list(match) === null;
      return plainFile ? `${prefix}/${match.split('/').pop() ?? ''}` : dest;
    });
  });
}
