/**
 * V8's optimizing compiler in a short process that fixes many files (src/cli/launcher.ts). By default
 * V8 sends a function to TurboFan once about 66 KB of bytecode has run in it: in a run over a few
 * dozen Dockerfiles that is most of the parser and the shell reader, compiled on background threads
 * (some two or three times) for a few milliseconds of use, measured at a third of the CPU time of a
 * run over the corpus. With a budget sixteen times larger only what stays hot over many files is
 * optimized; a run over 470 files took less CPU and less wall time too. A run over one file (a
 * pre-commit hook's) optimizes next to nothing either way, so it keeps V8's defaults and does not
 * pay for loading node:v8 (about 3 ms). The budget must be set before the bundle is compiled:
 * set later, it measured no effect, and V8 fixes the flag hash that a code cache is checked against
 * at the first compile, so such runs keep a code cache of their own.
 */
import { statSync } from 'node:fs';
import type * as V8 from 'node:v8';
import { parseCommonArgs } from './cli-args.js';

/** Sixteen times V8's default (66 KB of bytecode in Node 20's V8). */
const BUDGET = 16 * 66 * 1024;

/** The V8 flag a run over many files gets (bench/throughput.ts measures the library with it too). */
export const MANY_FILES_V8_FLAG = `--interrupt-budget=${BUDGET}`;

/**
 * Whether a fix run's arguments name several files or a directory (none: the working directory).
 * A guess that only decides speed: arguments this cannot read (yargs's forms) count as one file.
 */
export function fixesManyFiles(args: readonly string[]): boolean {
  if (args[0] === 'prove') return false; // builds images: its own time is elsewhere
  const parsed = parseCommonArgs(args);
  if (parsed === null) return false;
  const paths = parsed.paths ?? ['.'];
  if (paths.includes('-')) return false;
  if (paths.length > 1) return true;
  try {
    return statSync(paths[0] ?? '.', { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

/** Raises the budget, unless the user set one (`node --interrupt-budget=...`). */
export function raiseTierUpBudget(execArgv: readonly string[], nodeOptions: string | undefined): void {
  if ([...execArgv, nodeOptions ?? ''].some((arg) => arg.includes('interrupt-budget'))) return;
  try {
    (require('node:v8') as typeof V8).setFlagsFromString(MANY_FILES_V8_FLAG);
  } catch {
    // a runtime without it only runs slower
  }
}
