/** pnpm-workspace.yaml: the workspace packages, and the settings pnpm 10 reads from it. */
import { parse } from 'yaml';

export interface PnpmWorkspace {
  /** `packages` globs, as written (`!` excludes kept). */
  readonly packages: readonly string[];
  /** `storeDir`, or null. */
  readonly storeDir: string | null;
  /** Files named by `patchedDependencies`. */
  readonly patchFiles: readonly string[];
}

/** The file's facts, or null when it is not YAML holding a mapping. */
export function readPnpmWorkspace(text: string): PnpmWorkspace | null {
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    return null;
  }
  if (data === null || data === undefined) return { packages: [], storeDir: null, patchFiles: [] };
  if (typeof data !== 'object' || Array.isArray(data)) return null;
  const record = data as Record<string, unknown>;
  const packages = Array.isArray(record['packages']) ? record['packages'].filter((p): p is string => typeof p === 'string') : [];
  const storeDir = typeof record['storeDir'] === 'string' ? record['storeDir'] : null;
  const patched = record['patchedDependencies'];
  const patchFiles = patched !== null && typeof patched === 'object' && !Array.isArray(patched) ? Object.values(patched).filter((v): v is string => typeof v === 'string') : [];
  return { packages, storeDir, patchFiles };
}
