/**
 * The driver: the only place with file I/O. Reads each Dockerfile, runs the fix loop, then prints a
 * diff (default), writes in place (`write`), or reports what would change (`check`).
 * Never throws for a bad file: each file gets its own status, and the others still run.
 */
import { readFileSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { checkWritable, writeFileAtomic } from './atomic-write.js';
import { discover } from './discover.js';
import { colorDiff, type Painter, unifiedDiff } from './diff.js';
import { withPendingFiles } from '../context/context.js';
import { dockerfileError } from '../engine/dockerfile-errors.js';
import { messageOf } from './error-message.js';
import { type AppliedChange, fixText, type SkippedChange } from '../engine/fixer.js';
import { fsContext } from '../context/fs-context.js';
import { deferInterrupts, nextTurn } from './interrupt.js';
import { decodeDockerfile, readDockerfile } from './read-dockerfile.js';
import { sarifLog } from './sarif.js';
import type { Transform } from '../engine/transform.js';
import { packageVersion } from './version.js';

export type Mode = 'diff' | 'write' | 'check';

export interface RunOptions {
  readonly paths: readonly string[];
  readonly mode: Mode;
  readonly transforms: readonly Transform[];
  /** Every transform id there is, for warnings about unknown ids in ignore comments. */
  readonly knownTransformIds?: readonly string[];
  /** The build context directory; default: each Dockerfile's directory (the working directory for stdin). */
  readonly context?: string;
  readonly cwd: string;
  readonly quiet?: boolean;
  /**
   * Per-file settings from configuration files: the transforms for that Dockerfile, or `excluded`.
   * Throws a ConfigError for an unusable configuration (reported for that file, exit 2).
   */
  readonly configure?: (file: string) => Promise<{ readonly excluded: boolean; readonly transforms: readonly Transform[] }>;
  /** Extra file-name globs to take when walking a directory given on the command line. */
  readonly includes?: (dir: string) => Promise<(file: string) => boolean>;
  /** `diff` (default): a unified diff and one line per change; `json`: one object per file; `sarif`: SARIF 2.1.0. */
  readonly format?: 'diff' | 'json' | 'sarif';
}

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<Buffer>;
  readonly paint: Painter;
  /** stderr is a terminal: long runs show a progress line there. */
  readonly progress?: boolean;
}

/** Runs with fewer files finish before a progress line would help. */
const PROGRESS_MIN_FILES = 20;

export type FileStatus = 'changed' | 'unchanged' | 'error';

export interface FileReport {
  /** The path as shown to the user (relative to the working directory when inside it). */
  readonly path: string;
  readonly status: FileStatus;
  readonly changes: readonly AppliedChange[];
  readonly skips: readonly SkippedChange[];
  /** The diff of the Dockerfile and of every context file the fix changes. */
  readonly diff: string;
  /** Context files (`.dockerignore`) changed by the fix, as shown to the user. */
  readonly contextFiles: readonly string[];
  /** Why the file could not be used (`status: 'error'`), in one line. */
  readonly error?: string;
  /** The 1-based line the error is about, when it is about one (a Dockerfile Docker cannot parse). */
  readonly errorLine?: number;
}

export interface RunResult {
  readonly files: readonly FileReport[];
  readonly exitCode: 0 | 1 | 2;
}

/** A directory, and not a path that fails to resolve (discover() reports those). */
function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

export async function run(options: RunOptions, out: Output): Promise<RunResult> {
  if (options.paths.includes('-')) return runStdin(options, out);
  const roots = options.paths.map((p) => resolve(options.cwd, p));
  const includes = new Map<string, (file: string) => boolean>();
  const reports: InternalReport[] = [];
  for (const root of roots) {
    if (!options.includes || !isDirectory(root)) continue;
    try {
      includes.set(root, await options.includes(root));
    } catch (error) {
      reports.push(errorReport(displayPath(options.cwd, root), messageOf(error)));
    }
  }
  const discovered = discover(roots, (file) => [...includes].some(([root, included]) => file.startsWith(root) && included(file)));
  reports.push(...discovered.errors.map((e) => errorReport(displayPath(options.cwd, e.path), e.reason)));
  const files: string[] = [];
  const transformsFor = new Map<string, readonly Transform[]>();
  for (const file of discovered.files) {
    if (!options.configure) {
      files.push(file);
      continue;
    }
    try {
      const settings = await options.configure(file);
      if (settings.excluded) continue;
      transformsFor.set(file, settings.transforms);
      files.push(file);
    } catch (error) {
      reports.push(errorReport(displayPath(options.cwd, file), messageOf(error)));
    }
  }
  /** Context files this run changes (absolute path → text): later Dockerfiles of the same context see them. */
  const pending = new Map<string, string>();
  const showProgress = out.progress === true && files.length >= PROGRESS_MIN_FILES;
  const interrupts = options.mode === 'write' ? deferInterrupts() : null;
  let done = 0;
  try {
    for (const [index, file] of files.entries()) {
      if (interrupts) {
        await nextTurn(); // a Ctrl-C that came while the last file was written is handled here
        if (interrupts.received() !== null) break;
      }
      if (showProgress) out.stderr(`\r\u001b[K[${index + 1}/${files.length}] ${displayPath(options.cwd, file)}`);
      let report = fixFile(file, { ...options, transforms: transformsFor.get(file) ?? options.transforms }, pending);
      if (report.status === 'changed' && options.mode === 'write') report = writeFix(file, report, options.cwd);
      reports.push(report);
      if (report.status !== 'error') for (const [path, change] of report.writes) pending.set(path, change.after);
      done++;
    }
    if (showProgress) out.stderr('\r\u001b[K');
    printAll(reports, options, out);
    const received = interrupts?.received() ?? null;
    if (received !== null) out.stderr(`cachefix: stopped by ${received} after ${done} of ${plural(files.length, 'file')}; every file written is complete\n`);
  } finally {
    await interrupts?.release();
  }
  return { files: reports.map(publicReport), exitCode: exitCodeOf(reports, options.mode) };
}

