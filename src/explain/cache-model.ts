/**
 * A model of the builder's layer cache: for a change to some build-context files or build args,
 * which steps of which stages rerun. Pure: the Dockerfile, the change and the .dockerignore rules in,
 * a prediction out.
 *
 * Rules (Docker's cache invalidation docs, checked against Docker 20.10's BuildKit and buildah 1.28 by
 * __tests__/e2e/explain-builds.test.ts, each builder with its own rules):
 * - a step reuses its cache only if its parent did: once a step reruns, every later step of the
 *   stage reruns, and so does every stage built FROM it;
 * - COPY/ADD from the context key on the content and metadata (not mtime) of the files they match,
 *   after .dockerignore; `RUN --mount=type=bind` sources count the same way;
 * - RUN keys on its command string plus the build args in effect: a changed `--build-arg` value
 *   breaks the cache at the first RUN after the stage's `ARG`, not at the ARG itself; a global ARG only matters where
 *   FROM spells it; a predefined proxy arg (`HTTP_PROXY`) counts only where the stage declares it;
 *   instructions that only set image metadata (ENV, LABEL, USER, EXPOSE, CMD...) never break it
 *   themselves: BuildKit does not make steps of them (its `[stage k/n]` counts FROM, RUN, COPY, ADD and
 *   WORKDIR only), and buildah keys them on their unexpanded text;
 * - BuildKit also keys WORKDIR, COPY and ADD on their expanded arguments (`COPY a /$DIR/`), and a
 *   bind-mounting RUN on the files it mounts (one file, or the whole context after .dockerignore),
 *   and hands the args a stage declares, and its ENV, to the stages built FROM it (their RUNs see a
 *   changed value); buildah 1.28 does none of these (the `buildah` builder);
 * - cache mounts are not part of the key, so their RUN reruns only for the reasons above;
 * - `COPY --from=<stage>` keys on the files it copies, which change only if that stage rebuilt a step
 *   that writes files. Both builders key it on their content, so where a rerun writes the same bytes
 *   (a deterministic RUN, a comment in go.mod) it stays cached, and BuildKit also reuses a result any
 *   earlier build made from the same bytes: the model, which cannot know a RUN's output, says rerun;
 * - stages the target does not need are not built.
 */
import { normalizePath } from '../context/context.js';
import { copySpec, globMatches } from '../engine/instructions.js';
import { mountsOf } from '../engine/mounts.js';
import type { Instruction, ParsedDockerfile, Stage } from '../engine/parse.js';

export interface ChangeSet {
  /** Context-relative POSIX paths whose content or metadata changed, or that appeared or vanished. */
  readonly files: readonly string[];
  /** Build args whose `--build-arg` value changed. */
  readonly args: readonly string[];
}

export interface StepPrediction {
  /** Index of the stage, and of the instruction within it (FROM is 0, as in buildah's `STEP i/n`, minus one). */
  readonly stage: number;
  readonly index: number;
  /** 1-based line of the instruction. */
  readonly line: number;
  readonly keyword: string;
  /** The instruction on one line: continuations joined, blanks collapsed. */
  readonly text: string;
  readonly rerun: boolean;
  /** Why it reruns, for the reader. */
  readonly reason: string | null;
  /** What broke its cache: a changed file or arg, another stage, or an earlier step of this stage. */
  readonly cause: BreakCause | null;
  /** A RUN with cache mounts: when it reruns, it starts from a warm cache. */
  readonly cacheMounts: boolean;
}

export type BreakCause = 'change' | 'stage' | 'cascade';

export interface StagePrediction {
  readonly index: number;
  readonly name: string | null;
  readonly image: string;
  readonly line: number;
  /** The target needs it; stages it does not need are not built. */
  readonly built: boolean;
  readonly steps: readonly StepPrediction[];
}

export interface CachePrediction {
  /** Index of the stage being built. */
  readonly target: number;
  readonly stages: readonly StagePrediction[];
  /** Steps of built stages, and those among them that rerun. */
  readonly total: number;
  readonly rerun: number;
  /** The first step (in file order) whose own inputs changed: where the change enters the build. */
  readonly firstBreak: StepPrediction | null;
}

/** Whose cache rules to follow: they differ where buildah 1.28 keys a step on less than BuildKit. */
export type BuilderRules = 'buildkit' | 'buildah';

