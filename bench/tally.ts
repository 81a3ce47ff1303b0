/**
 * bench/tally: cachefix beside tally (the closest rival, `@wharflab/tally-linux-x64` on npm) on the
 * real Dockerfiles of ../shared/corpus, whole processes run alternately, each writing its fixes into a
 * fresh copy of the corpus: `cachefix --write --quiet` against `tally lint --fix --fix-unsafe` with
 * only its cache-mount rule selected (the work the two tools share). Two workloads: the whole corpus
 * in one run (a repository's Dockerfiles, or a CI job), and one file (a pre-commit hook). Prints the
 * medians of wall and CPU time (user + system, read from /proc: the children's times) and the ratios.
 * Target: cachefix's CPU <= 1.0x tally's in both.
 *   npm run bench:tally [-- --runs 15]
 * tally is looked for in $TALLY, on PATH, then in node_modules (`npm install --no-save
 * @wharflab/tally-linux-x64@0.45.0`); without it, or without ../shared/corpus, this prints why and
 * exits 0.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { cliPath, corpusDir, projectRoot } from '../__tests__/helpers/paths.js';
import { machine } from './machine.js';

const TALLY_VERSION = '0.45.0';
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
/** The single-file workload: a multi-stage Go service with apt, cgo and a build that tally mounts. */
const ONE_FILE = 'go/ethereum__go-ethereum__Dockerfile';

function findTally(): string | null {
  const candidates = [
    process.env.TALLY,
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'tally')),
    join(projectRoot, 'node_modules', '@wharflab', 'tally-linux-x64', 'bin', 'tally'),
  ];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path)) ?? null;
}

/** CPU seconds (user + system) of the waited-for children of this process, from /proc/self/stat. */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after the command name: field 3 is index 0, so cutime (16) and cstime (17) are 13 and 14
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** The corpus's Dockerfiles, as `<ecosystem>/<name>` paths. */
function corpusFiles(): string[] {
  return readdirSync(corpusDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'contexts')
    .flatMap((e) => readdirSync(join(corpusDir, e.name)).sort().map((name) => `${e.name}/${name}`));
}

/**
 * A fresh copy of the corpus's Dockerfiles (both tools write their fixes in place), each as
 * `<ecosystem>/<name>/Dockerfile`: tally refuses a file named on its command line whose name does
 * not say it is a Dockerfile. Returns the directory and the copies' paths in it.
 */
function freshCopy(files: readonly string[]): { dir: string; copies: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cachefix-tally-'));
  const copies = files.map((file) => {
    mkdirSync(join(dir, file), { recursive: true });
    cpSync(join(corpusDir, file), join(dir, file, 'Dockerfile'));
    return `${file}/Dockerfile`;
  });
  return { dir, copies };
}

function timed(command: string, args: readonly string[], cwd: string): Sample {
  const cpuBefore = childCpuSeconds();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) throw result.error;
  // cachefix exits 0 after --write; tally exits 1 when findings remain after fixing
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wall, cpu: childCpuSeconds() - cpuBefore };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function compare(label: string, targets: readonly string[], tally: string): void {
  const samples = { cachefix: [] as Sample[], tally: [] as Sample[] };
  const tallyArgs = ['lint', '--no-config', '--no-color', '--ignore', '*', '--select', 'tally/prefer-package-cache-mounts', '--fix', '--fix-unsafe'];
  // one warm-up each (page cache, cachefix's code cache), then alternate so drift hits both alike
  for (let i = -1; i < runs; i++) {
    for (const tool of i % 2 === 0 ? (['cachefix', 'tally'] as const) : (['tally', 'cachefix'] as const)) {
      const { dir, copies } = freshCopy(targets);
      const sample = tool === 'cachefix'
        ? timed(process.execPath, [cliPath, '--write', '--quiet', ...copies], dir)
        : timed(tally, [...tallyArgs, ...copies], dir);
      rmSync(dir, { recursive: true, force: true });
      if (i >= 0) samples[tool].push(sample);
    }
  }
  const cf = { wall: median(samples.cachefix.map((s) => s.wall)), cpu: median(samples.cachefix.map((s) => s.cpu)) };
  const ta = { wall: median(samples.tally.map((s) => s.wall)), cpu: median(samples.tally.map((s) => s.cpu)) };
  console.log(`${label} (${targets.length} file${targets.length === 1 ? '' : 's'}, median of ${runs}):`);
  console.log(`  cachefix  wall ${(cf.wall * 1000).toFixed(0).padStart(5)} ms   cpu ${(cf.cpu * 1000).toFixed(0).padStart(5)} ms`);
  console.log(`  tally     wall ${(ta.wall * 1000).toFixed(0).padStart(5)} ms   cpu ${(ta.cpu * 1000).toFixed(0).padStart(5)} ms`);
  console.log(`  ratio     wall ${(cf.wall / ta.wall).toFixed(2)}x       cpu ${(cf.cpu / ta.cpu).toFixed(2)}x   (target: cpu <= 1.00x)`);
}

const tally = findTally();
if (!existsSync(corpusDir)) {
  console.log(`bench:tally skipped: ${corpusDir} is missing (the shared corpus must sit beside the project)`);
} else if (tally === null) {
  console.log(`bench:tally skipped: tally not found in $TALLY, on PATH or in node_modules (npm install --no-save @wharflab/tally-linux-x64@${TALLY_VERSION})`);
} else if (!existsSync(cliPath)) {
  console.log(`bench:tally skipped: ${cliPath} is missing (npm run build)`);
} else {
  const version = spawnSync(tally, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`${machine()}\n${version}\n`);
  compare('directory: every corpus Dockerfile in one run', corpusFiles(), tally);
  compare('one file', [ONE_FILE], tally);
}
