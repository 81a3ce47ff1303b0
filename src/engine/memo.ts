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
