/**
 * The `cachefix` executable (built to dist/src/bin.cjs): runs the bundled CLI (dist/src/cachefix.cjs)
 * from V8's code cache. A pre-commit hook starts the CLI on every commit, and compiling the bundle
 * is most of what a run costs beyond Node's own start. The cache is made after the first run, so it
 * holds the functions that run compiled, not only the top level (v8-compile-cache caches at compile
 * time, which measured no faster here). It lives in the user's cache directory
 * ($XDG_CACHE_HOME or ~/.cache, dockerfile-cachefix/), keyed by Node version, flags, kind of run and
 * a hash of the bundle's content (V8 itself checks only the source's length). Any failure to read or
 * write it only costs speed. CACHEFIX_NO_CODE_CACHE=1 turns it off.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';
import { fixesManyFiles, raiseTierUpBudget } from './v8-tiering.js';

/** sha256 of cachefix.cjs, set by scripts/bundle.mjs. */
declare const CACHEFIX_BUNDLE_HASH: string;
/** The opening of the module function the bundle is written as, set by scripts/bundle.mjs. */
declare const CACHEFIX_MODULE_WRAPPER: string;

/**
 * File layout: `CFX2`, a 32-bit check of the data (see dataCheck), the best rank of the runs that
 * made it, how many runs have added to it, then V8's data.
 */
const MAGIC = 0x32584643;
const HEADER_BYTES = 12;

const bundle = join(__dirname, 'cachefix.cjs');
// ASCII (scripts/bundle.mjs checks): Latin-1 gives the same text, as a one-byte string. The file is
// already a function expression with Node's module wrapper (scripts/bundle.mjs writes it so).
const source = readFileSync(bundle, 'latin1');
if (!source.startsWith(CACHEFIX_MODULE_WRAPPER)) {
  throw new Error(`${bundle}: not a cachefix bundle (run npm run build)`);
}
const kind = runKind(process.argv.slice(2));
// before the bundle is compiled (src/cli/v8-tiering.ts)
if (kind === 'fix-many') raiseTierUpBudget(process.execArgv, process.env.NODE_OPTIONS);
const cacheDir = process.env.CACHEFIX_NO_CODE_CACHE ? null : codeCacheDir();
const cacheName = cacheNamePrefix() + CACHEFIX_BUNDLE_HASH.slice(0, 16);
const cacheFile = cacheDir === null ? null : join(cacheDir, `${cacheName}.v8cache`);
const cached = cacheFile === null ? undefined : readCache(cacheFile);
const cachedData = cached?.data;

// No import() in there: on Node 20 a script compiled from cached data loses its dynamic-import hook
// (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so the bundle loads ES modules with require()
// (yargs; .mjs configs), which Node >= 20.19 supports.
const script = new Script(source, { filename: bundle, ...(cachedData ? { cachedData } : {}) });
if (cacheDir !== null && cacheFile !== null) {
  process.once('exit', (code) => {
    // A cache holds what the runs that made it compiled (V8 adds this run's new functions to those it
    // read): one made by a run that stopped at an error (exit 2), or on a file that needed one
    // transform, lacks most of a fix. So the first few successful runs add to it, then it stays.
    const rank = runRank(code);
    if (cached === undefined || script.cachedDataRejected === true) writeCache(cacheDir, cacheFile, script.createCachedData(), rank, 0);
    else if (rank > 0 && cached.runs < ENRICHING_RUNS) writeCache(cacheDir, cacheFile, script.createCachedData(), Math.max(rank, cached.rank), cached.runs + 1);
  });
}
const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
const cli = { exports: {} };
// the launcher's own require: it sits beside the bundle, so it resolves what the bundle asks for the same way
run.call(cli.exports, cli.exports, require, cli, bundle, __dirname);

