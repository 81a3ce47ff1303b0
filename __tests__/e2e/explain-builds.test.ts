/**
 * `cachefix explain` against a real builder (buildah, offline): for each Dockerfile and change, build,
 * apply the change, rebuild, read which steps buildah took from its cache (`--> Using cache`), and
 * require the model (with buildah's rules; BuildKit's agree but where a pair says) to mark as rerunning
 * exactly the steps buildah ran, stage by stage. Every change is
 * unique to the run (a nonce), since buildah's layer cache outlives test runs.
 */
import { expect, test } from '@jest/globals';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { findBuilder, NO_BUILDER_MESSAGE } from '../../bench/builder.js';
import { explain } from '../../src/explain/explain.js';
import type { BuilderRules, CachePrediction } from '../../src/explain/cache-model.js';
import { plainPainter } from '../../src/driver/run.js';
import { cachefix } from '../helpers/cli.js';
import { describeWhen } from '../helpers/conditional.js';
import { sharedDir } from '../helpers/paths.js';

const builder = findBuilder();
const sampleApp = join(sharedDir, 'tools', 'offline-builder', 'sample-app');
const BUILD_TIMEOUT = 15 * 60 * 1000;
const nonce = `${Date.now()}-${Math.random().toString(36).slice(2)}`;

interface Pair {
  readonly name: string;
  readonly dockerfile: string;
  /** Context files; `sampleApp` copies the sample Go service first. */
  readonly files?: Record<string, string>;
  readonly sampleApp?: boolean;
  /** Build args for both builds, and those whose value the change alters (given as NAME). */
  readonly args?: Record<string, string>;
  readonly changedArgs?: readonly string[];
  /** Files the change touches (appending the nonce). */
  readonly changedFiles?: readonly string[];
  readonly target?: string;
  /** Whether to also check the rewritten Dockerfile (`explain --fix`). */
  readonly fix?: boolean;
  /** BuildKit's rules predict more reruns here than buildah 1.28 takes (it keys the step on unexpanded text). */
  readonly buildkitDiffers?: boolean;
}

const SLIM = 'debian:bookworm-slim';
const NAIVE_GO = 'FROM golang:1.19 AS build\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /out/app .\n\nFROM debian:bookworm-slim\nCOPY --from=build /out/app /usr/local/bin/app\nCMD ["app"]\n';

