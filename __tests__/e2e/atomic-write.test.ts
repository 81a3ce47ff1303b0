/**
 * `--write` is atomic per file: killed at any moment (SIGKILL), every Dockerfile and .dockerignore
 * holds its old or its new content; SIGINT/SIGTERM stop it between two files, leaving no temporary
 * file; a normal run leaves none either (and removes those a killed run left); two runs at once
 * on the same files both succeed with the same result. No timing is asserted: the kill points are
 * chosen by watching the files change, plus delays spread over a measured run.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, projectRoot } from '../helpers/paths.js';

const SEED = join(projectRoot, 'examples', 'go', 'mod-download-first', 'seed-naive');
const SEED_FILES = ['Dockerfile', 'go.mod', 'go.sum', 'main.go'];
const ORIGINAL = readFileSync(join(SEED, 'Dockerfile'), 'utf8');
/** Our temporary files: hidden, named after the file they replace, with the writer's pid. */
const TEMPORARY = /^\.(Dockerfile|\.dockerignore)\.cachefix-\d+-[0-9a-f]+\.tmp$/;
const SERVICES = 200;

const work = mkdtempSync(join(tmpdir(), 'cachefix-atomic-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let expectedDockerfile = '';
let expectedIgnore = '';
/** How long one uninterrupted run over the batch took here, to spread the timed kills over it. */
let fullRunMs = 0;

/** `count` copies of the seed's naive Go service under `dir`: s000, s001, ... */
function makeBatch(dir: string, count: number): string[] {
  const services: string[] = [];
  for (let i = 0; i < count; i++) {
    const service = join(dir, `s${String(i).padStart(3, '0')}`);
    mkdirSync(service, { recursive: true });
    for (const file of SEED_FILES) copyFileSync(join(SEED, file), join(service, file));
    services.push(service);
  }
  return services;
}

/** Back to the naive Dockerfile and no .dockerignore; temporary files left by kills stay. */
function reset(services: readonly string[]): void {
  for (const service of services) {
    writeFileSync(join(service, 'Dockerfile'), ORIGINAL);
    rmSync(join(service, '.dockerignore'), { force: true });
  }
}

function write(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [cliPath, '--write', '-q', ...args], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

/** `PATH: reason` and `PATH:LINE: reason` lines (a change is `PATH:LINE transform-id: ...`). */
function errors(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^[^\s:]+(:\d+)?: /.test(line));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `file` holds `text` or the process has ended. */
async function until(file: string, text: string, child: ChildProcess): Promise<void> {
  while (child.exitCode === null && child.signalCode === null) {
    if (readFileSync(file, 'utf8') === text) return;
    await sleep(1);
  }
}

interface State {
  /** Services whose Dockerfile holds the fix. */
  readonly fixed: number;
  /** Of those, the ones whose .dockerignore is there too (the same fix's second file). */
  readonly complete: number;
  readonly temporaries: number;
}

/** Checks that every file is old or new and nothing else is there but our temporary files. */
function inspect(services: readonly string[]): State {
  let fixed = 0;
  let complete = 0;
  let temporaries = 0;
  for (const service of services) {
    const dockerfile = readFileSync(join(service, 'Dockerfile'), 'utf8');
    expect([ORIGINAL, expectedDockerfile]).toContain(dockerfile);
    const ignore = existsSync(join(service, '.dockerignore')) ? readFileSync(join(service, '.dockerignore'), 'utf8') : null;
    expect([null, expectedIgnore]).toContain(ignore);
    if (dockerfile === expectedDockerfile) {
      fixed++;
      if (ignore !== null) complete++;
    }
    const others = readdirSync(service).filter((name) => ![...SEED_FILES, '.dockerignore'].includes(name));
    for (const name of others) expect(name).toMatch(TEMPORARY);
    temporaries += others.length;
  }
  return { fixed, complete, temporaries };
}

/** The fix of one service, by an uninterrupted run: every service's files must end up like this. */
beforeAll(() => {
  const reference = makeBatch(join(work, 'reference'), 1)[0] ?? '';
  const once = spawnSync(process.execPath, [cliPath, '--write', '-q', 'reference'], { cwd: work, encoding: 'utf8' });
  expect(once.status).toBe(0);
  expectedDockerfile = readFileSync(join(reference, 'Dockerfile'), 'utf8');
  expectedIgnore = readFileSync(join(reference, '.dockerignore'), 'utf8');
  expect(expectedDockerfile).not.toBe(ORIGINAL);
});

describe('--write on a batch of 200 Dockerfiles', () => {
  const batch = join(work, 'batch');
  let services: string[] = [];

  beforeAll(() => {
    services = makeBatch(batch, SERVICES);
    const started = Date.now();
    const full = spawnSync(process.execPath, [cliPath, '--write', '-q', 'batch'], { cwd: work, encoding: 'utf8' });
    fullRunMs = Date.now() - started;
    expect(full.status).toBe(0);
    expect(inspect(services)).toEqual({ fixed: SERVICES, complete: SERVICES, temporaries: 0 });
  });

  test('SIGKILL at 16 points: every file old or new, and the next normal run finishes the job and leaves no temporary file', async () => {
    const states: State[] = [];
    // eight kills right after a given file was seen rewritten, eight after delays spread over a run
    const points = [
      ...[0, 1, 20, 60, 100, 140, 180, 198].map((n) => ({ file: n })),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ ms: Math.round((fullRunMs * i) / 9) })),
    ];
    for (const point of points) {
      reset(services);
      const child = write(['batch']);
      const ended = exited(child);
      if ('file' in point) await until(join(services[point.file] ?? '', 'Dockerfile'), expectedDockerfile, child);
      else await sleep(point.ms);
      child.kill('SIGKILL');
      const { code, signal } = await ended;
      expect(signal === 'SIGKILL' || code === 0).toBe(true);
      states.push(inspect(services));
    }
    // the kills landed inside the run, not all before or after it
    expect(states.some((s) => s.fixed > 0 && s.fixed < SERVICES)).toBe(true);

    const next = spawnSync(process.execPath, [cliPath, '--write', '-q', 'batch'], { cwd: work, encoding: 'utf8' });
    expect(next.status).toBe(0);
    expect(inspect(services)).toEqual({ fixed: SERVICES, complete: SERVICES, temporaries: 0 });
  }, 120_000);

  test('SIGTERM and SIGINT stop it between two files: each fix complete or not started, no temporary file', async () => {
    for (const [i, signal] of (['SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT'] as const).entries()) {
      reset(services);
      const child = write(['batch']);
      const ended = exited(child);
      await until(join(services[20 + 30 * i] ?? '', 'Dockerfile'), expectedDockerfile, child);
      child.kill(signal);
      const result = await ended;
      const state = inspect(services);
      expect(state.temporaries).toBe(0);
      expect(state.complete).toBe(state.fixed);
      if (result.signal !== null) {
        // killed by the signal itself (so a shell sees it), after saying how far it got
        expect(result.signal).toBe(signal);
        expect(result.stderr).toMatch(new RegExp(`^cachefix: stopped by ${signal} after \\d+ of 200 files; every file written is complete$`, 'm'));
      } else {
        expect(result.code).toBe(0); // it had finished
      }
    }
  }, 60_000);

  test('a reader that goes away (| true) does not stop the writes or change the exit code', () => {
    reset(services);
    const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${cliPath}" --write batch | true; exit "\${PIPESTATUS[0]}"`], { cwd: work, encoding: 'utf8' });
    expect(piped.stderr).not.toContain('EPIPE');
    expect(piped.status).toBe(0);
    expect(inspect(services)).toEqual({ fixed: SERVICES, complete: SERVICES, temporaries: 0 });
  });
});

