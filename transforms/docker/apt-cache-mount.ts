/**
 * docker/apt-cache-mount (issue 12 §3; the pattern of Docker's own guide to cache mounts).
 *
 * Looks for: RUN steps that install Debian or Ubuntu packages with `apt-get` (install, upgrade,
 * dist-upgrade, build-dep, ...) without a cache mount of /var/cache/apt. Such a step downloads
 * every package again whenever it reruns, typically because one package was added to the list.
 * Checks: the stage is built on an official Debian-family image (it ships docker-clean and no package
 * lists), apt runs as root with its default directories, the shell script runs to its end (nothing in
 * the background, no `exit` or `exec`), no other mount or command uses apt's directories, and the
 * clean-up that a mount would turn against the cache can go.
 * Writes:
 *  - `--mount=type=cache,target=/var/cache/apt,sharing=locked` (apt locks its cache, so concurrent
 *    builds wait for each other instead of failing);
 *  - `--mount=type=cache,target=/var/lib/apt/lists,sharing=locked` too when the RUN runs
 *    `apt-get update` and deletes the lists itself, and nothing earlier left lists in the image: the
 *    image then holds no lists, as before. Only the lists directory: /var/lib/apt also holds
 *    `extended_states` (which packages were installed automatically), which belongs in the image;
 *  - `mv /etc/apt/apt.conf.d/docker-clean /var/cache/apt/ && ` before the first command and
 *    ` && mv /var/cache/apt/docker-clean /etc/apt/apt.conf.d/` after the last: the official images'
 *    docker-clean hook deletes downloaded packages after every install, which would leave the cache
 *    mount empty; set aside in the mount during the RUN and put back at its end, the image keeps
 *    the hook (a derived image behaves as before). Joined by `&&` to the script's last statement,
 *    the put-back runs when that statement succeeds, and the RUN fails as before when it does not;
 *  - removes what would empty the cache: `apt-get clean`, and the apt paths of an `rm` (other paths
 *    stay): the mount keeps them out of the image.
 */
import { dirname } from 'node:path/posix';
import type { Edit } from '../../src/engine/edits.js';
import { runEnvironment, userIds } from '../../src/engine/env.js';
import { addMounts, type Mount, mountsOf } from '../../src/engine/mounts.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import { removeChainedCommandEdits, removeTokenEdits, type Span } from '../../src/engine/removal.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import { existingCacheMountSpec } from '../../src/patterns/cache-mount.js';
import { joinedByAnd, logicalBody, parseShell, runScript, type ShellCommand, type ShellWord } from '../../src/shell/shell.js';
import {
  APT_CACHE_DIR,
  APT_LISTS_DIR,
  type AptCommand,
  aptCommand,
  aptPathPlace,
  type AptPathPlace,
  cleansCache,
  DOCKER_CLEAN,
  installsPackages,
  isDebianFamilyOfficialImage,
  mentionsAptInstall,
  mentionsAptUpdate,
  movedDirectories,
  rmPaths,
  updatesLists,
} from '../../src/ecosystems/apt/apt.js';

export const aptCacheMount: Transform = {
  id: 'docker/apt-cache-mount',
  // apt-get, apt (and the lists directory a later step may read)
  mentions: /apt/,
  title: "Mount apt's package cache (and lists) on RUN steps that install Debian or Ubuntu packages",
  rationale:
    'downloaded packages now persist between builds in a cache mount, so a change to the package list downloads only the new packages instead of all of them',
  safety: 'safe',
  usesMounts: true,
  preconditions: [
    'the stage is built on an official Debian or Ubuntu based image (it ships docker-clean and no package lists), apt-get runs as root with its default directories',
    'the RUN is in shell form and runs to its end (no command in the background, no exit or exec), so docker-clean set aside at its start is put back at its end; no other mount or command uses apt directories',
    'the lists get a mount only when the RUN runs apt-get update and deletes them itself, and no earlier step left lists in the image',
  ],
  apply(doc) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) {
      for (const run of stage.instructions) if (run.keyword === 'RUN' && !run.onbuild) rewriteRun(doc, stage, run, out);
    }
    return out.result();
  },
};

/** The apt commands of a RUN, and where docker-clean is set aside and put back. */
interface AptRun {
  readonly commands: readonly ShellCommand[];
  readonly apt: readonly AptCommand[];
  readonly shape: ScriptShape;
}

