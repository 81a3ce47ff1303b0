/**
 * bench/rebuild: how long a rebuild takes after a comment-only change to main.go, for the naive
 * sample-app Dockerfile and for what `cachefix` makes of it. Prints both times and their ratio
 * (target: rewritten <= 0.10 x original). Needs the offline builder (../shared/tools/offline-builder).
 *   npm run bench:rebuild [-- --runs N]
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixText } from '../src/engine/fixer.js';
import { fsContext } from '../src/context/fs-context.js';
import { transforms } from '../transforms/index.js';
import { findBuilder, NO_BUILDER_MESSAGE } from './builder.js';

const NAIVE = `FROM golang:1.19 AS build
WORKDIR /app
COPY . .
RUN go mod download
RUN go build -o /app/main .

FROM debian:bookworm-slim
COPY --from=build /app/main /usr/local/bin/app
CMD ["app"]
`;

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 3;
const builder = findBuilder();
if (!builder) {
  console.error(`bench/rebuild: ${NO_BUILDER_MESSAGE}`);
  process.exit(2);
}
const sampleApp = fileURLToPath(new URL('../../../shared/tools/offline-builder/sample-app', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cachefix-bench-'));
try {
  cpSync(sampleApp, work, { recursive: true });
  const rewritten = fixText(NAIVE, { transforms: transforms.filter((t) => t.safety === 'safe'), context: fsContext(work), dockerfilePath: 'Dockerfile' }).output;
  writeFileSync(join(work, 'Dockerfile.original'), NAIVE);
  writeFileSync(join(work, 'Dockerfile.rewritten'), rewritten);
  console.log(`builder: ${builder.name}; sample app: ${sampleApp}; runs: ${runs} (median)\n`);
  console.log(`rewritten Dockerfile:\n${rewritten}`);

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const rebuildTimes = (file: string): number[] => {
    const tag = `localhost/cachefix-bench-${file.toLowerCase().replace(/\W/g, '-')}`;
    const build = () => {
      const result = builder.build({ context: work, dockerfile: join(work, file), tag });
      if (!result.ok) throw new Error(`${file} did not build:\n${result.log.slice(-2000)}`);
      return result.seconds;
    };
    build(); // warm: layers and cache mounts filled
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      appendFileSync(join(work, 'main.go'), `\n// comment-only change ${Date.now()}\n`);
      times.push(build());
    }
    builder.remove(tag);
    return times;
  };
  const original = rebuildTimes('Dockerfile.original');
  const fixed = rebuildTimes('Dockerfile.rewritten');
  const o = median(original);
  const f = median(fixed);
  console.log(`rebuild after a comment-only change to main.go (wall time, whole build):`);
  console.log(`  original:  ${o.toFixed(2)} s   (runs: ${original.map((t) => t.toFixed(2)).join(', ')})`);
  console.log(`  rewritten: ${f.toFixed(2)} s   (runs: ${fixed.map((t) => t.toFixed(2)).join(', ')})`);
  console.log(`  ratio rewritten/original: ${(f / o).toFixed(3)} (target <= 0.10)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
