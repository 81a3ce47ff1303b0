/**
 * The executable's V8 code cache (src/cli/launcher.ts): where it goes, that a run uses it rather than
 * rewriting it, that a damaged one is replaced instead of crashing every later run, and that it
 * can be turned off. Runs the built CLI with its own XDG_CACHE_HOME.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, projectRoot } from '../helpers/paths.js';

const dockerfile = join(projectRoot, 'examples', 'go', 'mod-download-first', 'seed-naive', 'Dockerfile');
let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cachefix-code-cache-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function check(env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cliPath, '--check', '-q', dockerfile], {
    cwd: home,
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: join(home, 'xdg'), ...env },
  });
}
const cacheDir = () => join(home, 'xdg', 'dockerfile-cachefix');
const caches = () => (existsSync(cacheDir()) ? readdirSync(cacheDir()) : []);

test('the first run writes one cache for its kind of run; the next four successful runs add to it, later ones only use it', () => {
  expect(check().status).toBe(1);
  const [name, ...others] = caches();
  expect(others).toEqual([]);
  expect(name).toMatch(/^v\d+\.\d+\.\d+-\w+-\w+-fix-[0-9a-f]{16}\.v8cache$/);
  const path = join(cacheDir(), name!);
  const runsRecorded = () => readFileSync(path)[9];
  expect(runsRecorded()).toBe(0);
  for (let runs = 1; runs <= 4; runs++) {
    expect(check().status).toBe(1);
    expect(runsRecorded()).toBe(runs);
  }
  const written = statSync(path).mtimeMs;
  expect(check().status).toBe(1);
  expect(statSync(path).mtimeMs).toBe(written);
});

test('a run over several files keeps a cache of its own (it runs under another V8 flag), which its later runs accept', () => {
  const other = join(projectRoot, 'examples', 'go', 'trimpath', 'alpine-go-1.18', 'Dockerfile');
  const both = () => spawnSync(process.execPath, [cliPath, '--check', '-q', dockerfile, other], { cwd: home, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: join(home, 'xdg') } });
  expect(check().status).toBe(1);
  const [single] = caches();
  expect(both().status).toBe(1);
  const many = caches().find((name) => name !== single);
  expect(many).toMatch(/^v\d+\.\d+\.\d+-\w+-\w+-fix-many-[0-9a-f]{16}\.v8cache$/);
  const runsRecorded = () => readFileSync(join(cacheDir(), many!))[9];
  expect(runsRecorded()).toBe(0);
  // a cache V8 rejected would be made again, with no runs recorded
  expect(both().status).toBe(1);
  expect(runsRecorded()).toBe(1);
  expect(check().status).toBe(1);
  expect(readFileSync(join(cacheDir(), single!))[9]).toBe(1);
});

test('a cache made by a run that stopped at an error grows with the next run that fixes something', () => {
  const failed = spawnSync(process.execPath, [cliPath, '--check', 'no-such-Dockerfile'], { cwd: home, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: join(home, 'xdg') } });
  expect(failed.status).toBe(2);
  const [name] = caches();
  const path = join(cacheDir(), name!);
  const small = statSync(path).size;
  expect(check().status).toBe(1);
  expect(statSync(path).size).toBeGreaterThan(small);
});

test('a damaged cache is not handed to V8: the run behaves, and the cache is made again', () => {
  expect(check().status).toBe(1);
  const path = join(cacheDir(), caches()[0]!);
  const bytes = readFileSync(path);
  bytes.fill(0, 4096, 8192); // what a lost disk block looks like
  writeFileSync(path, bytes);
  for (let i = 0; i < 2; i++) {
    const run = check();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('go/mod-download-first');
  }
  expect(readFileSync(path).subarray(4096, 8192).some((b) => b !== 0)).toBe(true);
});

test('a relative XDG_CACHE_HOME is ignored (it would land in the project), and CACHEFIX_NO_CODE_CACHE=1 writes none', () => {
  const relative = check({ XDG_CACHE_HOME: 'relative-cache', HOME: join(home, 'home') });
  expect(relative.status).toBe(1);
  expect(existsSync(join(home, 'relative-cache'))).toBe(false);
  expect(readdirSync(join(home, 'home', '.cache', 'dockerfile-cachefix'))).toHaveLength(1);

  expect(check({ CACHEFIX_NO_CODE_CACHE: '1' }).status).toBe(1);
  expect(caches()).toEqual([]);
});
