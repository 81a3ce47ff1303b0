/**
 * The workspace packages of a project, found by matching its workspace globs (package.json
 * `workspaces`, pnpm-workspace.yaml `packages`) against the directories of the build context. Each
 * workspace's package.json is a manifest the install reads: it must be copied at its path.
 */
import picomatch from 'picomatch';
import type { BuildContext } from '../../context/context.js';
import { normalizePath } from '../../context/context.js';
import { join } from './package-manager.js';

/** Directories under the project visited at most, and how deep, before giving up. */
const MAX_DIRECTORIES = 4000;
const MAX_DEPTH = 6;
const NEVER = new Set(['node_modules', '.git']);

export type Workspaces = { readonly dirs: readonly string[] } | { readonly reason: string };

/**
 * The context-relative directories of the workspace packages of the project in `root` that hold a
 * package.json, sorted; or why they cannot be known (a glob leaving the project, too many directories).
 */
export function resolveWorkspaces(context: BuildContext, root: string, patterns: readonly string[]): Workspaces {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = normalizePath(negated ? raw.slice(1) : raw);
    if (raw.replace(/^!/, '').split('/').includes('..') || raw.replace(/^!/, '').startsWith('/')) {
      return { reason: `the workspace pattern "${raw}" lies outside the project` };
    }
    if (pattern !== '') (negated ? exclude : include).push(pattern);
  }
  if (include.length === 0) return { dirs: [] };
  const isIncluded = picomatch(include, { dot: false });
  const isExcluded = exclude.length > 0 ? picomatch(exclude, { dot: false }) : () => false;
  // only the directories a pattern can reach: under its glob-free base (`packages` of `packages/*`)
  const bases = include.map((p) => picomatch.scan(p).base);
  const mayReach = (rel: string): boolean => bases.some((b) => b === '' || b === rel || b.startsWith(`${rel}/`) || rel.startsWith(`${b}/`));
  const found: string[] = [];
  const queue: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }];
  let visited = 0;
  while (queue.length > 0) {
    const { rel, depth } = queue.shift() ?? { rel: '', depth: 0 };
    if (++visited > MAX_DIRECTORIES) return { reason: `the workspaces ${include.join(', ')} match too many directories to list` };
    if (rel !== '' && isIncluded(rel) && !isExcluded(rel) && context.exists(join(join(root, rel), 'package.json'))) found.push(join(root, rel));
    if (depth >= MAX_DEPTH) continue;
    for (const entry of context.list(join(root, rel)) ?? []) {
      if (entry.directory && !NEVER.has(entry.name) && mayReach(join(rel, entry.name))) queue.push({ rel: join(rel, entry.name), depth: depth + 1 });
    }
  }
  return { dirs: found.sort() };
}
