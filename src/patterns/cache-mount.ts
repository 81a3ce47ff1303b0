/**
 * The mechanics of mounting a package manager's cache on a RUN, shared by every ecosystem: who the
 * RUN runs as (a cache mount belongs to root unless it says otherwise), which targets are already
 * mounted, reusing the options another RUN gives the same cache, and what a mount must never hide.
 * The ecosystem says which directories are its caches for that user and environment.
 */
import type { Edit } from '../engine/edits.js';
import { runEnvironment } from '../engine/env.js';
import { copySpec } from '../engine/instructions.js';
import { addMounts, type Mount, mountsOf } from '../engine/mounts.js';
import { type Instruction, type ParsedDockerfile, perParse, perStage, type Stage, stageLineage } from '../engine/parse.js';
import { joinedByAnd, runScript, type ShellCommand } from '../shell/shell.js';
import { removeChainedCommandEdits } from '../engine/removal.js';
import { type ImageAccount, imageAccount } from '../images/official-images.js';

/** The user a RUN runs as, and the home its tools put their caches under. */
export interface RunUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** $HOME for the RUN: an ENV HOME, else the account's home. */
  readonly home: string;
}

/**
 * Who runs `run`: the USER in effect (through the stage lineage), resolved to uid, gid and home from
 * the official base image's accounts, an account the Dockerfile creates with an explicit uid
 * (`useradd -u 1001 -m app`), or a numeric `USER 1001:1001` with ENV HOME. A reason when it cannot be
 * known: a mount owned by the wrong uid fails the install with EACCES.
 */
export function runUser(doc: ParsedDockerfile, stage: Stage, run: Instruction): RunUser | { reason: string } {
  const env = runEnvironment(doc, stage, run);
  const envHome = env.vars.get('HOME');
  if (envHome === null) return { reason: 'HOME is set to a value I cannot resolve' };
  const [name = '', group] = env.user.split(':');
  if (name.includes('$') || (group ?? '').includes('$')) return { reason: `USER ${env.user} uses a variable` };
  const account = imageAccount(env.baseImage, name) ?? createdAccount(doc, stage, run, name);
  const gid = group === undefined ? account?.gid : /^\d+$/.test(group) ? Number(group) : group === account?.name ? account.gid : undefined;
  if (account && gid !== undefined) return { name: account.name, uid: account.uid, gid, home: envHome ?? account.home };
  if (/^\d+$/.test(name) && envHome !== undefined && (group === undefined || gid !== undefined)) {
    return { name, uid: Number(name), gid: gid ?? Number(name), home: envHome };
  }
  if (/^\d+$/.test(name)) return { reason: `USER ${env.user} has no home I know of (set ENV HOME)` };
  return { reason: `I cannot tell the uid and home of USER ${env.user} (not an account of ${env.baseImage || 'the base image'}, nor created here with useradd -u)` };
}

/** An account a RUN of the lineage creates with an explicit uid: `useradd -u 1001 [-g|-U] [-d home|-m] name`, `adduser -u 1001 -D name`. */
function createdAccount(doc: ParsedDockerfile, stage: Stage, before: Instruction, name: string): ImageAccount | null {
  let found: ImageAccount | null = null;
  for (const s of stageLineage(doc, stage).reverse()) {
    for (const i of s.instructions) {
      if (s === stage && i.start >= before.start) return found;
      if (i.keyword !== 'RUN') continue;
      for (const command of runScript(doc, i).commands) found = accountOf(command, name) ?? found;
    }
  }
  return found;
}

function accountOf(command: ShellCommand, name: string): ImageAccount | null {
  const words = command.words.map((w) => w.value);
  if (words[0] !== 'useradd' && words[0] !== 'adduser') return null;
  if (words.at(-1) !== name) return null;
  const value = (...flags: string[]) => {
    const at = words.findIndex((w) => flags.includes(w));
    return at < 0 ? undefined : words[at + 1];
  };
  const uid = value('-u', '--uid');
  if (uid === undefined || !/^\d+$/.test(uid)) return null;
  const gidWord = value('-g', '--gid', '-G');
  const gid = gidWord !== undefined && /^\d+$/.test(gidWord) ? Number(gidWord) : gidWord === undefined ? Number(uid) : null;
  if (gid === null) return null;
  return { name, uid: Number(uid), gid, home: value('-d', '--home-dir', '-h', '--home') ?? `/home/${name}` };
}

/** A cache directory an ecosystem wants mounted on a RUN. */
export interface CacheTarget {
  readonly target: string;
  /** `locked` for tools that take a lock and break when two builds share the cache (apt). */
  readonly sharing?: 'locked' | 'private';
  readonly id?: string;
}

/**
 * Edits adding cache mounts for `targets` to `run`, owned by `user`. A target that a cache mount of
 * the RUN already covers (the same directory or one above it) is left out; a target another RUN of
 * the stage family mounts with options of its own (an `id=`, `sharing=`) reuses that mount's spec,
 * so every step shares one cache. A reason when a non-cache mount (a bind, a tmpfs) uses the target.
 */
