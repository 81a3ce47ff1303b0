/**
 * The full `cachefix` argument parser (yargs): help, --version, usage errors and every form the
 * fast path in cli-args.ts declines. Imported on demand, so a plain run does not load yargs.
 */
import yargs, { type ArgumentsCamelCase, type Argv } from 'yargs';
import { type CliOptions, STDIN_SENTINEL } from './cli-args.js';
import { packageVersion } from '../driver/version.js';

const EPILOG = `Also: cachefix explain [Dockerfile] --changed FILE... shows which build steps a change reruns, before and after the rewrite (cachefix explain --help); cachefix prove [Dockerfile] builds the Dockerfile and its rewrite, rebuilds both after a harmless edit and compares the images (cachefix prove --help).

Exit codes: 0 nothing to change (or --write succeeded), 1 --check found files that would change, 2 usage error or a file that could not be read or fixed.

Safe transforms run by default; unsafe ones (they change the image in a way someone could notice) run with --unsafe or when named with --only. See --list.`;

export class UsageError extends Error {}

/** What yargs made of the arguments: the options, or the help (or version) text to print. */
export type YargsOutcome = { readonly options: CliOptions } | { readonly help: string };

/**
 * Runs a configured parser without letting yargs exit or print: the options, or the help (or
 * version) text it produced. Throws on a usage error, with the message for the user.
 */
export async function parseOrHelp<T>(parser: Argv<T>, argv: readonly string[]): Promise<{ readonly options: ArgumentsCamelCase<T> } | { readonly help: string }> {
  let helpText = '';
  const options = await parser
    .strict()
    .help()
    .alias('help', 'h')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    })
    .parseAsync([...argv], {}, (_error, _argv, output) => {
      helpText = output;
    });
  return helpText ? { help: helpText } : { options };
}

/** Parses like the CLI always has; throws on a usage error (message for the user). */
export async function parseWithYargs(rawArgv: readonly string[]): Promise<YargsOutcome> {
  const argv = rawArgv.map((a) => (a === '-' ? STDIN_SENTINEL : a));
  const parser = yargs([...argv])
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
    .version(packageVersion());
  return parseOrHelp(parser, argv);
}
