/**
 * The cache model's rules, each on a small Dockerfile. The expectations restate what Docker 20.10's
 * BuildKit and buildah 1.28 did with the same files (see __tests__/e2e/explain-builds.test.ts for the
 * real-build check).
 */
import { describe, expect, test } from '@jest/globals';
import { type BuilderRules, type ChangeSet, predictCache, sourceCovers, UnknownTargetError } from '../src/explain/cache-model.js';
import { dockerignoreMatcher } from '../src/context/dockerignore.js';
import { parseDockerfile } from '../src/engine/parse.js';

function rerunLines(dockerfile: string, changes: Partial<ChangeSet>, options: { ignore?: string[]; target?: string; builder?: BuilderRules } = {}): number[] {
  const ignore = dockerignoreMatcher(options.ignore ?? []);
  const prediction = predictCache(parseDockerfile(dockerfile), {
    changes: { files: changes.files ?? [], args: changes.args ?? [] },
    ignores: (path) => ignore.ignores(path),
    target: options.target ?? null,
    ...(options.builder ? { builder: options.builder } : {}),
  });
  return prediction.stages.filter((s) => s.built).flatMap((s) => s.steps.filter((step) => step.rerun).map((step) => step.line));
}

const MULTI = [
  'FROM debian AS base', // 1
  'ARG GLOBALISH', // 2
  'WORKDIR /w', // 3
  'RUN echo base', // 4
  '',
  'FROM base AS build', // 6
  'ARG VERSION=1', // 7
  'RUN echo no-arg-use', // 8
  'COPY src/a.txt ./', // 9
  'RUN cat a.txt > /out.txt', // 10
  'COPY . .', // 11
  'RUN echo "v=$VERSION" >> /out.txt', // 12
  'LABEL x=y', // 13
  '',
  'FROM debian AS unused', // 15
  'RUN echo unused', // 16
  '',
  'FROM debian', // 18
  'COPY final.txt /final.txt', // 19
  'COPY --from=build /out.txt /out.txt', // 20
  'CMD ["cat", "/out.txt"]', // 21
  '',
].join('\n');

