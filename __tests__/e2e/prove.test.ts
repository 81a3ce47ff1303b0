/**
 * `cachefix prove` with real builders, on the offline builder's Go sample app and the seed's naive
 * Dockerfile: the report's figures come from real builds, a planted wrong rewrite (a transform that
 * drops a COPY, or one that adds -tags to go build) is caught as an unexpected difference, the
 * user's directory is byte-identical before and after, and no image, container or temporary
 * directory is left behind.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachefix } from '../helpers/cli.js';
import { describeWhen } from '../helpers/conditional.js';
import { cliPath, projectRoot, sharedDir } from '../helpers/paths.js';
import { prove } from '../../src/prove/prove.js';
import { plainPainter } from '../../src/driver/run.js';
import { transforms } from '../../src/index.js';
import { removeInstructionEdit } from '../../src/engine/removal.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import type { Edit } from '../../src/engine/edits.js';
import type { Instruction, ParsedDockerfile } from '../../src/engine/parse.js';
import type { ProveReport } from '../../src/prove/report.js';

const offline = join(sharedDir, 'tools', 'offline-builder');
const BUILD_TIMEOUT = 20 * 60 * 1000;
const NAIVE = readFileSync(join(projectRoot, 'examples', 'go', 'mod-download-first', 'seed-naive', 'Dockerfile'), 'utf8');

/** The docker engine of docker.sh, as its environment, or null. */
function dockerEnv(): Record<string, string> | null {
  const result = spawnSync('bash', [join(offline, 'docker.sh'), 'env'], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  const env: Record<string, string> = {};
  for (const [, key, value] of result.stdout.matchAll(/(\w+)=(\S+)/g)) if (key && value) env[key] = value;
  return env;
}

function buildahEnv(): Record<string, string> | null {
  const env = { STORAGE_DRIVER: process.env.STORAGE_DRIVER ?? 'overlay', BUILDAH_ISOLATION: process.env.BUILDAH_ISOLATION ?? 'chroot' };
  const images = spawnSync('buildah', ['images', '--quiet', 'docker.io/library/golang:1.19'], { encoding: 'utf8', env: { ...process.env, ...env } });
  return images.status === 0 && images.stdout.trim() !== '' ? env : null;
}

const docker = dockerEnv();
const buildah = buildahEnv();
const dockerClient = docker?.DOCKER ?? 'docker';

/** Every path of a directory with its mode and content hash: equal before and after means untouched. */
function fingerprint(dir: string): string[] {
  const out: string[] = [];
  const visit = (path: string) => {
    for (const name of readdirSync(join(dir, path)).sort()) {
      const relative = join(path, name);
      const info = lstatSync(join(dir, relative));
      const hash = info.isFile() ? createHash('sha256').update(readFileSync(join(dir, relative))).digest('hex') : '';
      out.push(`${relative} ${info.mode.toString(8)} ${info.size} ${hash}`);
      if (info.isDirectory()) visit(relative);
    }
  };
  visit('');
  return out;
}

function leftovers(env: Record<string, string>, builder: 'docker' | 'buildah'): string[] {
  const fullEnv = { ...process.env, ...env };
  const images = builder === 'docker'
    ? spawnSync(dockerClient, ['images', '--format', '{{.Repository}}'], { encoding: 'utf8', env: fullEnv }).stdout
    : spawnSync('buildah', ['images', '--format', '{{.Name}}'], { encoding: 'utf8', env: fullEnv }).stdout;
  const containers = builder === 'docker'
    ? spawnSync(dockerClient, ['ps', '-a', '--format', '{{.Image}}'], { encoding: 'utf8', env: fullEnv }).stdout
    : spawnSync('buildah', ['containers', '--format', '{{.ImageName}}'], { encoding: 'utf8', env: fullEnv }).stdout;
  const temps = readdirSync(tmpdir()).filter((n) => n.startsWith('cachefix-prove-') && !n.startsWith('cachefix-prove-test'));
  return [...`${images}\n${containers}`.split('\n').filter((l) => l.includes('cachefix-prove-')), ...temps];
}

/** A transform that plants a bug: `edit` makes one edit set in the first instruction `find` picks. */
function planted(id: string, find: (text: string, keyword: string) => boolean, edit: (doc: ParsedDockerfile, instruction: Instruction) => Edit[]): Transform {
  return {
    id,
    title: 'A planted bug',
    rationale: 'none',
    safety: 'safe',
    preconditions: [],
    apply(doc) {
      const result = new ResultBuilder();
      const instruction = doc.instructions.find((i) => find(doc.source.text.slice(i.start, i.end), i.keyword));
      if (instruction) result.change(instruction, edit(doc, instruction));
      return result.result();
    },
  };
}

/** `prove` through the API with the safe transforms and a planted one, on docker; its exit code and report. */
async function proveWithPlanted(project: string, env: Record<string, string>, change: string[], bug: Transform): Promise<{ code: number; report: ProveReport }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await prove(
    { dockerfile: 'Dockerfile', cwd: project, change, buildArgs: [], builderArgs: [], builder: 'docker', network: 'none', unsafe: false, keep: false, format: 'json', env: { ...process.env, ...env }, transforms: [...transforms.filter((t) => t.safety === 'safe'), bug] },
    { stdout: (t) => out.push(t), stderr: (t) => err.push(t), paint: plainPainter, live: false },
  );
  if (out.length === 0) throw new Error(`prove exited ${code} without a report: ${err.join('')}`);
  return { code, report: JSON.parse(out.join('')) as ProveReport };
}