export interface ModelOptions {
  readonly changes: ChangeSet;
  /** Default: buildkit (`docker build`, `docker buildx`). */
  readonly builder?: BuilderRules;
  /** Whether .dockerignore keeps a context path out of the build. */
  readonly ignores: (path: string) => boolean;
  /** The stage to build (name or index); default: the last. */
  readonly target?: string | null;
}

export class UnknownTargetError extends Error {
  constructor(target: string, doc: ParsedDockerfile) {
    const names = doc.stages.map((s) => s.name).filter((n): n is string => n !== null);
    super(`no stage named ${target}${names.length > 0 ? ` (stages: ${names.join(', ')})` : ''}`);
    this.name = 'UnknownTargetError';
  }
}

/** What rebuilds when `changes` happen, stage by stage. */
export function predictCache(doc: ParsedDockerfile, options: ModelOptions): CachePrediction {
  const target = targetStage(doc, options.target ?? null);
  const needed = neededStages(doc, target);
  const changedFiles = options.changes.files.map(normalizePath).filter((p) => p !== '' && !options.ignores(p));
  const changedArgs = new Set(options.changes.args);
  const outcomes = new Map<number, StageOutcome>();
  const outcomeOf = (stage: Stage): StageOutcome => {
    const known = outcomes.get(stage.index);
    if (known) return known;
    const outcome = predictStage(doc, stage, { changedFiles, changedArgs, outcomeOf, builder: options.builder ?? 'buildkit' });
    outcomes.set(stage.index, outcome);
    return outcome;
  };
  const stages = doc.stages.map((stage): StagePrediction => {
    const base = { index: stage.index, name: stage.name, image: stage.image, line: stage.from.line + 1 };
    return needed.has(stage.index) ? { ...base, built: true, steps: outcomeOf(stage).steps } : { ...base, built: false, steps: stepsOf(doc, stage).map((s) => s.cached) };
  });
  const built = stages.filter((s) => s.built).flatMap((s) => s.steps);
  return {
    target: target.index,
    stages,
    total: built.length,
    rerun: built.filter((s) => s.rerun).length,
    firstBreak: built.find((s) => s.cause === 'change') ?? null,
  };
}

interface StageOutcome {
  readonly steps: StepPrediction[];
  /** Some step reran: the stage's image is new, so stages built FROM it rerun. */
  readonly rebuilt: boolean;
  /** Some rerun step may have written files, so `COPY --from` this stage may copy new content. */
  readonly filesChanged: boolean;
  /** Args and ENV names whose value changed at the end of the stage, which BuildKit hands to the stages built FROM it. */
  readonly changedAtEnd: readonly string[];
}

interface StageInputs {
  readonly changedFiles: readonly string[];
  readonly changedArgs: ReadonlySet<string>;
  readonly outcomeOf: (stage: Stage) => StageOutcome;
  readonly builder: BuilderRules;
}

/** Instructions whose expanded arguments are part of BuildKit's cache key (they touch the filesystem). */
const KEYED_ON_EXPANSION = new Set(['WORKDIR', 'COPY', 'ADD']);

/** Steps that write to the filesystem; the others only change the image config. */
const WRITES_FILES = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);

