/** The package version, read from the package.json above this module (works from src/driver/ and dist/src/driver/), or set by the bundler. */
import { readFileSync } from 'node:fs';

/** Replaced by the version itself in the bundled CLI (scripts/bundle.mjs), whose chunks sit elsewhere. */
declare const CACHEFIX_BUNDLED_VERSION: string | undefined;

export function packageVersion(): string {
  if (typeof CACHEFIX_BUNDLED_VERSION === 'string') return CACHEFIX_BUNDLED_VERSION;
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dockerfile-cachefix' && pkg.version) return pkg.version;
    } catch {
      // not there; try the next level up
    }
  }
  return 'unknown';
}
