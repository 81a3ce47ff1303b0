/** The pure parts of `cachefix prove`: step logs, harmless edits, tar trees, image comparison, the typical change. */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { committedImages, parseSteps } from '../../src/prove/step-log.js';
import { harmlessEdit } from '../../src/prove/harmless-edit.js';
import { TarTree } from '../../src/prove/tar-tree.js';
import { compareImages, type ImageConfig, type ImageSnapshot, type RewriteFacts, type TreeEntry } from '../../src/prove/image-compare.js';
import { typicalChange } from '../../src/prove/typical-change.js';
import { parseDockerfile } from '../../src/engine/parse.js';
import { splitWords } from '../../src/cli/prove-cli.js';
import { goBuildInfo, unexplainedBuildInfo } from '../../src/prove/go-buildinfo.js';

describe('step logs', () => {
  test('BuildKit plain progress: steps with CACHED or DONE, without internal vertices and FROM', () => {
    const log = [
      '#4 [build 1/4] FROM docker.io/library/golang:1.19',
      '#4 CACHED',
      '#1 [internal] load build definition from Dockerfile',
      '#1 DONE 0.0s',
      '#5 [build 2/4] WORKDIR /app',
      '#5 CACHED',
      '#6 [build 3/4] COPY . .',
      '#6 DONE 0.1s',
      '#7 [build 4/4] RUN go build -o /app/main .',
      '#7 0.512 [some output in brackets]',
      '#7 DONE 12.3s',
      '#8 [stage-1 2/2] COPY --from=build /app/main /usr/local/bin/app',
      '#8 DONE 0.0s',
    ].join('\n');
    expect(parseSteps(log, 'buildkit')).toEqual([
      { text: 'WORKDIR /app', cached: true },
      { text: 'COPY . .', cached: false },
      { text: 'RUN go build -o /app/main .', cached: false },
      { text: 'COPY --from=build /app/main /usr/local/bin/app', cached: false },
    ]);
  });

  test('buildah: STEP lines, "Using cache", and the images a build committed', () => {
    const log = [
      '[1/2] STEP 1/3: FROM golang:1.19 AS build',
      '[1/2] STEP 2/3: WORKDIR /app',
      '--> Using cache 99d49bc40bfa94ab971e0494069e63837c07408eac5d1ecc489f260f4c1e6dbe',
      '--> 99d49bc40bf',
      '[1/2] STEP 3/3: RUN go build .',
      '--> 5d0d832d4e6',
      '[2/2] STEP 1/2: FROM debian:bookworm-slim',
      '[2/2] STEP 2/2: CMD ["app"]',
      '[2/2] COMMIT cachefix-prove-x',
      '--> d5e84d393fa',
      'Successfully tagged localhost/cachefix-prove-x:latest',
    ].join('\n');
    expect(parseSteps(log, 'buildah')).toEqual([
      { text: 'WORKDIR /app', cached: true },
      { text: 'RUN go build .', cached: false },
      { text: 'CMD ["app"]', cached: false },
    ]);
    expect(committedImages(log)).toEqual(['5d0d832d4e6', 'd5e84d393fa']);
  });
});

describe('harmless edits', () => {
  const edit = (path: string, text: string) => harmlessEdit(path, Buffer.from(text), 'ab12').content.toString();
  test.each([
    ['main.go', 'package main\n', 'package main\n// cachefix prove ab12: harmless edit\n'],
    ['app/main.py', 'print(1)', 'print(1)\n# cachefix prove ab12: harmless edit\n'],
    ['src/index.ts', 'x();\r\n', 'x();\r\n// cachefix prove ab12: harmless edit\r\n'],
    ['pom.xml', '<project/>\n', '<project/>\n<!-- cachefix prove ab12: harmless edit -->\n'],
    ['style.css', 'a{}\n', 'a{}\n/* cachefix prove ab12: harmless edit */\n'],
    ['go.mod', 'module x\n', 'module x\n// cachefix prove ab12: harmless edit\n'],
    ['requirements-dev.txt', 'x==1\n', 'x==1\n# cachefix prove ab12: harmless edit\n'],
    ['package.json', '{"a":1}\n', '{"a":1}\n\n'],
    ['notes.md', 'hi', 'hi\n'],
  ])('%s', (path, before, after) => {
    expect(edit(path, before)).toBe(after);
  });
  test('a binary file gets a newline and a warning', () => {
    const result = harmlessEdit('logo.go', Buffer.from([1, 0, 2]), 'ab12');
    expect([...result.content]).toEqual([1, 0, 2, 10]);
    expect(result.description).toMatch(/binary/);
  });
});