export function cacheMounts(
  doc: ParsedDockerfile,
  stage: Stage,
  run: Instruction,
  targets: readonly CacheTarget[],
  user: RunUser,
): { edits: Edit[]; added: string[] } | { reason: string } {
  const mounts = mountsOf(run);
  const conflict = mounts.find((m) => m.type !== 'cache' && targets.some((t) => t.target === m.target));
  if (conflict) return { reason: `a ${conflict.type} mount already uses ${conflict.target}` };
  const wanted = targets.filter((t) => !mounts.some((m) => m.type === 'cache' && covers(m.target, t.target)));
  const specs = wanted.map((t) => existingCacheMountSpec(doc, t.target) ?? mountSpec(t, user));
  return { edits: addMounts(doc, run, [...new Set(specs)]), added: wanted.map((t) => t.target) };
}

/** `--mount=` value for a cache: `type=cache,target=/root/.npm[,id=..][,sharing=..][,uid=..,gid=..]`. */
export function mountSpec(target: CacheTarget, user: RunUser): string {
  return [
    'type=cache',
    `target=${target.target}`,
    ...(target.id ? [`id=${target.id}`] : []),
    ...(target.sharing ? [`sharing=${target.sharing}`] : []),
    ...(user.uid === 0 ? [] : [`uid=${user.uid}`, `gid=${user.gid}`]),
  ].join(',');
}

/** `dir` is `target` or a directory above it. */
function covers(dir: string, target: string): boolean {
  return dir === target || target.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/**
 * The options of an existing cache mount of `target` anywhere in the file, as written there (an
 * `id=`, `sharing=`, `uid=` it lends), or null: every step then shares one cache.
 */
export function existingCacheMountSpec(doc: ParsedDockerfile, target: string): string | null {
  const existing = fileCacheMounts(doc).find((m) => m.target === target);
  return existing ? doc.source.text.slice(existing.flag.start, existing.flag.end).replace(/^--mount=/, '') : null;
}

/** The cache mounts of every RUN of a parse, in order, read once (asked per RUN and target). */
export const fileCacheMounts = perParse((doc): readonly Mount[] =>
  doc.instructions.filter((i) => i.keyword === 'RUN').flatMap((i) => mountsOf(i)).filter((m) => m.type === 'cache'));

/**
 * Edits removing the commands of a RUN's `&&` chain that `test` picks (`npm cache clean --force`,
 * `rm -rf /root/.cache/pip`): with the cache mounted they would empty it. Null when one of them is not
 * joined by `&&` on both sides, or is the RUN's only command (removing it would leave an empty RUN).
 */
export function removeCommands(doc: ParsedDockerfile, run: Instruction, test: (command: ShellCommand) => boolean): Edit[] | null {
  const commands = runScript(doc, run).commands;
  const picked = commands.map((c, i) => (test(c) ? i : -1)).filter((i) => i >= 0);
  if (picked.length === 0) return [];
  if (picked.length === commands.length) return null;
  const joined = (a: number, b: number) => joinedByAnd(doc, commands[a]!.end, commands[b]!.start);
  const edits: Edit[] = [];
  for (const i of picked) {
    const previous = i > 0 ? commands[i - 1]! : null;
    const next = i + 1 < commands.length ? commands[i + 1]! : null;
    if ((i > 0 && !joined(i - 1, i)) || (next && !joined(i, i + 1))) return null;
    if (next && picked.includes(i + 1)) return null; // two in a row: keep it simple, leave them
    edits.push(...removeChainedCommandEdits(doc, commands[i]!, previous, next));
  }
  return edits;
}

/**
 * An instruction after `run` that reads `dir` as the RUN leaves it in the image: a `COPY --from` of
 * this stage (by name or index) from inside or above `dir`, or a later RUN of the stage family naming
 * it. A cache mount at `dir` would hide from them what the RUN wrote there.
 */
export function laterReads(doc: ParsedDockerfile, stage: Stage, run: Instruction, dir: string): Instruction | null {
  const { family, names } = stageDescendants(doc, stage);
  for (const i of doc.instructions) {
    if (i.start <= run.start) continue;
    const spec = copySpec(i);
    if (spec?.from !== null && spec?.from !== undefined && names.has(spec.from.toLowerCase())) {
      if (spec.sources.some((source) => covers(trim(source), dir) || covers(dir, trim(source)))) return i;
    }
    if (i.keyword === 'RUN' && family.has(i.stage) && doc.source.text.slice(i.argsStart, i.end).includes(dir)) return i;
  }
  return null;
}

/** The stages built on `stage` (itself included), by index and by the names a COPY --from may use; once per parse and stage (asked per RUN and target). */
const stageDescendants = perStage((doc, stage): { family: ReadonlySet<number>; names: ReadonlySet<string> } => {
  const family = new Set(doc.stages.filter((s) => stageLineage(doc, s).includes(stage)).map((s) => s.index));
  const names = new Set([...family].flatMap((index) => [String(index), doc.stages[index]?.name ?? String(index)]));
  return { family, names };
});

/** A COPY --from source as an absolute path: it is read from the root of the other stage, not its WORKDIR. */
function trim(path: string): string {
  const absolute = path.startsWith('/') ? path : `/${path.replace(/^\.\//, '')}`;
  return absolute.length > 1 ? absolute.replace(/\/+$/, '') : absolute;
}