let workDir = '';
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'cachefix-prove-test-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** A Go program without dependencies, built in the final stage: quick to build. */
function helloProject(name: string): string {
  const project = join(workDir, name);
  mkdirSync(project);
  writeFileSync(join(project, 'go.mod'), 'module example.com/hello\n\ngo 1.19\n');
  writeFileSync(join(project, 'main.go'), 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n');
  writeFileSync(join(project, 'Dockerfile'), 'FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/hello .\nCMD ["/out/hello"]\n');
  return project;
}

/** The sample app with the seed's naive Dockerfile and an editor directory the rewrite's .dockerignore keeps out. */
function sampleProject(name: string): string {
  const dir = join(workDir, name);
  cpSync(join(offline, 'sample-app'), dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), NAIVE);
  mkdirSync(join(dir, '.vscode'));
  writeFileSync(join(dir, '.vscode', 'settings.json'), '{}\n');
  return dir;
}

function proveWithCli(builder: 'docker' | 'buildah', env: Record<string, string>) {
  const project = sampleProject(builder);
  const before = fingerprint(project);
  const leftBefore = leftovers(env, builder);
  const result = cachefix(['prove', '--builder', builder, '--run', '/usr/local/bin/app', '--format', 'json', ...(builder === 'docker' ? ['--network', 'none'] : [])], { cwd: project, env });
  expect(result.stderr).toContain('rebuilding the rewritten Dockerfile');
  expect(result.status).toBe(0);
  const report = JSON.parse(result.stdout) as ProveReport;
  expect(report.verdict).toBe('proved');
  expect(report.changes).toEqual([{ path: 'main.go', edit: expect.stringMatching(/^appended the comment "\/\/ cachefix prove [0-9a-f]{8}: harmless edit"$/) }]);
  expect(report.transforms).toEqual(expect.arrayContaining(['go/mod-download-first', 'go/build-cache-mount', 'docker/dockerignore']));
  const original = report.original!;
  const rewritten = report.rewritten!;
  // real builds: times measured, and the rebuild logs say what reran
  expect(original.rebuild!.seconds).toBeGreaterThan(0);
  expect(rewritten.rebuild!.seconds).toBeGreaterThan(0);
  expect(original.rebuild!.reran.some((s) => s.includes('go mod download'))).toBe(true);
  expect(rewritten.rebuild!.cached.some((s) => s.includes('go mod download'))).toBe(true);
  expect(rewritten.rebuild!.reran.some((s) => s.includes('go mod download'))).toBe(false);
  expect(report.ratio).toBeCloseTo(rewritten.rebuild!.seconds / original.rebuild!.seconds, 5);
  // the only difference: the binary, whose bytes -trimpath changes
  expect(report.differences.map((d) => [d.subject, d.expected !== null])).toEqual([['/usr/local/bin/app', true]]);
  expect(report.run?.same).toBe(true);
  expect(report.run?.original.output).toMatch(/^total \d+\n$/);
  expect(fingerprint(project)).toEqual(before);
  expect(leftovers(env, builder)).toEqual(leftBefore);
}

