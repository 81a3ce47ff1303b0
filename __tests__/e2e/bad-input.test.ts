/**
 * Hostile input through the built CLI: each bad path gets exit 2 and one `PATH: reason` line on
 * stderr, in every output mode; nothing is written for it; the good file next to it is still fixed.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliResult } from '../helpers/cli.js';
import { describeWhen } from '../helpers/conditional.js';
import { cliPath } from '../helpers/paths.js';

const NAIVE = 'FROM golang:1.19 AS build\nWORKDIR /app\nCOPY . .\nRUN go mod download\nRUN go build -o /app/main .\n';
const FIXED = 'FROM golang:1.19 AS build\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app/main .\n';
/** One transform, so that the good file's expected bytes are short and exact. */
const ONE = ['--only', 'go/mod-download-first'];
const MODES: readonly (readonly string[])[] = [['--write'], ['--check'], [], ['--format', 'json'], ['--write', '--format', 'json']];

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'cachefix-bad-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** The built CLI, as the helper runs it, but killed after 20 s: a read that blocks must fail the test, not hang it. */
function cachefix(args: readonly string[], options: { cwd: string; input?: string | Buffer }): CliResult {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd, input: options.input ?? '', encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function goApp(dir: string, dockerfile = NAIVE): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/app\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n');
  writeFileSync(join(dir, 'go.sum'), '');
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return join(dir, 'Dockerfile');
}

/** The stderr lines about `path` (diagnostics start with the path, then `:` or `:LINE`). */
function linesAbout(result: CliResult, path: string): string[] {
  return result.stderr.split('\n').filter((l) => l.startsWith(`${path}:`));
}

interface BadInput {
  readonly name: string;
  /** Creates the bad input in `dir`, returns the path to pass (relative to the work directory). */
  readonly make: (dir: string) => string;
  /** The exact stderr line, without the path. */
  readonly message: string;
}

const bytes = (name: string, content: string | Buffer) => (dir: string): string => {
  writeFileSync(join(dir, name), content);
  return `bad/${name}`;
};

const BAD_INPUTS: readonly BadInput[] = [
  { name: 'empty file', make: bytes('Dockerfile', ''), message: ': empty file (Docker refuses a Dockerfile without instructions)' },
  { name: 'only comments', make: bytes('Dockerfile', '# syntax=docker/dockerfile:1\n# nothing else\n\n'), message: ': no instructions, only comments or blank lines (Docker refuses it)' },
  { name: 'binary file', make: bytes('Dockerfile', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00])), message: ': binary file (contains NUL bytes)' },
  { name: 'non-UTF-8 bytes', make: bytes('Dockerfile', Buffer.from('FROM golang:1.19\nLABEL maintainer="Jos\xe9"\nCOPY . .\n', 'latin1')), message: ': not valid UTF-8' },
  { name: 'UTF-16 with a BOM', make: bytes('Dockerfile', Buffer.from('\ufeffFROM golang:1.19\n', 'utf16le')), message: ': UTF-16 text; Dockerfiles are UTF-8' },
  {
    name: 'a 10 MB file',
    make: bytes('Dockerfile', `FROM golang:1.19\n${'RUN echo hello\n'.repeat(699_000)}`.padEnd(10 * 1024 * 1024, '#')),
    message: ': too large for a Dockerfile (10485760 bytes; the limit is 1048576 bytes)',
  },
  {
    name: 'a directory with no Dockerfile',
    make: (dir) => {
      mkdirSync(join(dir, 'docs'));
      writeFileSync(join(dir, 'docs', 'README.md'), 'no Dockerfile here\n');
      return 'bad/docs';
    },
    message: ': no Dockerfile found in this directory',
  },
  {
    name: 'a dangling symlink',
    make: (dir) => {
      symlinkSync(join(dir, 'gone'), join(dir, 'Dockerfile'));
      return 'bad/Dockerfile';
    },
    message: ': no such file or directory',
  },
  {
    name: 'a FIFO (would block a plain read)',
    make: (dir) => {
      spawnSync('mkfifo', [join(dir, 'Dockerfile')]);
      return 'bad/Dockerfile';
    },
    message: ': not a regular file (a FIFO, socket or device)',
  },
  { name: 'a path that does not exist', make: () => 'bad/nothing/Dockerfile', message: ': no such file or directory' },
  // Dockerfiles that Docker itself refuses to parse
  { name: 'an unknown instruction', make: bytes('Dockerfile', 'FROM golang:1.19\nCOPY . .\nRUNN go build .\n'), message: ':3: unknown instruction RUNN' },
  { name: 'an unterminated heredoc', make: bytes('Dockerfile', 'FROM golang:1.19\nCOPY . .\nRUN <<EOF\ngo mod download\ngo build .\n'), message: ':3: unterminated heredoc <<EOF: no EOF line before the end of the file' },
  { name: 'an instruction before FROM', make: bytes('Dockerfile', 'WORKDIR /app\nFROM golang:1.19\nCOPY . .\n'), message: ':1: WORKDIR before the first FROM (only ARG may come before it)' },
  { name: 'no FROM', make: bytes('Dockerfile', 'ARG GO_VERSION=1.19\n'), message: ': no FROM instruction, so nothing to build' },
  { name: 'FROM without an image', make: bytes('Dockerfile', 'FROM\nCOPY . .\n'), message: ':1: FROM without an image' },
  { name: 'FROM with two words', make: bytes('Dockerfile', 'FROM golang:1.19 build\nCOPY . .\n'), message: ':1: FROM takes an image and an optional AS name, not: golang:1.19 build' },
  {
    name: 'a heredoc the parser cannot read (file descriptor)',
    make: bytes('Dockerfile', 'FROM golang:1.19\nRUN 3<<EOF cat /dev/fd/3\nhello\nEOF\n'),
    message: ':2: the heredoc 3<<EOF (with a file descriptor) is not understood by the parser; not rewritten',
  },
];

