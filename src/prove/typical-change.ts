/**
 * The file a typical source edit touches, when the user names none: a source file (not a manifest,
 * lockfile or build file) that the build copies, as `cachefix explain` sees it. Pure.
 */
import { basename, extname } from 'node:path';
import { type BuilderRules, predictCache } from '../explain/cache-model.js';
import type { ParsedDockerfile } from '../engine/parse.js';

const CODE = new Set('.go .py .js .mjs .cjs .ts .tsx .jsx .mts .rs .java .kt .scala .c .cc .cpp .h .hpp .rb .php .cs .swift .ex .exs .dart .vue .svelte'.split(' '));

/** Source files whose edit would rerun something, best first: `main.go` before `internal/x/y.go`. */
export function typicalChange(doc: ParsedDockerfile, files: readonly string[], options: { target: string | null; ignores: (path: string) => boolean; builder: BuilderRules }): string | null {
  const candidates = files.filter((f) => CODE.has(extname(f).toLowerCase()) && !options.ignores(f)).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const file of candidates.slice(0, 50)) {
    const prediction = predictCache(doc, { changes: { files: [file], args: [] }, ignores: options.ignores, target: options.target, builder: options.builder });
    if (prediction.rerun > 0) return file;
  }
  return null;
}

function rank(path: string): number {
  const name = basename(path).toLowerCase();
  const test = /(_test\.go|\.test\.|\.spec\.|^test_)/.test(name) || path.split('/').some((p) => p === 'test' || p === 'tests' || p === '__tests__');
  const entry = /^(main|index|app|server|lib)\./.test(name);
  return (test ? 100 : 0) + (entry ? 0 : 10) + path.split('/').length;
}
