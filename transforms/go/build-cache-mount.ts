/**
 * go/build-cache-mount (catalogue G-06).
 *
 * Looks for: RUN steps in Go stages that download modules or compile (`go build|install|test|vet|
 * generate|run`, `go mod download`), read through wrappers, Makefiles and context scripts
 * (src/ecosystems/go/go-runs.ts), without cache mounts for Go's module cache (GOMODCACHE) and build
 * cache (GOCACHE).
 * Checks: the stage's Go is not known to predate the build cache (Go 1.10); where those caches are for that RUN (the golang image's defaults, then ENV GOPATH,
 * GOMODCACHE, GOCACHE, HOME and USER, through stage inheritance); that no mount already claims the
 * target; that every RUN of the stage family that needs modules can share the module cache (none
 * runs Go in a way we cannot read or moves the cache); that the module cache is not needed in the
 * image (vendored builds, an image that runs `go` or a dev watcher at start-up, a later `COPY --from`
 * of the cache directory).
 * Writes: `--mount=type=cache,target=<dir>` flags (with uid/gid for a numeric non-root USER),
 * reusing the options of an existing mount of the same directory (an `id=`), or of a directory above
 * it in the family, so every step shares one cache; removes a `go clean -cache`/`-modcache` that
 * would empty the mount.
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
import { predatesGoCaches } from '../../src/ecosystems/go/go-toolchain.js';
import { executableName, stageByReference } from '../../src/ecosystems/go/go-binary.js';
import { readGoRun } from '../../src/ecosystems/go/go-runs.js';
import { goSubcommand, type GoInvocation, invocationNeedsModule, isGolangImage } from '../../src/ecosystems/go/go.js';
import { parseGoMod } from '../../src/ecosystems/go/gomod.js';
import { helperImageDirs } from '../../src/images/helper-images.js';
import { scriptCommands } from '../../src/shell/shell.js';
import { existingCacheMountSpec, fileCacheMounts } from '../../src/patterns/cache-mount.js';
import { GO_MENTIONS } from '../../src/ecosystems/go/steps.js';

/** Subcommands that compile or download, and so read or fill a cache. */
const CACHING_SUBCOMMANDS = new Set(['build', 'install', 'test', 'vet', 'generate', 'run', 'list', 'get', 'tool', 'mod download', 'mod tidy', 'mod verify', 'mod vendor', 'mod graph', 'mod why']);
const DOWNLOAD_ONLY = new Set(['mod download', 'mod verify']);
/** Programs that watch the sources and rebuild them with go at start-up: a dev image runs them. */
const DEV_RUNNERS = new Set(['air', 'reflex', 'gow', 'compiledaemon', 'dlv', 'gin', 'realize', 'fresh', 'watchexec', 'nodemon', 'entr', 'modd', 'gowatch', 'bee', 'buffalo', 'wgo']);
/** Programs that start the image's real program, named after them. */
const INIT_WRAPPERS = new Set(['tini', 'dumb-init', 'su-exec', 'gosu', 'catatonit']);
/** Flags of go build/install whose value is the next word. */
const VALUE_FLAGS = new Set(['-o', '-ldflags', '-gcflags', '-asmflags', '-tags', '-p', '-mod', '-modfile', '-overlay', '-pkgdir', '-buildmode', '-compiler', '-installsuffix', '-C', '-toolexec', '-exec', '-pgo', '-covermode', '-coverpkg', '-run', '-bench', '-timeout', '-count']);

