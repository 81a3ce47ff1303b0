/**
 * `cachefix prove`: evidence from the user's own project that a rewrite is sound and worth it. Builds
 * the original and the rewritten Dockerfile from copies of the context (the user's files are never
 * touched), makes a harmless edit to a source file in both copies, rebuilds both, reports the times
 * and the steps that reran beside `cachefix explain`'s prediction, and compares the two images. The
 * I/O around the pure parts (step logs, image comparison, harmless edits, the report).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type BuilderRules, predictCache } from '../explain/cache-model.js';
import { changedSince, readBuildInput } from '../explain/explain.js';
import { ignoreRules } from '../context/dockerignore.js';
import { fsContext } from '../context/fs-context.js';
import { messageOf } from '../driver/error-message.js';
import type { Painter } from '../driver/diff.js';
import { mountsOf } from '../engine/mounts.js';
import { parseDockerfile, type ParsedDockerfile } from '../engine/parse.js';
import type { Transform } from '../engine/transform.js';
import { fixText } from '../index.js';
import { type Builder, type BuilderChoice, type BuildOutcome, findBuilder, NoBuilderError } from './builders.js';
import { copyContext } from './context-copy.js';
import { harmlessEdit } from './harmless-edit.js';
import { compareImages, type RewriteFacts } from './image-compare.js';
import { type ProveReport, renderReport, reportJson, type RunComparison, type SideReport, stepTexts, type Verdict } from './report.js';
import { parseSteps } from './step-log.js';
import { typicalChange } from './typical-change.js';

export interface ProveOptions {
  readonly dockerfile: string;
  readonly cwd: string;
  readonly context?: string;
  /** Files to edit, relative to the working directory. */
  readonly change: readonly string[];
  /** Also edit what `git diff --name-only REV` (plus untracked files) reports. */
  readonly since?: string;
  readonly target?: string;
  /** `K=V` or `K` (taken from the environment, as the builders do). */
  readonly buildArgs: readonly string[];
  readonly builder?: BuilderChoice;
  /** `--network` for every build and run (`none`, `host`). */
  readonly network?: string;
  /** Extra arguments for every build command (`--pull-never`). */
  readonly builderArgs: readonly string[];
  readonly unsafe: boolean;
  /** Exactly these transforms instead of the default selection (the API; tests plant wrong ones). */
  readonly transforms?: readonly Transform[];
  /** A command to run in both images, whose output and exit code must agree. */
  readonly run?: readonly string[];
  readonly keep: boolean;
  readonly format: 'text' | 'json';
  readonly env: NodeJS.ProcessEnv;
}

export interface ProveOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly paint: Painter;
  /** Show the builder's progress on one redrawn line (stderr is a terminal). */
  readonly live: boolean;
}

export class ProveUsageError extends Error {}
class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/** The instructions BuildKit shows as steps (the others only change the image config). */
const LOGGED_BY_BUILDKIT = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);

const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Runs the proof and prints the report; returns the exit code (0 proved, 1 not, 2 could not try). */
export async function prove(options: ProveOptions, out: ProveOutput): Promise<number> {
  const session = new Session(options, out);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (signal: NodeJS.Signals) => session.interrupt(signal);
  for (const signal of signals) process.on(signal, onSignal);
  try {
    const report = await session.run();
    out.stdout(options.format === 'json' ? reportJson(report) : renderReport(report, out.paint));
    return report.exitCode;
  } catch (error) {
    session.clearLine();
    // a signal also makes the running builder command fail: the signal is the cause
    const signal = error instanceof Interrupted ? error.signal : session.signal();
    if (signal !== null) {
      out.stderr(`cachefix prove: interrupted by ${signal}; removing its images, containers and copies\n`);
      return SIGNAL_EXIT[signal] ?? 130;
    }
    out.stderr(`cachefix prove: ${error instanceof ProveUsageError || error instanceof NoBuilderError ? error.message : messageOf(error)}\n`);
    return 2;
  } finally {
    session.cleanup();
    for (const signal of signals) process.off(signal, onSignal);
  }
}

