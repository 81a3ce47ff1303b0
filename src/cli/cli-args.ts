/**
 * The options `cachefix` reads from its arguments, and a parser for the everyday forms of them
 * (`--check FILE`, `--write --quiet a b`, `--only ID --format json .`). yargs stays the reference:
 * it is loaded only for what this parser declines (help, --version, errors, combined short flags,
 * repeated options, `--`), because loading it costs a pre-commit hook more than the rewrite itself.
 * __tests__/cli-args.test.ts checks that both give the same options wherever this one answers.
 */

export type Format = 'diff' | 'json' | 'sarif';

/** yargs-parser drops a bare `-`, so it travels through the parser under another name. */
export const STDIN_SENTINEL = '\u0000stdin';

/** The parsed options main() uses; the shape yargs gives them. */
export interface CliOptions {
  readonly paths?: readonly string[] | undefined;
  /** Arguments after `--` (yargs); the fast path never produces any. */
  readonly _: readonly (string | number)[];
  readonly write?: boolean | undefined;
  readonly check?: boolean | undefined;
  readonly context?: string | undefined;
  readonly only?: string | undefined;
  readonly skip?: string | undefined;
  readonly mounts?: boolean | undefined;
  readonly unsafe?: boolean | undefined;
  readonly printConfig?: string | undefined;
  readonly list?: boolean | undefined;
  readonly color?: boolean | undefined;
  readonly format?: Format | undefined;
  readonly quiet?: boolean | undefined;
}

type Flag = 'write' | 'check' | 'mounts' | 'unsafe' | 'list' | 'color' | 'quiet';
type Valued = 'context' | 'only' | 'skip' | 'printConfig' | 'format';

const FLAGS: ReadonlyMap<string, readonly [Flag, boolean]> = new Map([
  ['--write', ['write', true]],
  ['-w', ['write', true]],
  ['--check', ['check', true]],
  ['--mounts', ['mounts', true]],
  ['--no-mounts', ['mounts', false]],
  ['--unsafe', ['unsafe', true]],
  ['--list', ['list', true]],
  ['--color', ['color', true]],
  ['--no-color', ['color', false]],
  ['--quiet', ['quiet', true]],
  ['-q', ['quiet', true]],
]);

const VALUED: ReadonlyMap<string, Valued> = new Map([
  ['--context', 'context'],
  ['--only', 'only'],
  ['--skip', 'skip'],
  ['--print-config', 'printConfig'],
  ['--format', 'format'],
]);

const FORMATS: readonly string[] = ['diff', 'json', 'sarif'];

/**
 * The options for an argument list in one of the plain forms, or null for anything else (which
 * yargs then parses, with its help and error messages). Declining is always safe; answering
 * differently from yargs is the one thing this must not do, hence the narrow rules: each option
 * at most once, values that do not look like options, no `true`/`false` word (yargs would take
 * it as a boolean's value), no `--write` with `--check` (yargs reports the conflict).
 */
export function parseCommonArgs(argv: readonly string[]): CliOptions | null {
  const flags: Partial<Record<Flag, boolean>> = {};
  const values: Partial<Record<Valued, string>> = {};
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-' || !arg.startsWith('-')) {
      if (arg === 'true' || arg === 'false' || arg === '') return null;
      paths.push(arg);
      continue;
    }
    const flag = FLAGS.get(arg);
    if (flag) {
      if (flag[0] in flags) return null;
      flags[flag[0]] = flag[1];
      continue;
    }
    const eq = arg.indexOf('=');
    const name = VALUED.get(eq < 0 ? arg : arg.slice(0, eq));
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (!name || value === undefined || !plainValue(value) || name in values) return null;
    values[name] = value;
  }
  if (flags.write === true && flags.check === true) return null;
  const { format, ...rest } = values;
  if (format !== undefined && !isFormat(format)) return null;
  return { ...flags, ...rest, ...(format !== undefined ? { format } : {}), _: [], ...(paths.length > 0 ? { paths } : {}) };
}

function isFormat(value: string): value is Format {
  return FORMATS.includes(value);
}

/** A value yargs takes as it is: not empty, not option-like, not a boolean word. */
function plainValue(value: string): boolean {
  return value !== '' && !value.startsWith('-') && value !== 'true' && value !== 'false';
}
