/** The `cachefix` command line: arguments in, exit code out. All the work happens in run(). */
import { transforms as registry } from '../../transforms/index.js';
import { type Mode, type Output, plainPainter, run } from '../driver/run.js';
import { dirname, resolve } from 'node:path';
import { type CliSelection, effectiveSettings, isExcluded, isIncluded, loadConfig } from './config.js';
import { acceptedIds, idResolver } from '../engine/ids.js';
import { selectTransforms, splitIds, UnknownTransformError } from '../engine/select.js';
import { packageVersion } from '../driver/version.js';
import { parseCommonArgs, STDIN_SENTINEL } from './cli-args.js';
import type { Terminal } from './terminal.js';


/** Runs the CLI and returns the exit code; never calls process.exit. */
export async function main(rawArgv: readonly string[], terminal: Terminal): Promise<number> {
  // a Dockerfile literally named `explain` is `./explain`
  if (rawArgv[0] === 'explain') return (await import('./explain-cli.js')).explainMain(rawArgv.slice(1), terminal);
  // a Dockerfile literally named `prove` is `./prove`
  if (rawArgv[0] === 'prove') return (await import('./prove-cli.js')).proveMain(rawArgv.slice(1), terminal);
  // scripts ask for the version on their own; yargs would answer the same, four times slower
  if (rawArgv.length === 1 && rawArgv[0] === '--version') {
    terminal.stdout(`${packageVersion()}\n`);
    return 0;
  }
  let parsed = parseCommonArgs(rawArgv);
  if (parsed === null) {
    const { parseWithYargs } = await import('./cli-yargs.js');
    try {
      const outcome = await parseWithYargs(rawArgv);
      if ('help' in outcome) {
        terminal.stdout(`${outcome.help}\n`);
        return 0;
      }
      parsed = outcome.options;
    } catch (error) {
      terminal.stderr(`cachefix: ${error instanceof Error ? error.message : String(error)}\nRun cachefix --help for usage.\n`);
      return 2;
    }
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
  // former ids (go/hoist-independent-run) name their transform's current id
  const currentId = idResolver(registry);
  const cli: CliSelection = {
    only: splitIds(parsed.only).map(currentId),
    skip: splitIds(parsed.skip).map(currentId),
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
  const ids = acceptedIds(registry);
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
  // picocolors looks at process.stdout when it loads, which costs a plain run its stream set-up
  const paint = colour ? (await import('picocolors')).default.createColors(true) : plainPainter;
  const output: Output = { stdout: terminal.stdout, stderr: terminal.stderr, readStdin: terminal.readStdin, paint, progress: terminal.stderrIsTTY === true && parsed.quiet !== true };
  const result = await run(
    {
      paths: pathsOf(parsed.paths, parsed._),
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

/** Positional paths, including those after `--`; the current directory when none are given. */
function pathsOf(positional: readonly string[] | undefined, rest: readonly (string | number)[]): string[] {
  const given = [...(positional ?? []), ...rest.map(String)].map((p) => (p === STDIN_SENTINEL ? '-' : p));
  return given.length > 0 ? given : ['.'];
}