describe('tar trees', () => {
  test('reads what tar wrote, in any chunking: long paths, links, modes, hashes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cachefix-tartree-'));
    try {
      const root = join(dir, 'root');
      const deep = join(root, 'a'.repeat(60), 'b'.repeat(60));
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(deep, 'long-name-file.txt'), 'deep\n');
      writeFileSync(join(root, 'app'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(3000, 7)]));
      chmodSync(join(root, 'app'), 0o755);
      linkSync(join(root, 'app'), join(root, 'app2'));
      symlinkSync('app', join(root, 'link'));
      const tar = execFileSync('tar', ['--format=pax', '-C', root, '-cf', '-', '.']);
      const tree = new TarTree();
      for (let i = 0; i < tar.length; i += 777) tree.push(tar.subarray(i, i + 777));
      const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
      const app = tree.files.get('/app');
      expect(app).toEqual({ kind: 'file', mode: 0o755, size: 3004, hash: sha(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(3000, 7)])), elf: true, goBuild: null });
      expect(tree.files.get('/app2')).toEqual(app);
      expect(tree.files.get('/link')).toEqual({ kind: 'symlink', mode: 0o777, size: 0, hash: 'app', elf: false });
      expect(tree.files.get(`/${'a'.repeat(60)}/${'b'.repeat(60)}/long-name-file.txt`)).toMatchObject({ kind: 'file', size: 5, hash: sha('deep\n') });
      expect(tree.files.get(`/${'a'.repeat(60)}`)?.kind).toBe('dir');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('image comparison', () => {
  const file = (hash: string, extra: Partial<TreeEntry> = {}): TreeEntry => ({ kind: 'file', mode: 0o644, size: hash.length, hash, elf: false, ...extra });
  const config: ImageConfig = { env: ['PATH=/usr/bin'], entrypoint: null, cmd: ['app'], user: '', workdir: '/app', exposedPorts: [] };
  const image = (files: Record<string, TreeEntry>, overrides: Partial<ImageConfig> = {}): ImageSnapshot => ({ files: new Map(Object.entries(files)), config: { ...config, ...overrides } });
  const facts: RewriteFacts = {
    applied: ['go/trimpath', 'go/build-cache-mount', 'docker/dockerignore'],
    changedContextFiles: ['Dockerfile', '.dockerignore'],
    newlyIgnored: (p) => p === '.git' || p.startsWith('.git/'),
    cacheMounts: ['/go/pkg/mod', '/root/.cache/go-build'],
  };

  test('identical images have no difference', () => {
    const a = image({ '/app/main.go': file('x') });
    expect(compareImages(a, a, facts)).toEqual([]);
  });

  test('what the transforms explain is expected', () => {
    const original = image({
      '/usr/local/bin/app': file('aaaa', { mode: 0o755, elf: true }),
      '/app/Dockerfile': file('old'),
      '/app/.git/HEAD': file('ref'),
      '/go/pkg/mod/cache/x.zip': file('zip'),
      '/var/log/dpkg.log': file('then'),
    });
    const dir: TreeEntry = { kind: 'dir', mode: 0o755, size: 0, hash: '', elf: false };
    const rewritten = image({ '/usr/local/bin/app': file('bbb', { mode: 0o755, elf: true }), '/app/Dockerfile': file('new'), '/app/.dockerignore': file('.git'), '/go': dir, '/go/pkg': dir });
    const differences = compareImages(original, rewritten, facts);
    expect(differences.map((d) => [d.subject, d.kind, d.expected === null])).toEqual([
      ['/app/.dockerignore', 'added', false],
      ['/app/.git/HEAD', 'removed', false],
      ['/app/Dockerfile', 'changed', false],
      ['/go', 'added', false],
      ['/go/pkg', 'added', false],
      ['/go/pkg/mod/cache/x.zip', 'removed', false],
      ['/usr/local/bin/app', 'changed', false],
      ['/var/log/dpkg.log', 'removed', false],
    ]);
    expect(differences.find((d) => d.subject === '/usr/local/bin/app')?.expected).toBe(
      'a compiled binary: -trimpath removes build paths from the binary (go/trimpath); without .git in the context Go stamps no vcs.revision (docker/dockerignore)',
    );
    // no .git kept out: the vcs stamp is no reason
    const noGit = compareImages(original, rewritten, { ...facts, newlyIgnored: () => false }).find((d) => d.subject === '/usr/local/bin/app');
    expect(noGit?.expected).toBe('a compiled binary: -trimpath removes build paths from the binary (go/trimpath)');
  });

  test('a missing binary, a changed mode, a changed script and config changes are unexpected', () => {
    const original = image({ '/usr/local/bin/app': file('aaaa', { elf: true }), '/etc/app.conf': file('a'), '/entry.sh': file('run', { mode: 0o755 }) }, { env: ['PATH=/usr/bin', 'GOPATH=/go'] });
    const rewritten = image({ '/etc/app.conf': file('a', { mode: 0o600 }), '/entry.sh': file('ran', { mode: 0o755 }) }, { cmd: ['other'], user: 'nobody', exposedPorts: ['8080/tcp'] });
    const differences = compareImages(original, rewritten, facts);
    expect(differences.map((d) => [d.subject, d.detail, d.expected])).toEqual([
      ['/entry.sh', 'content (same size)', null],
      ['/etc/app.conf', 'mode 644 -> 600', null],
      ['/usr/local/bin/app', 'file, 4 bytes', null],
      ['env GOPATH', '"/go" -> (unset)', null],
      ['cmd', '["app"] -> ["other"]', null],
      ['user', '"" -> "nobody"', null],
      ['exposed ports', '[] -> ["8080/tcp"]', null],
    ]);
  });

  test('a Go binary whose build info differs beyond what the transforms explain is unexpected', () => {
    const build = ['go\tgo1.19.8', 'path\texample.com/app', 'build\t-compiler=gc'];
    const a = image({ '/app': file('aa', { elf: true, goBuild: build }) });
    const trimmed = image({ '/app': file('bb', { elf: true, goBuild: [...build, 'build\t-trimpath=true'] }) });
    expect(compareImages(a, trimmed, facts)[0]?.expected).toMatch(/^a compiled binary: -trimpath/);
    const ldflags = image({ '/app': file('bb', { elf: true, goBuild: [...build, 'build\t-trimpath=true', 'build\t-ldflags="-X main.v=2"'] }) });
    expect(compareImages(a, ldflags, facts)[0]).toEqual({ subject: '/app', kind: 'changed', detail: 'content (same size); Go build info: + build\t-ldflags="-X main.v=2"', expected: null });
  });

  test('a binary that changed without a transform that changes binaries is unexpected', () => {
    const differences = compareImages(image({ '/app': file('aa', { elf: true }) }), image({ '/app': file('bb', { elf: true }) }), { ...facts, applied: ['go/mod-download-first'] });
    expect(differences[0]?.expected).toBeNull();
  });
});