describe('predictCache', () => {
  test('nothing changes: nothing reruns', () => {
    expect(rerunLines(MULTI, {})).toEqual([]);
  });

  test('a COPY source changes: the COPY and everything after it in the stage rerun, then the stages that copy from it', () => {
    expect(rerunLines(MULTI, { files: ['src/a.txt'] })).toEqual([9, 10, 11, 12, 13, 20, 21]);
  });

  test('a file copied only by the final stage: the builder stage stays cached, except for COPY . . which takes it too', () => {
    expect(rerunLines(MULTI, { files: ['final.txt'] })).toEqual([11, 12, 13, 19, 20, 21]);
  });

  test('a file .dockerignore excludes changes nothing', () => {
    expect(rerunLines(MULTI, { files: ['debug.log'] }, { ignore: ['*.log'] })).toEqual([]);
  });

  test('mtime is not an input: only the listed paths count, and a path outside every COPY changes nothing', () => {
    const single = 'FROM debian\nCOPY go.mod ./\nRUN go mod download\n';
    expect(rerunLines(single, { files: ['main.go'] })).toEqual([]);
  });

  test('a changed build arg breaks the cache at the first RUN after its ARG, not at the ARG', () => {
    expect(rerunLines(MULTI, { args: ['VERSION'] })).toEqual([8, 9, 10, 11, 12, 13, 20, 21]);
  });

  test('instructions that only set metadata never break the cache themselves, even when they spell the changed arg', () => {
    const doc = 'FROM debian\nARG V\nENV APP_VERSION=$V\nLABEL v=$V\nUSER $V\nEXPOSE 80\nCOPY a /a\nRUN true\n';
    expect(rerunLines(doc, { args: ['V'] })).toEqual([8]);
    expect(rerunLines(doc, { args: ['V'] }, { builder: 'buildah' })).toEqual([8]);
  });

  test('BuildKit hands a changed ENV to the stages built FROM its stage; buildah keeps the old value cached', () => {
    const doc = 'FROM debian AS base\nARG VERSION=1\nENV APP_VERSION=$VERSION\n\nFROM base\nLABEL a=b\nWORKDIR /app/$APP_VERSION\nRUN echo building\n';
    expect(rerunLines(doc, { args: ['VERSION'] })).toEqual([7, 8]);
    expect(rerunLines(doc, { args: ['VERSION'] }, { builder: 'buildah' })).toEqual([]);
    const noWorkdir = 'FROM debian AS base\nARG VERSION=1\nENV APP_VERSION=$VERSION\n\nFROM base\nCOPY a /a\nRUN echo building\n';
    expect(rerunLines(noWorkdir, { args: ['VERSION'] })).toEqual([7]);
  });

  test('BuildKit keys WORKDIR, COPY and ADD on their expanded arguments, an ENV built from the arg included; buildah does not', () => {
    const doc = 'FROM debian\nARG V\nENV DEST=/d$V\nCOPY a $DEST/\nRUN true\n';
    expect(rerunLines(doc, { args: ['V'] })).toEqual([4, 5]);
    expect(rerunLines(doc, { args: ['V'] }, { builder: 'buildah' })).toEqual([5]);
    expect(rerunLines('FROM debian\nARG V\nWORKDIR /w/${V}\nCMD ["x"]\n', { args: ['V'] })).toEqual([3, 4]);
    expect(rerunLines('FROM debian\nARG V\nWORKDIR /w/${V}\nCMD ["x"]\n', { args: ['V'] }, { builder: 'buildah' })).toEqual([]);
  });

  test('an arg the stage never declares changes nothing in it; a global arg counts only where FROM spells it', () => {
    expect(rerunLines('ARG V=1\nFROM debian\nRUN echo $V\n', { args: ['V'] })).toEqual([]);
    expect(rerunLines('ARG TAG=12\nFROM debian:${TAG}\nRUN true\nCMD ["x"]\n', { args: ['TAG'] })).toEqual([3, 4]);
  });

  test('BuildKit hands the args a stage declares to the stages built FROM it; buildah ends them with the stage', () => {
    const doc = 'FROM debian AS base\nRUN echo base\nARG V=1\n\nFROM base\nWORKDIR /w\nRUN echo done\n';
    expect(rerunLines(doc, { args: ['V'] })).toEqual([7]);
    expect(rerunLines(doc, { args: ['V'] }, { builder: 'buildah' })).toEqual([]);
  });

  test('a predefined proxy arg counts only where the stage declares it', () => {
    expect(rerunLines('FROM debian\nRUN echo a\n', { args: ['HTTP_PROXY'] })).toEqual([]);
    expect(rerunLines('FROM debian\nCOPY a.txt /a\nARG HTTP_PROXY\nRUN echo a\n', { args: ['HTTP_PROXY'] })).toEqual([4]);
  });

  test('a whole-context bind mount sees every file .dockerignore keeps', () => {
    const doc = 'FROM debian\nRUN --mount=type=bind,target=/ctx ls /ctx\nRUN echo x\n';
    expect(rerunLines(doc, { files: ['a.txt'] })).toEqual([2, 3]);
    expect(rerunLines(doc, { files: ['c.log'] }, { ignore: ['*.log'] })).toEqual([]);
  });

  test('a stage built FROM a rebuilt stage reruns from its first step', () => {
    expect(rerunLines(MULTI, { args: ['GLOBALISH'] })).toEqual([4, 7, 8, 9, 10, 11, 12, 13, 20, 21]);
  });

  test('a stage whose changed arg only reaches a LABEL leaves COPY --from it cached', () => {
    const doc = 'FROM debian AS a\nRUN echo hi > /x\nARG L\nLABEL l=$L\n\nFROM debian\nCOPY --from=a /x /x\n';
    expect(rerunLines(doc, { args: ['L'] })).toEqual([]);
  });

  test('stages the target does not need are not built', () => {
    const prediction = predictCache(parseDockerfile(MULTI), { changes: { files: ['src/a.txt'], args: [] }, ignores: () => false, target: 'build' });
    expect(prediction.stages.map((s) => s.built)).toEqual([true, true, false, false]);
    expect(prediction.rerun).toBe(5);
    expect(prediction.total).toBe(10);
    expect(prediction.firstBreak?.line).toBe(9);
  });

  test('an unknown target is an error naming the stages', () => {
    expect(() => predictCache(parseDockerfile(MULTI), { changes: { files: [], args: [] }, ignores: () => false, target: 'nope' })).toThrow(
      new UnknownTargetError('nope', parseDockerfile(MULTI)),
    );
  });

  test('cache mounts are not inputs; bind-mounted sources are', () => {
    const doc = 'FROM golang\nWORKDIR /src\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=bind,source=go.mod,target=go.mod go mod download\nRUN echo done\n';
    expect(rerunLines(doc, { files: ['main.go'] })).toEqual([]);
    expect(rerunLines(doc, { files: ['go.mod'] })).toEqual([3, 4]);
    // buildah 1.28 does not re-key a RUN on the files it bind-mounts
    expect(rerunLines(doc, { files: ['go.mod'] }, { builder: 'buildah' })).toEqual([]);
  });

  test('the first break names its cause; cascaded steps point at it', () => {
    const prediction = predictCache(parseDockerfile(MULTI), { changes: { files: ['src/b.txt'], args: [] }, ignores: () => false });
    expect(prediction.firstBreak).toMatchObject({ line: 11, cause: 'change', reason: 'the whole context matches src/b.txt' });
    const step12 = prediction.stages[1]?.steps.find((s) => s.line === 12);
    expect(step12).toMatchObject({ rerun: true, cause: 'cascade', reason: 'follows line 11' });
    const copyFrom = prediction.stages[3]?.steps.find((s) => s.line === 20);
    expect(copyFrom).toMatchObject({ rerun: true, cause: 'stage' });
  });

  test('heredoc COPY and remote ADD do not read the context', () => {
    expect(rerunLines('FROM debian\nCOPY <<EOF /x\nhi\nEOF\nADD https://example.com/a.tgz /a\n', { files: ['a.tgz', 'x'] })).toEqual([]);
  });
});

describe('sourceCovers', () => {
  test.each([
    ['.', 'a/b.go', true],
    ['./', 'a/b.go', true],
    ['src', 'src/x/y.go', true],
    ['src/', 'srcx/y.go', false],
    ['*.go', 'main.go', true],
    ['*.go', 'cmd/main.go', false],
    ['cmd/*', 'cmd/app/main.go', true],
    ['go.mod', 'go.mod', true],
    ['go.mod', 'go.sum', false],
  ])('%s covers %s: %s', (source, path, expected) => {
    expect(sourceCovers(source, path)).toBe(expected);
  });
});
