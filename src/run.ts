/**
 * The driver: the only place with file I/O. Reads each Dockerfile, runs the fix loop, then prints a
 * diff (default), writes in place (`write`), or reports what would change (`check`).
 * Never throws for a bad file: each file gets its own status, and the others still run.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { discover } from './discover.js';
import { colorDiff, type Painter, unifiedDiff } from './diff.js';
import { withPendingFiles } from './context.js';
import { type AppliedChange, fixText, type SkippedChange } from './fixer.js';
import { fsContext } from './fs-context.js';
import { sarifLog } from './sarif.js';
import type { Transform } from './transform.js';
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
  readonly error?: string;
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

/** Files larger than this are refused rather than parsed (a Dockerfile is a few kilobytes). */
const MAX_DOCKERFILE_BYTES = 10 * 1024 * 1024;

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
  for (const [index, file] of files.entries()) {
    if (showProgress) out.stderr(`\r\u001b[K[${index + 1}/${files.length}] ${displayPath(options.cwd, file)}`);
    const report = fixFile(file, { ...options, transforms: transformsFor.get(file) ?? options.transforms }, pending);
    reports.push(report);
    for (const [path, text] of report.writes) pending.set(path, text);
    if (report.status === 'changed' && options.mode === 'write') {
      try {
        if (report.output !== report.input) writeFileAtomic.sync(file, report.output);
        for (const [path, text] of report.writes) writeFileAtomic.sync(path, text);
      } catch (error) {
        reports[reports.length - 1] = errorReport(report.path, `could not write: ${messageOf(error)}`);
      }
    }
  }
  if (showProgress) out.stderr('\r\u001b[K');
  if (options.format === 'sarif') {
    const files = reports.map((r) => ({ ...r, path: encodeURI(r.path) }));
    out.stdout(`${JSON.stringify(sarifLog(files, options.transforms, packageVersion()), null, 2)}\n`);
    for (const report of reports) if (report.error !== undefined) out.stderr(`${report.path}: ${report.error}\n`);
  } else if (options.format === 'json') {
    out.stdout(`${JSON.stringify(reports.map(jsonReport), null, 2)}\n`);
    for (const report of reports) if (report.error !== undefined) out.stderr(`${report.path}: ${report.error}\n`);
  } else {
    for (const report of reports) printReport(report, options, out);
    if (!options.quiet) out.stderr(summary(reports, options.mode));
  }
  return { files: reports.map(publicReport), exitCode: exitCodeOf(reports, options.mode) };
}

async function runStdin(options: RunOptions, out: Output): Promise<RunResult> {
  const path = '-';
  if (options.paths.length > 1) return usage(out, '-: reading stdin cannot be combined with other paths');
  if (options.mode === 'write') return usage(out, '-: --write needs a file; stdin is rewritten to stdout');
  const contextDir = resolve(options.cwd, options.context ?? '.');
  let report: InternalReport;
  try {
    const text = decode(await out.readStdin());
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
    if (report.error !== undefined) out.stderr(`${report.path}: ${report.error}\n`);
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
  /** Context files to write: absolute path → text. */
  readonly writes: ReadonlyMap<string, string>;
  readonly contextDiff: string;
}

function fixFile(file: string, options: RunOptions, pending: ReadonlyMap<string, string>): InternalReport {
  const path = displayPath(options.cwd, file);
  try {
    const info = statSync(file);
    if (info.isDirectory()) return errorReport(path, 'is a directory');
    if (info.size > MAX_DOCKERFILE_BYTES) return errorReport(path, `too large (${info.size} bytes) for a Dockerfile`);
    const text = decode(readFileSync(file));
    const contextDir = options.context ? resolve(options.cwd, options.context) : dirname(file);
    const inContext = relative(contextDir, file);
    const dockerfilePath = inContext.startsWith('..') || isAbsolute(inContext) ? null : inContext.split(sep).join('/');
    // BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile even when that is outside the context
    const ignoreBeside = `${file}.dockerignore`;
    const dockerfileIgnore = dockerfilePath === null && statSync(ignoreBeside, { throwIfNoEntry: false })?.isFile()
      ? { path: displayPath(options.cwd, ignoreBeside), text: decode(readFileSync(ignoreBeside)) }
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
  const contextInfo = statSync(contextDir, { throwIfNoEntry: false });
  if (!contextInfo?.isDirectory()) return errorReport(path, `build context ${contextDir} is not a directory`);
  const pendingHere = new Map<string, string>();
  for (const [abs, content] of pending) {
    const rel = relative(contextDir, abs);
    if (!rel.startsWith('..') && !isAbsolute(rel)) pendingHere.set(rel.split(sep).join('/'), content);
  }
  const context = withPendingFiles({ ...fsContext(contextDir), dockerfileIgnore }, pendingHere);
  const result = fixText(text, { transforms: options.transforms, context, dockerfilePath, knownTransformIds: options.knownTransformIds });
  const writes = new Map(result.files.map((f) => [resolve(contextDir, f.path), f.after]));
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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Dockerfiles are UTF-8 text; anything else is refused rather than mangled. The BOM is kept. */
function decode(bytes: Buffer): string {
  if (bytes.includes(0)) throw new Error('binary file (contains NUL bytes)');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new Error('not valid UTF-8');
  }
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

function printDiagnostics(report: FileReport, out: Output): void {
  if (report.error !== undefined) {
    out.stderr(`${report.path}: ${report.error}\n`);
    return;
  }
  const lines = [
    ...report.changes.map((c) => ({ line: c.line, text: `${report.path}:${c.line} ${c.transform}: ${c.rationale}` })),
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

function errorReport(path: string, error: string): InternalReport {
  return { path, status: 'error', changes: [], skips: [], diff: '', contextFiles: [], input: '', output: '', writes: new Map(), contextDiff: '', error };
}

function publicReport(report: InternalReport | FileReport): FileReport {
  const { path, status, changes, skips, diff, contextFiles, error } = report;
  return { path, status, changes, skips, diff, contextFiles, ...(error !== undefined ? { error } : {}) };
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

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'ENOENT') return 'no such file or directory';
    if (code === 'ELOOP') return 'too many levels of symbolic links';
    return error.message;
  }
  return String(error);
}

/** A painter that adds nothing: used when colour is off. */
export const plainPainter: Painter = { red: (t) => t, green: (t) => t, cyan: (t) => t, bold: (t) => t };