const pairs: Pair[] = [
  { name: 'sample app: main.go changes (original and rewritten)', dockerfile: NAIVE_GO, sampleApp: true, changedFiles: ['main.go'], fix: true },
  {
    // go.mod alone would not do: a comment there leaves the binary byte-identical, and buildah then
    // keeps the final COPY --from cached (the model assumes a rebuilt stage writes new files).
    name: 'sample app split: go.mod and main.go change',
    dockerfile:
      'FROM golang:1.19 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /out/app .\n\nFROM debian:bookworm-slim\nCOPY --from=build /out/app /usr/local/bin/app\nCMD ["app"]\n',
    sampleApp: true,
    changedFiles: ['go.mod', 'main.go'],
  },
  {
    name: 'a file matched by .dockerignore changes',
    dockerfile: `FROM ${SLIM} AS build\nWORKDIR /w\nCOPY . .\nRUN cat src/a.txt > /out.txt\n\nFROM ${SLIM}\nCOPY --from=build /out.txt /out.txt\n`,
    files: { 'src/a.txt': 'a\n', 'debug.log': 'log\n', '.dockerignore': '*.log\n' },
    changedFiles: ['debug.log'],
  },
  {
    name: 'a build arg changes',
    dockerfile: `FROM ${SLIM} AS build\nENV MODE=release\nARG VERSION=1\nWORKDIR /w\nCOPY a.txt ./\nRUN echo "$VERSION" > /version\nRUN cat a.txt >> /version\n\nFROM ${SLIM}\nCOPY --from=build /version /version\nCMD ["cat", "/version"]\n`,
    files: { 'a.txt': 'a\n' },
    args: { VERSION: `before-${nonce}` },
    changedArgs: ['VERSION'],
  },
  {
    name: 'a file only the final stage copies changes',
    dockerfile: `FROM ${SLIM} AS build\nWORKDIR /w\nCOPY src/ ./src/\nRUN cat src/*.txt > /out.txt\n\nFROM ${SLIM}\nWORKDIR /app\nCOPY --from=build /out.txt ./out.txt\nCOPY config/app.yaml ./\nLABEL role=final\nCMD ["cat", "app.yaml"]\n`,
    files: { 'src/a.txt': 'a\n', 'config/app.yaml': 'k: v\n' },
    changedFiles: ['config/app.yaml'],
  },
  {
    name: 'a source file changes in a stage another stage is built FROM; an unused stage',
    dockerfile: `FROM ${SLIM} AS base\nWORKDIR /w\nCOPY lib/ ./lib/\nRUN cat lib/* > /lib.txt\n\nFROM ${SLIM} AS docs\nCOPY docs/ /docs/\n\nFROM base AS build\nCOPY app.txt ./\nRUN cat app.txt /lib.txt > /out.txt\n\nFROM ${SLIM}\nCOPY --from=build /out.txt /out.txt\n`,
    files: { 'lib/l.txt': 'l\n', 'docs/d.md': 'd\n', 'app.txt': 'app\n' },
    changedFiles: ['lib/l.txt', 'docs/d.md'],
  },
  {
    name: '--target builds only what the target needs; a glob COPY',
    dockerfile: `FROM ${SLIM} AS one\nWORKDIR /w\nCOPY *.txt ./\nRUN cat *.txt > /one.txt\n\nFROM ${SLIM} AS two\nCOPY --from=one /one.txt /two.txt\nRUN cat /two.txt\n\nFROM ${SLIM}\nCOPY other.md /\n`,
    files: { 'a.txt': 'a\n', 'other.md': 'o\n', 'sub/b.txt': 'b\n' },
    changedFiles: ['a.txt', 'other.md'],
    target: 'two',
  },
  {
    name: 'an ARG redeclared from a global one, another only global, an ENV built from an arg, a LABEL that spells it',
    dockerfile: `ARG VERSION=1\nARG UNUSED=1\nFROM ${SLIM}\nRUN echo a > /a\nARG VERSION\nENV FULL=v$VERSION\nLABEL version=$VERSION\nRUN echo "$FULL" > /v\n`,
    args: { VERSION: `before-${nonce}`, UNUSED: `before-${nonce}` },
    changedArgs: ['VERSION', 'UNUSED'],
  },
  {
    name: 'a predefined proxy arg changes: no step reruns for it',
    dockerfile: `FROM ${SLIM}\nRUN echo a > /a\nARG V=1\nRUN echo $V > /v\n`,
    args: { HTTP_PROXY: `http://proxy-${nonce}:3128`, V: 'same' },
    changedArgs: ['HTTP_PROXY'],
  },
  {
    name: 'a new file in a copied directory; a .dockerignore exception; COPY --chmod and ADD; COPY --from an image and --from=0',
    dockerfile: `FROM ${SLIM}\nCOPY --from=${SLIM} /etc/os-release /os\nWORKDIR /w\nCOPY --chmod=755 s.sh /s.sh\nCOPY src/ ./src/\nRUN ls src > /l\n\nFROM ${SLIM}\nCOPY --from=0 /l /l\nCOPY . /ctx/\nADD a.txt /a.txt\nCOPY --from=${SLIM} /etc/hostname /hn\n`,
    files: { 's.sh': 'echo\n', 'src/a.txt': 'a\n', 'a.txt': 'a\n', '.dockerignore': '*.md\n!README.md\n', 'README.md': 'r\n', 'other.md': 'o\n' },
    changedFiles: ['src/new.txt', 'other.md'],
  },
  {
    name: 'the same, but README.md (kept by a ! exception) changes',
    dockerfile: `FROM ${SLIM}\nWORKDIR /w\nCOPY src/ ./src/\nRUN ls src > /l\n\nFROM ${SLIM}\nCOPY --from=0 /l /l\nCOPY . /ctx/\nADD a.txt /a.txt\n`,
    files: { 'src/a.txt': 'a\n', 'a.txt': 'a\n', '.dockerignore': '*.md\n!README.md\n', 'README.md': 'r\n', 'other.md': 'o\n' },
    changedFiles: ['README.md'],
  },
  {
    name: 'an ENV built from a changed arg, inherited by a stage built FROM its stage (buildah keeps it cached)',
    dockerfile: `FROM ${SLIM} AS base\nARG VERSION=1\nENV APP_VERSION=$VERSION\n\nFROM base\nWORKDIR /app/$APP_VERSION\nRUN echo building > /b\n`,
    args: { VERSION: `before-${nonce}` },
    changedArgs: ['VERSION'],
    buildkitDiffers: true,
  },
  {
    name: 'WORKDIR, COPY and an ENV-derived destination that spell a changed arg (buildah keeps them cached)',
    dockerfile: `FROM ${SLIM}\nARG V=1\nWORKDIR /w/$V\nENV DEST=/d$V\nCOPY a.txt $DEST/\nCOPY a.txt /$V/\nCMD ["cat", "a.txt"]\n`,
    files: { 'a.txt': 'a\n' },
    args: { V: `before-${nonce}` },
    changedArgs: ['V'],
    buildkitDiffers: true,
  },
];

