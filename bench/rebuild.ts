/**
 * bench/rebuild: how long a rebuild takes after a comment-only change to the source, for each sample
 * app's naive Dockerfile and for what `cachefix` makes of it, on each builder this machine has
 * (buildah and Docker's BuildKit) side by side. Prints the times, their ratio per builder (target:
 * rewritten <= 0.10 x original; 0.15 for Rust and Maven) and whether both images print the same.
 * Needs the offline builder (../shared/tools/offline-builder: `setup.sh all`, `servers.sh start` for
 * the npm registry and the Maven repository, and `docker.sh start` for BuildKit).
 *   npm run bench:rebuild [-- --runs N] [-- --sample go|npm|yarn|pnpm|python|rust|rust2|rust2-mount|java]
 * rust2 is sample-rust in two stages (a slim runtime stage copies target/release/sample-rust);
 * rust2-mount rewrites it with rust/cache-mount alone (target/ mounted, the binary copied out).
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixText } from '../src/engine/fixer.js';
import { fsContext } from '../src/context/fs-context.js';
import { transforms } from '../transforms/index.js';
import { projectRoot, sharedDir } from '../__tests__/helpers/paths.js';
import { builderChoices, type Builder } from './builder.js';
import { machine } from './machine.js';

const OFFLINE_BUILDER = join(sharedDir, 'tools', 'offline-builder');

const NAIVE = `FROM golang:1.19 AS build
WORKDIR /app
COPY . .
RUN go mod download
RUN go build -o /app/main .

FROM debian:bookworm-slim
COPY --from=build /app/main /usr/local/bin/app
CMD ["app"]
`;

/** A sample app: its naive Dockerfile, the source file a change goes into, the command printing its line. */
interface Sample {
  readonly name: string;
  /** The app's directory (copied to a scratch directory for each run). */
  readonly dir: string;
  readonly naive: string;
  readonly source: string;
  readonly comment: string;
  readonly command: readonly string[];
  /** `host` where RUN steps reach a package server on 127.0.0.1 (npm, Maven). */
  readonly network: 'none' | 'host';
  /** The transform ids to apply; every safe transform when absent. */
  readonly only?: readonly string[];
}

const RUST_TWO_STAGE = `FROM rust:1.63 AS build
WORKDIR /app
COPY . .
RUN cargo build --release

FROM debian:bookworm-slim
COPY --from=build /app/target/release/sample-rust /usr/local/bin/
CMD ["sample-rust"]
`;

/** The naive Dockerfile the offline builder ships beside a sample app. */
const naiveOf = (dir: string) => readFileSync(join(dir, 'Dockerfile.naive'), 'utf8');
const nodeSample = (name: string, dir: string): Sample => ({
  name, dir, naive: naiveOf(dir), source: 'src/index.js', comment: '//', command: ['node', '/app/src/index.js'], network: 'host',
});

const SAMPLES: readonly (() => Sample)[] = [
  () => ({ name: 'go', dir: join(OFFLINE_BUILDER, 'sample-app'), naive: NAIVE, source: 'main.go', comment: '//', command: ['/usr/local/bin/app'], network: 'none' }),
  () => nodeSample('npm', join(OFFLINE_BUILDER, 'sample-node')),
  () => nodeSample('yarn', join(projectRoot, 'examples', 'apps', 'node-yarn')),
  () => nodeSample('pnpm', join(projectRoot, 'examples', 'apps', 'node-pnpm')),
  () => {
    const dir = join(OFFLINE_BUILDER, 'sample-python');
    return { name: 'python', dir, naive: naiveOf(dir), source: 'app/main.py', comment: '#', command: ['python', '/app/app/main.py'], network: 'none' };
  },
  () => {
    const dir = join(OFFLINE_BUILDER, 'sample-rust');
    return { name: 'rust', dir, naive: naiveOf(dir), source: 'src/main.rs', comment: '//', command: ['/app/target/release/sample-rust'], network: 'none' };
  },
  () => ({ name: 'rust2', dir: join(OFFLINE_BUILDER, 'sample-rust'), naive: RUST_TWO_STAGE, source: 'src/main.rs', comment: '//', command: ['/usr/local/bin/sample-rust'], network: 'none' }),
  () => ({ name: 'rust2-mount', dir: join(OFFLINE_BUILDER, 'sample-rust'), naive: RUST_TWO_STAGE, source: 'src/main.rs', comment: '//', command: ['/usr/local/bin/sample-rust'], network: 'none', only: ['rust/cache-mount'] }),
  () => {
    const dir = join(OFFLINE_BUILDER, 'sample-java');
    return { name: 'java', dir, naive: naiveOf(dir), source: 'src/main/java/app/Main.java', comment: '//', command: ['java', '-cp', '/app/*', 'app.Main'], network: 'host' };
  },
];

