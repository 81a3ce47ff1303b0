/** The package version, read from the package.json above this module (works from src/ and dist/src/). */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dockerfile-cachefix' && pkg.version) return pkg.version;
    } catch {
      // not there; try the next level up
    }
  }
  return 'unknown';
}
