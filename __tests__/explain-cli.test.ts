/**
 * `cachefix explain` as a user runs it: the report for the seed's naive Dockerfile, before and after
 * the rewrite, as text and JSON; `--since` in a real git repository; and exit 2 with `PATH: reason`
 * for what it cannot explain. (Agreement with a real builder: e2e/explain-builds.test.ts.)
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachefix } from './helpers/cli.js';
import { projectRoot } from './helpers/paths.js';

const seed = join(projectRoot, 'examples', 'go', 'mod-download-first', 'seed-naive');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cachefix-explain-'));
  for (const file of ['Dockerfile', 'go.mod', 'go.sum', 'main.go']) cpSync(join(seed, file), join(dir, file));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface JsonStep {
  readonly line: number;
  readonly keyword: string;
  readonly rerun: boolean;
  readonly cause: string | null;
  readonly cacheMounts: boolean;
}
interface JsonPrediction {
  readonly total: number;
  readonly rerun: number;
  readonly firstBreak: { readonly line: number; readonly reason: string } | null;
  readonly stages: readonly { readonly built: boolean; readonly steps: readonly JsonStep[] }[];
}
interface JsonExplanation {
  readonly dockerfile: string;
  readonly changes: { readonly files: readonly string[]; readonly args: readonly string[] };
  readonly original: JsonPrediction;
  readonly rewritten?: JsonPrediction;
}

const rerunLines = (p: JsonPrediction) => p.stages.flatMap((s) => s.steps.filter((step) => step.rerun).map((step) => step.line));

test('marks the steps a change to main.go reruns, and the first cache break', () => {
  const result = cachefix(['explain', '--changed', 'main.go'], { cwd: dir });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toBe(
    [
      'Dockerfile: what rebuilds when main.go changes',
      '',
      'stage 0 build (FROM golang:1.19, line 1)',
      '  cached    2  WORKDIR /app',
      '  rerun     3  COPY . .  <- the whole context matches main.go',
      '  rerun     4  RUN go mod download  follows line 3',
      '  rerun     5  RUN CGO_ENABLED=0 go build -o /app/main .  follows line 3',
      '',
      'stage 1 (FROM debian:bookworm-slim, line 7)',
      '  rerun     8  COPY --from=build /app/main /usr/local/bin/app  stage build was rebuilt, so the files it copies may differ',
      '  rerun     9  CMD ["app"]  follows line 8',
      '',
      'first cache break: line 3 COPY . . (the whole context matches main.go)',
      'original: 5 of 6 steps rerun (COPY . ., go mod download, CGO_ENABLED=0 go build -o /app/main ., COPY --from=build /app/main /usr/loca..., CMD ["app"])',
      '',
    ].join('\n'),
  );
});

test('--fix shows the rewrite beside the original: the download stays cached, the build has warm cache mounts', () => {
  const result = cachefix(['explain', '--changed', 'main.go', '--fix'], { cwd: dir });
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('\n== rewritten by cachefix\n');
  expect(result.stdout).toContain('  cached    4  RUN go mod download\n');
  expect(result.stdout).toContain('  rerun     7  RUN CGO_ENABLED=0 go build -trimpath -o /app/main . (warm cache mounts)  follows line 6\n');
  expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
    'original: 5 of 6 steps rerun (COPY . ., go mod download, CGO_ENABLED=0 go build -o /app/main ., COPY --from=build /app/main /usr/loca..., CMD ["app"]); ' +
      'rewritten: 4 of 7 steps rerun (COPY . ., CGO_ENABLED=0 go build -trimpath -o /... with warm cache mounts, COPY --from=build /app/main /usr/loca..., CMD ["app"])',
  );
  // explain never writes: neither the Dockerfile nor the .dockerignore the rewrite would add
  expect(cachefix(['--check', '.'], { cwd: dir }).status).toBe(1);
});

test('--format json carries the same prediction', () => {
  const result = cachefix(['explain', '--changed', 'go.mod', '--fix', '--format', 'json'], { cwd: dir });
  expect(result.status).toBe(0);
  const json = JSON.parse(result.stdout) as JsonExplanation;
  expect(json.dockerfile).toBe('Dockerfile');
  expect(json.changes).toEqual({ files: ['go.mod'], args: [] });
  expect([json.original.rerun, json.original.total, json.original.firstBreak?.line]).toEqual([5, 6, 3]);
  expect(rerunLines(json.original)).toEqual([3, 4, 5, 8, 9]);
  // a go.mod change breaks the rewrite's cache at the manifest copy: everything after it reruns
  expect(json.rewritten?.firstBreak?.line).toBe(3);
  expect(rerunLines(json.rewritten!)).toEqual([3, 4, 6, 7, 12, 13]);
});

test('a file the Dockerfile never copies reruns nothing; a .dockerignored one neither', () => {
  writeFileSync(join(dir, '.dockerignore'), 'notes.txt\n');
  writeFileSync(join(dir, 'notes.txt'), 'x\n');
  const result = cachefix(['explain', '--changed', 'notes.txt'], { cwd: dir });
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('the cache holds: no step reruns\noriginal: 0 of 6 steps rerun\n');
});

test('--changed-arg reruns from the first RUN that follows the ARG', () => {
  writeFileSync(join(dir, 'Dockerfile'), 'FROM golang:1.19\nWORKDIR /app\nCOPY . .\nARG VERSION\nRUN go build -ldflags "-X main.v=$VERSION" -o /app/main .\n');
  const json = JSON.parse(cachefix(['explain', '--changed-arg', 'VERSION', '--format', 'json'], { cwd: dir }).stdout) as JsonExplanation;
  expect(rerunLines(json.original)).toEqual([5]);
});

test('--builder buildah follows buildah 1.28, which keeps a COPY that spells a changed arg cached', () => {
  writeFileSync(join(dir, 'Dockerfile'), 'FROM debian\nARG DIR=app\nCOPY main.go /$DIR/\nCMD ["x"]\n');
  const run = (...extra: string[]) => JSON.parse(cachefix(['explain', '--changed-arg', 'DIR', '--format', 'json', ...extra], { cwd: dir }).stdout) as JsonExplanation & { builder: string };
  const buildkit = run();
  expect([buildkit.builder, rerunLines(buildkit.original)]).toEqual(['buildkit', [3, 4]]);
  const buildah = run('--builder', 'buildah');
  expect([buildah.builder, rerunLines(buildah.original)]).toEqual(['buildah', []]);
  expect(cachefix(['explain', '--changed-arg', 'DIR', '--builder', 'buildah'], { cwd: dir }).stdout).toMatch(/^Dockerfile: what rebuilds when build arg DIR changes \(buildah 1\.28 cache rules\)\n/);
});

test('--since takes the changed files from git, and .git itself when the context holds the repository', () => {
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  writeFileSync(join(dir, '.dockerignore'), 'notes.txt\n');
  git('add', '.');
  git('commit', '-qm', 'one');
  writeFileSync(join(dir, 'notes.txt'), 'untracked but ignored by Docker\n');
  let json = JSON.parse(cachefix(['explain', '--since', 'HEAD', '--format', 'json'], { cwd: dir }).stdout) as JsonExplanation;
  expect(json.changes.files).toEqual(['notes.txt']);
  expect(json.original.rerun).toBe(0);

  writeFileSync(join(dir, 'main.go'), `${'// a comment\n'}package main\n\nfunc main() {}\n`);
  git('commit', '-qam', 'two');
  json = JSON.parse(cachefix(['explain', '--since', 'HEAD~1', '--format', 'json'], { cwd: dir }).stdout) as JsonExplanation;
  expect(json.changes.files).toEqual(['main.go', 'notes.txt', '.git']);
  expect(json.original.firstBreak?.line).toBe(3);
});

test.each([
  [['explain', 'nope/Dockerfile'], /^nope\/Dockerfile: no such file or directory\n$/],
  [['explain', '.'], /^\/\S+: is a directory\n$/],
  [['explain', '--target', 'nope'], /^Dockerfile: no stage named nope \(stages: build\)\n$/],
  [['explain', '--changed', '../elsewhere.go'], /^\.\.\/elsewhere\.go: not inside the build context .*\n$/],
  [['explain', '--since', 'HEAD'], /^--since HEAD: git diff failed: .*\n$/],
  [['explain', '--format', 'yaml'], /^cachefix explain: Invalid values:/],
])('exit 2 with one reason on stderr: %j', (args, message) => {
  const result = cachefix(args, { cwd: dir, env: { GIT_CEILING_DIRECTORIES: tmpdir() } });
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
});

test('--help teaches the subcommand, and the main help points to it', () => {
  const help = cachefix(['explain', '--help'], { cwd: dir });
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('--changed');
  expect(help.stdout).toContain('Exit codes: 0 explained, 2 usage error');
  expect(cachefix(['--help'], { cwd: dir }).stdout).toContain('cachefix explain [Dockerfile] --changed FILE...');
});
