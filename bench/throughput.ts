/**
 * bench/throughput: files per second for the library (`fixText`, the default transforms) over the
 * shared corpus of real Dockerfiles repeated to 5,000 files in one process, beside dockerfile-ast's
 * bare parse rate on the same texts in the same run, and memory: peak RSS of a 1,000-file and a
 * 5,000-file process (each its own), and the heap still in use after a full GC every 1,000 files
 * (what the process retains, as opposed to garbage not yet collected). Target: library >= 0.25 x
 * bare parse, memory flat as the count grows. The bare parse is dockerfile-ast as published, in a
 * process that never loads cachefix: cachefix patches some of dockerfile-ast's slow paths when it
 * loads (src/engine/ast-memo.ts), which makes a parse about twice as fast, and a reference taken
 * with the patch would measure cachefix against itself. The patched parse is printed too. The
 * library is measured twice: in a process with V8's defaults (an application calling fixText), and
 * with the tier-up budget the CLI sets for a run over many files (src/cli/v8-tiering.ts), which is
 * how `cachefix` goes through a monorepo's Dockerfiles. Rates by wall time and by CPU time (user + system of
 * the process, all its threads, over the same work): on a machine shared with other work the CPU
 * time is the steadier of the two.
 *   npm run bench:throughput [-- --files 5000]
 * Needs ../shared/corpus beside the project; skips (exit 0) with a message when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DockerfileParser, Instruction } from 'dockerfile-ast';
import { corpus, hasCorpus } from '../__tests__/helpers/corpus.js';
import { corpusDir } from '../__tests__/helpers/paths.js';
import { MANY_FILES_V8_FLAG } from '../src/cli/v8-tiering.js';
import { machine } from './machine.js';

/** What one measuring process reports. */
interface Measurement {
  readonly mode: Mode;
  readonly files: number;
  readonly seconds: number;
  /** CPU time (user + system, all threads) of the timed work: what a shared machine's load disturbs least. */
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  /** Heap in use after a full GC, every 1,000 files (outside the timed work). */
  readonly retainedMb: readonly number[];
}

/** `parse`: dockerfile-ast as published; `patched-parse`: with cachefix loaded (its patches installed). */
type Mode = 'library' | 'parse' | 'patched-parse';
const MODES: readonly string[] = ['library', 'parse', 'patched-parse'] satisfies Mode[];

const CHECKPOINT = 1000;

const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};

/** The corpus texts with their build contexts, cycled to `count` entries. */
function workload(count: number) {
  const entries = corpus().map((e) => ({ text: readFileSync(e.path, 'utf8'), context: e.context, dockerfilePath: e.dockerfilePath }));
  return { distinct: entries, files: Array.from({ length: count }, (_, i) => entries[i % entries.length]!) };
}

/** Child process (node --expose-gc): run one mode over `count` files and print a Measurement as JSON. */
async function measure(mode: Mode, count: number): Promise<Measurement> {
  const { distinct, files } = workload(count);
  const split = (Instruction.prototype as unknown as { getRawArguments: { name: string } }).getRawArguments;
  if (split.name === 'memoized') throw new Error('dockerfile-ast is already patched: the bare parse must run before cachefix loads');
  // loaded only here: importing cachefix installs its dockerfile-ast patches for the whole process
  const { fixText } = mode === 'parse' ? { fixText: null } : await import('../src/index.js');
  const once = fixText !== null && mode === 'library'
    ? (e: (typeof files)[number]) => fixText(e.text, { context: e.context, dockerfilePath: e.dockerfilePath }).output.length
    : (e: (typeof files)[number]) => DockerfileParser.parse(e.text).getInstructions().length;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the child with --expose-gc');
  for (const entry of distinct) once(entry); // warm-up: every code path compiled once
  const retainedMb: number[] = [];
  let sink = 0;
  let elapsed = 0n;
  let cpuMicros = 0;
  for (let from = 0; from < files.length; from += CHECKPOINT) {
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    for (const entry of files.slice(from, from + CHECKPOINT)) sink += once(entry);
    const cpu = process.cpuUsage(cpuStarted);
    elapsed += process.hrtime.bigint() - started;
    cpuMicros += cpu.user + cpu.system;
    gc();
    retainedMb.push(process.memoryUsage().heapUsed / 2 ** 20);
  }
  if (sink === 0) throw new Error('nothing was processed');
  return { mode, files: count, seconds: Number(elapsed) / 1e9, cpuSeconds: cpuMicros / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1024, retainedMb };
}

function inChild(mode: Mode, count: number, v8Flags: readonly string[] = []): Measurement {
  const child = spawnSync(process.execPath, ['--expose-gc', ...v8Flags, process.argv[1]!, '--child', mode, '--files', String(count)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${mode} x ${count} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as Measurement;
}

const rate = (m: Measurement) => m.files / m.seconds;
const cpuRate = (m: Measurement) => m.files / m.cpuSeconds;

const childMode = flag('child');
if (childMode !== undefined && MODES.includes(childMode)) {
  process.stdout.write(JSON.stringify(await measure(childMode as Mode, Number(flag('files')))));
} else if (!hasCorpus) {
  console.log(`bench/throughput: SKIPPED: needs the shared corpus at ${corpusDir} (../shared beside the project)`);
} else {
  const large = Math.max(5000, Number(flag('files') ?? 5000));
  const small = 1000;
  console.log(machine());
  console.log(`corpus: ${corpusDir} (${workload(0).distinct.length} Dockerfiles), repeated; default transforms, the corpus's build contexts\n`);
  const parse = inChild('parse', large);
  const patched = inChild('patched-parse', large);
  const lib = inChild('library', large);
  const libSmall = inChild('library', small);
  const libMany = inChild('library', large, [MANY_FILES_V8_FLAG]);
  const row = (label: string, m: Measurement) =>
    `  ${label.padEnd(26)} ${String(m.files).padStart(6)} files  ${m.seconds.toFixed(2).padStart(7)} s  ${rate(m).toFixed(0).padStart(7)} files/s  ${cpuRate(m).toFixed(0).padStart(7)} files/CPU-s  peak RSS ${m.peakRssMb.toFixed(0)} MB`;
  console.log(row('dockerfile-ast parse only', parse));
  console.log(row('  the same, patched', patched));
  console.log(row('cachefix fixText', libSmall));
  console.log(row('cachefix fixText', lib));
  console.log(row("  with the CLI's V8 budget", libMany));
  console.log(`\n  ratio cachefix/bare parse: ${(rate(lib) / rate(parse)).toFixed(3)} by wall time, ${(cpuRate(lib) / cpuRate(parse)).toFixed(3)} by CPU time (target >= 0.25)`);
  console.log(`  with the tier-up budget of a CLI run over many files (${MANY_FILES_V8_FLAG}): ${(rate(libMany) / rate(parse)).toFixed(3)} by wall time, ${(cpuRate(libMany) / cpuRate(parse)).toFixed(3)} by CPU time`);
  console.log(`  against the parse as cachefix patches it: ${(rate(lib) / rate(patched)).toFixed(3)} by wall time, ${(cpuRate(lib) / cpuRate(patched)).toFixed(3)} by CPU time`);
  console.log(`  peak RSS 1k -> ${large / 1000}k files: ${libSmall.peakRssMb.toFixed(0)} MB -> ${lib.peakRssMb.toFixed(0)} MB`);
  console.log(`  heap after full GC every 1k files: ${lib.retainedMb.map((m) => m.toFixed(1)).join(', ')} MB (flat = nothing retained per file)`);
}
