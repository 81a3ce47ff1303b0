import { spawnSync } from 'node:child_process';
import { cliPath } from './paths.js';

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `cachefix` as a user would, in `cwd`. */
export function cachefix(args: readonly string[], options: { cwd: string; input?: string | Buffer; env?: Record<string, string> }): CliResult {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
