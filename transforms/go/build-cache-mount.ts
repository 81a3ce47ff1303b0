/**
 * go/build-cache-mount (catalogue G-06).
 *
 * Looks for: RUN steps in Go stages that download modules or compile (`go build|install|test|vet|
 * generate|run`, `go mod download`, or `make` in a golang-based stage) without cache mounts for
 * Go's module cache (GOMODCACHE) and build cache (GOCACHE).
 * Checks: the stage's Go is not known to predate the build cache (Go 1.10); where those caches are for that RUN (the golang image's defaults, then ENV GOPATH,
 * GOMODCACHE, GOCACHE, HOME and USER, through stage inheritance); that no mount already claims the
 * target; that the module cache is not needed in the image (vendored builds, an image that runs `go`
 * at run time, a later `COPY --from` of the cache directory).
 * Writes: `--mount=type=cache,target=<dir>` flags (with uid/gid for a numeric non-root USER),
 * reusing the options of an existing mount of the same directory (an `id=`) so every step shares
 * one cache; removes a `go clean -cache`/`-modcache` that would empty the mount.
 */
import { runEnvironment } from '../../src/engine/env.js';
import type { Edit } from '../../src/engine/edits.js';
import { copySpec } from '../../src/engine/instructions.js';
import { addMounts, type Mount, mountsOf } from '../../src/engine/mounts.js';
import { type Instruction, type ParsedDockerfile, perParse, type Stage, stageLineage } from '../../src/engine/parse.js';
import { joinedByAnd, runScript, type ShellCommand } from '../../src/shell/shell.js';
import { removeChainedCommandEdits } from '../../src/engine/removal.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { type GoCacheDirs, goCacheDirs } from '../../src/ecosystems/go/go-caches.js';
import { isGolangImage, goSubcommand, mentionsGoCommand } from '../../src/ecosystems/go/go.js';
import { predatesGoCaches } from '../../src/ecosystems/go/go-toolchain.js';

/** Subcommands that compile or download, and so read or fill a cache. */
const CACHING_SUBCOMMANDS = new Set(['build', 'install', 'test', 'vet', 'generate', 'run', 'list', 'get', 'tool', 'mod download', 'mod tidy', 'mod verify', 'mod vendor', 'mod graph', 'mod why']);
const DOWNLOAD_ONLY = new Set(['mod download', 'mod verify']);
/** Opaque build drivers that, in a golang-based stage, almost always run `go build`. */
const GO_DRIVERS = new Set(['make', 'mage']);

export const buildCacheMount: Transform = {
  id: 'go/build-cache-mount',
  title: "Mount Go's module and build caches on RUN steps that download or compile",
  rationale:
    "Go's module and build caches now persist between builds, so a source change recompiles only the packages that changed instead of every dependency",
  safety: 'safe',
  usesMounts: true,
  preconditions: [
    'the cache directories are known: the golang image defaults, or ENV GOPATH/GOMODCACHE/GOCACHE/HOME',
    'a non-root USER is numeric (the mount gets its uid/gid) and the caches are set with ENV',
    'no mount already uses the target; the module cache is not needed in the image (vendor/, go at run time, COPY --from of it)',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) rewriteStage(doc, stage, context, out);
    return out.result();
  },
};

interface GoRun {
  readonly instruction: Instruction;
  readonly commands: readonly ShellCommand[];
  /** Only downloads modules: the build cache is not needed. */
  readonly downloadOnly: boolean;
}

