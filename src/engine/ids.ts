/**
 * Transform ids as users write them. A renamed transform keeps its old ids (`formerIds`, e.g.
 * go/hoist-independent-run, now docker/hoist-independent-run): everything that reads an id from a
 * user (--only/--skip, config files, ignore comments, the public API) resolves it here, so an old
 * id keeps meaning the same transform.
 */
import type { Transform } from './transform.js';

/** Every id a user may write: current ids, then former ones. */
export function acceptedIds(transforms: readonly Transform[]): string[] {
  return [...transforms.map((t) => t.id), ...transforms.flatMap((t) => t.formerIds ?? [])];
}

/** Maps a former id to the current one; a current or unknown id comes back as it is. */
export function idResolver(transforms: readonly Transform[]): (id: string) => string {
  const current = new Map(transforms.flatMap((t) => (t.formerIds ?? []).map((former) => [former, t.id] as const)));
  return (id) => current.get(id) ?? id;
}