export const buildCacheMount: Transform = {
  id: 'go/build-cache-mount',
  mentions: GO_MENTIONS,
  title: "Mount Go's module and build caches on RUN steps that download or compile",
  rationale:
    "Go's module and build caches now persist between builds, so a source change recompiles only the packages that changed instead of every dependency",
  safety: 'safe',
  usesMounts: true,
  preconditions: [
    'the cache directories are known: the golang image defaults, or ENV GOPATH/GOMODCACHE/GOCACHE/HOME',
    'a non-root USER is numeric (the mount gets its uid/gid) and the caches are set with ENV',
    'no mount already uses the target; the module cache is not needed in the image (vendor/, go or a dev watcher at start-up, COPY --from of it)',
    'every Go command of the stage family can be read (wrappers, Makefile, script), or no RUN gets the module cache',
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
  /** Why a Go command of this RUN cannot be read, or null. */
  readonly unreadable: string | null;
}

function rewriteStage(doc: ParsedDockerfile, stage: Stage, context: TransformContext, out: ResultBuilder): void {
  // What it looks for.
  const runs = stage.instructions.map((i) => goRun(doc, stage, i, context)).filter((r): r is GoRun => r !== null);
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
    if (run.unreadable !== null) {
      out.skip(run.instruction, `this RUN ${run.unreadable}, so it gets no cache mounts`);
      continue;
    }
    const dirs = goCacheDirs(runEnvironment(doc, stage, run.instruction));
    if ('reason' in dirs) {
      // the author mounted Go's caches already: nothing is left to add, so nothing to report
      if (!mountsGoCaches(run)) out.skip(run.instruction, dirs.reason);
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
      (target === dirs.modCache ? perFamily(family, 'modules', () => unevenModules(doc, family, context) ?? modulesNeededInLayers(doc, family, context)) : null) ??
      perFamily(family, `layers ${target}`, () => layerUse(doc, family, target));
    const targets: string[] = [];
    const candidates = [...(vendored ? [] : [dirs.modCache]), ...(run.downloadOnly ? [] : [dirs.buildCache])];
    for (const target of candidates.filter((t) => !has(t))) {
      const reason = blocked(target);
      if (reason) out.skip(run.instruction, `no cache mount for ${target}: ${reason}`);
      else targets.push(target);
    }

    // What it writes.
    const specs = [...new Set(targets.map((t) => mountSpec(doc, family, t, dirs)))];
    const edits: Edit[] = addMounts(doc, run.instruction, specs);
    const wipes = cacheWipes(doc, run);
    if (wipes.skip) out.skip(run.instruction, wipes.skip);
    if (targets.length > 0 || mounts.some((m) => m.type === 'cache')) edits.push(...wipes.edits);
    if (edits.length === 0) continue;
    out.change(run.instruction, edits, targets.length > 0 ? `added cache mounts for ${targets.join(' and ')}` : 'removed a go clean that emptied the cache mount');
  }
}

/**
 * The RUN already has cache mounts that look like Go's module cache (`…/pkg/mod`) and, unless it only
 * downloads, its build cache (`…/go-build`, or the `…/.cache` above it), wherever its stage keeps them.
 */
function mountsGoCaches(run: GoRun): boolean {
  const targets = mountsOf(run.instruction).filter((m) => m.type === 'cache').map((m) => m.target);
  return targets.some((t) => /\/pkg\/mod$/.test(t)) && (run.downloadOnly || targets.some((t) => /\/(go-build|\.cache)$/.test(t)));
}

/** A RUN that runs Go (directly, through wrappers, make or a script), or null. */
function goRun(doc: ParsedDockerfile, stage: Stage, instruction: Instruction, context: TransformContext): GoRun | null {
  if (instruction.keyword !== 'RUN' || instruction.onbuild) return null;
  const reading = readGoRun(doc, stage, instruction, context.build);
  const commands = runScript(doc, instruction).commands;
  if (reading.unreadable !== null) return { instruction, commands, downloadOnly: false, unreadable: reading.unreadable };
  const subcommands = reading.invocations.map((i) => i.subcommand).filter((s) => CACHING_SUBCOMMANDS.has(s));
  if (subcommands.length === 0) return null;
  return { instruction, commands, downloadOnly: subcommands.every((s) => DOWNLOAD_ONLY.has(s)), unreadable: null };
}

/**
 * Why the module cache cannot be mounted on every RUN of the family that needs modules: one runs Go
 * in a way we cannot read, moves the module cache for one command, or sees it somewhere else. A
 * download into a cache mount leaves the image without modules, so a RUN without the mount would
 * download them all again: the mount is for all of them or for none.
 */
function unevenModules(doc: ParsedDockerfile, family: readonly Stage[], context: TransformContext): string | null {
  let first: { line: number; dir: string } | null = null;
  for (const stage of family) {
    for (const instruction of stage.instructions) {
      const run = goRun(doc, stage, instruction, context);
      if (run === null) continue;
      const line = instruction.line + 1;
      if (run.unreadable !== null) return `the RUN on line ${line} ${run.unreadable}, and the module cache must be mounted on every RUN that needs modules or on none`;
      const moved = readGoRun(doc, stage, instruction, context.build).invocations.map(movesModules).find((m) => m !== null);
      if (moved) return `the RUN on line ${line} runs go with ${moved}, so it would not see the shared module cache`;
      const dirs = goCacheDirs(runEnvironment(doc, stage, instruction));
      if ('reason' in dirs) return `the RUN on line ${line} cannot get the module cache (${dirs.reason})`;
      if (first === null) first = { line, dir: dirs.modCache };
      else if (first.dir !== dirs.modCache) return `the RUNs on lines ${first.line} and ${line} keep modules in different places (${first.dir}, ${dirs.modCache})`;
    }
  }
  return null;
}

/** A setting on one Go command that moves its module cache or switches downloads off. */
function movesModules(go: GoInvocation): string | null {
  const setting = go.assignments.find((a) => a.name === 'GOPATH' || a.name === 'GOMODCACHE' || (a.name === 'GOFLAGS' && a.value.includes('-mod=vendor')) || (a.name === 'GOPROXY' && a.value === 'off'));
  return setting ? `${setting.name}=${setting.value}` : null;
}

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

/**
 * The cache mount for `target`: an existing cache mount of the same directory anywhere in the file,
 * or of a directory above it in the family (`target=/go/pkg`), lends its options (an `id=`,
 * `sharing=`), so every step shares one cache; otherwise a plain one.
 */
function mountSpec(doc: ParsedDockerfile, family: readonly Stage[], target: string, dirs: GoCacheDirs): string {
  const inFamily = (m: Mount) => family.some((s) => s.instructions.some((i) => i.start <= m.flag.start && m.flag.end <= i.end));
  // the same directory anywhere in the file, else a mount of the family above it (`target=/go/pkg`)
  const same = existingCacheMountSpec(doc, target);
  if (same !== null) return same;
  const above = fileCacheMounts(doc).find((m) => inFamily(m) && target.startsWith(`${m.target === '/' ? '' : m.target}/`));
  if (above) return doc.source.text.slice(above.flag.start, above.flag.end).replace(/^--mount=/, '');
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
function modulesNeededInLayers(doc: ParsedDockerfile, family: readonly Stage[], context: TransformContext): string | null {
  // the final stage, and any stage with its own CMD/ENTRYPOINT: `--target dev` makes it an image
  const final = doc.stages.at(-1);
  for (const image of family.filter((s) => s === final || s.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT'))) {
    const startsGo = devStart(doc, family, image, context);
    if (startsGo) return startsGo;
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

/**
 * Why the final image may run go when a container starts: its CMD or ENTRYPOINT runs go, or, in an
 * image with the Go toolchain, starts something other than a binary this file builds (air, reflex,
 * dlv, a script), which may build the sources on start-up and would download every module again.
 */
function devStart(doc: ParsedDockerfile, family: readonly Stage[], final: Stage, context: TransformContext): string | null {
  const lineage = stageLineage(doc, final);
  const starts = lineage.flatMap((s) => s.instructions).filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
  for (const instruction of starts) {
    const words = instruction.jsonForm ? instruction.jsonValues : instruction.args.map((a) => a.value);
    if (words.some((w) => /(^|\/)go$/.test(w))) {
      return `the image runs go at run time (${instruction.keyword} on line ${instruction.line + 1}), so it needs its modules`;
    }
  }
  if (!isGolangImage(lineage.at(-1)?.image ?? '')) return null;
  // the last of each in the lineage (stageLineage lists the final stage first)
  const entrypoint = starts.filter((i) => i.keyword === 'ENTRYPOINT').at(0);
  const cmd = starts.filter((i) => i.keyword === 'CMD').at(0);
  const program = startedProgram(entrypoint ?? null, cmd ?? null);
  if (program === null) return null;
  const name = program.name.replace(/^.*\//, '');
  const built = builtExecutables(doc, family, context);
  if (!DEV_RUNNERS.has(name.toLowerCase()) && !/\.(sh|bash)$|^(sh|bash|ash|dash|make)$/.test(name) && (built === null || built.has(name))) return null;
  return `the image starts ${program.name} (${program.at.keyword} on line ${program.at.line + 1}), not a binary this file builds, and it may run go at start-up, so the image keeps its modules`;
}

/** The program a container starts: the ENTRYPOINT's, else the CMD's; through init wrappers and `sh -c`. */
function startedProgram(entrypoint: Instruction | null, cmd: Instruction | null): { name: string; at: Instruction } | null {
  const wordsOf = (i: Instruction | null) => (i === null ? [] : i.jsonForm ? [...i.jsonValues] : (scriptCommands(i.args.map((a) => a.value).join(' '))?.[0]?.words ?? []));
  let at = entrypoint ?? cmd;
  let words = wordsOf(at);
  for (let depth = 0; depth < 3; depth++) {
    const name = (words[0] ?? '').replace(/^.*\//, '');
    if (INIT_WRAPPERS.has(name)) {
      const rest = words.slice(1).filter((w) => !w.startsWith('-'));
      if (rest.length > 0) words = rest;
      else if (at === entrypoint && cmd !== null) [at, words] = [cmd, wordsOf(cmd)];
      else return null;
    } else if (/^(sh|bash|ash|dash)$/.test(name) && words[1] === '-c') {
      words = scriptCommands(words[2] ?? '')?.[0]?.words ?? [];
    } else break;
  }
  return at === null || words[0] === undefined ? null : { name: words[0], at };
}

/**
 * The names of the executables the family builds from the main module (`go build -o server`,
 * `go install ./cmd/api`), or null when one build's name cannot be known (`./...`, `-o dir/`).
 */
function builtExecutables(doc: ParsedDockerfile, family: readonly Stage[], context: TransformContext): Set<string> | null {
  const names = new Set<string>();
  const module = parseGoMod(context.build.readFile('go.mod') ?? '').module;
  for (const stage of family) {
    for (const instruction of stage.instructions.filter((i) => i.keyword === 'RUN')) {
      for (const go of readGoRun(doc, stage, instruction, context.build).invocations) {
        if ((go.subcommand !== 'build' && go.subcommand !== 'install') || !invocationNeedsModule(go)) continue;
        const output = go.args[go.args.indexOf('-o') + 1];
        const targets = go.args.filter((w, i) => !w.startsWith('-') && !VALUE_FLAGS.has(go.args[i - 1] ?? ''));
        if (go.args.includes('-o') && output !== undefined && !output.endsWith('/')) {
          names.add(output.replace(/^.*\//, ''));
          continue;
        }
        for (const target of targets.length > 0 ? targets : ['.']) {
          if (target.includes('...') || target.includes('$')) return null;
          const path = target === '.' || target === './' ? module ?? '' : target;
          if (path === '') return null;
          names.add(executableName(path.endsWith('.go') ? '' : path) || (module ? executableName(module) : ''));
        }
      }
    }
  }
  return names;
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
    if (spec && spec.dest.startsWith('/') && (inside(spec.dest) || (spec.from !== null && above(spec.dest) && treeMayHold(doc, spec.from, target)))) {
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

/**
 * Whether a whole tree copied from another stage or image may hold files under `target`: not when
 * it is a helper image we know (tonistiigi/xx), or a stage FROM scratch whose COPYs all land elsewhere.
 */
function treeMayHold(doc: ParsedDockerfile, from: string, target: string): boolean {
  const stage = stageByReference(doc, from);
  const lineage = stage ? stageLineage(doc, stage) : [];
  const image = stage ? lineage.at(-1)?.image ?? '' : from;
  const overlaps = (dir: string) => dir === '/' || target === dir || target.startsWith(`${dir}/`) || dir.startsWith(`${target}/`);
  const known = helperImageDirs(image);
  if (known !== null && lineage.length <= 1) return known.some(overlaps);
  if (image !== 'scratch' || lineage.length !== 1 || !stage) return true;
  return stage.instructions.some((i) => {
    if (i.keyword === 'RUN') return true;
    const spec = copySpec(i);
    return spec !== null && (!spec.dest.startsWith('/') || overlaps(spec.dest.replace(/\/+$/, '') || '/') || (spec.from !== null && treeMayHold(doc, spec.from, target)));
  });
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

