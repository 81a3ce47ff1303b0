/** The built `cachefix` binary, run in temporary directories as a user would run it. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch } from 'diff';
import { cachefix } from './helpers/cli.js';

const NAIVE = 'FROM golang:1.19 AS build\nWORKDIR /app\nCOPY . .\nRUN go mod download\nRUN go build -o /app/main .\n';
const FIXED = 'FROM golang:1.19 AS build\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app/main .\n';
const CLEAN = 'FROM debian:bookworm-slim\nRUN echo hi\n';

/** The CLI mechanics below are about one transform's output; the default set is tested separately. */
const ONE = ['--only', 'go/mod-download-first'];

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'cachefix-cli-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** A Go service: go.mod, go.sum and a Dockerfile with the given text. */
function goApp(dir: string, dockerfile = NAIVE, name = 'Dockerfile'): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/app\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n');
  writeFileSync(join(dir, 'go.sum'), '');
  writeFileSync(join(dir, name), dockerfile);
  return join(dir, name);
}

describe('dry run (default)', () => {
  test('prints a git-style diff that applies, one line per change on stderr, and writes nothing', () => {
    const file = goApp(work);
    const result = cachefix([...ONE, 'Dockerfile'], { cwd: work });
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith('--- a/Dockerfile\n+++ b/Dockerfile\n@@ ')).toBe(true);
    expect(applyPatch(NAIVE, result.stdout)).toBe(FIXED);
    expect(result.stderr).toBe(
      'Dockerfile:3 go/mod-download-first: the module download now depends only on go.mod and go.sum, so a source change no longer re-downloads every module\n' +
        'cachefix: 1 file checked, 1 would change (1 fix, 0 skipped)\n',
    );
    expect(readFileSync(file, 'utf8')).toBe(NAIVE);
  });
  test('the diff of a git checkout applies with git apply', () => {
    goApp(work);
    spawnSync('git', ['init', '-q'], { cwd: work });
    const diff = cachefix(ONE, { cwd: work }).stdout;
    const applied = spawnSync('git', ['apply', '-'], { cwd: work, input: diff, encoding: 'utf8' });
    expect(applied.status).toBe(0);
    expect(readFileSync(join(work, 'Dockerfile'), 'utf8')).toBe(FIXED);
  });
  test('prints nothing on stdout when nothing would change', () => {
    writeFileSync(join(work, 'Dockerfile'), CLEAN);
    const result = cachefix(['Dockerfile'], { cwd: work });
    expect(result).toEqual({ status: 0, stdout: '', stderr: 'cachefix: 1 file checked, 0 would change (0 fixes, 0 skipped)\n' });
  });
  test('reports skips with file, line and reason', () => {
    goApp(work);
    writeFileSync(join(work, 'go.mod'), 'module example.com/app\n\ngo 1.19\n\nreplace example.com/x => ../x\n');
    const result = cachefix([...ONE, '-q'], { cwd: work });
    expect(result.stderr).toBe('Dockerfile:3 go/mod-download-first skipped: go.mod replaces example.com/x with ../x, outside the build context\n');
  });
});

