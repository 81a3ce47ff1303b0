/**
 * `cachefix prove`'s command line. Loaded only when the first argument is `prove`, so a plain run
 * does not pay for it.
 */
import yargs from 'yargs';
import { parseOrHelp } from './cli-yargs.js';
import type { Terminal } from './terminal.js';
import { prove } from '../prove/prove.js';
import { plainPainter } from '../driver/run.js';

const EPILOG = `Builds the Dockerfile and cachefix's rewrite of it (written to a temporary file) from two copies of the build context, makes a harmless edit (a comment, or a trailing newline where a comment could matter) to the changed files in both copies, rebuilds both, and compares the rebuilt images: file trees (paths, modes, sizes, content hashes), env, entrypoint, cmd, user, workdir and exposed ports. Differences a transform explains (a .dockerignore keeping .git out, -trimpath changing a binary's bytes, caches kept in cache mounts) are listed as expected; any other one fails the proof. Your files are never touched; the images, containers and copies are removed at the end, also on Ctrl-C (unless --keep).

Builders: docker (docker buildx build when the plugin is there, else docker build with BuildKit; $DOCKER names another client), buildah (bud --layers; set BUILDAH_ISOLATION=chroot where the default runtime fails), podman (build --layers). Auto-detected in that order.

Exit codes: 0 proved (both build, no unexpected difference), 1 an unexpected difference, a different --run result, or a rewrite that does not build, 2 usage error, no builder, or an original that does not build; 130 when interrupted.`;

/** Runs `cachefix prove ...` (argv without the `prove` word); returns the exit code. */
export async function proveMain(argv: readonly string[], terminal: Terminal): Promise<number> {
  let outcome;
  try {
    const parser = yargs([...argv])
      .scriptName('cachefix prove')
      .usage('$0 [Dockerfile] [options]\n\nBuilds the Dockerfile and its rewrite, rebuilds both after a typical change, and compares the images: evidence that the rewrite builds, behaves the same and rebuilds faster.')
      .command('$0 [dockerfile]', false, (y) => y.positional('dockerfile', { type: 'string', default: 'Dockerfile', describe: 'The Dockerfile' }))
      .option('context', { type: 'string', requiresArg: true, describe: "Build context directory (default: the Dockerfile's directory)" })
      .option('change', { type: 'string', array: true, default: [] as string[], describe: 'Files to edit between the builds (default: the source file a typical edit touches)' })
      .option('since', { type: 'string', requiresArg: true, describe: 'Edit the files `git diff --name-only REV` reports (plus untracked files)' })
      .option('target', { type: 'string', requiresArg: true, describe: 'The stage to build (default: the last)' })
      .option('build-arg', { type: 'string', array: true, default: [] as string[], describe: 'Build args (K=V) for every build' })
      .option('builder', { choices: ['docker', 'buildah', 'podman'] as const, describe: 'The builder (default: the first that works of docker, buildah, podman)' })
      .option('network', { type: 'string', requiresArg: true, describe: 'Network for every build and run (none, host)' })
      .option('builder-arg', { type: 'string', array: true, default: [] as string[], describe: 'Extra arguments for every build command (repeat; e.g. --builder-arg=--pull-never)' })
      .option('run', { type: 'string', requiresArg: true, describe: "A command to run in both images; their output and exit code must agree (e.g. '/app --version')" })
      .option('unsafe', { type: 'boolean', default: false, describe: 'Also apply the unsafe transforms' })
      .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Output format' })
      .option('keep', { type: 'boolean', default: false, describe: 'Keep the images and the context copies (their names are printed)' })
      .option('color', { type: 'boolean', describe: 'Colour the verdict (default: only on a terminal; NO_COLOR honoured)' })
      .example('$0', 'Prove the rewrite of ./Dockerfile after a typical source edit')
      .example('$0 --change main.go --network none --run "/usr/local/bin/app"', 'Edit main.go, build without network, compare what the app prints')
      .example('$0 build/Dockerfile --context . --since HEAD~1 --builder buildah --format json', "The last commit's files, with buildah, as JSON")
      .epilog(EPILOG)
      .version(false);
    outcome = await parseOrHelp(parser, argv);
  } catch (error) {
    terminal.stderr(`cachefix prove: ${error instanceof Error ? error.message : String(error)}\nRun cachefix prove --help for usage.\n`);
    return 2;
  }
  if ('help' in outcome) {
    terminal.stdout(`${outcome.help}\n`);
    return 0;
  }
  const parsed = outcome.options;
  const run = parsed.run !== undefined ? splitWords(parsed.run) : undefined;
  if (run !== undefined && run.length === 0) {
    terminal.stderr('cachefix prove: --run needs a command\n');
    return 2;
  }
  const colour = parsed.color ?? (terminal.stdoutIsTTY && !terminal.env.NO_COLOR);
  return prove(
    {
      dockerfile: typeof parsed.dockerfile === 'string' ? parsed.dockerfile : 'Dockerfile',
      cwd: terminal.cwd,
      change: parsed.change,
      buildArgs: parsed['build-arg'],
      builderArgs: parsed['builder-arg'],
      ...(parsed.context !== undefined ? { context: parsed.context } : {}),
      ...(parsed.since !== undefined ? { since: parsed.since } : {}),
      ...(parsed.target !== undefined ? { target: parsed.target } : {}),
      ...(parsed.builder !== undefined ? { builder: parsed.builder } : {}),
      ...(parsed.network !== undefined ? { network: parsed.network } : {}),
      ...(run !== undefined ? { run } : {}),
      unsafe: parsed.unsafe,
      keep: parsed.keep,
      format: parsed.format,
      env: terminal.env,
    },
    {
      stdout: terminal.stdout,
      stderr: terminal.stderr,
      paint: colour ? (await import('picocolors')).default.createColors(true) : plainPainter,
      live: terminal.stderrIsTTY === true,
    },
  );
}

/** `/app --name "a b"` -> ['/app', '--name', 'a b']: words with single or double quotes, no shell. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) words.push(match[1]?.replace(/\\(.)/g, '$1') ?? match[2] ?? match[3] ?? '');
  return words;
}
