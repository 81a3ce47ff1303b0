/** `cachefix prove` through the built CLI where no build is needed: help, usage errors, no builder, nothing to prove. */
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cachefix } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cachefix-provecli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const NAIVE = 'FROM golang:1.19 AS build\nWORKDIR /app\nCOPY . .\nRUN go mod download\nRUN go build -o /app/main .\n';
const goApp = (name: string) => project(name, { Dockerfile: NAIVE, 'go.mod': 'module x\n\ngo 1.19\n', 'go.sum': '', 'main.go': 'package main\n\nfunc main() {}\n' });
/** No docker, buildah or podman on PATH, only git (the CLI runs with node's full path). */
const emptyBin = join(dir, 'bin');
mkdirSync(emptyBin);
// git stays: --since needs it
symlinkSync(spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim(), join(emptyBin, 'git'));
const noBuilders = { PATH: emptyBin, DOCKER: '' };

test('--help teaches: what it does, the builders, the exit codes', () => {
  const result = cachefix(['prove', '--help'], { cwd: dir });
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('cachefix prove [Dockerfile] [options]');
  expect(result.stdout).toContain('--change');
  expect(result.stdout).toContain('Exit codes: 0 proved');
  expect(result.stdout).toContain('buildah');
});

test('a Dockerfile that is not there: exit 2 with the path', () => {
  const result = cachefix(['prove', 'nope/Dockerfile'], { cwd: dir });
  expect(result.status).toBe(2);
  expect(result.stderr).toBe('cachefix prove: nope/Dockerfile: no such file or directory\n');
});

test('a changed file outside the context, or not a file: exit 2 before any build', () => {
  const root = goApp('outside');
  writeFileSync(join(dir, 'elsewhere.go'), '');
  let result = cachefix(['prove', '--change', '../elsewhere.go'], { cwd: root });
  expect(result.status).toBe(2);
  expect(result.stderr).toBe(`cachefix prove: --change ../elsewhere.go: not inside the build context ${root}\n`);
  result = cachefix(['prove', '--change', 'missing.go'], { cwd: root });
  expect(result.status).toBe(2);
  expect(result.stderr).toBe('cachefix prove: --change missing.go: not a file\n');
});

test('no builder: exit 2, saying what was tried', () => {
  const root = goApp('nobuilder');
  let result = cachefix(['prove'], { cwd: root, env: noBuilders });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/^cachefix prove: no usable builder: docker: not found; buildah: not found; podman: not found\n$/);
  result = cachefix(['prove', '--builder', 'podman'], { cwd: root, env: noBuilders });
  expect(result.status).toBe(2);
  expect(result.stderr).toBe('cachefix prove: no usable builder (--builder podman): podman: not found\n');
});

test('a Dockerfile cachefix would not change: nothing to prove, exit 0, no builder needed', () => {
  const root = project('clean', { Dockerfile: 'FROM debian:bookworm-slim\nCMD ["true"]\n' });
  const result = cachefix(['prove'], { cwd: root, env: noBuilders });
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('nothing to prove: cachefix changes nothing in this Dockerfile');
  const json = cachefix(['prove', '--format', 'json'], { cwd: root, env: noBuilders });
  expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'nothing-to-prove', exitCode: 0 });
});

test('usage errors: an unknown builder, an empty --run, an unknown option', () => {
  const root = goApp('usage');
  for (const args of [['--builder', 'kaniko'], ['--run', ''], ['--frobnicate']]) {
    const result = cachefix(['prove', ...args], { cwd: root, env: noBuilders });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^cachefix prove: /);
  }
});

test('--since: a revision git does not know, or nothing changed, is a usage error before any build', () => {
  const root = goApp('since');
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: root, encoding: 'utf8' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'one');
  let result = cachefix(['prove', '--since', 'no-such-rev'], { cwd: root, env: noBuilders });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/^cachefix prove: --since no-such-rev: git diff failed: /);
  // nothing changed since HEAD: nothing to edit
  result = cachefix(['prove', '--since', 'HEAD'], { cwd: root, env: noBuilders });
  expect(result.status).toBe(2);
  expect(result.stderr).toBe('cachefix prove: --since HEAD: no changed file to edit\n');
  // a changed file passes the check, and the run goes on to look for a builder
  writeFileSync(join(root, 'main.go'), 'package main\n\nfunc main() { println() }\n');
  result = cachefix(['prove', '--since', 'HEAD'], { cwd: root, env: noBuilders });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/no usable builder/);
});