/** The XDG base directory spec: a relative XDG_CACHE_HOME is ignored (it would land in the user's project). */
function codeCacheDir(): string | null {
  const xdg = process.env.XDG_CACHE_HOME;
  try {
    return join(xdg && isAbsolute(xdg) ? xdg : join(homeDirectory(), '.cache'), 'dockerfile-cachefix');
  } catch {
    return null;
  }
}

/** os.homedir() reads $HOME first on POSIX too; node:os is loaded only when that is unset (Windows). */
function homeDirectory(): string {
  return process.env.HOME || (require('node:os') as typeof import('node:os')).homedir();
}

/** `v20.20.2-x64-<flags>-fix-`: what a cache depends on besides the bundle. */
function cacheNamePrefix(): string {
  // V8 rejects a cache made under other flags: runs with other flags get their own, not a tug of war
  const flags = fnv1a(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
  return `${process.version}-${process.arch}-${flags}-${kind}-`;
}

/**
 * A cache holds what its first run compiled: a `--help` run's cache would leave a fix compiling
 * everything again, so each kind of run keeps its own. A fix over many files runs under another
 * V8 flag (src/cli/v8-tiering.ts), which V8 checks a cache against.
 */
function runKind(args: readonly string[]): string {
  if (args[0] === 'explain') return 'explain';
  if (args.some((a) => ['-h', '--help', '--version', '--list', '--print-config'].includes(a) || a.startsWith('--print-config='))) return 'info';
  return fixesManyFiles(args) ? 'fix-many' : 'fix';
}

/** A short hash of a string (FNV-1a, 32 bits): node:crypto would cost more to load than it saves. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

/**
 * V8 in Node 20 does not checksum cached data, and a damaged cache can crash the process on every
 * run. A full checksum costs a hook run more than a millisecond, so this one reads a word every
 * 512 bytes and the whole end: enough for what damages files (zeroed or lost blocks, truncation).
 */
function dataCheck(data: Uint8Array): number {
  let hash = data.length | 0;
  const word = (i: number) => (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
  for (let i = 0; i < data.length; i += 512) hash = Math.imul(hash ^ word(i), 0x01000193);
  for (let i = Math.max(0, data.length - 64); i < data.length; i++) hash = Math.imul(hash ^ (data[i] ?? 0), 0x01000193);
  return hash >>> 0;
}

/** 0: the run failed (exit 2 or worse); 1: it succeeded; 2: it found something to change (exit 1). */
function runRank(code: number): number {
  return code === 1 ? 2 : code === 0 ? 1 : 0;
}

/** How many successful runs add to a cache after the one that made it. */
const ENRICHING_RUNS = 4;

function readCache(path: string): { data: Buffer; rank: number; runs: number } | undefined {
  try {
    const file = readFileSync(path);
    if (file.length <= HEADER_BYTES || file.readUInt32LE(0) !== MAGIC) return undefined;
    const data = file.subarray(HEADER_BYTES);
    return file.readUInt32LE(4) === dataCheck(data) ? { data, rank: file.readUInt8(8), runs: file.readUInt8(9) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Written whole or not at all (flushed, then renamed), so neither a concurrent run nor a power cut
 * leaves half a cache. Then the directory is tidied: leftovers of killed writes, and caches older
 * than a week (each upgrade leaves some behind; one still in use is simply made again).
 */
function writeCache(dir: string, path: string, data: Buffer, rank: number, runs: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(dataCheck(data), 4);
    header.writeUInt8(rank, 8);
    header.writeUInt8(runs, 9);
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, header);
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    removeStale(dir, path);
  } catch {
    // a read-only home or a full disk: the next run compiles again
  }
}

function removeStale(dir: string, current: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === current) continue;
    const temporary = name.endsWith('.tmp');
    if (!temporary && !name.endsWith('.v8cache')) continue;
    const age = now - statSync(path).mtimeMs;
    if (age > (temporary ? 3600e3 : 7 * 86400e3)) unlinkSync(path);
  }
}
