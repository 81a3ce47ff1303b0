/**
 * `cachefix explain`'s command line. Loaded only when the first argument is `explain`, so the
 * rewrite path (a pre-commit hook on every commit) does not pay for it.
 */
import yargs from 'yargs';
import { parseOrHelp } from './cli-yargs.js';
import type { Terminal } from './terminal.js';
import { explain } from '../explain/explain.js';
import { plainPainter } from '../driver/run.js';

const EPILOG = `Steps are marked "rerun" when the change breaks their cache, following Docker's rules: a COPY/ADD reruns when a file it copies changes (after .dockerignore; mtime does not count), a RUN when a build arg declared before it changes, and every later step of the stage reruns after a break, as do stages built FROM it and COPY --from steps of stages that wrote new files. Cache mounts are not part of a step's key: a RUN with them reruns on a warm cache.

The model is conservative where the builder looks at results: a COPY --from (and what follows it) is marked rerun when its source stage reran, although a builder keeps it cached if the copied files come out identical. See README, "cachefix explain".

Exit codes: 0 explained, 2 usage error, unreadable Dockerfile, unknown --target or failed git.`;

/** Runs `cachefix explain ...` (argv without the `explain` word); returns the exit code. */
export async function explainMain(argv: readonly string[], terminal: Terminal): Promise<number> {
  let outcome;
  try {
    const parser = yargs([...argv])
      .scriptName('cachefix explain')
      .usage('$0 [Dockerfile] [options]\n\nShows which build steps rerun when files or build args change, before and (with --fix) after cachefix rewrites the Dockerfile.')
      .command('$0 [dockerfile]', false, (y) => y.positional('dockerfile', { type: 'string', default: 'Dockerfile', describe: 'The Dockerfile' }))
      .option('changed', { type: 'string', array: true, default: [] as string[], describe: 'Files that change (paths from the working directory)' })
      .option('since', { type: 'string', requiresArg: true, describe: 'Take the changed files from `git diff --name-only REV` (plus untracked files; .git itself when the context holds it)' })
      .option('changed-arg', { type: 'string', array: true, default: [] as string[], describe: 'Build args (--build-arg NAME) whose value changes' })
      .option('target', { type: 'string', requiresArg: true, describe: 'The stage to build (default: the last)' })
      .option('context', { type: 'string', requiresArg: true, describe: "Build context directory (default: the Dockerfile's directory)" })
      .option('fix', { type: 'boolean', default: false, describe: 'Also show what rebuilds after cachefix rewrites the Dockerfile' })
      .option('unsafe', { type: 'boolean', default: false, describe: 'With --fix: also apply the unsafe transforms' })
      .option('builder', { choices: ['buildkit', 'buildah'] as const, default: 'buildkit' as const, describe: "Whose cache rules: BuildKit (docker build, docker buildx) or buildah 1.28, which keys WORKDIR/COPY/ADD on their unexpanded text and ignores bind-mounted files" })
      .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Output format' })
      .option('color', { type: 'boolean', describe: 'Colour the marks (default: only on a terminal; NO_COLOR honoured)' })
      .example('$0 --changed main.go', 'What a change to main.go rebuilds')
      .example('$0 --since HEAD~1 --fix', 'What the last commit rebuilds, before and after the rewrite')
      .example('$0 build/Dockerfile --context . --changed-arg VERSION --format json', 'A build arg, as JSON')
      .epilog(EPILOG)
      .version(false);
    outcome = await parseOrHelp(parser, argv);
  } catch (error) {
    terminal.stderr(`cachefix explain: ${error instanceof Error ? error.message : String(error)}\nRun cachefix explain --help for usage.\n`);
    return 2;
  }
  if ('help' in outcome) {
    terminal.stdout(`${outcome.help}\n`);
    return 0;
  }
  const parsed = outcome.options;
  const colour = parsed.color ?? (terminal.stdoutIsTTY && !terminal.env.NO_COLOR);
  return explain(
    {
      dockerfile: typeof parsed.dockerfile === 'string' ? parsed.dockerfile : 'Dockerfile',
      cwd: terminal.cwd,
      changed: parsed.changed,
      changedArgs: parsed['changed-arg'],
      ...(parsed.since !== undefined ? { since: parsed.since } : {}),
      ...(parsed.target !== undefined ? { target: parsed.target } : {}),
      ...(parsed.context !== undefined ? { context: parsed.context } : {}),
      fix: parsed.fix,
      unsafe: parsed.unsafe,
      format: parsed.format,
      builder: parsed.builder,
    },
    { stdout: terminal.stdout, stderr: terminal.stderr, paint: colour ? (await import('picocolors')).default.createColors(true) : plainPainter },
  );
}