describe('the default transform set', () => {
  test('on the naive Dockerfile: manifests first, cache mounts on both Go steps; idempotent', () => {
    const file = goApp(work);
    expect(cachefix(['--write', '--quiet'], { cwd: work }).status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(
      'FROM golang:1.19 AS build\nWORKDIR /app\nCOPY go.mod go.sum ./\n' +
        'RUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download\nCOPY . .\n' +
        'RUN --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n    go build -trimpath -o /app/main .\n',
    );
    expect(cachefix(['--check'], { cwd: work }).status).toBe(0);
  });
  test('the summary counts safe and unsafe fixes apart when unsafe ones ran', () => {
    goApp(work);
    const result = cachefix(['--only', 'go/mod-download-first,go/strip-symbols'], { cwd: work });
    expect(result.stderr).toMatch(/cachefix: 1 file checked, 1 would change \(2 fixes: 1 safe, 1 unsafe, 0 skipped\)\n$/);
  });
  test('--no-mounts leaves out every transform that adds RUN --mount', () => {
    const file = goApp(work);
    cachefix(['--write', '--no-mounts'], { cwd: work });
    expect(readFileSync(file, 'utf8')).toBe(FIXED.replace('go build -o', 'go build -trimpath -o'));
  });
});

describe('context files (.dockerignore)', () => {
  const ONLY_IGNORE = ['--only', 'docker/dockerignore'];
  test('the dry run diffs a new .dockerignore from /dev/null; git apply creates it', () => {
    goApp(work);
    spawnSync('git', ['init', '-q'], { cwd: work });
    const result = cachefix([...ONLY_IGNORE, '-q'], { cwd: work });
    expect(result.stdout.startsWith('--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1,6 @@\n+# added by cachefix')).toBe(true);
    expect(existsSync(join(work, '.dockerignore'))).toBe(false);
    expect(spawnSync('git', ['apply', '-'], { cwd: work, input: result.stdout }).status).toBe(0);
    expect(readFileSync(join(work, '.dockerignore'), 'utf8')).toContain('\n.git\n');
  });
  test('--write writes it, --check counts it, and a second run changes nothing', () => {
    goApp(work);
    expect(cachefix([...ONLY_IGNORE, '--check'], { cwd: work }).status).toBe(1);
    const write = cachefix([...ONLY_IGNORE, '--write'], { cwd: work });
    expect(write.stdout).toBe('wrote .dockerignore\n');
    expect(readFileSync(join(work, 'Dockerfile'), 'utf8')).toBe(NAIVE);
    expect(cachefix([...ONLY_IGNORE, '--check'], { cwd: work }).status).toBe(0);
  });
  test('two Dockerfiles sharing a context append to .dockerignore once', () => {
    goApp(work);
    writeFileSync(join(work, 'Dockerfile.dev'), NAIVE);
    writeFileSync(join(work, '.dockerignore'), 'bin/\n');
    const write = cachefix([...ONLY_IGNORE, '--write', '.'], { cwd: work });
    expect(write.stdout).toBe('wrote .dockerignore\n');
    expect(readFileSync(join(work, '.dockerignore'), 'utf8').match(/^\.git$/gm)).toEqual(['.git']);
  });
  test('stdin mode shows the .dockerignore part of the fix on stderr', () => {
    goApp(work, CLEAN);
    const result = cachefix([...ONLY_IGNORE, '-'], { cwd: work, input: NAIVE });
    expect(result.stdout).toBe(NAIVE);
    expect(result.stderr).toContain('-: the fix also changes .dockerignore');
    expect(existsSync(join(work, '.dockerignore'))).toBe(false);
  });
});

describe('--check', () => {
  test('exits 1 when a file would change, 0 once it is fixed', () => {
    const file = goApp(work);
    const before = cachefix([...ONE, '--check'], { cwd: work });
    expect(before.status).toBe(1);
    expect(before.stdout).toContain('+COPY go.mod go.sum ./');
    expect(readFileSync(file, 'utf8')).toBe(NAIVE);
    writeFileSync(file, FIXED);
    expect(cachefix([...ONE, '--check'], { cwd: work }).status).toBe(0);
  });
  test('cannot be combined with --write', () => {
    goApp(work);
    const result = cachefix(['--check', '--write'], { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/mutually exclusive/);
  });
});

describe('--write', () => {
  test('writes changed files in place, keeps the file mode, and a second run changes nothing', () => {
    const file = goApp(work);
    chmodSync(file, 0o640);
    const result = cachefix([...ONE, '--write'], { cwd: work });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('wrote Dockerfile\n');
    expect(readFileSync(file, 'utf8')).toBe(FIXED);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(work).sort()).toEqual(['Dockerfile', 'go.mod', 'go.sum']); // no temp files left
    const again = cachefix([...ONE, '--write'], { cwd: work });
    expect(again.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(FIXED);
    expect(cachefix([...ONE, '--check'], { cwd: work }).status).toBe(0);
  });
  test('several absolute paths at once, as lint-staged passes them: each fixed in its own context', () => {
    const a = goApp(join(work, 'svc-a'));
    const b = goApp(join(work, 'svc-b'), NAIVE.replace(/\n/g, '\r\n'));
    const clean = join(work, 'Containerfile');
    writeFileSync(clean, CLEAN);
    const result = cachefix([...ONE, '--write', a, b, clean], { cwd: work });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('wrote svc-a/Dockerfile\nwrote svc-b/Dockerfile\n');
    expect(readFileSync(a, 'utf8')).toBe(FIXED);
    expect(readFileSync(b, 'utf8')).toBe(FIXED.replace(/\n/g, '\r\n'));
    expect(readFileSync(clean, 'utf8')).toBe(CLEAN);
    expect(result.stderr).toMatch(/cachefix: 3 files checked, 2 changed/);
  });
  test('keeps CRLF line endings', () => {
    const file = goApp(work, NAIVE.replace(/\n/g, '\r\n'));
    cachefix([...ONE, '--write'], { cwd: work });
    expect(readFileSync(file, 'utf8')).toBe(FIXED.replace(/\n/g, '\r\n'));
  });
  test('writes through a symlink to its target', () => {
    goApp(join(work, 'real'));
    symlinkSync(join(work, 'real', 'Dockerfile'), join(work, 'real', 'Dockerfile.link'));
    cachefix([...ONE, '--write', 'real/Dockerfile.link'], { cwd: work });
    expect(readFileSync(join(work, 'real', 'Dockerfile'), 'utf8')).toBe(FIXED);
  });
});

describe('stdin', () => {
  test('- rewrites stdin to stdout, with the working directory as context', () => {
    goApp(work, CLEAN);
    const result = cachefix([...ONE, '-'], { cwd: work, input: NAIVE });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(FIXED);
    expect(result.stderr).toMatch(/^-:3 go\/mod-download-first: /);
  });
  test('--context sets the build context', () => {
    goApp(join(work, 'svc'), CLEAN);
    expect(cachefix([...ONE, '-'], { cwd: work, input: NAIVE }).stdout).toBe(NAIVE); // no go.mod here
    expect(cachefix([...ONE, '--context', 'svc', '-'], { cwd: work, input: NAIVE }).stdout).toBe(FIXED);
  });
  test('unchanged input comes back unchanged; --check exits 1 on a change', () => {
    expect(cachefix(['-'], { cwd: work, input: CLEAN }).stdout).toBe(CLEAN);
    goApp(work, CLEAN);
    expect(cachefix(['--check', '-'], { cwd: work, input: NAIVE }).status).toBe(1);
  });
  test('--write with stdin is a usage error', () => {
    const result = cachefix(['--write', '-'], { cwd: work, input: NAIVE });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
  });
});

describe('bad input', () => {
  test('exit 2 with PATH: reason; the other files are still processed and the bad ones never written', () => {
    goApp(join(work, 'good'));
    mkdirSync(join(work, 'bad'));
    writeFileSync(join(work, 'bad', 'Dockerfile'), Buffer.from([0x46, 0x52, 0x00, 0x4d]));
    writeFileSync(join(work, 'bad', 'Dockerfile.latin1'), Buffer.from('FROM golang\nLABEL a="caf\xe9"\n', 'latin1'));
    const result = cachefix([...ONE, '--write', 'bad/Dockerfile', 'missing/Dockerfile', 'good', 'bad/Dockerfile.latin1'], { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('missing/Dockerfile: no such file or directory\n');
    expect(result.stderr).toContain('bad/Dockerfile: binary file (contains NUL bytes)\n');
    expect(result.stderr).toContain('bad/Dockerfile.latin1: not valid UTF-8\n');
    expect(readFileSync(join(work, 'good', 'Dockerfile'), 'utf8')).toBe(FIXED);
    expect(readFileSync(join(work, 'bad', 'Dockerfile')).equals(Buffer.from([0x46, 0x52, 0x00, 0x4d]))).toBe(true);
  });
  test('an unreadable file is an error for that file only', () => {
    if (process.getuid?.() === 0) {
      // root reads everything; make the file unreadable another way: a dangling symlink
      symlinkSync(join(work, 'nowhere'), join(work, 'Dockerfile'));
      const result = cachefix(['Dockerfile'], { cwd: work });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('Dockerfile: no such file or directory\n');
      return;
    }
    writeFileSync(join(work, 'Dockerfile'), NAIVE);
    chmodSync(join(work, 'Dockerfile'), 0);
    expect(cachefix(['Dockerfile'], { cwd: work }).stderr).toContain('Dockerfile: permission denied\n');
  });
  test('unknown options and unknown transform ids are usage errors (exit 2)', () => {
    expect(cachefix(['--frobnicate'], { cwd: work })).toMatchObject({ status: 2, stderr: expect.stringContaining('Unknown argument: frobnicate') });
    expect(cachefix(['--only', 'go/nope'], { cwd: work })).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown transform go/nope') });
  });
  test('paths after -- are paths, and a file named - (given as ./-) is a file, not stdin', () => {
    goApp(join(work, 'a'));
    goApp(join(work, 'b'));
    writeFileSync(join(work, '-'), NAIVE);
    expect(cachefix([...ONE, '--', '-'], { cwd: work, input: NAIVE }).stdout).toBe(NAIVE); // `-` after `--` is still stdin
    const result = cachefix([...ONE, '--write', '--', 'a/Dockerfile', './-'], { cwd: work });
    expect(result.stdout).toBe('wrote a/Dockerfile\n');
    expect(readFileSync(join(work, 'b', 'Dockerfile'), 'utf8')).toBe(NAIVE);
    expect(result.stderr).toContain('./-:3 go/mod-download-first skipped: no go.mod');
  });
  test('a symlink loop is an error for that path (exit 2), not a crash', () => {
    symlinkSync('loopy', join(work, 'loopy'));
    const result = cachefix(['loopy'], { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('loopy: too many levels of symbolic links\n');
  });
  test('dangling symlinks found while walking a directory are passed by', () => {
    goApp(work);
    symlinkSync(join(work, 'nowhere'), join(work, 'Dockerfile.gone'));
    expect(cachefix([...ONE, '--check', '.'], { cwd: work }).status).toBe(1);
  });
  test('--only with no ids is a usage error', () => {
    expect(cachefix(['--only=,'], { cwd: work })).toMatchObject({ status: 2, stderr: expect.stringContaining('--only needs transform ids') });
  });
  test('<Dockerfile>.dockerignore beside a Dockerfile outside the context is honoured', () => {
    goApp(join(work, 'ctx'), CLEAN);
    mkdirSync(join(work, 'build'));
    writeFileSync(join(work, 'build', 'Dockerfile'), NAIVE);
    writeFileSync(join(work, 'build', 'Dockerfile.dockerignore'), 'go.mod\n');
    const result = cachefix([...ONE, '--context', 'ctx', 'build/Dockerfile'], { cwd: work });
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('build/Dockerfile:3 go/mod-download-first skipped: build/Dockerfile.dockerignore excludes go.mod');
  });
  test('a --context that is not a directory is an error', () => {
    goApp(work);
    const result = cachefix(['--context', 'go.mod', 'Dockerfile'], { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Dockerfile: build context .*go\.mod is not a directory/);
  });
});

describe('directory discovery', () => {
  test('finds Dockerfile, Dockerfile.*, *.Dockerfile, *.dockerfile and Containerfile; skips node_modules, .git and git-ignored paths', () => {
    spawnSync('git', ['init', '-q'], { cwd: work });
    writeFileSync(join(work, '.gitignore'), 'ignored/\n');
    for (const path of ['Dockerfile', 'sub/Dockerfile.prod', 'sub/api.Dockerfile', 'sub/web.dockerfile', 'c/Containerfile',
      'node_modules/x/Dockerfile', 'ignored/Dockerfile', 'notes/Dockerfile.dockerignore', 'notes/README.md']) {
      mkdirSync(join(work, path, '..'), { recursive: true });
      writeFileSync(join(work, path), CLEAN);
    }
    const result = cachefix(['--check'], { cwd: work });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('cachefix: 5 files checked, 0 would change (0 fixes, 0 skipped)\n');
  });
  test('each Dockerfile uses its own directory as the build context', () => {
    goApp(join(work, 'svc-a'));
    mkdirSync(join(work, 'svc-b'));
    writeFileSync(join(work, 'svc-b', 'Dockerfile'), NAIVE); // no go.mod there
    const result = cachefix([...ONE, '--write', '.'], { cwd: work });
    expect(result.stdout).toBe('wrote svc-a/Dockerfile\n');
    expect(result.stderr).toContain('svc-b/Dockerfile:3 go/mod-download-first skipped: no go.mod at the root of the build context');
  });
});

describe('--format json', () => {
  test('one object per file with changes, skips and the diff; --check still exits 1; errors stay on stderr', () => {
    goApp(join(work, 'a'));
    mkdirSync(join(work, 'b'));
    writeFileSync(join(work, 'b', 'Dockerfile'), NAIVE);
    const result = cachefix([...ONE, '--format', 'json', '--check', 'a', 'b', 'missing/Dockerfile'], { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('missing/Dockerfile: no such file or directory\n');
    const reports = JSON.parse(result.stdout) as { path: string; changed: boolean; changes: { transform: string; line: number }[]; skips: { reason: string }[]; diff: string }[];
    expect(reports.map((r) => [r.path, r.changed])).toEqual([['missing/Dockerfile', false], ['a/Dockerfile', true], ['b/Dockerfile', false]]);
    expect(reports[1]?.changes.map((c) => [c.transform, c.line])).toEqual([['go/mod-download-first', 3]]);
    expect(applyPatch(NAIVE, reports[1]?.diff ?? '')).toBe(FIXED);
    expect(reports[2]?.skips[0]?.reason).toMatch(/^no go.mod at the root of the build context/);
    goApp(join(work, 'c'));
    expect(cachefix([...ONE, '--format', 'json', '--check', 'c'], { cwd: work }).status).toBe(1);
  });
});

describe('a warning that comes with a change (no lockfile)', () => {
  const NO_LOCKFILE = 'FROM node:20-alpine\nWORKDIR /usr/src/app\nCOPY . .\nRUN npm install\nCMD ["npm", "start"]\n';
  const WARNING = 'no lockfile in the build context: every build resolves the versions again, so the install is not reproducible (commit one, and keep it out of .dockerignore)';
  beforeEach(() => {
    writeFileSync(join(work, 'Dockerfile'), NO_LOCKFILE);
    writeFileSync(join(work, 'package.json'), '{"name":"app","version":"1.0.0","dependencies":{"express":"^4.0.0"}}\n');
  });
  const only = ['--only', 'node/manifest-first'];

  test('is printed on stderr under the change, and a lockfile silences it', () => {
    const result = cachefix([...only, 'Dockerfile'], { cwd: work });
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      'Dockerfile:3 node/manifest-first: the dependency install now depends only on package.json, the lockfile and the package manager settings, so a source change no longer reinstalls every package',
      `Dockerfile:3 node/manifest-first warning: ${WARNING}`,
    ]);
    writeFileSync(join(work, 'package-lock.json'), '{"name":"app","lockfileVersion":3,"requires":true,"packages":{}}\n');
    expect(cachefix([...only, 'Dockerfile'], { cwd: work }).stderr).not.toContain('warning');
  });

  test('is a field of the change in JSON and part of the result message in SARIF', () => {
    const json = JSON.parse(cachefix([...only, '--format', 'json', 'Dockerfile'], { cwd: work }).stdout) as { changes: { warning?: string }[] }[];
    expect(json[0]?.changes.map((c) => c.warning)).toEqual([WARNING]);
    const sarif = JSON.parse(cachefix([...only, '--format', 'sarif', 'Dockerfile'], { cwd: work }).stdout) as { runs: { results: { message: { text: string } }[] }[] };
    expect(sarif.runs[0]?.results[0]?.message.text).toMatch(new RegExp(` Warning: ${WARNING.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });
});

describe('information', () => {
  test('--list shows id, safety and title', () => {
    const result = cachefix(['--list'], { cwd: work });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^go\/mod-download-first\s+safe\s+Copy go\.mod and go\.sum/m);
  });
  test('--help teaches with examples and exit codes; --version prints the package version', () => {
    const help = cachefix(['--help'], { cwd: work });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('cachefix --check .');
    expect(help.stdout).toContain('Exit codes:');
    const version = cachefix(['--version'], { cwd: work });
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });
  test('no colour in a pipe; --color forces it', () => {
    goApp(work);
    expect(cachefix([], { cwd: work }).stdout).not.toContain('\u001b[');
    expect(cachefix(['--color'], { cwd: work }).stdout).toContain('\u001b[32m+COPY go.mod go.sum ./');
  });
});