describe('each bad input: exit 2, one `PATH: reason` line, nothing written for it, the good file still fixed', () => {
  for (const bad of BAD_INPUTS) {
    test(bad.name, () => {
      const good = goApp(join(work, 'good'));
      mkdirSync(join(work, 'bad'));
      const path = bad.make(join(work, 'bad'));
      const before = snapshot(join(work, 'bad'));
      for (const mode of MODES) {
        writeFileSync(good, NAIVE);
        const result = cachefix([...ONE, ...mode, path, 'good/Dockerfile'], { cwd: work });
        const label = `${bad.name} with ${mode.join(' ') || 'the default diff'}`;
        expect({ label, status: result.status }).toEqual({ label, status: 2 });
        expect({ label, lines: linesAbout(result, path) }).toEqual({ label, lines: [`${path}${bad.message}`] });
        expect({ label, unchanged: snapshot(join(work, 'bad')) }).toEqual({ label, unchanged: before });
        const written = mode.includes('--write');
        expect(readFileSync(good, 'utf8')).toBe(written ? FIXED : NAIVE);
        if (mode.includes('json')) {
          const reports = JSON.parse(result.stdout) as { path: string; status: string; error?: string; errorLine?: number }[];
          const report = reports.find((r) => r.path === path);
          const line = /^:(\d+): /.exec(bad.message)?.[1];
          expect(report).toEqual(expect.objectContaining({ status: 'error', error: bad.message.replace(/^:(\d+:)? /, '') }));
          expect(report?.errorLine).toBe(line === undefined ? undefined : Number(line));
          expect(reports.find((r) => r.path === 'good/Dockerfile')?.status).toBe('changed');
        } else {
          expect(result.stdout.includes(written ? 'wrote good/Dockerfile\n' : '+++ b/good/Dockerfile\n')).toBe(true);
        }
      }
    });
  }

  test('all of them in one run: one line each, the good file fixed, exit 2', () => {
    const good = goApp(join(work, 'good'));
    const paths: string[] = [];
    for (const [i, bad] of BAD_INPUTS.entries()) {
      mkdirSync(join(work, `bad${i}`));
      paths.push(bad.make(join(work, `bad${i}`)).replace(/^bad\//, `bad${i}/`));
    }
    const result = cachefix([...ONE, '--write', ...paths, 'good/Dockerfile'], { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('wrote good/Dockerfile\n');
    for (const [i, bad] of BAD_INPUTS.entries()) expect(linesAbout(result, paths[i] ?? '')).toEqual([`${paths[i] ?? ''}${bad.message}`]);
    expect(result.stderr).toMatch(new RegExp(`cachefix: 1 file checked, 1 changed .*, ${BAD_INPUTS.length} errors\\n$`));
    expect(readFileSync(good, 'utf8')).toBe(FIXED);
  });

  test('bad input on stdin: exit 2, nothing on stdout', () => {
    expect(cachefix(['-'], { cwd: work, input: '' })).toMatchObject({ status: 2, stdout: '', stderr: '-: empty file (Docker refuses a Dockerfile without instructions)\n' });
    expect(cachefix(['-'], { cwd: work, input: Buffer.from('FROM x\nLABEL a="\xe9"\n', 'latin1') })).toMatchObject({ status: 2, stdout: '', stderr: '-: not valid UTF-8\n' });
    expect(cachefix(['-'], { cwd: work, input: 'FROM golang:1.19\nFROBNICATE\n' })).toMatchObject({ status: 2, stdout: '', stderr: '-:2: unknown instruction FROBNICATE\n' });
  });

  test('a Dockerfile the parser reads differently from Docker that is still valid is not refused', () => {
    // comments inside continuations, a heredoc at the very end without a newline, a lower-case
    // keyword split by a continuation, and ONBUILD: BuildKit builds all of these
    goApp(work, 'ARG GO=1.19\nfrom golang:${GO} as build\nWORKDIR /app\nCOPY . .\nR\\\nUN go mod download\nONBUILD RUN echo\nRUN <<EOF\ngo build -o /app/main .\nEOF');
    const result = cachefix([...ONE, '--check', 'Dockerfile'], { cwd: work });
    expect(result.status).toBe(1);
    expect(result.stderr).not.toMatch(/^Dockerfile(:\d+)?: /m);
    expect(result.stderr).toMatch(/^Dockerfile:4 go\/mod-download-first: /);
  });
});

describe('paths that disappear or cannot be read', () => {
  test('a file deleted after discovery is an error for that file only', () => {
    // cachefix.config.mjs is loaded for each Dockerfile after the paths were collected; this one
    // deletes b/Dockerfile while it loads, as another process could at that moment
    goApp(join(work, 'a'));
    goApp(join(work, 'b'));
    writeFileSync(join(work, 'cachefix.config.mjs'), "import { rmSync } from 'node:fs';\nrmSync(new URL('./b/Dockerfile', import.meta.url), { force: true });\nexport default {};\n");
    const result = cachefix([...ONE, '--write', 'a/Dockerfile', 'b/Dockerfile'], { cwd: work });
    expect(result.status).toBe(2);
    expect(linesAbout(result, 'b/Dockerfile')).toEqual(['b/Dockerfile: no such file or directory']);
    expect(result.stdout).toBe('wrote a/Dockerfile\n');
    expect(readFileSync(join(work, 'a', 'Dockerfile'), 'utf8')).toBe(FIXED);
    expect(readdirSync(join(work, 'b')).sort()).toEqual(['go.mod', 'go.sum']); // not recreated
  });

  test('a working directory that was removed: exit 2 and one line in every mode, not Node\'s exit 1 ("would change")', () => {
    const gone = join(work, 'gone');
    for (const mode of MODES) {
      mkdirSync(gone);
      // the shell enters the directory and removes it, then runs the CLI there
      const result = spawnSync('sh', ['-c', 'cd "$1" && rmdir "$1" && shift && exec "$@"', 'sh', gone, process.execPath, cliPath, ...mode, 'Dockerfile'], {
        cwd: work, encoding: 'utf8', timeout: 20_000,
      });
      expect({ mode, status: result.status, stdout: result.stdout, stderr: result.stderr })
        .toEqual({ mode, status: 2, stdout: '', stderr: 'cachefix: the current directory no longer exists\n' });
    }
  });
});

/**
 * Root reads and writes everything, so permissions are tested as user `nobody` (setpriv), or as
 * the current user when that is not root.
 */
const nobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
/** Not root, or root that can run the built CLI as `nobody` (setpriv present, the CLI readable by all). */
const canDropPrivileges = nobody.length === 0
  || spawnSync(nobody[0] ?? '', [...nobody.slice(1), process.execPath, cliPath, '--version'], { cwd: tmpdir() }).status === 0;

function unprivileged(args: readonly string[], cwd: string): CliResult {
  const result = spawnSync(nobody[0] ?? process.execPath, [...nobody.slice(1), ...(nobody.length > 0 ? [process.execPath] : []), cliPath, ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describeWhen(canDropPrivileges, `running as root, and user nobody cannot run ${cliPath} through setpriv: permission tests need an unprivileged user`)('permissions', () => {
  beforeEach(() => {
    chmodSync(work, 0o755); // mkdtemp makes it private to its owner
  });
  const owned = (path: string): void => {
    if (nobody.length > 0) chownSync(path, 65534, 65534);
  };

  test('an unreadable file and an unwritable one: exit 2, nothing written for them, the writable one fixed', () => {
    const unreadable = goApp(join(work, 'unreadable'));
    chmodSync(unreadable, 0o600);
    if (nobody.length === 0) chmodSync(unreadable, 0o000);
    const lockedDir = goApp(join(work, 'locked-dir')); // the file is ours, the directory is not: no temporary file there
    owned(lockedDir);
    chmodSync(join(work, 'locked-dir'), 0o555);
    const readOnly = goApp(join(work, 'read-only')); // the directory is ours, the file is read-only
    owned(join(work, 'read-only'));
    chmodSync(readOnly, 0o444);
    const good = goApp(join(work, 'good'));
    owned(join(work, 'good'));
    owned(good);
    for (const mode of [['--write'], ['--check'], []]) {
      const result = unprivileged([...ONE, ...mode, 'unreadable/Dockerfile', 'locked-dir/Dockerfile', 'read-only/Dockerfile', 'good/Dockerfile'], work);
      expect(result.status).toBe(2);
      expect(linesAbout(result, 'unreadable/Dockerfile')).toEqual(['unreadable/Dockerfile: permission denied']);
      if (mode[0] === '--write') {
        expect(linesAbout(result, 'locked-dir/Dockerfile')).toEqual(['locked-dir/Dockerfile: could not write: permission denied']);
        expect(linesAbout(result, 'read-only/Dockerfile')).toEqual(['read-only/Dockerfile: could not write: permission denied']);
        expect(result.stdout).toBe('wrote good/Dockerfile\n');
      }
    }
    expect(readFileSync(lockedDir, 'utf8')).toBe(NAIVE);
    expect(readFileSync(readOnly, 'utf8')).toBe(NAIVE);
    expect(readFileSync(good, 'utf8')).toBe(FIXED);
    expect(readdirSync(join(work, 'locked-dir')).sort()).toEqual(['Dockerfile', 'go.mod', 'go.sum']);
    expect(readdirSync(join(work, 'read-only')).sort()).toEqual(['Dockerfile', 'go.mod', 'go.sum']);
    chmodSync(join(work, 'locked-dir'), 0o755);
  });

  test('a fix whose .dockerignore cannot be written is not written at all, not even the Dockerfile', () => {
    const dockerfile = goApp(join(work, 'svc'));
    writeFileSync(join(work, 'svc', '.dockerignore'), 'bin/\n');
    chmodSync(join(work, 'svc', '.dockerignore'), 0o444); // root's, read-only: the fix would extend it
    owned(join(work, 'svc'));
    owned(dockerfile);
    const result = unprivileged(['--write', 'svc/Dockerfile'], work);
    expect(result.status).toBe(2);
    expect(linesAbout(result, 'svc/Dockerfile')).toEqual(['svc/Dockerfile: could not write svc/.dockerignore: permission denied']);
    expect(result.stdout).toBe('');
    expect(readFileSync(dockerfile, 'utf8')).toBe(NAIVE);
    expect(readFileSync(join(work, 'svc', '.dockerignore'), 'utf8')).toBe('bin/\n');
  });

  test('a directory that cannot be read is reported, not silently skipped', () => {
    goApp(join(work, 'svc', 'secret'));
    chmodSync(join(work, 'svc', 'secret'), 0o700);
    if (nobody.length === 0) chmodSync(join(work, 'svc', 'secret'), 0o000);
    goApp(join(work, 'svc', 'open'), 'FROM debian:bookworm-slim\nRUN echo hi\n');
    const result = unprivileged(['--check', 'svc'], work);
    expect(result.status).toBe(2);
    expect(linesAbout(result, 'svc/secret')).toEqual(['svc/secret: permission denied']);
    expect(result.stderr).toContain('cachefix: 1 file checked, 0 would change');
    chmodSync(join(work, 'svc', 'secret'), 0o755);
  });
});

describe('symlinks', () => {
  test('a symlinked file named on the command line is rewritten at its target; the link stays a link', () => {
    const target = goApp(join(work, 'real'));
    symlinkSync(join('real', 'Dockerfile'), join(work, 'Dockerfile.link'));
    const result = cachefix([...ONE, '--context', 'real', '--write', 'Dockerfile.link'], { cwd: work });
    expect(result).toMatchObject({ status: 0, stdout: 'wrote Dockerfile.link\n' });
    expect(readFileSync(target, 'utf8')).toBe(FIXED);
    expect(lstatSync(join(work, 'Dockerfile.link')).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(work, 'real')).sort()).toEqual(['Dockerfile', 'go.mod', 'go.sum']); // no temporary file left
  });

  test('symlinked directories are not followed while walking; a symlinked directory named explicitly is', () => {
    goApp(join(work, 'services', 'api'));
    symlinkSync(join(work, 'services', 'api'), join(work, 'services', 'api-link'));
    const walked = cachefix([...ONE, '--check', 'services'], { cwd: work });
    expect(walked.status).toBe(1);
    expect(walked.stdout.match(/^\+\+\+ .*$/gm)).toEqual(['+++ b/services/api/Dockerfile']);
    const named = cachefix([...ONE, '--check', 'services/api-link'], { cwd: work });
    expect(named.stdout.match(/^\+\+\+ .*$/gm)).toEqual(['+++ b/services/api-link/Dockerfile']);
  });
});

/** Every file under `dir` with its bytes and mode, to show that nothing there was touched. */
function snapshot(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const path = join(dir, name);
    const info = lstatSync(path);
    entries[name] = info.isFile() ? `${(info.mode & 0o7777).toString(8)} ${readFileSync(path).toString('base64').slice(0, 64)} ${info.size} ${statSync(path).mtimeMs}` : info.isSymbolicLink() ? 'link' : (info.isFIFO() ? 'fifo' : 'dir');
  }
  return entries;
}

test('a symlink loop or a dangling link elsewhere in the build context does not stop the fix of a good Dockerfile', () => {
  const file = goApp(join(work, 'app'));
  symlinkSync('loop2.Dockerfile', join(work, 'app', 'loop1.Dockerfile'));
  symlinkSync('loop1.Dockerfile', join(work, 'app', 'loop2.Dockerfile'));
  symlinkSync('/nonexistent', join(work, 'app', 'dangling'));
  // every transform: the .dockerignore one looks around the context
  const check = cachefix(['--check', 'app/Dockerfile'], { cwd: work });
  expect(check.stderr).not.toContain('symbolic links');
  expect(check.status).toBe(1);
  const result = cachefix(['--write', ...ONE, 'app/Dockerfile'], { cwd: work });
  expect(result.status).toBe(0);
  expect(readFileSync(file, 'utf8')).toBe(FIXED);
});