/** Per stage (0-based), the steps (1-based within the stage, FROM excluded) and whether buildah reused them. */
function buildahSteps(log: string): Map<number, Map<number, boolean>> {
  const stages = new Map<number, Map<number, boolean>>();
  // A nested stage (built on demand by COPY --from) prints its steps before the outer step's result,
  // so results resolve the latest unresolved step; `--> Using cache X` is followed by `--> X`.
  const open: { stage: number; step: number }[] = [];
  let skipNext = false;
  for (const line of log.split('\n')) {
    const step = /^(?:\[(\d+)\/\d+\] )?STEP (\d+)\/\d+: (\S+)/.exec(line);
    if (step) {
      const stage = Number(step[1] ?? '1') - 1;
      if (!stages.has(stage)) stages.set(stage, new Map());
      if (step[3]?.toUpperCase() !== 'FROM') open.push({ stage, step: Number(step[2]) - 1 });
      continue;
    }
    if (!line.startsWith('--> ')) continue;
    if (skipNext) {
      skipNext = false;
      continue;
    }
    const cached = line.startsWith('--> Using cache');
    skipNext = cached;
    const resolved = open.pop();
    if (resolved) stages.get(resolved.stage)?.set(resolved.step, cached);
  }
  return stages;
}

/** The model's prediction in the same shape: steps that rerun are `false` (not from cache). */
function predicted(prediction: CachePrediction): Map<number, Map<number, boolean>> {
  const stages = new Map<number, Map<number, boolean>>();
  for (const stage of prediction.stages.filter((s) => s.built)) stages.set(stage.index, new Map(stage.steps.map((s) => [s.index, !s.rerun])));
  return stages;
}

function explainJson(dir: string, pair: Pair, dockerfile: string, builder: BuilderRules): { original: CachePrediction; rewritten?: CachePrediction } {
  let stdout = '';
  let stderr = '';
  const code = explain(
    {
      dockerfile,
      cwd: dir,
      changed: pair.changedFiles ?? [],
      changedArgs: pair.changedArgs ?? [],
      ...(pair.target ? { target: pair.target } : {}),
      fix: pair.fix === true,
      format: 'json',
      builder,
    },
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), paint: plainPainter },
  );
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const { original, rewritten } = JSON.parse(stdout) as { original: CachePrediction; rewritten?: CachePrediction };
  return rewritten ? { original, rewritten } : { original };
}

function buildAndCompare(dir: string, pair: Pair, dockerfileName: string, prediction: CachePrediction, tag: string): void {
  const args = (values: Record<string, string>) => Object.entries(values).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const build = (values: Record<string, string>) => {
    const result = spawnSync(
      'buildah',
      ['bud', '--isolation', 'chroot', '--layers', '-f', join(dir, dockerfileName), '-t', tag, ...args(values), ...(pair.target ? ['--target', pair.target] : []), dir],
      { encoding: 'utf8', env: { ...process.env, STORAGE_DRIVER: process.env.STORAGE_DRIVER ?? 'overlay' }, maxBuffer: 256 * 1024 * 1024 },
    );
    const log = result.stdout + result.stderr;
    if (result.status !== 0) throw new Error(`build of ${dockerfileName} failed:\n${log.slice(-3000)}`);
    return log;
  };
  build(pair.args ?? {});
  for (const file of pair.changedFiles ?? []) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    appendFileSync(join(dir, file), `\n// ${nonce}\n`);
  }
  const after = Object.fromEntries(Object.entries(pair.args ?? {}).map(([k, v]) => [k, pair.changedArgs?.includes(k) ? `after-${nonce}` : v]));
  const log = build(after);
  expect(buildahSteps(log)).toEqual(predicted(prediction));
  spawnSync('buildah', ['rmi', '--force', tag], { encoding: 'utf8' });
}

describeWhen(builder !== null, NO_BUILDER_MESSAGE)('explain agrees with buildah on what rebuilds', () => {
  test.each(pairs.map((p, i) => [p.name, p, i] as const))(
    '%s',
    (_name, pair, i) => {
      const dir = mkdtempSync(join(tmpdir(), 'cachefix-explain-'));
      try {
        if (pair.sampleApp) cpSync(sampleApp, dir, { recursive: true });
        for (const [path, text] of Object.entries(pair.files ?? {})) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), text);
        }
        writeFileSync(join(dir, 'Dockerfile'), pair.dockerfile);
        const { original, rewritten } = explainJson(dir, pair, 'Dockerfile', 'buildah');
        // the default rules (BuildKit's) agree with buildah's except where the pair says they differ
        const buildkit = explainJson(dir, pair, 'Dockerfile', 'buildkit');
        if (pair.buildkitDiffers) expect(predicted(buildkit.original)).not.toEqual(predicted(original));
        else expect(buildkit).toEqual({ original, ...(rewritten ? { rewritten } : {}) });
        if (rewritten) {
          // explain --fix predicts for the rewrite; build that rewrite (and its .dockerignore) to check it too.
          const fixedDir = mkdtempSync(join(tmpdir(), 'cachefix-explain-fixed-'));
          try {
            cpSync(dir, fixedDir, { recursive: true });
            expect(cachefix(['--write', 'Dockerfile'], { cwd: fixedDir }).status).toBe(0);
            buildAndCompare(fixedDir, pair, 'Dockerfile', rewritten, `cachefix-explain-fixed-${i}`);
          } finally {
            rmSync(fixedDir, { recursive: true, force: true });
          }
        }
        buildAndCompare(dir, pair, 'Dockerfile', original, `cachefix-explain-${i}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    BUILD_TIMEOUT,
  );
});
