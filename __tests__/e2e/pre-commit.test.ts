/**
 * The pre-commit hooks, installed by the real `pre-commit` tool from this repository's HEAD (as a
 * user's .pre-commit-config.yaml would name it): a naive Dockerfile blocks the commit and is
 * rewritten; once the fix is staged the commit passes; cachefix-check reports without writing.
 */
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWhen } from '../helpers/conditional.js';
import { projectRoot, sharedDir } from '../helpers/paths.js';

const hasPreCommit = spawnSync('pre-commit', ['--version']).status === 0;
const NAIVE = 'FROM golang:1.19 AS build\nWORKDIR /app\nCOPY . .\nRUN go mod download\nRUN go build -o /app/main .\n';
const work = mkdtempSync(join(tmpdir(), 'cachefix-pre-commit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function repoWithHook(name: string, hook: string): { dir: string; git: (...args: string[]) => Run } {
  const dir = join(work, name);
  cpSync(join(sharedDir, 'tools', 'offline-builder', 'sample-app'), dir, { recursive: true });
  const env = { ...process.env, PRE_COMMIT_HOME: join(work, 'cache'), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  const git = (...args: string[]): Run => spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
  const rev = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).stdout.trim();
  git('init', '-q');
  writeFileSync(join(dir, 'Dockerfile'), NAIVE);
  writeFileSync(join(dir, '.pre-commit-config.yaml'), `repos:\n  - repo: ${projectRoot}\n    rev: ${rev}\n    hooks:\n      - id: ${hook}\n`);
  expect(spawnSync('pre-commit', ['install'], { cwd: dir, env }).status).toBe(0);
  git('add', '-A');
  return { dir, git };
}

describeWhen(hasPreCommit, 'pre-commit is not installed (Debian package pre-commit; .ci/run installs it)')('pre-commit hooks', () => {
  test('cachefix blocks the commit, rewrites the Dockerfile, and passes once the fix is staged', () => {
    const { dir, git } = repoWithHook('fix', 'cachefix');
    const first = git('commit', '-qm', 'naive');
    expect(first.status).not.toBe(0);
    expect(first.stdout + first.stderr).toContain('files were modified by this hook');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain('COPY go.mod go.sum ./');
    git('add', '-A');
    const second = git('commit', '-qm', 'fixed');
    expect(second.status).toBe(0);
    expect(git('log', '--oneline').stdout.trim().split('\n')).toHaveLength(1);
  }, 10 * 60 * 1000);

  test('cachefix-check fails without writing, and passes on a clean Dockerfile', () => {
    const { dir, git } = repoWithHook('check', 'cachefix-check');
    expect(git('commit', '-qm', 'naive').status).not.toBe(0);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(NAIVE);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM debian:bookworm-slim\nRUN echo hi\n');
    git('add', '-A');
    expect(git('commit', '-qm', 'clean').status).toBe(0);
  }, 10 * 60 * 1000);
});