function printAll(reports: readonly InternalReport[], options: RunOptions, out: Output): void {
  if (options.format === 'sarif') {
    const files = reports.map((r) => ({ ...r, path: encodeURI(r.path) }));
    out.stdout(`${JSON.stringify(sarifLog(files, options.transforms, packageVersion()), null, 2)}\n`);
    for (const report of reports) if (report.error !== undefined) out.stderr(formatError(report));
  } else if (options.format === 'json') {
    out.stdout(`${JSON.stringify(reports.map(jsonReport), null, 2)}\n`);
    for (const report of reports) if (report.error !== undefined) out.stderr(formatError(report));
  } else {
    for (const report of reports) printReport(report, options, out);
    if (!options.quiet) out.stderr(summary(reports, options.mode));
  }
}

async function runStdin(options: RunOptions, out: Output): Promise<RunResult> {
  const path = '-';
  if (options.paths.length > 1) return usage(out, '-: reading stdin cannot be combined with other paths');
  if (options.mode === 'write') return usage(out, '-: --write needs a file; stdin is rewritten to stdout');
  const contextDir = resolve(options.cwd, options.context ?? '.');
  let report: InternalReport;
  try {
    const text = decodeDockerfile(await out.readStdin());
    const settings = options.configure ? await options.configure(join(contextDir, 'Dockerfile')) : null;
    report = fixContent(path, text, contextDir, null, settings ? { ...options, transforms: settings.transforms } : options, new Map());
  } catch (error) {
    report = errorReport(path, messageOf(error));
  }
  if (options.format === 'json' || options.format === 'sarif') {
    const document = options.format === 'sarif'
      ? sarifLog([{ ...report, path: 'Dockerfile' }], options.transforms, packageVersion())
      : [{ ...jsonReport(report), output: report.output }];
    out.stdout(`${JSON.stringify(document, null, 2)}\n`);
    if (report.error !== undefined) out.stderr(formatError(report));
    return { files: [publicReport(report)], exitCode: exitCodeOf([report], options.mode) };
  }
  if (report.status !== 'error') {
    if (options.mode === 'check') out.stdout(report.diff);
    else {
      out.stdout(report.output);
      // stdout holds the Dockerfile; the context files' part of the fix can only be shown
      if (report.writes.size > 0) out.stderr(`-: the fix also changes ${report.contextFiles.join(', ')} (run cachefix on the Dockerfile's path to write it):\n${report.contextDiff}`);
    }
  }
  printDiagnostics(report, out);
  return { files: [publicReport(report)], exitCode: exitCodeOf([report], options.mode) };
}

interface InternalReport extends FileReport {
  readonly input: string;
  /** The rewritten text (equal to the input when unchanged). */
  readonly output: string;
  /** Context files to write: absolute path → their text before (null: new) and after the fix. */
  readonly writes: ReadonlyMap<string, ContextWrite>;
  readonly contextDiff: string;
}

interface ContextWrite {
  readonly before: string | null;
  readonly after: string;
}