function rewriteStage(doc: ParsedDockerfile, stage: Stage, context: TransformContext, out: ResultBuilder): void {
  // What it looks for.
  const golangBased = isGolangImage(stageLineage(doc, stage).at(-1)?.image ?? '');
  const runs = stage.instructions.map((i) => goRun(doc, i, golangBased)).filter((r): r is GoRun => r !== null);
  if (runs.length === 0) return;

  // What it checks, once per stage: does the image itself need the module cache?
  const vendored = context.build.exists('vendor/modules.txt');
  const family = stageFamily(doc, stage);

  for (const run of runs) {
    const oldGo = predatesGoCaches(doc, stage, run.instruction);
    if (oldGo) {
      out.skip(run.instruction, oldGo);
      continue;
    }
    const dirs = goCacheDirs(runEnvironment(doc, stage, run.instruction));
    if ('reason' in dirs) {
      out.skip(run.instruction, dirs.reason);
      continue;
    }
    const mounts = mountsOf(run.instruction);
    // a cache mount of the target or of a directory above it (`/root/.cache`) already covers it
    const has = (target: string) => mounts.some((m) => m.target === target || (m.type === 'cache' && target.startsWith(`${m.target === '/' ? '' : m.target}/`)));
    const conflict = mounts.find((m) => m.type !== 'cache' && (m.target === dirs.modCache || m.target === dirs.buildCache));
    if (conflict) {
      out.skip(run.instruction, `a ${conflict.type} mount already uses ${conflict.target}`);
      continue;
    }
    const blocked = (target: string): string | null =>
      (target === dirs.modCache ? perFamily(family, 'modules', () => modulesNeededInLayers(doc, family)) : null) ??
      perFamily(family, `layers ${target}`, () => layerUse(doc, family, target));
    const targets: string[] = [];
    const candidates = [...(vendored ? [] : [dirs.modCache]), ...(run.downloadOnly ? [] : [dirs.buildCache])];
    for (const target of candidates.filter((t) => !has(t))) {
      const reason = blocked(target);
      if (reason) out.skip(run.instruction, `no cache mount for ${target}: ${reason}`);
      else targets.push(target);
    }

    // What it writes.
    const edits: Edit[] = addMounts(doc, run.instruction, targets.map((t) => mountSpec(doc, t, dirs)));
    const wipes = cacheWipes(doc, run);
    if (wipes.skip) out.skip(run.instruction, wipes.skip);
    if (targets.length > 0 || mounts.some((m) => m.type === 'cache')) edits.push(...wipes.edits);
    if (edits.length === 0) continue;
    out.change(run.instruction, edits, targets.length > 0 ? `added cache mounts for ${targets.join(' and ')}` : 'removed a go clean that emptied the cache mount');
  }
}

/** A RUN that runs Go (or a build driver in a golang-based stage), or null. */
function goRun(doc: ParsedDockerfile, instruction: Instruction, golangBased: boolean): GoRun | null {
  if (instruction.keyword !== 'RUN' || instruction.onbuild) return null;
  const script = runScript(doc, instruction);
  if (!script.parsed) {
    // a heredoc or exec form we cannot parse: a textual hint is enough to add mounts
    return mentionsGoCommand(doc, instruction) ? { instruction, commands: [], downloadOnly: false } : null;
  }
  const subcommands = script.commands.map(goSubcommand).filter((s): s is string => s !== null && CACHING_SUBCOMMANDS.has(s));
  const driver = golangBased && script.commands.some((c) => GO_DRIVERS.has(c.words[0]?.value ?? ''));
  if (subcommands.length === 0 && !driver) return null;
  return { instruction, commands: script.commands, downloadOnly: !driver && subcommands.every((s) => DOWNLOAD_ONLY.has(s)) };
}

/**
 * The cache mount for `target`: an existing cache mount of the same directory anywhere in the file
 * lends its options (an `id=`, `sharing=`), so every step shares one cache; otherwise a plain one.
 */
/**
 * A family's verdicts, found once: they depend on the family, not on the RUN asking, and asking per
 * RUN was quadratic in a stage of thousands of go commands. A family belongs to one parse.
 */
function perFamily(family: readonly Stage[], question: string, answer: () => string | null): string | null {
  let known = familyVerdicts.get(family);
  if (known === undefined) {
    known = new Map();
    familyVerdicts.set(family, known);
  }
  if (!known.has(question)) known.set(question, answer());
  return known.get(question) ?? null;
}

const familyVerdicts = new WeakMap<readonly Stage[], Map<string, string | null>>();

function mountSpec(doc: ParsedDockerfile, target: string, dirs: GoCacheDirs): string {
  const existing = cacheMounts(doc).find((m: Mount) => m.target === target);
  if (existing) return doc.source.text.slice(existing.flag.start, existing.flag.end).replace(/^--mount=/, '');
  return ['type=cache', `target=${target}`, dirs.ownerOptions].filter(Boolean).join(',');
}

/**
 * The stages that share module-cache state with `stage`: those it is built FROM and those built
 * FROM it, transitively. Modules downloaded into a cache mount are in no layer, so every one of them
 * must either mount the cache or not rely on it.
 */
function stageFamily(doc: ParsedDockerfile, stage: Stage): Stage[] {
  const root = stageLineage(doc, stage).at(-1) ?? stage;
  return familiesByRoot(doc).get(root) ?? [stage];
}

/**
 * Stage families per parse, keyed by their root stage, in one pass (a FROM names only earlier
 * stages): asking each stage's lineage per stage was cubic in the number of stages built on each other.
 */
