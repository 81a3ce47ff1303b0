/**
 * Reading the real builders' logs (bench/builder.ts): which steps of which stages each took from its
 * cache. The logs are trimmed copies of what buildah 1.28 and Docker 20.10's BuildKit printed.
 */
import { describe, expect, test } from '@jest/globals';
import { buildahSteps, buildkitSteps } from '../bench/builder.js';
import { parseDockerfile } from '../src/engine/parse.js';

const steps = (found: readonly { stage: number; index: number; cached: boolean }[]) => found.map((s) => `${s.stage}.${s.index}:${s.cached ? 'cached' : 'ran'}`);

describe('buildkitSteps', () => {
  const multi = parseDockerfile(
    'FROM debian:bookworm-slim AS Build\nARG V=1\nWORKDIR /w\nENV X=$V\nCOPY a.txt ./\nRUN cat a.txt > /out.txt\nLABEL l=1\n\nFROM debian:bookworm-slim AS unused\nRUN echo unused\n\nFROM debian:bookworm-slim\nCOPY --from=build /out.txt /out.txt\nCMD ["cat","/out.txt"]\n',
  );
  test('vertices out of order, a repeated FROM, internal vertices and output lines', () => {
    const log = [
      '#1 [internal] load build definition from Dockerfile',
      '#1 DONE 0.0s',
      '#4 [build 1/4] FROM docker.io/library/debian:bookworm-slim',
      '#4 DONE 0.0s',
      '#6 [internal] load build context',
      '#6 transferring context: 36B done',
      '#5 [build 2/4] WORKDIR /w',
      '#5 sha256:04a3b8e224ae0e4b7b643c9b7da5fd586adff65b234179d16decb71b30eeafd4',
      '#5 CACHED',
      '#7 [build 3/4] COPY a.txt ./',
      '#7 DONE 0.0s',
      '#8 [build 4/4] RUN cat a.txt > /out.txt',
      '#8 0.095 [stage-2 1/1] not a header: output',
      '#8 DONE 0.1s',
      '#4 [build 1/4] FROM docker.io/library/debian:bookworm-slim',
      '#4 CACHED',
      '#9 [stage-2 2/2] COPY --from=build /out.txt /out.txt',
      '#9 CACHED',
      '#10 exporting to image',
    ].join('\n');
    expect(steps(buildkitSteps(log, multi))).toEqual(['0.2:cached', '0.4:ran', '0.5:ran', '2.1:cached']);
  });

  test('a stage built FROM another counts no FROM; a one-stage file has no label', () => {
    const doc = parseDockerfile('FROM debian:bookworm-slim AS base\nARG V=1\nENV X=$V\n\nFROM base\nWORKDIR /w/$X\nRUN echo hi $X\n');
    const log = '#4 [base 1/1] FROM docker.io/library/debian:bookworm-slim\n#4 CACHED\n#5 [stage-1 1/2] WORKDIR /w/a\n#5 CACHED\n#6 [stage-1 2/2] RUN echo hi a\n#6 0.036 hi a\n#6 DONE 0.1s\n';
    expect(steps(buildkitSteps(log, doc))).toEqual(['1.1:cached', '1.2:ran']);
    const single = parseDockerfile('FROM debian:bookworm-slim\nWORKDIR /w\nRUN echo hi\n');
    expect(steps(buildkitSteps('#4 [1/3] FROM docker.io/library/debian:bookworm-slim\n#5 [2/3] WORKDIR /w\n#5 CACHED\n#6 [3/3] RUN echo hi\n', single))).toEqual(['0.1:cached', '0.2:ran']);
  });

  test('a count that does not fit the Dockerfile is an error, not a guess', () => {
    expect(() => buildkitSteps('#5 [build 2/7] WORKDIR /w\n', multi)).toThrow(/counts 7 steps/);
    expect(() => buildkitSteps('#5 [nosuch 2/4] WORKDIR /w\n', multi)).toThrow(/unknown stage/);
  });
});

describe('buildahSteps', () => {
  test('a stage built on demand by COPY --from resolves before the outer step', () => {
    const log = [
      '[1/2] STEP 1/3: FROM debian:bookworm-slim AS build',
      '[1/2] STEP 2/3: WORKDIR /w',
      '--> Using cache 1111',
      '--> 1111',
      '[1/2] STEP 3/3: RUN echo a > /a',
      '--> 2222',
      '[2/2] STEP 1/2: FROM debian:bookworm-slim',
      '[2/2] STEP 2/2: COPY --from=build /a /a',
      '--> Using cache 3333',
      '--> 3333',
    ].join('\n');
    expect(steps(buildahSteps(log))).toEqual(['0.1:cached', '0.2:ran', '1.1:cached']);
  });
});
