/** The `cachefix` command line: arguments in, exit code out. All the work happens in run(). */
import pc from 'picocolors';
import yargs from 'yargs';
import { transforms as registry } from '../transforms/index.js';
import { type Mode, type Output, plainPainter, run } from './run.js';
import { dirname, resolve } from 'node:path';
import { type CliSelection, effectiveSettings, isExcluded, isIncluded, loadConfig } from './config.js';
import { selectTransforms, splitIds, UnknownTransformError } from './select.js';
import { packageVersion } from './version.js';

export interface Terminal {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<Buffer>;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

const EPILOG = `Also: cachefix explain [Dockerfile] --changed FILE... shows which build steps a change reruns, before and after the rewrite (cachefix explain --help).

Exit codes: 0 nothing to change (or --write succeeded), 1 --check found files that would change, 2 usage error or a file that could not be read or fixed.

Safe transforms run by default; unsafe ones (they change the image in a way someone could notice) run with --unsafe or when named with --only. See --list.`;

/** yargs-parser drops a bare `-`, so it travels through the parser under another name. */
const STDIN_SENTINEL = '\u0000stdin';

/** Runs the CLI and returns the exit code; never calls process.exit. */
export async function main(rawArgv: readonly string[], terminal: Terminal): Promise<number> {
  // a Dockerfile literally named `explain` is `./explain`
  if (rawArgv[0] === 'explain') return (await import('./explain-cli.js')).explainMain(rawArgv.slice(1), terminal);
  const argv = rawArgv.map((a) => (a === '-' ? STDIN_SENTINEL : a));
  let parsed;
  let helpText = '';
  try {
    parsed = await yargs([...argv])
      .scriptName('cachefix')
      .usage('$0 [paths..]\n\nRewrites Dockerfiles so that Docker\'s build cache works. By default prints a unified diff and writes nothing.')
      .command('$0 [paths..]', false, (y) =>
        y.positional('paths', {
          describe: 'Dockerfiles or directories to search (Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile; default: .); - reads stdin',
          type: 'string',
          array: true,
        }),
      )
      .option('write', { alias: 'w', type: 'boolean', describe: 'Write the changes in place (atomically)' })
      .option('check', { type: 'boolean', describe: 'Print the diff and exit 1 when a file would change' })
      .option('context', { type: 'string', describe: "Build context directory (default: each Dockerfile's directory)" })
      .option('only', { type: 'string', requiresArg: true, describe: 'Run only these transform ids (comma-separated; enables unsafe ones)' })
      .option('skip', { type: 'string', requiresArg: true, describe: 'Do not run these transform ids (comma-separated)' })
      .option('mounts', { type: 'boolean', describe: 'Allow transforms that add RUN --mount (BuildKit, buildah); --no-mounts for the classic builder or kaniko' })
      .option('unsafe', { type: 'boolean', describe: 'Also run transforms that change the image in a noticeable way' })
      .option('print-config', { type: 'string', requiresArg: true, describe: 'Print the settings that apply to this Dockerfile (config file, transforms) and exit' })
      .option('list', { type: 'boolean', describe: 'List the transforms (id, safety, title) and exit' })
      .option('color', { type: 'boolean', describe: 'Colour the diff (default: only on a terminal; NO_COLOR honoured)' })
      .option('format', { choices: ['diff', 'json', 'sarif'] as const, describe: 'Output: a unified diff (default); json, one object per file with its changes, skips and diff; or sarif (SARIF 2.1.0 for code scanning)' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print no summary line' })
      .conflicts('write', 'check')
      .example('$0', 'Show the diff for every Dockerfile under the current directory')
      .example('$0 --write Dockerfile', 'Rewrite ./Dockerfile in place')
      .example('$0 --check .', 'Fail (exit 1) in CI when a Dockerfile would change')
      .example('$0 - < Dockerfile > Dockerfile.new', 'Read stdin, write the rewritten Dockerfile to stdout')
      .example('$0 --context .. build/Dockerfile', 'The build context is the parent directory')
      .example('$0 --only go/mod-download-first .', 'Run one transform')
      .epilog(EPILOG)
      .strict()
      .help()
      .alias('help', 'h')
      .version(packageVersion())
      .wrap(Math.min(100, process.stdout.columns || 100))
      .exitProcess(false)
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      })
      .parseAsync([...argv], {}, (_error, _argv, output) => {
        helpText = output;
      });
  } catch (error) {
    terminal.stderr(`cachefix: ${error instanceof Error ? error.message : String(error)}\nRun cachefix --help for usage.\n`);
    return 2;
  }
  if (helpText) {
    terminal.stdout(`${helpText}\n`);
    return 0;
  }

  if (parsed.list === true) {
    for (const t of registry) terminal.stdout(`${t.id.padEnd(32)} ${t.safety.padEnd(6)} ${t.title}\n`);
    return 0;
  }

  for (const name of ['only', 'skip'] as const) {
    if (parsed[name] !== undefined && splitIds(parsed[name]).length === 0) {
      terminal.stderr(`cachefix: --${name} needs transform ids (see --list)\n`);
      return 2;
    }
  }
  let selected;
  const cli: CliSelection = {
    only: splitIds(parsed.only),
    skip: splitIds(parsed.skip),
    ...(parsed.unsafe !== undefined ? { unsafe: parsed.unsafe } : {}),
    ...(parsed.mounts !== undefined ? { mounts: parsed.mounts } : {}),
  };
  try {
    selected = selectTransforms(registry, { only: cli.only, skip: cli.skip, unsafe: parsed.unsafe === true, mounts: parsed.mounts !== false });
  } catch (error) {
    if (!(error instanceof UnknownTransformError)) throw error;
    terminal.stderr(`cachefix: ${error.message}\n`);
    return 2;
  }
  const ids = registry.map((t) => t.id);
  const settingsFor = async (file: string) => {
    const loaded = await loadConfig(dirname(file), ids);
    return { loaded, settings: effectiveSettings(loaded, file, cli, registry) };
  };
  if (parsed.printConfig !== undefined) {
    const file = resolve(terminal.cwd, parsed.printConfig);
    try {
      const { loaded, settings } = await settingsFor(file);
      terminal.stdout(`${JSON.stringify({ ...settings, excluded: isExcluded(loaded, file) }, null, 2)}\n`);
      return 0;
    } catch (error) {
      terminal.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }

  const mode: Mode = parsed.write === true ? 'write' : parsed.check === true ? 'check' : 'diff';
  const colour = parsed.color ?? (terminal.stdoutIsTTY && !terminal.env.NO_COLOR);
  const paint = colour ? pc.createColors(true) : plainPainter;
  const output: Output = { stdout: terminal.stdout, stderr: terminal.stderr, readStdin: terminal.readStdin, paint, progress: terminal.stderrIsTTY === true && parsed.quiet !== true };
  const result = await run(
    {
      paths: pathsOf(parsed.paths as string[] | undefined, parsed._),
      mode,
      transforms: selected,
      knownTransformIds: ids,
      configure: async (file: string) => {
        const { loaded, settings } = await settingsFor(file);
        return { excluded: isExcluded(loaded, file), transforms: registry.filter((t) => settings.transforms.includes(t.id)) };
      },
      includes: async (dir: string) => {
        const loaded = await loadConfig(dir, ids);
        return (file: string) => isIncluded(loaded, file);
      },
      cwd: terminal.cwd,
      quiet: parsed.quiet === true,
      format: parsed.format ?? 'diff',
      ...(parsed.context !== undefined ? { context: parsed.context } : {}),
    },
    output,
  );
  return result.exitCode;
}

class UsageError extends Error {}

/** Positional paths, including those after `--`; the current directory when none are given. */
function pathsOf(positional: readonly string[] | undefined, rest: readonly (string | number)[]): string[] {
  const given = [...(positional ?? []), ...rest.map(String)].map((p) => (p === STDIN_SENTINEL ? '-' : p));
  return given.length > 0 ? given : ['.'];
}