function predictStage(doc: ParsedDockerfile, stage: Stage, inputs: StageInputs): StageOutcome {
  const parent = stage.parent === null ? null : doc.stages[stage.parent];
  const parentOutcome = parent ? inputs.outcomeOf(parent) : null;
  const baseArg = usedNames(doc.source.text.slice(stage.from.argsStart, stage.from.end)).find((n) => inputs.changedArgs.has(n));
  // A new base image (a rebuilt parent stage, or a FROM that spells a changed arg) breaks the first step.
  let pending: { reason: string; cause: BreakCause } | null = null;
  if (parent && parentOutcome?.rebuilt) pending = { reason: `its base stage ${stageLabel(parent)} was rebuilt`, cause: 'stage' };
  else if (baseArg !== undefined) pending = { reason: `FROM uses $${baseArg}, whose value changed`, cause: 'change' };
  let brokenAfter: number | null = null;

  const steps: StepPrediction[] = [];
  // BuildKit hands a stage built FROM another that stage's build args and environment, expanded anew:
  // a changed arg declared there, or an ENV there that spells one, reaches every RUN here; buildah ends
  // args with their stage and keeps the old value in its cached ENV step
  const inherited: readonly string[] = inputs.builder === 'buildkit' ? (parentOutcome?.changedAtEnd ?? []) : [];
  const declaredChanged: string[] = [...inherited];
  for (const { instruction, cached } of stepsOf(doc, stage)) {
    if (brokenAfter !== null) {
      steps.push({ ...cached, rerun: true, reason: `follows line ${brokenAfter}`, cause: 'cascade' });
    } else {
      const own = pending ?? ownReason(doc, instruction, inputs, declaredChanged, inherited);
      pending = null;
      if (own === null) steps.push(cached);
      else {
        steps.push({ ...cached, rerun: true, reason: own.reason, cause: own.cause });
        brokenAfter = instruction.line + 1;
      }
    }
    if (instruction.keyword === 'ARG') declaredChanged.push(...argNames(instruction).filter((n) => inputs.changedArgs.has(n)));
    // `ENV DIR=/x/$VERSION`: a later `COPY a $DIR/` expands the changed value too (RUNs see the arg anyway)
    if (instruction.keyword === 'ENV' && spelledChanged(doc, instruction, declaredChanged) !== undefined) declaredChanged.push(...argNames(instruction));
  }
  return {
    steps,
    changedAtEnd: declaredChanged,
    rebuilt: steps.some((s) => s.rerun),
    filesChanged: (parentOutcome?.filesChanged ?? false) || steps.some((s) => s.rerun && WRITES_FILES.has(s.keyword)),
  };
}

/** Why this instruction's own cache key changed, or null. */
function ownReason(
  doc: ParsedDockerfile,
  instruction: Instruction,
  inputs: StageInputs,
  declaredChanged: readonly string[],
  inherited: readonly string[],
): { reason: string; cause: BreakCause } | null {
  const change = (reason: string | null) => (reason === null ? null : { reason, cause: 'change' as const });
  const spelled = spelledChanged(doc, instruction, declaredChanged);
  if (spelled !== undefined && (instruction.keyword === 'RUN' || (inputs.builder === 'buildkit' && KEYED_ON_EXPANSION.has(instruction.keyword)))) {
    return change(`it uses $${spelled}, whose value changed`);
  }
  switch (instruction.keyword) {
    case 'RUN': {
      const implicit = declaredChanged[0];
      if (implicit !== undefined && inherited.includes(implicit)) return change(`$${implicit} changed in its base stage, whose args and environment BuildKit hands on`);
      if (implicit !== undefined) return change(`build arg ${implicit} changed (a RUN sees every ARG declared before it)`);
      return inputs.builder === 'buildkit' ? bindMountReason(doc, instruction, inputs) : null;
    }
    case 'COPY':
    case 'ADD':
      return copyReason(doc, instruction, inputs);
    default:
      return null;
  }
}

/** A changed arg (or env derived from one) that the instruction's text expands. */
function spelledChanged(doc: ParsedDockerfile, instruction: Instruction, declaredChanged: readonly string[]): string | undefined {
  return usedNames(doc.source.text.slice(instruction.keywordEnd, instruction.end)).find((name) => declaredChanged.includes(name));
}

function copyReason(doc: ParsedDockerfile, instruction: Instruction, inputs: StageInputs): { reason: string; cause: BreakCause } | null {
  const spec = copySpec(instruction);
  if (spec === null) return null; // heredoc: its content is in the Dockerfile
  if (spec.from !== null) {
    const source = stageByReference(doc, spec.from);
    if (source === undefined) return null; // an image or named context: not part of this change
    if (!inputs.outcomeOf(source).filesChanged) return null;
    return { reason: `stage ${stageLabel(source)} was rebuilt, so the files it copies may differ`, cause: 'stage' };
  }
  const sources = spec.sources.filter((s) => !isRemote(s));
  const matched = inputs.changedFiles.filter((path) => sources.some((source) => sourceCovers(source, path)));
  if (matched.length === 0) return null;
  return { reason: `${displaySources(spec.sources)} ${matched.length === 1 ? 'matches' : 'match'} ${listPaths(matched)}`, cause: 'change' };
}

