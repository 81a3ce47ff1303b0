/** Chooses the transforms a run applies, from --only, --skip and --unsafe. */
import { idResolver } from './ids.js';
import type { Transform } from './transform.js';

export interface Selection {
  /** Ids to run, whatever their safety; empty means "all safe ones (and unsafe with `unsafe`)". */
  readonly only: readonly string[];
  readonly skip: readonly string[];
  readonly unsafe: boolean;
  /** false: the builder has no `RUN --mount` (classic builder, kaniko); mount-based transforms are off. */
  readonly mounts?: boolean;
}

export class UnknownTransformError extends Error {
  constructor(readonly ids: readonly string[], known: readonly Transform[]) {
    super(`unknown transform ${ids.join(', ')} (known: ${known.map((t) => t.id).join(', ')})`);
    this.name = 'UnknownTransformError';
  }
}

/** Keeps registry order. Naming an unsafe transform in `only` enables it. Former ids name their transform. */
export function selectTransforms(all: readonly Transform[], selection: Selection): Transform[] {
  const resolve = idResolver(all);
  const only = selection.only.map(resolve);
  const skip = selection.skip.map(resolve);
  const unknown = [...only, ...skip].filter((id) => !all.some((t) => t.id === id));
  if (unknown.length > 0) throw new UnknownTransformError(unknown, all);
  return all.filter((t) => {
    if (skip.includes(t.id)) return false;
    if (selection.mounts === false && t.usesMounts === true) return false;
    if (only.length > 0) return only.includes(t.id);
    return t.safety === 'safe' || selection.unsafe;
  });
}

/** `--only a,b --only c` → `['a', 'b', 'c']`. */
export function splitIds(values: string | readonly string[] | undefined): string[] {
  return (typeof values === 'string' ? [values] : values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}