/** Issue 15 allows compiled ecosystems more: their rebuild still compiles the crate or the module itself. */
const targetRatio = (sample: string): number => (/^(rust|java)/.test(sample) ? 0.15 : 0.1);

const sampleFlag = process.argv.indexOf('--sample');
const wanted = sampleFlag > 0 ? process.argv[sampleFlag + 1] : null;
const known = SAMPLES.map((sample) => sample());
const samples = known.filter((s) => wanted === null || s.name === wanted);
if (samples.length === 0) {
  console.error(`bench/rebuild: --sample is one of ${known.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 3;
const choices = builderChoices();
for (const { name, reason } of choices) if (reason !== null) console.error(`bench/rebuild: ${name} skipped: ${reason}`);
const builders = choices.flatMap((c) => (c.builder ? [c.builder] : []));
if (builders.length === 0) process.exit(2);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface Figures {
  readonly times: number[];
  /** What the image's program printed after the last rebuild. */
  readonly output: string;
}

/** Builds `file` once to warm the cache, then `runs` times, each after a new comment in the sample's source. */
function rebuildTimes(builder: Builder, work: string, file: string, sample: Sample): Figures {
  const tag = `cachefix-bench-${sample.name}-${builder.name}-${file.toLowerCase().replace(/\W/g, '-')}`;
  const build = () => {
    const result = builder.build({ context: work, dockerfile: join(work, file), tag, network: sample.network });
    if (!result.ok) throw new Error(`${file} did not build on ${builder.name}:\n${result.log.slice(-2000)}`);
    return result.seconds;
  };
  try {
    build(); // warm: layers and cache mounts filled
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      // unique text: both builders' caches outlive runs of the benchmark
      appendFileSync(join(work, sample.source), `\n${sample.comment} comment-only change ${process.pid}-${Date.now()}\n`);
      times.push(build());
    }
    return { times, output: builder.run(tag, sample.command) };
  } finally {
    builder.remove(tag);
  }
}

for (const sample of samples) benchSample(sample);

function benchSample(sample: Sample): void {
  const sampleApp = sample.dir;
  const work = mkdtempSync(join(tmpdir(), 'cachefix-bench-'));
  try {
    cpSync(sampleApp, work, { recursive: true });
    const rewritten = fixText(sample.naive, { transforms: transforms.filter((t) => (sample.only ? sample.only.includes(t.id) : t.safety === 'safe')), context: fsContext(work), dockerfilePath: 'Dockerfile' }).output;
    writeFileSync(join(work, 'Dockerfile.original'), sample.naive);
    writeFileSync(join(work, 'Dockerfile.rewritten'), rewritten);
    console.log(`${machine()}\nbuilders: ${builders.map((b) => b.name).join(', ')}; sample app: ${sampleApp}; runs: ${runs} (median)\n`);
    console.log(`rewritten Dockerfile:\n${rewritten}`);
    const rows: string[] = [];
    for (const builder of builders) {
      const original = rebuildTimes(builder, work, 'Dockerfile.original', sample);
      const fixed = rebuildTimes(builder, work, 'Dockerfile.rewritten', sample);
      const o = median(original.times);
      const f = median(fixed.times);
      const same = original.output === fixed.output && original.output.trim() !== '';
      console.log(`${builder.name}: rebuild after a comment-only change to ${sample.source} (wall time, whole build):`);
      console.log(`  original:  ${o.toFixed(2)} s   (runs: ${original.times.map((t) => t.toFixed(2)).join(', ')})`);
      console.log(`  rewritten: ${f.toFixed(2)} s   (runs: ${fixed.times.map((t) => t.toFixed(2)).join(', ')})`);
      console.log(`  ratio rewritten/original: ${(f / o).toFixed(3)} (target <= ${targetRatio(sample.name).toFixed(2)}); same program output: ${same ? 'yes' : 'NO'} (${original.output.trim()})\n`);
      rows.push(`| ${sample.name} | ${builder.name} | ${o.toFixed(2)} s | ${f.toFixed(2)} s | ${(f / o).toFixed(3)} | ${same ? 'yes' : 'no'} |`);
    }
    console.log(['| sample | builder | original | rewritten | ratio | same output |', '|---|---|---|---|---|---|', ...rows].join('\n'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