class Session {
  private builder: Builder | null = null;
  private interrupted: NodeJS.Signals | null = null;
  private readonly images: string[] = [];
  private temp: string | null = null;
  private lineShown = false;
  /** Names this run's images and marks its edits. */
  private readonly id = randomBytes(4).toString('hex');

  constructor(
    private readonly options: ProveOptions,
    private readonly out: ProveOutput,
  ) {}

  interrupt(signal: NodeJS.Signals): void {
    this.interrupted ??= signal;
    this.builder?.abort();
  }

  signal(): NodeJS.Signals | null {
    return this.interrupted;
  }

  private check(): void {
    if (this.interrupted) throw new Interrupted(this.interrupted);
  }

  async run(): Promise<ProveReport> {
    const o = this.options;
    let input;
    try {
      input = readBuildInput(o);
    } catch (error) {
      throw new ProveUsageError(messageOf(error));
    }
    const { dockerfile, shown, text, contextDir, dockerfilePath } = input;
    if (!statSync(contextDir).isDirectory()) throw new ProveUsageError(`${contextDir}: the build context is not a directory`);
    let originalDoc: ParsedDockerfile;
    try {
      originalDoc = parseDockerfile(text);
      if (o.target !== undefined) predictCache(originalDoc, { changes: { files: [], args: [] }, ignores: () => false, target: o.target });
    } catch (error) {
      throw new ProveUsageError(`${shown}: ${messageOf(error)}`);
    }
    const context = fsContext(contextDir);
    const fixed = fixText(text, { context, dockerfilePath, unsafe: o.unsafe, ...(o.transforms ? { transforms: o.transforms } : {}) });
    const applied = [...new Set(fixed.changes.map((c) => c.transform))];
    const base = { dockerfile: shown, context: contextDir, transforms: applied, notes: [] as string[] };
    if (fixed.output === text && fixed.files.length === 0) {
      return { ...base, builder: '(none)', changes: [], original: null, rewritten: null, ratio: null, differences: [], run: null, verdict: 'nothing-to-prove', exitCode: 0 };
    }
    const notes = base.notes;
    // named changes are checked before anything is built
    const named = this.namedChanges(contextDir, notes);
    const builder = findBuilder(o.builder ?? null, o.env);
    this.builder = builder;

    // the two contexts: the original as it is, the rewrite with the files its fix writes
    this.temp = mkdtempSync(join(tmpdir(), 'cachefix-prove-'));
    const originalRules = ignoreRules(context, dockerfilePath);
    const always = new Set([...(dockerfilePath ? [dockerfilePath, `${dockerfilePath}.dockerignore`] : []), '.dockerignore']);
    const negations = originalRules.file !== null && (context.readFile(originalRules.file) ?? '').split('\n').some((l) => l.trim().startsWith('!'));
    const copyRules = { ignores: (p: string) => originalRules.ignores(p), negations, always };
    const started = Date.now();
    const contextA = join(this.temp, 'original');
    const contextB = join(this.temp, 'rewritten');
    const copied = copyContext(contextDir, contextA, copyRules);
    copyContext(contextDir, contextB, copyRules);
    this.progress(`copied the context twice (${copied.length} entries, ${((Date.now() - started) / 1000).toFixed(2)} s)`);
    this.check();
    const dockerfileA = dockerfilePath ? join(contextA, dockerfilePath) : dockerfile;
    let dockerfileB: string;
    if (dockerfilePath) dockerfileB = join(contextB, dockerfilePath);
    else {
      mkdirSync(join(this.temp, 'dockerfile'));
      dockerfileB = join(this.temp, 'dockerfile', basename(dockerfile));
      const ignoreBeside = `${dockerfile}.dockerignore`;
      if (existsSync(ignoreBeside)) writeFileSync(`${dockerfileB}.dockerignore`, readFileSync(ignoreBeside));
    }
    writeKeepingMode(dockerfileB, Buffer.from(fixed.output, 'utf8'), statSync(dockerfile).mode);
    for (const file of fixed.files) writeKeepingMode(join(contextB, file.path), Buffer.from(file.after, 'utf8'), 0o644);

    // what changes: named files, git's list, or the file a typical source edit touches
    const changed = this.edits(contextDir, named ?? this.typical(originalDoc, copied, (p) => originalRules.ignores(p), builder.rules, notes), (p) => originalRules.ignores(p), notes);

    // the builds
    const tag = (side: string, n: number) => `cachefix-prove-${this.id}-${side}-${n}`;
    const build = async (side: 'original' | 'rewritten', n: number, ctx: string, file: string): Promise<BuildOutcome> => {
      this.progress(`${n === 1 ? 'building' : 'rebuilding'} the ${side} Dockerfile`);
      const request = { context: ctx, dockerfile: file, tag: tag(side, n), target: o.target ?? null, buildArgs: o.buildArgs, network: o.network ?? null, extraArgs: o.builderArgs };
      this.images.push(request.tag);
      const outcome = await builder.build({ ...request, ...(this.out.live ? { onLine: (line: string) => this.live(`${side} ${n === 1 ? 'build' : 'rebuild'}: ${line}`) } : {}) });
      this.images.push(...outcome.images);
      this.clearLine();
      this.check();
      return outcome;
    };
    const summary = (b: BuildOutcome) => ({ ok: b.ok, seconds: b.seconds });
    const rewrittenDoc = parseDockerfile(fixed.output);
    const rewrittenRules = ignoreRules(fsContext(contextB), dockerfilePath);
    const predict = (doc: ParsedDockerfile, ignores: (p: string) => boolean) => {
      const p = predictCache(doc, { changes: { files: changed.map((c) => c.path), args: [] }, ignores, target: o.target ?? null, builder: builder.rules });
      // BuildKit logs only the steps that touch the file system; buildah logs every instruction
      const logged = p.stages.filter((s) => s.built).flatMap((s) => s.steps).filter((step) => builder.logFormat === 'buildah' || LOGGED_BY_BUILDKIT.has(step.keyword));
      const steps = logged.filter((step) => step.rerun).map((step) => step.text);
      return { rerun: steps.length, total: logged.length, steps };
    };
    const predictedA = predict(originalDoc, (p) => originalRules.ignores(p));
    const predictedB = predict(rewrittenDoc, (p) => rewrittenRules.ignores(p));
    const side = (t: string, first: BuildOutcome, rebuild: BuildOutcome | null, predicted: SideReport['predicted']): SideReport => {
      const failed = !first.ok ? first : rebuild && !rebuild.ok ? rebuild : null;
      const steps = rebuild ? parseSteps(rebuild.log, builder.logFormat) : [];
      return {
        tag: t,
        first: summary(first),
        rebuild: rebuild ? { ...summary(rebuild), reran: stepTexts(steps, false), cached: stepTexts(steps, true) } : null,
        failure: failed ? tail(failed.log) : null,
        predicted: { rerun: predicted.rerun, total: predicted.total, steps: predicted.steps },
      };
    };
    const finish = (verdict: Verdict, exitCode: 0 | 1 | 2, sides: [SideReport | null, SideReport | null], rest: Partial<Pick<ProveReport, 'differences' | 'run' | 'ratio'>> = {}): ProveReport => ({
      ...base,
      builder: builder.description,
      changes: changed.map(({ path, edit }) => ({ path, edit })),
      original: sides[0],
      rewritten: sides[1],
      ratio: rest.ratio ?? null,
      differences: rest.differences ?? [],
      run: rest.run ?? null,
      verdict,
      exitCode,
    });

    const firstA = await build('original', 1, contextA, dockerfileA);
    if (!firstA.ok) return finish('original-failed', 2, [side(tag('original', 1), firstA, null, predictedA), null]);
    const firstB = await build('rewritten', 1, contextB, dockerfileB);
    if (!firstB.ok) return finish('rewrite-failed', 1, [side(tag('original', 1), firstA, null, predictedA), side(tag('rewritten', 1), firstB, null, predictedB)]);

    const now = new Date();
    for (const change of changed) {
      for (const root of [contextA, contextB]) {
        const file = join(root, change.path);
        // a file .dockerignore keeps out was not copied: the build would not see it anyway
        if (!existsSync(file)) continue;
        writeKeepingMode(file, change.content, lstatSync(file).mode);
        utimesSync(file, now, now);
      }
    }
    const rebuildA = await build('original', 2, contextA, dockerfileA);
    const rebuildB = await build('rewritten', 2, contextB, dockerfileB);
    const sides: [SideReport, SideReport] = [side(tag('original', 2), firstA, rebuildA, predictedA), side(tag('rewritten', 2), firstB, rebuildB, predictedB)];
    if (!rebuildA.ok) return finish('original-failed', 2, sides);
    if (sides[0].rebuild?.reran.length === 0) notes.push("the original's rebuild took every step from the cache: the builder has seen the edited content before (a trailing newline is the same every run), so the times compare nothing; name a source file with --change");
    if (!rebuildB.ok) return finish('rewrite-failed', 1, sides);
    const ratio = rebuildA.seconds > 0 ? rebuildB.seconds / rebuildA.seconds : null;

    this.progress('comparing the two images');
    const snapshotA = await builder.snapshot(tag('original', 2));
    this.check();
    const snapshotB = await builder.snapshot(tag('rewritten', 2));
    this.check();
    const copiedSet = new Set(copied);
    const facts: RewriteFacts = {
      applied,
      changedContextFiles: [...(dockerfilePath ? [dockerfilePath] : []), ...fixed.files.map((f) => f.path)],
      newlyIgnored: (p) => copiedSet.has(p) && !originalRules.ignores(p) && rewrittenRules.ignores(p),
      cacheMounts: cacheMountTargets(rewrittenDoc),
    };
    const differences = compareImages(snapshotA, snapshotB, facts);
    let run: RunComparison | null = null;
    if (o.run && o.run.length > 0) {
      this.progress(`running ${o.run.join(' ')} in both images`);
      const a = await builder.run(tag('original', 2), o.run, o.network ?? null);
      this.check();
      const b = await builder.run(tag('rewritten', 2), o.run, o.network ?? null);
      this.check();
      run = { command: o.run, original: a, rewritten: b, same: a.code === b.code && a.output === b.output };
    }
    const unexpected = differences.some((d) => d.expected === null) || (run !== null && !run.same);
    return finish(unexpected ? 'unexpected-differences' : 'proved', unexpected ? 1 : 0, sides, { differences, run, ratio });
  }