describeWhen(docker !== null, 'no Docker engine: bash ../shared/tools/offline-builder/docker.sh start')('cachefix prove with Docker Engine + BuildKit', () => {
  const env = docker ?? {};

  test('proves the rewrite of the sample app: real figures, same output, only the binary differs, nothing left behind', () => proveWithCli('docker', env), BUILD_TIMEOUT);

  test('a planted wrong rewrite (a transform that drops a COPY) is caught as an unexpected difference, exit 1', async () => {
    const project = sampleProject('planted');
    const before = fingerprint(project);
    const dropCopy = planted('test/drop-copy', (text, keyword) => keyword === 'COPY' && text.includes('--from'), (doc, copy) => [removeInstructionEdit(doc, copy)]);
    const { code, report } = await proveWithPlanted(project, env, ['main.go'], dropCopy);
    expect(code).toBe(1);
    expect(report.verdict).toBe('unexpected-differences');
    expect(report.differences.filter((d) => d.expected === null).map((d) => [d.subject, d.kind])).toEqual([['/usr/local/bin/app', 'removed']]);
    expect(fingerprint(project)).toEqual(before);
  }, BUILD_TIMEOUT);

  test('a Go stage as the final image: its caches, the copied Dockerfile and .dockerignore are expected differences', () => {
    const project = helloProject('hello');
    const before = fingerprint(project);
    const result = cachefix(['prove', '--builder', 'docker', '--network', 'none', '--run', '/out/hello', '--format', 'json'], { cwd: project, env });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ProveReport;
    expect(report.verdict).toBe('proved');
    const reasons = new Set(report.differences.map((d) => `${d.subject.split('/').slice(0, 3).join('/')}: ${d.expected}`));
    expect(reasons).toEqual(
      new Set([
        "/src/.dockerignore: the build context's .dockerignore is the rewritten one, and a COPY takes it into the image",
        "/src/Dockerfile: the build context's Dockerfile is the rewritten one, and a COPY takes it into the image",
        '/out/hello: a compiled binary: -trimpath removes build paths from the binary (go/trimpath)',
        "/go/pkg: the builder creates the directories of the cache mount's target (/go/pkg/mod) in the image",
        '/go/pkg: the rewrite keeps this cache in a cache mount (/go/pkg/mod), out of the image',
        '/root/.cache: the rewrite keeps this cache in a cache mount (/root/.cache/go-build), out of the image',
      ]),
    );
    expect(report.run?.original.output).toBe('hello\n');
    expect(fingerprint(project)).toEqual(before);
  }, BUILD_TIMEOUT);

  test('a planted change of how the binary is built (-tags) is caught in its Go build info, although -trimpath changes its bytes anyway', async () => {
    const project = helloProject('hello-planted');
    const addTags = planted('test/tags', (text, keyword) => keyword === 'RUN' && text.includes('go build') && !text.includes('-tags'), (doc, run) => {
      const at = doc.source.text.indexOf('go build', run.start) + 'go build'.length;
      return [{ start: at, end: at, text: ' -tags=planted' }];
    });
    const { code, report } = await proveWithPlanted(project, env, [], addTags);
    expect(report.differences.filter((d) => d.expected === null)).toEqual([
      { subject: '/out/hello', kind: 'changed', detail: expect.stringMatching(/; Go build info: \+ build\t-tags=planted$/), expected: null },
    ]);
    expect(code).toBe(1);
  }, BUILD_TIMEOUT);

  test('Ctrl-C during a rebuild: exit 130, and the images, containers and copies are gone, the project untouched', async () => {
    const project = sampleProject('interrupted');
    const before = fingerprint(project);
    const leftBefore = leftovers(env, 'docker');
    const child = spawn(process.execPath, [cliPath, 'prove', '--builder', 'docker', '--network', 'none'], { cwd: project, env: { ...process.env, ...env } });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // the original's rebuild recompiles the dependency: tens of seconds, so the signal lands mid-build
      if (!sent && stderr.includes('rebuilding the original')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 1000);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toContain('cachefix prove: interrupted by SIGINT; removing its images, containers and copies');
    expect(code).toBe(130);
    expect(leftovers(env, 'docker')).toEqual(leftBefore);
    expect(fingerprint(project)).toEqual(before);
  }, BUILD_TIMEOUT);
});

describeWhen(buildah !== null, 'no buildah with the offline golang:1.19 image: bash ../shared/tools/offline-builder/setup.sh')('cachefix prove with buildah', () => {
  test('proves the rewrite of the sample app: real figures, same output, only the binary differs, nothing left behind', () => proveWithCli('buildah', buildah ?? {}), BUILD_TIMEOUT);
});
