/**
 * The `cachefix` executable (built to dist/src/bin.cjs): runs the bundled CLI (dist/src/cachefix.cjs)
 * from V8's code cache. A pre-commit hook starts the CLI on every commit, and compiling the bundle
 * is most of what a run costs beyond Node's own start. The cache is made after the first run, so it
 * holds the functions that run compiled, not only the top level (v8-compile-cache caches at compile
 * time, which measured no faster here). It lives in the user's cache directory
 * ($XDG_CACHE_HOME or ~/.cache, dockerfile-cachefix/), keyed by Node version and bundle; V8 rejects a
 * cache that does not fit the source or the engine, and any failure to read or write it only costs
 * speed. CACHEFIX_NO_CODE_CACHE=1 turns it off.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';

const bundle = join(__dirname, 'cachefix.cjs');
// ASCII (scripts/bundle.mjs checks): Latin-1 gives the same text, as a one-byte string
const source = readFileSync(bundle, 'latin1');
const cacheFile = process.env.CACHEFIX_NO_CODE_CACHE ? null : codeCachePath();
const cachedData = cacheFile === null ? undefined : readCache(cacheFile);

// No import() in there: on Node 20 a script compiled from cached data loses its dynamic-import hook
// (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so the bundle loads ES modules with require()
// (yargs; an .mjs config falls back to it), which Node >= 20.19 supports.
const script = new Script(Module.wrap(source), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
if (cacheFile !== null && (cachedData === undefined || script.cachedDataRejected === true)) {
  process.once('exit', () => writeCache(cacheFile, script.createCachedData()));
}
const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
const cli = { exports: {} };
run.call(cli.exports, cli.exports, createRequire(bundle), cli, bundle, __dirname);

function codeCachePath(): string | null {
  try {
    const { size, mtimeMs } = statSync(bundle);
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    // V8 rejects a cache made under other flags: runs with other flags get their own, not a tug of war
    const flags = fnv1a(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
    return join(base, 'dockerfile-cachefix', `${process.version}-${process.arch}-${flags}-${runKind(process.argv.slice(2))}-${size}-${Math.trunc(mtimeMs)}.v8cache`);
  } catch {
    return null;
  }
}

/**
 * A cache holds what its first run compiled: a `--help` run's cache would leave a fix compiling
 * everything again, so each kind of run keeps its own.
 */
function runKind(args: readonly string[]): string {
  if (args[0] === 'explain') return 'explain';
  return args.some((a) => ['-h', '--help', '--version', '--list', '--print-config'].includes(a) || a.startsWith('--print-config=')) ? 'info' : 'fix';
}

/** A short hash of a string (FNV-1a, 32 bits): node:crypto would cost more to load than it saves. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

function readCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Written whole or not at all (rename), so a concurrent run never reads half a cache. */
function writeCache(path: string, data: Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, path);
  } catch {
    // a read-only home or a full disk: the next run compiles again
  }
}