function fixFile(file: string, options: RunOptions, pending: ReadonlyMap<string, string>): InternalReport {
  const path = displayPath(options.cwd, file);
  try {
    const text = readDockerfile(file);
    const contextDir = options.context ? resolve(options.cwd, options.context) : dirname(file);
    const inContext = relative(contextDir, file);
    const dockerfilePath = inContext.startsWith('..') || isAbsolute(inContext) ? null : inContext.split(sep).join('/');
    // BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile even when that is outside the context
    const ignoreBeside = `${file}.dockerignore`;
    const dockerfileIgnore = dockerfilePath === null && statSync(ignoreBeside, { throwIfNoEntry: false })?.isFile()
      ? { path: displayPath(options.cwd, ignoreBeside), text: readIgnoreFile(ignoreBeside, displayPath(options.cwd, ignoreBeside)) }
      : null;
    return fixContent(path, text, contextDir, dockerfilePath, options, pending, dockerfileIgnore);
  } catch (error) {
    return errorReport(path, messageOf(error));
  }
}

function fixContent(
  path: string,
  text: string,
  contextDir: string,
  dockerfilePath: string | null,
  options: RunOptions,
  pending: ReadonlyMap<string, string>,
  dockerfileIgnore: { path: string; text: string } | null = null,
): InternalReport {
  // a file Docker cannot parse is never rewritten: the parser may have misread where edits belong
  const problem = dockerfileError(text);
  if (problem) return errorReport(path, problem.reason, problem.line);
  const contextInfo = statSync(contextDir, { throwIfNoEntry: false });
  if (!contextInfo?.isDirectory()) return errorReport(path, `build context ${contextDir} is not a directory`);
  const pendingHere = new Map<string, string>();
  for (const [abs, content] of pending) {
    const rel = relative(contextDir, abs);
    if (!rel.startsWith('..') && !isAbsolute(rel)) pendingHere.set(rel.split(sep).join('/'), content);
  }
  const context = withPendingFiles({ ...fsContext(contextDir), dockerfileIgnore }, pendingHere);
  const result = fixText(text, { transforms: options.transforms, context, dockerfilePath, knownTransformIds: options.knownTransformIds });
  const writes = new Map(result.files.map((f) => [resolve(contextDir, f.path), { before: f.before, after: f.after }]));
  const contextFiles = [...writes.keys()].map((abs) => displayPath(options.cwd, abs));
  const contextDiff = result.files
    .map((f, i) => unifiedDiff(contextFiles[i] ?? f.path, f.before ?? '', f.after, f.before === null))
    .join('');
  const diff = unifiedDiff(path === '-' ? 'Dockerfile' : path, text, result.output) + contextDiff; // `-` is stdin here
  return {
    path,
    status: result.output === text && writes.size === 0 ? 'unchanged' : 'changed',
    changes: result.changes,
    skips: result.skips,
    diff,
    contextFiles,
    input: text,
    output: result.output,
    writes,
    contextDiff,
  };
}

/** `<Dockerfile>.dockerignore`: empty is fine; binary or not UTF-8 is an error named after it. */
function readIgnoreFile(file: string, shown: string): string {
  const bytes = readFileSync(file);
  if (bytes.length === 0) return '';
  try {
    return decodeDockerfile(bytes);
  } catch (error) {
    throw new Error(`${shown}: ${messageOf(error)}`);
  }
}

/**
 * Writes a fix: the Dockerfile and the context files it changes, each atomically. Nothing is written
 * when one of them cannot be (a read-only file or directory), or when a file changed on disk since
 * it was read (an editor saved it meanwhile): the fix was computed from the old text.
 */
function writeFix(file: string, report: InternalReport, cwd: string): InternalReport {
  const targets: [path: string, change: ContextWrite][] = [
    ...(report.output !== report.input ? [[file, { before: report.input, after: report.output }] as [string, ContextWrite]] : []),
    ...report.writes,
  ];
  const which = (path: string): string => (path === file ? '' : ` ${displayPath(cwd, path)}`);
  const pendingWrites: [string, string][] = [];
  for (const [path, change] of targets) {
    try {
      const now = currentText(path);
      if (now === change.after) continue; // already fixed: another run wrote the same bytes
      if (now === null && change.before !== null) return errorReport(report.path, `could not write${which(path)}: it was removed during the run; not recreated`);
      if (now !== change.before) return errorReport(report.path, `could not write${which(path)}: it changed on disk during the run (run cachefix again)`);
      checkWritable(path);
      pendingWrites.push([path, change.after]);
    } catch (error) {
      return errorReport(report.path, `could not write${which(path)}: ${messageOf(error)}`);
    }
  }
  const written: string[] = [];
  for (const [path, text] of pendingWrites) {
    try {
      writeFileAtomic(path, text);
      written.push(displayPath(cwd, path));
    } catch (error) {
      const already = written.length > 0 ? `; already written: ${written.join(', ')}` : '';
      return errorReport(report.path, `could not write${which(path)}: ${messageOf(error)}${already}`);
    }
  }
  return report;
}

