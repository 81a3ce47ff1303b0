/**
 * The driver: the only place with file I/O. Reads each Dockerfile, runs the fix loop, then prints a
 * diff (default), writes in place (`write`), or reports what would change (`check`).
 * Never throws for a bad file: each file gets its own status, and the others still run.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { discover } from './discover.js';
import { colorDiff, type Painter, unifiedDiff } from './diff.js';
import { type AppliedChange, fixText, type SkippedChange } from './fixer.js';
import { fsContext } from './fs-context.js';
import type { Transform } from './transform.js';

export type Mode = 'diff' | 'write' | 'check';

export interface RunOptions {
  readonly paths: readonly string[];
  readonly mode: Mode;
  readonly transforms: readonly Transform[];
  /** The build context directory; default: each Dockerfile's directory (the working directory for stdin). */
  readonly context?: string;
  readonly cwd: string;
  readonly quiet?: boolean;
}

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<Buffer>;
  readonly paint: Painter;
}

export type FileStatus = 'changed' | 'unchanged' | 'error';

export interface FileReport {
  /** The path as shown to the user (relative to the working directory when inside it). */
  readonly path: string;
  readonly status: FileStatus;
  readonly changes: readonly AppliedChange[];
  readonly skips: readonly SkippedChange[];
  readonly diff: string;
  readonly error?: string;
}

export interface RunResult {
  readonly files: readonly FileReport[];
  readonly exitCode: 0 | 1 | 2;
}

/** Files larger than this are refused rather than parsed (a Dockerfile is a few kilobytes). */
const MAX_DOCKERFILE_BYTES = 10 * 1024 * 1024;

export async function run(options: RunOptions, out: Output): Promise<RunResult> {
  if (options.paths.includes('-')) return runStdin(options, out);
  const { files, errors } = discover(options.paths.map((p) => resolve(options.cwd, p)));
  const reports: InternalReport[] = errors.map((e) => errorReport(displayPath(options.cwd, e.path), e.reason));
  for (const file of files) {
    const report = fixFile(file, options);
    reports.push(report);
    if (report.status === 'changed' && options.mode === 'write') {
      try {
        writeFileAtomic.sync(file, report.output);
      } catch (error) {
        reports[reports.length - 1] = errorReport(report.path, `could not write: ${messageOf(error)}`);
      }
    }
  }
  for (const report of reports) printReport(report, options, out);
  if (!options.quiet) out.stderr(summary(reports, options.mode));
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
    report = fixContent(path, text, contextDir, null, options.transforms);
  } catch (error) {
    report = errorReport(path, messageOf(error));
  }
  if (report.status !== 'error') {
    if (options.mode === 'check') out.stdout(report.diff);
    else out.stdout(report.output);
  }
  printDiagnostics(report, out);
  return { files: [publicReport(report)], exitCode: exitCodeOf([report], options.mode) };
}

interface InternalReport extends FileReport {
  /** The rewritten text (equal to the input when unchanged). */
  readonly output: string;
}

function fixFile(file: string, options: RunOptions): InternalReport {
  const path = displayPath(options.cwd, file);
  try {
    const info = statSync(file);
    if (info.isDirectory()) return errorReport(path, 'is a directory');
    if (info.size > MAX_DOCKERFILE_BYTES) return errorReport(path, `too large (${info.size} bytes) for a Dockerfile`);
    const text = decode(readFileSync(file));
    const contextDir = options.context ? resolve(options.cwd, options.context) : dirname(file);
    const inContext = relative(contextDir, file);
    const dockerfilePath = inContext.startsWith('..') || isAbsolute(inContext) ? null : inContext.split(sep).join('/');
    return fixContent(path, text, contextDir, dockerfilePath, options.transforms);
  } catch (error) {
    return errorReport(path, messageOf(error));
  }
}

function fixContent(path: string, text: string, contextDir: string, dockerfilePath: string | null, transforms: readonly Transform[]): InternalReport {
  const contextInfo = statSync(contextDir, { throwIfNoEntry: false });
  if (!contextInfo?.isDirectory()) return errorReport(path, `build context ${contextDir} is not a directory`);
  const result = fixText(text, { transforms, context: fsContext(contextDir), dockerfilePath });
  const diff = unifiedDiff(path === '-' ? 'Dockerfile' : path, text, result.output);
  return {
    path,
    status: result.output === text ? 'unchanged' : 'changed',
    changes: result.changes,
    skips: result.skips,
    diff,
    output: result.output,
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
    if (options.mode === 'write') out.stdout(`wrote ${report.path}\n`);
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
    ...report.skips.map((s) => ({ line: s.line, text: `${report.path}:${s.line} ${s.transform} skipped: ${s.reason}` })),
  ].sort((a, b) => a.line - b.line);
  for (const line of lines) out.stderr(`${line.text}\n`);
}

function summary(reports: readonly FileReport[], mode: Mode): string {
  const changed = reports.filter((r) => r.status === 'changed').length;
  const errors = reports.filter((r) => r.status === 'error').length;
  const fixes = reports.reduce((n, r) => n + r.changes.length, 0);
  const skips = reports.reduce((n, r) => n + r.skips.length, 0);
  const verb = mode === 'write' ? 'changed' : 'would change';
  const parts = [
    `${plural(reports.length - errors, 'file')} checked`,
    `${changed} ${verb} (${plural(fixes, 'fix', 'fixes')}, ${skips} skipped)`,
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
  return { path, status: 'error', changes: [], skips: [], diff: '', output: '', error };
}

function publicReport(report: InternalReport | FileReport): FileReport {
  const { path, status, changes, skips, diff, error } = report;
  return { path, status, changes, skips, diff, ...(error !== undefined ? { error } : {}) };
}

function usage(out: Output, message: string): RunResult {
  out.stderr(`${message}\n`);
  return { files: [], exitCode: 2 };
}

/** Relative to the working directory when inside it, in POSIX form (diff headers use it). */
function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  return shown.split(sep).join('/');
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
