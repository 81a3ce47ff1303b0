/**
 * `cachefix explain` against the real builders (buildah and Docker's BuildKit, offline), on each this
 * machine has: for each Dockerfile and change, build, apply the change, rebuild, read which steps the
 * builder took from its cache, and require the model, with that builder's rules (`--builder buildah`,
 * or the default `buildkit`), to mark as rerunning exactly the steps the builder ran, stage by stage.
 * Every change is unique to the run (a nonce), since both builders' caches outlive test runs.
 */
import { expect, test } from '@jest/globals';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { builderChoices, type Builder, type BuildStep } from '../../bench/builder.js';
import { explain } from '../../src/explain/explain.js';
import type { BuilderRules, CachePrediction } from '../../src/explain/cache-model.js';
import { plainPainter } from '../../src/driver/run.js';
import { cachefix } from '../helpers/cli.js';
import { describeWhen } from '../helpers/conditional.js';
import { sharedDir } from '../helpers/paths.js';

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
  /** BuildKit's rules predict more reruns here than buildah 1.28 takes (it keys the step on unexpanded text, and a RUN not on what it bind-mounts). */
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
    // a new name each run: `ls src` would otherwise print what an earlier run printed, and BuildKit, keying
    // COPY --from on content, would reuse that run's result
    changedFiles: [`src/new-${nonce}.txt`, 'other.md'],
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
  {
    name: 'an arg declared only in the stage another is built FROM (BuildKit hands it on, buildah does not)',
    dockerfile: `FROM ${SLIM} AS base\nRUN echo base > /b\nARG V=1\n\nFROM base\nWORKDIR /w\nRUN echo "v=$V" > /v\n`,
    args: { V: `before-${nonce}` },
    changedArgs: ['V'],
    buildkitDiffers: true,
  },
  {
    name: 'RUN bind mounts of one file and of the whole context (buildah keeps them cached)',
    dockerfile: `FROM ${SLIM}\nRUN --mount=type=bind,source=b.txt,target=/b cat /b > /b1\nRUN --mount=type=bind,target=/ctx ls /ctx > /l\nRUN --mount=type=bind,source=a.txt,target=/a cat /a > /a1\n`,
    files: { 'a.txt': 'a\n', 'b.txt': 'b\n', 'c.log': 'c\n', '.dockerignore': '*.log\n' },
    changedFiles: ['a.txt'],
    buildkitDiffers: true,
  },
  {
    name: 'a whole-context bind mount, and a change to a file .dockerignore leaves out',
    dockerfile: `FROM ${SLIM}\nRUN --mount=type=bind,target=/ctx ls /ctx > /l\nRUN echo x\n`,
    files: { 'a.txt': 'a\n', 'c.log': 'c\n', '.dockerignore': '*.log\n' },
    changedFiles: ['c.log'],
  },

  {
    name: 'a proxy arg the Dockerfile declares is an arg like any other; COPY --chown',
    dockerfile: `FROM ${SLIM}\nARG U=0\nCOPY --chown=$U a.txt /a.txt\nARG HTTP_PROXY\nRUN echo a\n`,
    files: { 'a.txt': 'a\n' },
    args: { HTTP_PROXY: `http://p-${nonce}:1`, U: '0' },
    changedArgs: ['HTTP_PROXY'],
  },

  {
    name: 'the arg reaches two stages down, to a WORKDIR that spells it (BuildKit; buildah keeps it cached)',
    dockerfile: `FROM ${SLIM} AS base\nRUN echo base > /b\nARG V=1\n\nFROM base AS mid\nCOPY a.txt /a\n\nFROM mid\nCOPY a.txt /b\nWORKDIR /g/$V\nRUN echo hi\n`,
    files: { 'a.txt': 'a\n' },
    args: { V: `before-${nonce}` },
    changedArgs: ['V'],
    buildkitDiffers: true,
  },
  {
    name: '.dockerignore patterns are anchored at the root: *.md keeps docs/x.md, which changes',
    dockerfile: `FROM ${SLIM}\nCOPY top.txt /t\nCOPY . /ctx/\nRUN ls -R /ctx > /l\n`,
    files: { 'top.txt': 't\n', 'x.md': 'x\n', 'docs/x.md': 'x\n', 'a/b/c.log': 'c\n', '.dockerignore': '*.md\n**/*.log\n' },
    changedFiles: ['docs/x.md'],
  },
  {
    name: '**/*.log and *.md leave out a nested log and a top-level .md: both change, nothing reruns',
    dockerfile: `FROM ${SLIM}\nCOPY top.txt /t\nCOPY . /ctx/\nRUN ls -R /ctx > /l\n`,
    files: { 'top.txt': 't\n', 'x.md': 'x\n', 'docs/x.md': 'x\n', 'a/b/c.log': 'c\n', '.dockerignore': '*.md\n**/*.log\n' },
    changedFiles: ['a/b/c.log', 'x.md'],
  },
  {
    name: 'a ! exception inside an ignored directory: another file there changes',
    dockerfile: `FROM ${SLIM}\nCOPY top.txt /t\nCOPY docs/ /docs/\nRUN ls -R /docs > /l\n`,
    files: { 'top.txt': 't\n', 'docs/keep.md': 'k\n', 'docs/other.md': 'o\n', '.dockerignore': 'docs\n!docs/keep.md\n' },
    changedFiles: ['docs/other.md'],
  },
  {
    name: 'a ! exception inside an ignored directory: the kept file changes',
    dockerfile: `FROM ${SLIM}\nCOPY top.txt /t\nCOPY docs/ /docs/\nRUN ls -R /docs > /l\n`,
    files: { 'top.txt': 't\n', 'docs/keep.md': 'k\n', 'docs/other.md': 'o\n', '.dockerignore': 'docs\n!docs/keep.md\n' },
    changedFiles: ['docs/keep.md'],
  },
];