const familiesByRoot = perParse((doc): ReadonlyMap<Stage, Stage[]> => {
  const rootOf: Stage[] = [];
  const families = new Map<Stage, Stage[]>();
  for (const s of doc.stages) {
    const root = (s.parent === null ? undefined : rootOf[s.parent]) ?? s;
    rootOf[s.index] = root;
    const family = families.get(root);
    if (family) family.push(s);
    else families.set(root, [s]);
  }
  return families;
});

/** Why the family must keep its modules in its layers: a dev image, an offline step, a proxy switched off. */
function modulesNeededInLayers(doc: ParsedDockerfile, family: readonly Stage[]): string | null {
  const final = doc.stages.at(-1);
  if (final && family.includes(final)) {
    for (const instruction of stageLineage(doc, final).flatMap((s) => s.instructions)) {
      if (instruction.keyword !== 'CMD' && instruction.keyword !== 'ENTRYPOINT') continue;
      const words = instruction.jsonForm ? instruction.jsonValues : instruction.args.map((a) => a.value);
      if (words.some((w) => /(^|\/)go$/.test(w))) {
        return `the image runs go at run time (${instruction.keyword} on line ${instruction.line + 1}), so it needs its modules`;
      }
    }
  }
  for (const instruction of family.flatMap((s) => s.instructions)) {
    if (instruction.keyword === 'RUN' && instruction.flags.some((f) => f.name === 'network' && f.value === 'none')) {
      return `the RUN on line ${instruction.line + 1} has --network=none: with an empty cache mount it would have no modules`;
    }
    const text = doc.source.text.slice(instruction.argsStart, instruction.end);
    if ((instruction.keyword === 'RUN' || instruction.keyword === 'ENV') && /\bGOPROXY=["']?off\b|\bGOFLAGS=["']?[^\n]*-mod=vendor/.test(text)) {
      return `line ${instruction.line + 1} switches module downloads off: the modules must stay in the image layers`;
    }
  }
  return null;
}

/** Why `target` holds files that layers put there or take from there, which a mount would hide or lose. */
function layerUse(doc: ParsedDockerfile, family: readonly Stage[], target: string): string | null {
  const trim = (path: string) => (path.length > 1 ? path.replace(/\/+$/, '') : path);
  const inside = (path: string) => trim(path) === target || trim(path).startsWith(`${target}/`);
  const above = (path: string) => target.startsWith(`${trim(path) === '/' ? '' : trim(path)}/`);
  const overlaps = (path: string) => inside(path) || above(path);
  for (const instruction of family.flatMap((s) => s.instructions)) {
    const spec = copySpec(instruction);
    // a copy into the target, or a whole tree from another stage or image copied above it
    if (spec && spec.dest.startsWith('/') && (inside(spec.dest) || (spec.from !== null && above(spec.dest)))) {
      return `the ${instruction.keyword} on line ${instruction.line + 1} puts files in ${target}, which a cache mount would hide`;
    }
  }
  const names = new Set(family.flatMap((s) => [String(s.index), s.name ?? '']).filter(Boolean));
  for (const instruction of doc.instructions) {
    const spec = copySpec(instruction);
    if (spec?.from && names.has(spec.from.toLowerCase()) && spec.sources.some((source) => source.startsWith('/') && overlaps(source))) {
      return `the COPY --from on line ${instruction.line + 1} takes ${target} from this stage, but a cache mount keeps it out of the image`;
    }
  }
  return null;
}

/** Edits removing `go clean -cache`/`-modcache` joined by `&&`, which would empty the shared cache. */
function cacheWipes(doc: ParsedDockerfile, run: GoRun): { edits: Edit[]; skip?: string } {
  const edits: Edit[] = [];
  const joined = (from: number, to: number) => joinedByAnd(doc, from, to);
  for (let k = 0; k < run.commands.length; k++) {
    const command = run.commands[k];
    if (!command || goSubcommand(command) !== 'clean' || !command.words.some((w) => w.value === '-cache' || w.value === '-modcache')) continue;
    const previous = run.commands[k - 1];
    const next = run.commands[k + 1];
    const joinedNext = next && joined(command.end, next.start) ? next : null;
    if ((previous && joined(previous.end, command.start)) || (!previous && joinedNext)) edits.push(...removeChainedCommandEdits(doc, command, previous ?? null, joinedNext));
    else return { edits: [], skip: 'a go clean -cache/-modcache here would empty the cache mount; remove it by hand' };
  }
  return { edits };
}

/** The cache mounts of every RUN of a parse, in order, read once (mountSpec asks per RUN). */
const cacheMounts = perParse((doc): readonly Mount[] =>
  doc.instructions.filter((i) => i.keyword === 'RUN').flatMap((i) => mountsOf(i)).filter((m) => m.type === 'cache'));
