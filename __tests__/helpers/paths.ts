import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of this package's package.json: found upwards, so it also holds when compiled (benches import the corpus helper). */
export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
export const sharedDir = join(projectRoot, '..', 'shared');
/** The corpus the corpus tests read: ../shared/corpus, or another with the same layout (a held-out half) in CACHEFIX_CORPUS. */
export const corpusDir = process.env.CACHEFIX_CORPUS ?? join(sharedDir, 'corpus');
/** How messages and expectations name corpusDir: the same on every machine for the shared one. */
export const corpusLabel = process.env.CACHEFIX_CORPUS ?? '../shared/corpus';
/** The built CLI; CACHEFIX_CLI points elsewhere (a private build, so parallel work does not share dist/). */
export const cliPath = process.env.CACHEFIX_CLI ?? join(projectRoot, 'dist', 'src', 'bin.cjs');
export const hasShared = existsSync(sharedDir);

function findProjectRoot(from: string): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'dockerfile-cachefix') return dir;
  }
  throw new Error(`no dockerfile-cachefix package.json above ${from}`);
}
