/**
 * Stack traces of the minified CLI bundle, read back through its source map. The bundle is minified
 * because a smaller file starts faster (a pre-commit hook pays for it on every commit); an internal
 * error's report must still say where in the sources it happened. Pure: the map is handed in.
 */

/** What node:module's SourceMap#findEntry answers (0-based; an empty object when nothing maps). */
export interface SourceMapEntry {
  readonly originalSource?: string;
  readonly originalLine?: number;
  readonly originalColumn?: number;
}

export type FindEntry = (line: number, column: number) => SourceMapEntry;

/**
 * `stack` with every `BUNDLE:LINE:COLUMN` position (1-based, as V8 writes them) replaced by the
 * source position it was built from (`src/engine/fixer.ts:120:5`). Positions that map nowhere stay as they are.
 */
export function originalStack(stack: string, bundlePath: string, findEntry: FindEntry): string {
  const escaped = bundlePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return stack.replace(new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g'), (whole, line: string, column: string) => {
    const entry = findEntry(Number(line) - 1, Number(column) - 1);
    if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return whole;
    return `${sourcePath(entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** esbuild names sources relative to the map (`../../src/engine/fixer.ts`): the project path reads better. */
function sourcePath(source: string): string {
  return source.replace(/^(?:\.\.\/)+/, '');
}