function rewriteRun(doc: ParsedDockerfile, stage: Stage, run: Instruction, out: ResultBuilder): void {
  // What it looks for: a RUN that installs packages and has no cache of them yet.
  const script = runScript(doc, run);
  const text = doc.source.text.slice(run.argsStart, run.end);
  if (!script.parsed) {
    if (mentionsAptInstall(text) && !hasCacheMount(run)) out.skip(run, `apt installs packages here, but the RUN cannot be read (${script.reason ?? 'unknown'}): add the cache mounts by hand`);
    return;
  }
  const apt = script.commands.map(aptCommand).filter((a): a is AptCommand => a !== null);
  const installs = apt.filter(installsPackages);
  if (hasCacheMount(run)) return;
  if (installs.length === 0) {
    if (script.commands.some(installsThroughSudo)) out.skip(run, 'apt-get runs through sudo here: only apt-get run as root by the RUN itself is handled');
    return;
  }

  // What it checks.
  const shape = scriptShape(doc, run, script.commands);
  const reason = whyNot(doc, stage, run, apt) ?? ('skip' in shape ? shape.skip : null);
  if (reason !== null || 'skip' in shape) {
    out.skip(run, reason ?? '');
    return;
  }
  const aptRun: AptRun = { commands: script.commands, apt, shape };
  const plan = cleanupPlan(doc, stage, run, aptRun);
  if ('skip' in plan) {
    out.skip(run, plan.skip);
    return;
  }

  // What it writes.
  const targets = [APT_CACHE_DIR, ...(plan.lists ? [APT_LISTS_DIR] : [])];
  const edits: Edit[] = [
    ...addMounts(doc, run, targets.map((t) => mountSpec(doc, t))),
    { start: shape.start, end: shape.start, text: `${SET_ASIDE} && ` },
    ...plan.edits,
  ];
  if (!plan.restoreWritten) edits.push({ start: shape.end, end: shape.end, text: ` && ${PUT_BACK}` });
  out.change(run, edits, `added cache mounts for ${targets.join(' and ')}${plan.lists ? '' : plan.listsNote}`);
}

const SET_ASIDE = `mv ${DOCKER_CLEAN} ${APT_CACHE_DIR}/`;
const PUT_BACK = `mv ${APT_CACHE_DIR}/docker-clean ${dirname(DOCKER_CLEAN)}/`;

/** `sudo [-E ...] apt-get install ...`. */
function installsThroughSudo(command: ShellCommand): boolean {
  if (command.words[0]?.value !== 'sudo') return false;
  const at = command.words.findIndex((w) => w.value === 'apt-get' || w.value === 'apt');
  const apt = at > 0 ? aptCommand({ ...command, words: command.words.slice(at) }) : null;
  return apt !== null && installsPackages(apt);
}

function hasCacheMount(run: Instruction): boolean {
  return mountsOf(run).some((m) => m.type === 'cache' && contains(m.target, APT_CACHE_DIR));
}

/** Whether `dir` is `path` or a directory above it. */
function contains(dir: string, path: string): boolean {
  return dir === path || path.startsWith(`${dir === '/' ? '' : dir}/`);
}

/** Why the RUN cannot be rewritten whatever its clean-up, or null. */
function whyNot(doc: ParsedDockerfile, stage: Stage, run: Instruction, apt: readonly AptCommand[]): string | null {
  const other = apt.find((a) => installsPackages(a) && a.tool !== 'apt-get');
  if (other?.tool === 'apt') return '`apt install` deletes the packages it downloaded (the apt command does not keep them), so a cache mount would stay empty; apt-get keeps them';
  if (other) return `${other.tool} is not handled: only apt-get's use of the package cache is checked`;
  for (const a of apt) {
    const moved = movedDirectories(a);
    if (moved) return `${moved}: the cache mounts would miss them`;
  }
  const user = runEnvironment(doc, stage, run).user;
  if (userIds(user) !== '') return `the RUN runs as USER ${user}, and apt-get needs root; the cache mounts would belong to root`;
  const lineage = stageLineage(doc, stage);
  const image = lineage.at(-1)?.image ?? '';
  if (!isDebianFamilyOfficialImage(image)) {
    return `cannot confirm that ${image} ships ${DOCKER_CLEAN} and no package lists, as the official Debian and Ubuntu images do (the rewrite sets the hook aside during the RUN)`;
  }
  const touchesHook = lineage.flatMap((s) => s.instructions).find((i) => i.start <= run.start && i.keyword !== 'FROM' && handlesDockerClean(doc.source.text.slice(i.argsStart, i.end)));
  if (touchesHook) return `${instructionSnippet(doc, touchesHook)} handles docker-clean itself`;
  const mount = mountsOf(run).find((m) => contains(m.target, APT_CACHE_DIR) || contains(m.target, APT_LISTS_DIR) || contains(APT_CACHE_DIR, m.target) || contains(APT_LISTS_DIR, m.target));
  if (mount) return `a ${mount.type} mount already uses ${mount.target}`;
  return null;
}

