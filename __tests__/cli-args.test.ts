/**
 * The fast argument path (src/cli/cli-args.ts) against yargs (src/cli/cli-yargs.ts), the reference: wherever
 * the fast path answers, yargs must parse the same arguments to the same options, without an error
 * or help text. Argument lists are generated from the words users type, plus awkward ones.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { type CliOptions, parseCommonArgs, STDIN_SENTINEL } from '../src/cli/cli-args.js';
import { parseWithYargs } from '../src/cli/cli-yargs.js';

const KEYS = ['write', 'check', 'context', 'only', 'skip', 'mounts', 'unsafe', 'printConfig', 'list', 'color', 'format', 'quiet'] as const;

/** The options main() reads, with the stdin sentinel turned back into `-` as main() does. */
function view(options: CliOptions): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of KEYS) if (options[key] !== undefined) picked[key] = options[key];
  const paths = [...(options.paths ?? []), ...options._.map(String)].map((p) => (p === STDIN_SENTINEL ? '-' : p));
  return { ...picked, paths };
}

async function viaYargs(argv: readonly string[]): Promise<Record<string, unknown> | string> {
  try {
    const outcome = await parseWithYargs(argv);
    return 'help' in outcome ? `help: ${outcome.help.slice(0, 40)}` : view(outcome.options);
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}

describe('the fast path answers the everyday forms', () => {
  test.each([
    [['--check', 'Dockerfile'], { check: true, paths: ['Dockerfile'] }],
    [['--write', '--quiet', 'a/Dockerfile', 'b/Dockerfile'], { write: true, quiet: true, paths: ['a/Dockerfile', 'b/Dockerfile'] }],
    [['-w', '-q'], { write: true, quiet: true, paths: [] }],
    [['--only', 'go/trimpath,go/strip-symbols', '--format', 'json', '.'], { only: 'go/trimpath,go/strip-symbols', format: 'json', paths: ['.'] }],
    [['--format=sarif', '--no-mounts', '--context', '..', 'build/Dockerfile'], { format: 'sarif', mounts: false, context: '..', paths: ['build/Dockerfile'] }],
    [['--skip', 'docker/dockerignore', '--unsafe', '--no-color', '-'], { skip: 'docker/dockerignore', unsafe: true, color: false, paths: ['-'] }],
    [['--print-config', 'Dockerfile'], { printConfig: 'Dockerfile', paths: [] }],
    [['--list'], { list: true, paths: [] }],
    [[], { paths: [] }],
  ])('%j', async (argv, expected) => {
    const fast = parseCommonArgs(argv);
    expect(fast).not.toBeNull();
    expect(view(fast!)).toEqual(expected);
    expect(await viaYargs(argv)).toEqual(expected);
  });
});

describe('the fast path declines what only yargs knows how to answer', () => {
  test.each([
    [['--help']], [['-h']], [['--version']], [['-wq']], [['--write', '--check']], [['--check', '--check']],
    [['--format', 'xml']], [['--only']], [['--only', '--check']], [['--context=']], [['--bogus']], [['--', 'x']],
    [['--write', 'true']], [['--no-write']], [['--printConfig', 'x']], [['-1']],
  ])('%j', (argv) => {
    expect(parseCommonArgs(argv)).toBeNull();
  });
});

const WORDS = [
  '--write', '-w', '--check', '--mounts', '--no-mounts', '--unsafe', '--list', '--color', '--no-color', '--quiet', '-q',
  '--context', '--only', '--skip', '--print-config', '--format', '--format=json', '--only=go/trimpath', '--context=..',
  '--skip=', '--no-write', '--no-unsafe', '-wq', '--', '--help', '--version', '--bogus', '--printConfig',
  'json', 'sarif', 'diff', 'xml', 'Dockerfile', 'a/Dockerfile', '.', '..', '-', '', 'true', 'false', '1', '0x1', '-1',
  'go/trimpath,go/strip-symbols', ' go/trimpath ', 'a b', 'explain', '--context=-x', '--format=',
];

test('wherever the fast path answers, yargs gives the same options', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom(...WORDS), { maxLength: 7 }), async (argv) => {
      const fast = parseCommonArgs(argv);
      if (fast === null) return;
      expect(await viaYargs(argv)).toEqual(view(fast));
    }),
    { seed: 20_251_201, numRuns: 3000 },
  );
});
