/**
 * The registry: every transform, in the order the driver applies them. Order matters because each
 * transform sees the previous one's output: structural rewrites (splitting and moving instructions)
 * come before those that decorate single instructions (mounts, flags).
 */
import type { Transform } from '../src/transform.js';
import { buildCacheMount } from './go/build-cache-mount.js';
import { modDownloadFirst } from './go/mod-download-first.js';

export const transforms: readonly Transform[] = [modDownloadFirst, buildCacheMount];

export function transformById(id: string): Transform | undefined {
  return transforms.find((t) => t.id === id);
}