/** Text that names the hook, or deletes everything in apt's configuration directory (and so the hook). */
function handlesDockerClean(text: string): boolean {
  return text.includes('docker-clean') || /\brm\s[^;&|]*\/etc\/apt(\/apt\.conf\.d)?(\/\*|\/?\s|\/?$)/m.test(text);
}

/** The top-level statements of a RUN's script, as source spans of their commands. */
interface ScriptShape {
  readonly statements: readonly Span[];
  /** Where the first statement starts and the last one ends. */
  readonly start: number;
  readonly end: number;
}

/**
 * The script's top-level statements, or why docker-clean could not be set aside before the first and
 * put back after the last: a statement in the background would race the put-back, and `exit` or
 * `exec` could end the script before it, leaving the image without the hook.
 */
function scriptShape(doc: ParsedDockerfile, run: Instruction, commands: readonly ShellCommand[]): ScriptShape | { skip: string } {
  const ender = commands.find((c) => c.words[0]?.value === 'exit' || c.words[0]?.value === 'exec');
  if (ender) return { skip: `the RUN may end at ${ender.words[0]?.value ?? ''}, before docker-clean (set aside so it does not empty the cache mount) would be put back` };
  const body = logicalBody(doc, run);
  const script = parseShell(body.text);
  if (script.commands.some((s) => s.background)) return { skip: 'a command of the RUN runs in the background, which could race docker-clean being put back at the end' };
  const at = (pos: number): number => body.map[Math.min(pos, body.map.length - 1)] ?? run.end;
  const statements = script.commands.map((s) => ({ start: at(s.command.pos), end: at(s.command.end - 1) + 1 }));
  const first = statements[0];
  const last = statements.at(-1);
  if (!first || !last) return { skip: 'the RUN has no commands' };
  return { statements, start: first.start, end: last.end };
}

interface Plan {
  readonly lists: boolean;
  /** Why the lists get no mount, for the change detail. */
  readonly listsNote: string;
  readonly edits: readonly Edit[];
  /** The last command of the chain was replaced by the put-back. */
  readonly restoreWritten: boolean;
}

/**
 * What to remove so the cache survives (`apt-get clean`, apt paths of `rm`), and whether the lists
 * can be mounted too.
 */
function cleanupPlan(doc: ParsedDockerfile, stage: Stage, run: Instruction, aptRun: AptRun): Plan | { skip: string } {
  const { commands, apt, shape } = aptRun;
  const removable = (command: ShellCommand) => removal(doc, commands, command, command, shape) !== null;

  // the lists: mounted only when the image had none after this RUN anyway
  const firstUpdate = apt.find(updatesLists);
  const firstInstall = apt.find(installsPackages);
  const listRms = commands.filter((c) => placesOf(c).has('lists'));
  const earlier = leftLists(doc, stage, run);
  const stuck = listRms.find((c) => [...placesOf(c)].every((p) => p === 'lists' || p === 'cache') && !removable(c));
  let listsNote = '';
  if (!firstUpdate || (firstInstall && firstInstall.command.start < firstUpdate.command.start)) listsNote = ' (not the lists: the RUN does not run apt-get update before installing)';
  else if (listRms.length === 0) listsNote = ' (not the lists: the RUN keeps them in the image)';
  else if (earlier) listsNote = ` (not the lists: ${instructionSnippet(doc, earlier)} left lists in the image, which the rm here deletes)`;
  else if (stuck) listsNote = ' (not the lists: their rm is not joined by && and cannot go)';
  const lists = listsNote === '';
  const goes = (place: AptPathPlace) => place === 'cache' || (lists && place === 'lists');

  const edits: Edit[] = [];
  const whole: ShellCommand[] = [];
  for (const command of commands) {
    const a = aptCommand(command);
    const paths = rmPaths(command);
    if (paths === null && !(a && cleansCache(a))) {
      const word = a ? undefined : command.words.find((w) => w.value.includes(APT_CACHE_DIR) || w.value.includes(APT_LISTS_DIR));
      if (word) return { skip: `${command.words[0]?.value ?? 'a command'} uses ${word.value}, which a cache mount would change` };
      continue;
    }
    const above = paths?.find((w) => aptPathPlace(w.value) === 'above');
    if (above) return { skip: `rm ${above.value} would reach into the cache mount; remove it by hand` };
    const drop = paths === null ? null : paths.filter((w) => goes(aptPathPlace(w.value)));
    if (drop !== null && drop.length === 0) continue;
    if (drop !== null && drop.length < (paths ?? []).length) edits.push(...tokenRemovals(doc, command, new Set(drop)));
    else whole.push(command); // `apt-get clean`, or an rm of apt paths only
  }
  // neighbours that both go, joined by &&, go as one span: their deletions would overlap
  let restoreWritten = false;
  for (let i = 0; i < whole.length; i++) {
    const first = whole[i]!;
    let last = first;
    while (whole[i + 1] && commands.indexOf(whole[i + 1]!) === commands.indexOf(last) + 1 && joinedByAnd(doc, last.end, whole[i + 1]!.start)) last = whole[++i]!;
    const span = { start: first.start, end: last.end };
    const how = removal(doc, commands, first, last, shape);
    if (how === null) return { skip: `${first.words.slice(0, 2).map((w) => w.value).join(' ')} here would empty the cache mount and is not joined by &&; remove it by hand` };
    edits.push(...how);
    if (span.end === shape.end) restoreWritten = true;
  }
  return { lists, listsNote, edits: edits.sort((x, y) => x.start - y.start), restoreWritten };
}