describe('the typical change', () => {
  const doc = parseDockerfile('FROM golang:1.19\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY cmd/ cmd/\nRUN go build ./cmd/app\n');
  test('a source file the build copies, entry points and shallow paths first, tests last', () => {
    const files = ['README.md', 'go.mod', 'go.sum', 'tools/gen.go', 'cmd/app/util_test.go', 'cmd/app/util.go', 'cmd/app/main.go'];
    expect(typicalChange(doc, files, { target: null, ignores: () => false, builder: 'buildkit' })).toBe('cmd/app/main.go');
  });
  test('none when the build copies no source file, or .dockerignore hides it', () => {
    expect(typicalChange(doc, ['tools/gen.go', 'go.mod'], { target: null, ignores: () => false, builder: 'buildkit' })).toBeNull();
    expect(typicalChange(doc, ['cmd/app/main.go'], { target: null, ignores: (p) => p.startsWith('cmd'), builder: 'buildkit' })).toBeNull();
  });
});

test('--run words: quotes, no shell', () => {
  expect(splitWords(`/app --name "a b" 'c d' e\\"f`)).toEqual(['/app', '--name', 'a b', 'c d', 'e\\"f']);
});

describe('Go build info', () => {
  /** A binary laid out as Go 1.18+ writes it: the 16-byte aligned header, then varint-prefixed strings. */
  function goBinary(version: string, modinfo: string, offset = 48): Buffer {
    const varint = (n: number) => (n < 128 ? Buffer.from([n]) : Buffer.from([(n & 0x7f) | 0x80, n >> 7]));
    const sentinel = Buffer.alloc(16, 0x30);
    const info = Buffer.concat([sentinel, Buffer.from(modinfo, 'latin1'), sentinel]);
    const header = Buffer.concat([Buffer.from('\xff Go buildinf:', 'latin1'), Buffer.from([8, 2]), Buffer.alloc(16)]);
    return Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(offset - 4), header, varint(version.length), Buffer.from(version), varint(info.length), info, Buffer.alloc(40)]);
  }
  const modinfo = 'path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\texample.com/heavydep\tv1.0.0\th1:x=\nbuild\t-compiler=gc\nbuild\tCGO_ENABLED=1\nbuild\tGOOS=linux\n';

  test('reads the version and the module lines', () => {
    expect(goBuildInfo(goBinary('go1.19.8', modinfo))).toEqual({
      version: 'go1.19.8',
      lines: ['path\texample.com/app', 'mod\texample.com/app\t(devel)\t', 'dep\texample.com/heavydep\tv1.0.0\th1:x=', 'build\t-compiler=gc', 'build\tCGO_ENABLED=1', 'build\tGOOS=linux'],
    });
  });

  test('none without the magic at a 16-byte boundary', () => {
    expect(goBuildInfo(goBinary('go1.19.8', modinfo, 40))).toBeNull();
    expect(goBuildInfo(Buffer.from('\x7fELF no go here'))).toBeNull();
  });

  const base = ['path\texample.com/app', 'build\t-compiler=gc', 'build\tCGO_ENABLED=1', 'build\tCGO_CFLAGS=', 'build\tGOOS=linux'];
  test('settings a transform changes on purpose are explained', () => {
    const rewritten = ['path\texample.com/app', 'build\t-compiler=gc', 'build\t-ldflags="-s -w -X main.v=1"', 'build\t-trimpath=true', 'build\tCGO_ENABLED=0', 'build\tGOOS=linux'];
    const original = [...base, 'build\t-ldflags="-X main.v=1"'];
    expect(unexplainedBuildInfo(original, rewritten, ['go/trimpath', 'go/strip-symbols', 'go/static-binary-for-minimal-final'], false)).toEqual([]);
  });

  test('-trimpath leaves CGO_CFLAGS and -ldflags out of the build info', () => {
    const trimmed = ['path\texample.com/app', 'build\t-compiler=gc', 'build\t-trimpath=true', 'build\tCGO_ENABLED=1', 'build\tGOOS=linux'];
    expect(unexplainedBuildInfo([...base, 'build\t-ldflags="-X main.v=1"'], trimmed, ['go/trimpath'], false)).toEqual([]);
    expect(unexplainedBuildInfo([...base, 'build\t-ldflags="-X main.v=1"'], trimmed, ['go/mod-download-first'], false)).toEqual([
      '- build\tCGO_CFLAGS=',
      '- build\t-ldflags="-X main.v=1"',
      '+ build\t-trimpath=true',
    ]);
  });

  test('another main package, other ldflags, other dependencies, or a setting no transform explains are not', () => {
    const other = ['path\texample.com/app/cmd/other', 'build\t-compiler=gc', 'build\t-ldflags="-X main.v=2"', 'build\tCGO_ENABLED=1', 'build\tCGO_CFLAGS=', 'build\tGOOS=linux', 'build\t-trimpath=true'];
    expect(unexplainedBuildInfo([...base, 'build\t-ldflags="-X main.v=1"'], other, ['go/trimpath', 'go/strip-symbols'], false)).toEqual([
      '- path\texample.com/app',
      '- build\t-ldflags="-X main.v=1"',
      '+ path\texample.com/app/cmd/other',
      '+ build\t-ldflags="-X main.v=2"',
    ]);
    expect(unexplainedBuildInfo(base, [...base, 'build\t-trimpath=true'], [], false)).toEqual(['+ build\t-trimpath=true']);
  });
});
