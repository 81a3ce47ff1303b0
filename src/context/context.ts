/**
 * The build context as transforms see it: a read-only view, with paths relative to the context root
 * in POSIX form (`go.mod`, `vendor/modules.txt`). The file-system implementation lives in the driver;
 * tests use the in-memory one.
 */
export interface ContextEntry {
  readonly name: string;
  readonly directory: boolean;
}

export interface BuildContext {
  /** Where the context is, for messages (a directory path, or `<memory>`). */
  readonly description: string;
  exists(path: string): boolean;
  /** The text of a small file, or null when it is missing, a directory, or too large to read. */
  readFile(path: string): string | null;
  /** The entries of a directory, or null when it is not one. */
  list(path: string): readonly ContextEntry[] | null;
  /**
   * `<Dockerfile>.dockerignore` when it lies outside the context (beside a Dockerfile that is not in
   * it): BuildKit still uses it. `path` is for messages only.
   */
  readonly dockerfileIgnore?: { readonly path: string; readonly text: string } | null;
}

/** Largest file a transform may read from the context (go.mod, .dockerignore, Go sources). */
export const MAX_CONTEXT_FILE_BYTES = 1024 * 1024;

/** A build context held in memory: `{ 'go.mod': 'module x', 'cmd/app/main.go': '...' }`. */
export function memoryContext(files: Readonly<Record<string, string>>, description = '<memory>'): BuildContext {
  const normalized = new Map(Object.entries(files).map(([path, text]) => [normalizePath(path), text]));
  const isDirectory = (path: string): boolean => {
    const prefix = path === '' ? '' : `${path}/`;
    return [...normalized.keys()].some((file) => file.startsWith(prefix));
  };
  return {
    description,
    exists: (path) => normalized.has(normalizePath(path)) || isDirectory(normalizePath(path)),
    readFile: (path) => normalized.get(normalizePath(path)) ?? null,
    list: (path) => {
      const dir = normalizePath(path);
      if (!isDirectory(dir)) return null;
      const prefix = dir === '' ? '' : `${dir}/`;
      const entries = new Map<string, boolean>();
      for (const file of normalized.keys()) {
        if (!file.startsWith(prefix)) continue;
        const [name, ...rest] = file.slice(prefix.length).split('/');
        if (name) entries.set(name, (entries.get(name) ?? false) || rest.length > 0);
      }
      return [...entries].map(([name, directory]) => ({ name, directory }));
    },
  };
}

/** `./a//b/` → `a/b`; `.` → `` (the context root). */
export function normalizePath(path: string): string {
  // most paths asked are already normal (`go.mod`, `cmd/app`): no walk over their parts
  if (!/\\|\/\/|^\/|\/$|(^|\/)\.\.?(\/|$)/.test(path)) return path;
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/**
 * The context as it will be once `files` (context-relative path → new text) are written: transforms
 * of later passes, and other Dockerfiles sharing the context, see the pending writes.
 */
export function withPendingFiles(base: BuildContext, files: ReadonlyMap<string, string>): BuildContext {
  if (files.size === 0) return base;
  const pending = (path: string) => files.get(normalizePath(path));
  return {
    description: base.description,
    dockerfileIgnore: base.dockerfileIgnore ?? null,
    exists: (path) => pending(path) !== undefined || base.exists(path),
    readFile: (path) => pending(path) ?? base.readFile(path),
    list: (path) => {
      const listed = base.list(path);
      const dir = normalizePath(path);
      const prefix = dir === '' ? '' : `${dir}/`;
      const added = [...files.keys()]
        .filter((file) => file.startsWith(prefix) && !file.slice(prefix.length).includes('/'))
        .map((file) => file.slice(prefix.length))
        .filter((name) => !listed?.some((e) => e.name === name))
        .map((name) => ({ name, directory: false }));
      if (!listed && added.length === 0) return null;
      return [...(listed ?? []), ...added];
    },
  };
}