describe('two runs at once', () => {
  test('on the same file, ten times: both succeed, the file holds the fix, nothing else is left', async () => {
    const [one] = makeBatch(join(work, 'same-file'), 1);
    for (let round = 0; round < 10; round++) {
      reset([one ?? '']);
      const results = await Promise.all([exited(write(['same-file/s000/Dockerfile'])), exited(write(['same-file/s000/Dockerfile']))]);
      expect(results.map((r) => [r.code, errors(r.stderr)])).toEqual([[0, []], [0, []]]);
      expect(inspect([one ?? ''])).toEqual({ fixed: 1, complete: 1, temporaries: 0 });
    }
  }, 60_000);

  test('on the same 50 files (directory walks that see each other\'s writes): both succeed with the fix everywhere', async () => {
    const fifty = makeBatch(join(work, 'fifty'), 50);
    for (let round = 0; round < 3; round++) {
      reset(fifty);
      const results = await Promise.all([exited(write(['fifty'])), exited(write(['fifty']))]);
      expect(results.map((r) => [r.code, errors(r.stderr)])).toEqual([[0, []], [0, []]]);
      expect(inspect(fifty)).toEqual({ fixed: 50, complete: 50, temporaries: 0 });
    }
  }, 60_000);
});

describe('what a write keeps', () => {
  test('the mode and, when run as root, the owner of the file; a new .dockerignore gets the usual mode', () => {
    const [service] = makeBatch(join(work, 'kept'), 1);
    const dockerfile = join(service ?? '', 'Dockerfile');
    chmodSync(dockerfile, 0o640);
    const root = process.getuid?.() === 0;
    if (root) chownSync(dockerfile, 65534, 65534);
    const plain = join(work, 'plain-new-file');
    writeFileSync(plain, '');
    const result = spawnSync(process.execPath, [cliPath, '--write', '-q', 'kept'], { cwd: work, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(readFileSync(dockerfile, 'utf8')).toBe(expectedDockerfile);
    expect(statSync(dockerfile).mode & 0o7777).toBe(0o640);
    if (root) expect([statSync(dockerfile).uid, statSync(dockerfile).gid]).toEqual([65534, 65534]);
    expect(statSync(join(service ?? '', '.dockerignore')).mode & 0o7777).toBe(statSync(plain).mode & 0o7777);
  });
});
