/**
 * Remembering what a pure reading of a text gave: several transforms read the same manifest (go.mod,
 * package.json, pom.xml, Cargo.toml) in every pass of the fix loop, and a run over a directory meets
 * the same texts again. The results are shared, so they must be treated as read-only.
 */

/** `read`, remembered for the last `max` distinct texts (all forgotten at once when full: no bookkeeping per hit). */
export function perText<T>(read: (text: string) => T, max = 64): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    if (known.has(text)) return known.get(text) as T;
    if (known.size >= max) known.clear();
    const value = read(text);
    known.set(text, value);
    return value;
  };
}

/** Reads files by path: a build context's readFile. */
export type ReadFile = (path: string) => string | null;

/**
 * `compute(key, read)`, remembered per key while every file it read still reads the same: a pure
 * reading of several files whose names it discovers as it goes (a Makefile and the ones it
 * includes). Each pass of the fix loop, and every transform in it, asks again with a fresh view of
 * the context; checking the few texts read costs a lookup each, reading them again a parse. The
 * last `max` keys are kept (all forgotten at once when full).
 */
export function perFilesRead<T>(compute: (key: string, read: ReadFile) => T, max = 64): (key: string, read: ReadFile) => T {
  const known = new Map<string, { readonly reads: readonly (readonly [string, string | null])[]; readonly value: T }>();
  return (key, read) => {
    const entry = known.get(key);
    if (entry !== undefined && entry.reads.every(([path, text]) => read(path) === text)) return entry.value;
    const reads: [string, string | null][] = [];
    const value = compute(key, (path) => {
      const text = read(path);
      reads.push([path, text]);
      return text;
    });
    if (known.size >= max) known.clear();
    known.set(key, { reads, value });
    return value;
  };
}