function bindMountReason(doc: ParsedDockerfile, instruction: Instruction, inputs: StageInputs): { reason: string; cause: BreakCause } | null {
  for (const mount of mountsOf(instruction)) {
    if (mount.type !== 'bind') continue;
    const option = (name: string) => mount.flag.options.find((o) => o.name === name)?.value;
    const from = option('from');
    if (from !== undefined) {
      const source = stageByReference(doc, from);
      if (source !== undefined && inputs.outcomeOf(source).filesChanged) return { reason: `its bind mount reads stage ${stageLabel(source)}, which was rebuilt`, cause: 'stage' };
      continue;
    }
    const source = option('source') ?? option('src') ?? '.';
    const matched = inputs.changedFiles.filter((path) => sourceCovers(source, path));
    if (matched.length > 0) return { reason: `its bind mount of ${source} ${matched.length === 1 ? 'sees' : 'see'} ${listPaths(matched)}`, cause: 'change' };
  }
  return null;
}

/** Whether copying `source` (a context path or Go-style glob) takes `path`, directly or inside a directory. */
export function sourceCovers(source: string, path: string): boolean {
  const pattern = normalizePath(source);
  if (pattern === '') return true;
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (prefix === pattern || globMatches(pattern, prefix)) return true;
  }
  return false;
}

function isRemote(source: string): boolean {
  return /^(https?:\/\/|git@|git:\/\/)/.test(source);
}

/** Every instruction after FROM, with its prediction when nothing changes. */
function stepsOf(doc: ParsedDockerfile, stage: Stage): { instruction: Instruction; cached: StepPrediction }[] {
  return stage.instructions
    .filter((i) => i !== stage.from)
    .map((instruction, k) => ({
      instruction,
      cached: {
        stage: stage.index,
        index: k + 1,
        line: instruction.line + 1,
        keyword: instruction.keyword,
        text: oneLine(doc, instruction),
        rerun: false,
        reason: null,
        cause: null,
        cacheMounts: mountsOf(instruction).some((m) => m.type === 'cache'),
      },
    }));
}

function targetStage(doc: ParsedDockerfile, target: string | null): Stage {
  const last = doc.stages[doc.stages.length - 1];
  if (last === undefined) throw new Error('the Dockerfile has no FROM');
  if (target === null) return last;
  const stage = stageByReference(doc, target);
  if (stage === undefined) throw new UnknownTargetError(target, doc);
  return stage;
}

/** The target and every stage it needs: its base stages, and the stages it copies or mounts from. */
function neededStages(doc: ParsedDockerfile, target: Stage): Set<number> {
  const needed = new Set<number>();
  const visit = (stage: Stage | undefined): void => {
    if (stage === undefined || needed.has(stage.index)) return;
    needed.add(stage.index);
    if (stage.parent !== null) visit(doc.stages[stage.parent]);
    for (const instruction of stage.instructions) {
      const from = copySpec(instruction)?.from;
      if (from) visit(stageByReference(doc, from));
      for (const mount of mountsOf(instruction)) {
        const mountFrom = mount.flag.options.find((o) => o.name === 'from')?.value;
        if (mountFrom) visit(stageByReference(doc, mountFrom));
      }
    }
  };
  visit(target);
  return needed;
}

/** A stage named by alias or index; null for images and named contexts. */
function stageByReference(doc: ParsedDockerfile, ref: string): Stage | undefined {
  if (/^\d+$/.test(ref)) return doc.stages[Number(ref)];
  const name = ref.toLowerCase();
  return doc.stages.find((s) => s.name === name);
}

function argNames(instruction: Instruction): string[] {
  return instruction.args.map((a) => a.value.split('=')[0] ?? '').filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
}

/** Variable names a piece of Dockerfile text expands: `$NAME`, `${NAME}`, `${NAME:-x}`. */
function usedNames(text: string): string[] {
  return [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? '');
}

function oneLine(doc: ParsedDockerfile, instruction: Instruction): string {
  const escape = doc.escapeChar === '`' ? '`' : '\\\\';
  return doc.source.text
    .slice(instruction.start, instruction.end)
    .replace(new RegExp(`${escape}[ \\t]*\\r?\\n`, 'g'), ' ')
    .replace(/\r?\n[ \t]*#[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function stageLabel(stage: Stage): string {
  return stage.name ?? String(stage.index);
}

function displaySources(sources: readonly string[]): string {
  return sources.length === 1 && normalizePath(sources[0] ?? '') === '' ? 'the whole context' : sources.join(' ');
}

function listPaths(paths: readonly string[]): string {
  const shown = paths.slice(0, 3).join(', ');
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}