  /** The files `--change` and `--since` name (context-relative), or null when neither is given. */
  private namedChanges(contextDir: string, notes: string[]): string[] | null {
    const o = this.options;
    if (o.change.length === 0 && o.since === undefined) return null;
    const paths: string[] = [];
    for (const given of o.change) {
      const absolute = resolve(o.cwd, given);
      const path = relative(contextDir, absolute);
      if (path === '' || path.startsWith('..') || isAbsolute(path)) throw new ProveUsageError(`--change ${given}: not inside the build context ${contextDir}`);
      if (!existsSync(absolute) || !lstatSync(absolute).isFile()) throw new ProveUsageError(`--change ${given}: not a file`);
      paths.push(path.split(sep).join('/'));
    }
    if (o.since !== undefined) {
      let since: string[];
      try {
        since = changedSince(contextDir, o.since);
      } catch (error) {
        throw new ProveUsageError(messageOf(error));
      }
      for (const path of since) {
        const absolute = join(contextDir, path);
        if (path === '.git') notes.push('.git changes with every commit; it is not edited (a rewrite with docker/dockerignore keeps it out)');
        else if (!existsSync(absolute) || !lstatSync(absolute).isFile()) notes.push(`${path}: deleted since ${o.since}, not edited`);
        else paths.push(path);
      }
      if (paths.length === 0) throw new ProveUsageError(`--since ${o.since}: no changed file to edit`);
    }
    return [...new Set(paths)];
  }