/**
 * Edits deleting the commands from `first` to `last` (neighbours joined by `&&`) with one `&&`, or a
 * whole top-level statement with what separates it from the next; the script's last command is
 * replaced by the put-back instead, which keeps the layout. Null when they cannot go alone
 * (`a || apt-get clean`, inside `if` after `;`).
 */
function removal(doc: ParsedDockerfile, commands: readonly ShellCommand[], first: ShellCommand, last: ShellCommand, shape: ScriptShape): Edit[] | null {
  const span = { start: first.start, end: last.end };
  const previous = commands[commands.indexOf(first) - 1];
  const next = commands[commands.indexOf(last) + 1];
  const joinedPrevious = previous && joinedByAnd(doc, previous.end, span.start) ? previous : null;
  const joinedNext = next && joinedByAnd(doc, span.end, next.start) ? next : null;
  const statement = shape.statements.findIndex((s) => s.start === span.start && s.end === span.end);
  if (span.end === shape.end && (joinedPrevious || statement >= 0)) return [{ start: span.start, end: span.end, text: PUT_BACK }];
  if (joinedNext || joinedPrevious) return removeChainedCommandEdits(doc, span, joinedPrevious, joinedNext);
  const following = shape.statements[statement + 1];
  if (statement >= 0 && following) return removeChainedCommandEdits(doc, span, null, following);
  return null;
}

function placesOf(command: ShellCommand): Set<AptPathPlace> {
  return new Set((rmPaths(command) ?? []).map((w) => aptPathPlace(w.value)));
}

/** Edits removing the words `drop` selects from a command, each run of adjacent ones at once. */
function tokenRemovals(doc: ParsedDockerfile, command: ShellCommand, dropped: ReadonlySet<ShellWord>): Edit[] {
  const drop = (w: ShellWord) => dropped.has(w);
  const edits: Edit[] = [];
  const words = command.words;
  for (let i = 0; i < words.length; i++) {
    if (!drop(words[i]!)) continue;
    let j = i;
    while (j + 1 < words.length && drop(words[j + 1]!)) j++;
    edits.push(...removeTokenEdits(doc, { start: words[i]!.start, end: words[j]!.end }, words[i - 1] ?? null, words[j + 1] ?? null));
    i = j;
  }
  return edits;
}

/**
 * An earlier step of the lineage that ran a list update and kept the lists in the image (no rm of
 * them, no mount over them), or null. The rm this RUN has deleted them too; with a mount it would not.
 */
function leftLists(doc: ParsedDockerfile, stage: Stage, run: Instruction): Instruction | null {
  for (const instruction of stageLineage(doc, stage).reverse().flatMap((s) => s.instructions)) {
    if (instruction.start >= run.start && instruction.stage === stage.index) break;
    if (instruction.keyword !== 'RUN' || instruction.onbuild) continue;
    if (mountsOf(instruction).some((m: Mount) => m.type !== 'bind' && contains(m.target, APT_LISTS_DIR))) continue;
    const script = runScript(doc, instruction);
    const text = doc.source.text.slice(instruction.argsStart, instruction.end);
    if (!script.parsed) {
      if (mentionsAptUpdate(text) && !text.includes(APT_LISTS_DIR)) return instruction;
      continue;
    }
    const updates = script.commands.some((c) => {
      const a = aptCommand(c);
      return a !== null && updatesLists(a);
    });
    if (updates && !script.commands.some((c) => placesOf(c).has('lists'))) return instruction;
  }
  return null;
}

/** An existing cache mount of the same directory anywhere in the file lends its options (`id=`). */
function mountSpec(doc: ParsedDockerfile, target: string): string {
  return existingCacheMountSpec(doc, target) ?? `type=cache,target=${target},sharing=locked`;
}
