/**
 * bench/startup: how long `cachefix --check FILE` takes as a whole process (a pre-commit hook pays
 * this on every commit), beside bare `node -e ''` and a bare dockerfile-ast parse of the same file
 * (`node -e "require('dockerfile-ast').DockerfileParser.parse(...)"`), in the same run, interleaved
 * so that load on the machine hits all of them alike. Target: cachefix <= 1.0 x the bare parse.
 * Two files by default: the naive Dockerfile of examples/go/mod-download-first/seed-naive, which
 * takes five fixes (a hook's first commit), and the same project once `cachefix --write` fixed it,
 * made in a temporary directory (every later commit: nothing to change).
 *   npm run bench:startup [-- --runs 40] [-- --file path/to/Dockerfile]
 * Measures the built CLI (dist/src/bin.cjs, or $CACHEFIX_CLI) and refuses a build older than the sources.
 * The CLI keeps V8's code cache in a fresh directory, made by the warm-up runs as a user's is made by
 * their own first runs (one made elsewhere, by other kinds of runs, holds other code).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cliPath, projectRoot } from '../__tests__/helpers/paths.js';
import { machine } from './machine.js';

const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const runs = Number(flag('runs') ?? 40);
const naive = join(projectRoot, 'examples', 'go', 'mod-download-first', 'seed-naive');

/** The newest source the build is made from (src/, transforms/, package.json, the bundle script). */
function newestSource(): { path: string; mtimeMs: number } {
  let newest = { path: '', mtimeMs: 0 };
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (stat.mtimeMs > newest.mtimeMs) newest = { path, mtimeMs: stat.mtimeMs };
  };
  for (const path of ['src', 'transforms', 'package.json', 'scripts']) visit(join(projectRoot, path));
  return newest;
}

interface Command {
  readonly label: string;
  readonly args: readonly string[];
}

/** The bare parse and the CLI on one file, measured as a pair. */
interface Case {
  readonly name: string;
  readonly file: string;
}

/** The seed-naive project, copied and fixed with `cachefix --write` (the Dockerfile and a new .dockerignore). */
function fixedCopy(): string {
  const dir = join(workDir, 'fixed');
  cpSync(naive, dir, { recursive: true, filter: (path) => !/\.(expected|txt)$/.test(path) });
  // without the code cache: this set-up run is not one of the measured kind (a `cachefix-check` hook's)
  const wrote = spawnSync(process.execPath, [cliPath, '--write', '--quiet', 'Dockerfile'], { cwd: dir, encoding: 'utf8', env: { ...env, CACHEFIX_NO_CODE_CACHE: '1' } });
  if (wrote.status !== 0) throw new Error(`cachefix --write failed (${wrote.status}):\n${wrote.stderr}`);
  return join(dir, 'Dockerfile');
}

const parseArgs = (file: string) => ['-e', "require('dockerfile-ast').DockerfileParser.parse(require('fs').readFileSync(process.argv[1], 'utf8'))", file];

const workDir = mkdtempSync(join(tmpdir(), 'cachefix-bench-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
const codeCache = join(workDir, 'cache');
const env = { ...process.env, XDG_CACHE_HOME: codeCache };

/** Milliseconds for one whole process; its exit status must be what the command means. */
function time(command: Command): number {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, command.args, { cwd: projectRoot, encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // --check exits 1 when the file would change; anything else (2, a crash) is not a measurement
  if (child.status !== 0 && !(command.label.startsWith('cachefix') && child.status === 1)) {
    throw new Error(`${command.label} failed (${child.status}):\n${child.stderr}`);
  }
  return ms;
}

const WARM_UP_RUNS = 6;

const stat = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? NaN, min: sorted[0] ?? NaN };
};

const built = statSync(cliPath, { throwIfNoEntry: false });
const source = newestSource();
if (!built) {
  console.error(`bench/startup: no CLI at ${cliPath}: run npm run build first (npm run bench:startup does)`);
  process.exit(2);
}
if (process.env.CACHEFIX_CLI === undefined && built.mtimeMs < source.mtimeMs) {
  console.error(`bench/startup: ${relative(projectRoot, cliPath)} is older than ${relative(projectRoot, source.path)}: run npm run build first (npm run bench:startup does)`);
  process.exit(2);
}

const given = flag('file');
const cases: Case[] = given !== undefined
  ? [{ name: relative(projectRoot, given), file: given }]
  : [{ name: 'naive Dockerfile, 5 fixes (exit 1)', file: join(naive, 'Dockerfile') }, { name: 'the same, already fixed (exit 0)', file: fixedCopy() }];
const commands: Command[] = [
  { label: "node -e ''", args: ['-e', ''] },
  ...cases.flatMap((c) => [
    { label: 'dockerfile-ast parse', args: parseArgs(c.file) },
    { label: 'cachefix --check FILE', args: [cliPath, '--check', '--quiet', c.file] },
  ]),
];

console.log(machine());
console.log(`cli: ${cliPath}; ${runs} runs each, interleaved, after ${WARM_UP_RUNS} warm-up runs (ms, whole process)`);
// the first run writes the code cache and the next four add to it (src/cli/launcher.ts)
for (let i = 0; i < WARM_UP_RUNS; i++) for (const command of commands) time(command);
const caches = readdirSync(join(codeCache, 'dockerfile-cachefix'));
console.log(`code cache: ${caches.map((name) => `${name}, ${Math.round(statSync(join(codeCache, 'dockerfile-cachefix', name)).size / 1024)} KB`).join('; ')}`);
const samples = commands.map(() => [] as number[]);
for (let i = 0; i < runs; i++) commands.forEach((command, j) => samples[j]!.push(time(command)));
const stats = samples.map(stat);
const node = stats[0]!;
console.log(`\n  ${"node -e ''".padEnd(24)} median ${node.median.toFixed(1).padStart(6)}   min ${node.min.toFixed(1).padStart(6)}`);
cases.forEach((c, k) => {
  const parse = stats[1 + 2 * k]!;
  const cli = stats[2 + 2 * k]!;
  console.log(`\n  ${c.name}`);
  for (const [label, s] of [['dockerfile-ast parse', parse], ['cachefix --check FILE', cli]] as const) {
    console.log(`  ${label.padEnd(24)} median ${s.median.toFixed(1).padStart(6)}   min ${s.min.toFixed(1).padStart(6)}`);
  }
  console.log(`  ratio cachefix/bare parse: median ${(cli.median / parse.median).toFixed(2)}, min ${(cli.min / parse.min).toFixed(2)} (target <= 1.0)`);
  console.log(`  above bare node: cachefix +${(cli.median - node.median).toFixed(1)} ms, the bare parse +${(parse.median - node.median).toFixed(1)} ms (medians)`);
});
