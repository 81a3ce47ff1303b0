import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from './paths.js';

export interface Example {
  /** e.g. `go/mod-download-first/seed-naive` */
  readonly name: string;
  readonly dir: string;
  /** The transform the example belongs to (its parent directories), e.g. `go/mod-download-first`. */
  readonly transform: string;
}

/** Every directory under examples/ that holds a Dockerfile and a Dockerfile.expected. */
export function examples(): Example[] {
  const root = join(projectRoot, 'examples');
  const found: Example[] = [];
  const walk = (dir: string): void => {
    const names = readdirSync(dir);
    if (names.includes('Dockerfile') && names.includes('Dockerfile.expected')) {
      const name = relative(root, dir).split('\\').join('/');
      found.push({ name, dir, transform: name.split('/').slice(0, -1).join('/') });
      return;
    }
    for (const n of names) if (statSync(join(dir, n)).isDirectory()) walk(join(dir, n));
  };
  walk(root);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
