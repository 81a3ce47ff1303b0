import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = join(projectRoot, '..', 'shared');
export const corpusDir = join(sharedDir, 'corpus');
export const cliPath = join(projectRoot, 'dist', 'src', 'bin.js');
export const hasShared = existsSync(sharedDir);
