/**
 * bench/rebuild: how long a rebuild takes after a comment-only change to main.go, for the naive
 * sample-app Dockerfile and for what `cachefix` makes of it, on each builder this machine has
 * (buildah and Docker's BuildKit) side by side. Prints the times, their ratio per builder (target:
 * rewritten <= 0.10 x original) and whether both images print the same. Needs the offline builder
 * (../shared/tools/offline-builder: setup.sh, and docker.sh start for BuildKit; node apps also
 * `setup.sh node` and `servers.sh start`). `--app npm|yarn|pnpm` measures a Node sample app instead
 * (a comment-only change to src/index.js).
 *   npm run bench:rebuild [-- --runs N] [-- --app npm|yarn|pnpm]
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixText } from '../src/engine/fixer.js';
import { fsContext } from '../src/context/fs-context.js';
import { transforms } from '../transforms/index.js';
import { projectRoot, sharedDir } from '../__tests__/helpers/paths.js';
import { builderChoices, type Builder } from './builder.js';
import { machine } from './machine.js';

const NAIVE = `FROM golang:1.19 AS build
WORKDIR /app
COPY . .
RUN go mod download
RUN go build -o /app/main .

FROM debian:bookworm-slim
COPY --from=build /app/main /usr/local/bin/app
CMD ["app"]
`;

interface App {
  readonly naive: string;
  readonly dir: string;
  /** The source file a comment-only change goes into, and how a comment line looks there. */
  readonly change: string;
  /** What runs the image's program. */
  readonly run: readonly string[];
  readonly network: 'none' | 'host';
}

const nodeApp = (dir: string, install: string): App => ({
  naive: `FROM node:20\nWORKDIR /app\nCOPY . .\nRUN ${install}\nCMD ["node", "src/index.js"]\n`,
  dir,
  change: 'src/index.js',
  run: ['node', '/app/src/index.js'],
  network: 'host',
});
const APPS: Readonly<Record<string, App>> = {
  go: { naive: NAIVE, dir: join(sharedDir, 'tools', 'offline-builder', 'sample-app'), change: 'main.go', run: ['/usr/local/bin/app'], network: 'none' },
  npm: nodeApp(join(sharedDir, 'tools', 'offline-builder', 'sample-node'), 'npm ci'),
  yarn: nodeApp(join(projectRoot, 'examples', 'apps', 'node-yarn'), 'yarn install --frozen-lockfile'),
  pnpm: nodeApp(join(projectRoot, 'examples', 'apps', 'node-pnpm'), 'pnpm install --frozen-lockfile'),
};
const appFlag = process.argv.indexOf('--app');
const app: App = APPS[appFlag > 0 ? (process.argv[appFlag + 1] ?? '') : 'go'] ?? unknownApp();

function unknownApp(): never {
  console.error(`bench/rebuild: --app is one of ${Object.keys(APPS).join(', ')}`);
  process.exit(2);
}

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 3;
const choices = builderChoices();
for (const { name, reason } of choices) if (reason !== null) console.error(`bench/rebuild: ${name} skipped: ${reason}`);
const builders = choices.flatMap((c) => (c.builder ? [c.builder] : []));
if (builders.length === 0) process.exit(2);
const sampleApp = app.dir;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface Figures {
  readonly times: number[];
  /** What the image's program printed after the last rebuild. */
  readonly output: string;
}

/** Builds `file` once to warm the cache, then `runs` times, each after a new comment in main.go. */
function rebuildTimes(builder: Builder, work: string, file: string): Figures {
  const tag = `cachefix-bench-${builder.name}-${file.toLowerCase().replace(/\W/g, '-')}`;
  const build = () => {
    const result = builder.build({ context: work, dockerfile: join(work, file), tag, network: app.network });
    if (!result.ok) throw new Error(`${file} did not build on ${builder.name}:\n${result.log.slice(-2000)}`);
    return result.seconds;
  };
  try {
    build(); // warm: layers and cache mounts filled
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      // unique text: both builders' caches outlive runs of the benchmark
      appendFileSync(join(work, app.change), `\n// comment-only change ${process.pid}-${Date.now()}\n`);
      times.push(build());
    }
    return { times, output: builder.run(tag, app.run) };
  } finally {
    builder.remove(tag);
  }
}

const work = mkdtempSync(join(tmpdir(), 'cachefix-bench-'));
try {
  cpSync(sampleApp, work, { recursive: true });
  rmSync(join(work, 'node_modules'), { recursive: true, force: true });
  const rewritten = fixText(app.naive, { transforms: transforms.filter((t) => t.safety === 'safe'), context: fsContext(work), dockerfilePath: 'Dockerfile' }).output;
  writeFileSync(join(work, 'Dockerfile.original'), app.naive);
  writeFileSync(join(work, 'Dockerfile.rewritten'), rewritten);
  console.log(`${machine()}\nbuilders: ${builders.map((b) => b.name).join(', ')}; sample app: ${sampleApp}; runs: ${runs} (median)\n`);
  console.log(`rewritten Dockerfile:\n${rewritten}`);
  const rows: string[] = [];
  for (const builder of builders) {
    const original = rebuildTimes(builder, work, 'Dockerfile.original');
    const fixed = rebuildTimes(builder, work, 'Dockerfile.rewritten');
    const o = median(original.times);
    const f = median(fixed.times);
    const same = original.output === fixed.output && original.output.trim() !== '';
    console.log(`${builder.name}: rebuild after a comment-only change to ${app.change} (wall time, whole build):`);
    console.log(`  original:  ${o.toFixed(2)} s   (runs: ${original.times.map((t) => t.toFixed(2)).join(', ')})`);
    console.log(`  rewritten: ${f.toFixed(2)} s   (runs: ${fixed.times.map((t) => t.toFixed(2)).join(', ')})`);
    console.log(`  ratio rewritten/original: ${(f / o).toFixed(3)} (target <= 0.10); same program output: ${same ? 'yes' : 'NO'} (${original.output.trim()})\n`);
    rows.push(`| ${builder.name} | ${o.toFixed(2)} s | ${f.toFixed(2)} s | ${(f / o).toFixed(3)} | ${same ? 'yes' : 'no'} |`);
  }
  console.log(['| builder | original | rewritten | ratio | same output |', '|---|---|---|---|---|', ...rows].join('\n'));
} finally {
  rmSync(work, { recursive: true, force: true });
}
