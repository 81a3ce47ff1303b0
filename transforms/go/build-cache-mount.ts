/**
 * go/build-cache-mount (catalogue G-06).
 *
 * Looks for: RUN steps in Go stages that download modules or compile (`go build|install|test|vet|
 * generate|run`, `go mod download`, or `make` in a golang-based stage) without cache mounts for
 * Go's module cache (GOMODCACHE) and build cache (GOCACHE).
 * Checks: where those caches are for that RUN (the golang image's defaults, then ENV GOPATH,
 * GOMODCACHE, GOCACHE, HOME and USER, through stage inheritance); that no mount already claims the
 * target; that the module cache is not needed in the image (vendored builds, an image that runs `go`
 * at run time, a later `COPY --from` of the cache directory).
 * Writes: `--mount=type=cache,target=<dir>` flags (with uid/gid for a numeric non-root USER),
 * reusing the options of an existing mount of the same directory (an `id=`) so every step shares
 * one cache; removes a `go clean -cache`/`-modcache` that would empty the mount.
 */
import { type GoCacheDirs, goCacheDirs, isGolangImage, runEnvironment } from '../../src/env.js';
import type { Edit } from '../../src/edits.js';
import { copySpec } from '../../src/instructions.js';
import { addMounts, type Mount, mountsOf } from '../../src/mounts.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/parse.js';
import { goSubcommand, runScript, type ShellCommand } from '../../src/shell.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/transform.js';

/** Subcommands that compile or download, and so read or fill a cache. */
const CACHING_SUBCOMMANDS = new Set(['build', 'install', 'test', 'vet', 'generate', 'run', 'list', 'get', 'tool', 'mod download', 'mod tidy', 'mod verify', 'mod vendor', 'mod graph', 'mod why']);
const DOWNLOAD_ONLY = new Set(['mod download', 'mod verify']);
/** Opaque build drivers that, in a golang-based stage, almost always run `go build`. */
const GO_DRIVERS = new Set(['make', 'mage']);
/** Go commands in a RUN we cannot parse (heredoc, exec form): a textual hint is enough to add mounts. */
const GO_COMMAND_TEXT = /(^|[\s;&|("'`])go["',\s]+(build|install|test|vet|generate|run|list|get|mod)\b/;

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
  const modCacheNeededInImage = runsGoAtRunTime(doc, stage);

  for (const run of runs) {
    const dirs = goCacheDirs(runEnvironment(doc, stage, run.instruction));
    if ('reason' in dirs) {
      out.skip(run.instruction, dirs.reason);
      continue;
    }
    const mounts = mountsOf(run.instruction);
    const has = (target: string) => mounts.some((m) => m.target === target);
    const conflict = mounts.find((m) => m.type !== 'cache' && (m.target === dirs.modCache || m.target === dirs.buildCache));
    if (conflict) {
      out.skip(run.instruction, `a ${conflict.type} mount already uses ${conflict.target}`);
      continue;
    }
    const copiedOut = copiedFromStage(doc, stage, [dirs.modCache, dirs.buildCache]);
    const blocked = (target: string): string | null =>
      (target === dirs.modCache ? modCacheNeededInImage : null) ??
      (copiedOut.includes(target) ? `a later COPY --from takes ${target} from this stage` : null);
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
    const body = doc.source.text.slice(instruction.argsStart, instruction.end);
    return GO_COMMAND_TEXT.test(body) ? { instruction, commands: [], downloadOnly: false } : null;
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
function mountSpec(doc: ParsedDockerfile, target: string, dirs: GoCacheDirs): string {
  const existing = doc.instructions
    .filter((i) => i.keyword === 'RUN')
    .flatMap((i) => mountsOf(i))
    .find((m: Mount) => m.type === 'cache' && m.target === target);
  if (existing) return doc.source.text.slice(existing.flag.start, existing.flag.end).replace(/^--mount=/, '');
  return ['type=cache', `target=${target}`, dirs.ownerOptions].filter(Boolean).join(',');
}

/** Why the image needs its module cache in its layers: the final image runs `go` (a dev image). */
function runsGoAtRunTime(doc: ParsedDockerfile, stage: Stage): string | null {
  const final = doc.stages.at(-1);
  if (!final || !stageLineage(doc, final).includes(stage)) return null;
  const starts = stageLineage(doc, final).flatMap((s) => s.instructions).filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
  for (const instruction of starts) {
    const words = instruction.jsonForm ? instruction.jsonValues : instruction.args.map((a) => a.value);
    if (words.some((w) => /(^|\/)go$/.test(w))) {
      return `the image runs go at run time (${instruction.keyword} on line ${instruction.line + 1}), so it needs its modules`;
    }
  }
  return null;
}

/** Which of `dirs` a later stage copies out of this stage (or of a stage built FROM it). */
function copiedFromStage(doc: ParsedDockerfile, stage: Stage, dirs: readonly string[]): string[] {
  const names = new Set(doc.stages.filter((s) => stageLineage(doc, s).includes(stage)).flatMap((s) => [String(s.index), s.name ?? '']).filter(Boolean));
  const sources = doc.instructions
    .map(copySpec)
    .filter((spec) => spec !== null && spec.from !== null && names.has(spec.from.toLowerCase()))
    .flatMap((spec) => spec?.sources ?? []);
  return dirs.filter((dir) => sources.some((source) => source === dir || source.startsWith(`${dir}/`) || dir.startsWith(`${source.replace(/\/+$/, '')}/`)));
}

/** Edits removing `go clean -cache`/`-modcache` joined by `&&`, which would empty the shared cache. */
function cacheWipes(doc: ParsedDockerfile, run: GoRun): { edits: Edit[]; skip?: string } {
  const edits: Edit[] = [];
  const text = doc.source.text;
  const joined = (from: number, to: number) => /^\s*&&\s*$/.test(text.slice(from, to).replace(/[\\`][ \t]*\r?\n/g, ''));
  for (let k = 0; k < run.commands.length; k++) {
    const command = run.commands[k];
    if (!command || goSubcommand(command) !== 'clean' || !command.words.some((w) => w.value === '-cache' || w.value === '-modcache')) continue;
    const previous = run.commands[k - 1];
    const next = run.commands[k + 1];
    if (previous && joined(previous.end, command.start)) edits.push({ start: previous.end, end: command.end, text: '' });
    else if (!previous && next && joined(command.end, next.start)) edits.push({ start: command.start, end: next.start, text: '' });
    else return { edits: [], skip: 'a go clean -cache/-modcache here would empty the cache mount; remove it by hand' };
  }
  return { edits };
}