/** Per stage, the steps the builder reported (instruction index within the stage) and whether it reused them. */
function reported(steps: readonly BuildStep[]): Map<number, Map<number, boolean>> {
  const stages = new Map<number, Map<number, boolean>>();
  for (const step of steps) {
    if (!stages.has(step.stage)) stages.set(step.stage, new Map());
    stages.get(step.stage)?.set(step.index, step.cached);
  }
  return stages;
}

/**
 * The model's prediction in the same shape: steps that rerun are `false` (not from cache). Only the
 * instructions the builder makes steps of count (BuildKit makes none of ENV, ARG, LABEL...), and a
 * built stage with none of them is left out: BuildKit prints nothing of its own for it.
 */
function predicted(prediction: CachePrediction, isStep: (keyword: string) => boolean = () => true): Map<number, Map<number, boolean>> {
  const stages = new Map<number, Map<number, boolean>>();
  for (const stage of prediction.stages.filter((s) => s.built)) {
    const steps = stage.steps.filter((s) => isStep(s.keyword));
    if (steps.length > 0) stages.set(stage.index, new Map(steps.map((s) => [s.index, !s.rerun])));
  }
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

function buildAndCompare(builder: Builder, dir: string, pair: Pair, prediction: CachePrediction, tag: string): void {
  const build = (buildArgs: Record<string, string>) => {
    const result = builder.build({ context: dir, dockerfile: join(dir, 'Dockerfile'), tag, buildArgs, ...(pair.target ? { target: pair.target } : {}) });
    if (!result.ok) throw new Error(`build of ${dir}/Dockerfile failed:\n${result.log.slice(-3000)}`);
    return result;
  };
  try {
    build(pair.args ?? {});
    for (const file of pair.changedFiles ?? []) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      // unique to this build too: BuildKit keys COPY on content, and reuses a result any earlier build made
      appendFileSync(join(dir, file), `\n// ${nonce} ${tag}\n`);
    }
    const after = Object.fromEntries(Object.entries(pair.args ?? {}).map(([k, v]) => [k, pair.changedArgs?.includes(k) ? `after-${nonce}` : v]));
    expect(reported(build(after).steps)).toEqual(predicted(prediction, builder.isStep));
  } finally {
    builder.remove(tag);
  }
}

for (const { name, builder, reason } of builderChoices()) {
  describeWhen(builder !== null, `${name}: ${reason ?? ''}`)(`explain on ${name}: the model agrees on what rebuilds`, () => {
    test.each(pairs.map((p, i) => [p.name, p, i] as const))(
      '%s',
      (_name, pair, i) => {
        const b = builder!;
        const dir = mkdtempSync(join(tmpdir(), 'cachefix-explain-'));
        try {
          if (pair.sampleApp) cpSync(sampleApp, dir, { recursive: true });
          for (const [path, text] of Object.entries(pair.files ?? {})) {
            mkdirSync(dirname(join(dir, path)), { recursive: true });
            writeFileSync(join(dir, path), text);
          }
          writeFileSync(join(dir, 'Dockerfile'), pair.dockerfile);
          const buildah = explainJson(dir, pair, 'Dockerfile', 'buildah');
          const buildkit = explainJson(dir, pair, 'Dockerfile', 'buildkit');
          // the two rule sets agree except where the pair says they differ
          if (pair.buildkitDiffers) expect(predicted(buildkit.original)).not.toEqual(predicted(buildah.original));
          else expect(buildkit).toEqual(buildah);
          const { original, rewritten } = name === 'buildah' ? buildah : buildkit;
          if (rewritten) {
            // explain --fix predicts for the rewrite; build that rewrite (and its .dockerignore) to check it too.
            const fixedDir = mkdtempSync(join(tmpdir(), 'cachefix-explain-fixed-'));
            try {
              cpSync(dir, fixedDir, { recursive: true });
              expect(cachefix(['--write', 'Dockerfile'], { cwd: fixedDir }).status).toBe(0);
              buildAndCompare(b, fixedDir, pair, rewritten, `cachefix-test-explain-${name}-fixed-${i}`);
            } finally {
              rmSync(fixedDir, { recursive: true, force: true });
            }
          }
          buildAndCompare(b, dir, pair, original, `cachefix-test-explain-${name}-${i}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      BUILD_TIMEOUT,
    );
  });
}