  /** The file a typical source edit touches, as `cachefix explain` sees the build. */
  private typical(doc: ParsedDockerfile, copied: readonly string[], ignores: (p: string) => boolean, rules: BuilderRules, notes: string[]): string[] {
    const typical = typicalChange(doc, copied, { target: this.options.target ?? null, ignores, builder: rules });
    if (typical === null) throw new ProveUsageError('found no source file whose edit the build would see; name one with --change FILE');
    notes.push(`no --change or --since: editing ${typical}, a source file the build copies`);
    return [typical];
  }

  /** Each file's harmless edit, made from the user's file (which is only read). */
  private edits(contextDir: string, paths: readonly string[], ignores: (p: string) => boolean, notes: string[]): { path: string; edit: string; content: Buffer }[] {
    for (const path of paths) if (ignores(path)) notes.push(`${path}: .dockerignore keeps it out of the build, so neither build sees the edit`);
    return paths.map((path) => {
      const edit = harmlessEdit(path, readFileSync(join(contextDir, path)), this.id);
      return { path, edit: edit.description, content: edit.content };
    });
  }

  private progress(message: string): void {
    this.clearLine();
    this.out.stderr(`cachefix prove: ${message}\n`);
  }

  private live(line: string): void {
    // BuildKit's blank separators and vertex digests say nothing to a reader
    if (line.trim() === '' || /^#\d+ sha256:/.test(line)) return;
    const width = Math.max(20, (process.stderr.columns || 100) - 1);
    const shown = line.replace(/\s+/g, ' ').slice(0, width);
    this.out.stderr(`\r\x1b[K${shown}`);
    this.lineShown = true;
  }

  clearLine(): void {
    if (this.lineShown) this.out.stderr('\r\x1b[K');
    this.lineShown = false;
  }

  /** Removes the images and temporary files (unless --keep, which lists them). */
  cleanup(): void {
    if (this.options.keep) {
      if (this.images.length > 0 || this.temp) this.out.stderr(`cachefix prove: kept images ${this.images.filter((i) => i.startsWith('cachefix-prove-')).join(', ')}${this.temp ? ` and ${this.temp}` : ''}\n`);
      return;
    }
    // the newest first: a rebuild's image before the first build's it may share layers with
    this.builder?.remove([...this.images].reverse());
    if (this.temp) removeTree(this.temp);
  }
}

function cacheMountTargets(doc: ParsedDockerfile): string[] {
  const targets = doc.stages.flatMap((s) => s.instructions.flatMap((i) => mountsOf(i).filter((m) => m.type === 'cache').map((m) => m.flag.options.find((opt) => opt.name === 'target' || opt.name === 'dst' || opt.name === 'destination')?.value ?? '')));
  return [...new Set(targets.filter((t) => t.startsWith('/')))];
}

function writeKeepingMode(path: string, content: Buffer, mode: number): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  // the copy keeps a read-only directory read-only: open it for the write, then close it again
  const dirMode = statSync(dir).mode & 0o7777;
  chmodSync(dir, dirMode | 0o700);
  try {
    // a new file, not the old inode: a copy may be a reflink of the user's file
    rmSync(path, { force: true });
    writeFileSync(path, content);
    chmodSync(path, mode & 0o7777);
  } finally {
    chmodSync(dir, dirMode);
  }
}

/** Removes a context copy, read-only directories included. */
function removeTree(root: string): void {
  const open = (dir: string): void => {
    try {
      chmodSync(dir, 0o700);
      for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) open(join(dir, entry.name));
    } catch {
      // gone or not ours: rmSync says what it cannot remove
    }
  };
  open(root);
  rmSync(root, { recursive: true, force: true });
}

function tail(log: string, lines = 15): string {
  return log.trimEnd().split('\n').slice(-lines).join('\n');
}