/** The file's text now, or null when it does not exist. */
function currentText(path: string): string | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  // a context file was read leniently: written back, its undecodable bytes would become U+FFFD
  if (!isUtf8(bytes)) throw new Error('not valid UTF-8; not rewritten');
  return bytes.toString('utf8');
}

function printReport(report: InternalReport, options: RunOptions, out: Output): void {
  if (report.status === 'changed') {
    if (options.mode === 'write') {
      if (report.output !== report.input) out.stdout(`wrote ${report.path}\n`);
      for (const file of report.contextFiles) out.stdout(`wrote ${file}\n`);
    }
    else out.stdout(out.paint === plainPainter ? report.diff : colorDiff(report.diff, out.paint));
  }
  printDiagnostics(report, out);
}

/** `PATH: reason` or `PATH:LINE: reason`, one line. */
function formatError(report: FileReport): string {
  return `${report.path}${report.errorLine !== undefined ? `:${report.errorLine}` : ''}: ${report.error ?? ''}\n`;
}

function printDiagnostics(report: FileReport, out: Output): void {
  if (report.error !== undefined) {
    out.stderr(formatError(report));
    return;
  }
  const lines = [
    ...report.changes.flatMap((c) => [
      { line: c.line, text: `${report.path}:${c.line} ${c.transform}: ${c.rationale}` },
      ...(c.warning ? [{ line: c.line, text: `${report.path}:${c.line} ${c.transform} warning: ${c.warning}` }] : []),
    ]),
    // the engine's own notes (`cachefix`: ignore-comment warnings, unreadable line endings) are not skips
    ...report.skips.map((s) => ({ line: s.line, text: s.transform === 'cachefix' ? `${report.path}:${s.line} ${s.reason}` : `${report.path}:${s.line} ${s.transform} skipped: ${s.reason}` })),
  ].sort((a, b) => a.line - b.line);
  for (const line of lines) out.stderr(`${line.text}\n`);
}

function summary(reports: readonly FileReport[], mode: Mode): string {
  const changed = reports.filter((r) => r.status === 'changed').length;
  const errors = reports.filter((r) => r.status === 'error').length;
  const fixes = reports.reduce((n, r) => n + r.changes.length, 0);
  const unsafe = reports.reduce((n, r) => n + r.changes.filter((c) => c.safety === 'unsafe').length, 0);
  const skips = reports.reduce((n, r) => n + r.skips.length, 0);
  const verb = mode === 'write' ? 'changed' : 'would change';
  const fixCount = unsafe > 0 ? `${plural(fixes, 'fix', 'fixes')}: ${fixes - unsafe} safe, ${unsafe} unsafe` : plural(fixes, 'fix', 'fixes');
  const parts = [
    `${plural(reports.length - errors, 'file')} checked`,
    `${changed} ${verb} (${fixCount}, ${skips} skipped${skips > 0 ? ', reasons above' : ''})`,
  ];
  if (errors > 0) parts.push(`${plural(errors, 'error')}`);
  return `cachefix: ${parts.join(', ')}\n`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function exitCodeOf(reports: readonly FileReport[], mode: Mode): 0 | 1 | 2 {
  if (reports.some((r) => r.status === 'error')) return 2;
  if (mode === 'check' && reports.some((r) => r.status === 'changed')) return 1;
  return 0;
}

function errorReport(path: string, error: string, line: number | null = null): InternalReport {
  return {
    path, status: 'error', changes: [], skips: [], diff: '', contextFiles: [], input: '', output: '', writes: new Map(), contextDiff: '',
    error: oneLine(error),
    ...(line !== null ? { errorLine: line } : {}),
  };
}

/** `PATH: reason` stays one line whatever a system error message holds. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function publicReport(report: InternalReport | FileReport): FileReport {
  const { path, status, changes, skips, diff, contextFiles, error, errorLine } = report;
  return { path, status, changes, skips, diff, contextFiles, ...(error !== undefined ? { error } : {}), ...(errorLine !== undefined ? { errorLine } : {}) };
}

/** The JSON form of a report: `changed` first, for scripts that only want to know that. */
function jsonReport(report: FileReport): FileReport & { changed: boolean } {
  const { path, ...rest } = publicReport(report);
  return { path, changed: report.status === 'changed', ...rest };
}

function usage(out: Output, message: string): RunResult {
  out.stderr(`${message}\n`);
  return { files: [], exitCode: 2 };
}

/** Relative to the working directory when inside it, in POSIX form (diff headers use it). */
function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  const posix = shown.split(sep).join('/');
  return posix === '-' ? './-' : posix; // a file named `-` is not stdin
}

/** A painter that adds nothing: used when colour is off. */
export const plainPainter: Painter = { red: (t) => t, green: (t) => t, cyan: (t) => t, bold: (t) => t };
