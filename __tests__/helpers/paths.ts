import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = join(projectRoot, '..', 'shared');
export const corpusDir = join(sharedDir, 'corpus');
/** The built CLI; CACHEFIX_CLI points elsewhere (a private build, so parallel work does not share dist/). */
export const cliPath = process.env.CACHEFIX_CLI ?? join(projectRoot, 'dist', 'src', 'bin.js');
export const hasShared = existsSync(sharedDir);
