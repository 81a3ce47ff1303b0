/**
 * Which Go a stage has, and what each transform makes of it: -trimpath needs Go 1.13, `go mod
 * download` modules (Go 1.11) outside GOPATH mode, the caches Go 1.10, and vendor/ is the default
 * only from Go 1.14. The version comes from the golang tag (ARG defaults filled in), a copied or
 * downloaded Go, and else go.mod's go line.
 */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import type { Transform } from '../../src/engine/transform.js';
import { transforms } from '../../transforms/index.js';
import { buildCacheMount } from '../../transforms/go/build-cache-mount.js';
import { modDownloadFirst } from '../../transforms/go/mod-download-first.js';
import { trimpath } from '../../transforms/go/trimpath.js';
import { vendorMode } from '../../transforms/go/vendor-mode.js';

const MAIN = 'package main\n\nfunc main() {}\n';
const goMod = (go: string | null) => ({ 'go.mod': `module example.com/app\n${go === null ? '' : `\ngo ${go}\n`}\nrequire example.com/dep v1.0.0\n`, 'go.sum': '', 'main.go': MAIN });

function fix(dockerfile: string, only: readonly Transform[], files: Record<string, string> = goMod('1.12')) {
  const result = fixText(dockerfile, { transforms: only, context: memoryContext(files) });
  return { output: result.output, skips: result.skips.map((s) => s.reason) };
}

describe('go/trimpath and the Go version', () => {
  const build = (from: string, extra = '') => `${from}\nWORKDIR /src\nCOPY . .\n${extra}RUN CGO_ENABLED=0 go build -o /app .\n`;
  test.each([
    ['a patch-level Debian tag', 'FROM golang:1.12.17-stretch', '', 'golang:1.12.17-stretch has Go 1.12.17'],
    ['an Alpine tag with its Alpine version', 'FROM golang:1.12-alpine3.10 AS build', '', 'golang:1.12-alpine3.10 has Go 1.12'],
    ['a tag and a digest', 'FROM golang:1.11@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', '', 'golang:1.11@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef has Go 1.11'],
    ['a global ARG default', 'ARG GO_VERSION=1.12\nFROM golang:${GO_VERSION}-alpine', '', 'golang:1.12-alpine has Go 1.12'],
    ['a mirror of the golang image', 'FROM mirror.gcr.io/library/golang:1.10', '', 'mirror.gcr.io/library/golang:1.10 has Go 1.10'],
    ['Go copied from an old golang image', 'FROM alpine:3.9', 'COPY --from=golang:1.12-alpine /usr/local/go /usr/local/go\n', 'alpine:3.9 has Go 1.12'],
    ['a downloaded tarball', 'FROM debian:stretch', 'RUN curl -fsSL https://dl.google.com/go/go1.12.5.linux-amd64.tar.gz | tar -C /usr/local -xz\n', 'debian:stretch has Go 1.12.5'],
    ['a tarball named through an ARG default', 'FROM debian:stretch\nARG GO_VERSION=1.11.13', 'RUN wget -q https://golang.org/dl/go${GO_VERSION}.linux-amd64.tar.gz\n', 'debian:stretch has Go 1.11.13'],
    ['ENV GOLANG_VERSION', 'FROM buildpack-deps:stretch-scm\nENV GOLANG_VERSION 1.12.9', '', 'buildpack-deps:stretch-scm has Go 1.12.9'],
  ])('skips old Go: %s', (_name, from, extra, has) => {
    const input = build(from, extra);
    // go.mod's newer go line does not count: the image's Go is what runs
    expect(fix(input, [trimpath], goMod('1.21'))).toEqual({ output: input, skips: [`${has}, and -trimpath needs Go 1.13 or later`] });
  });

  test.each([
    ['an untagged golang image', 'FROM golang'],
    ['golang:latest', 'FROM golang:latest'],
    ['golang:1-alpine', 'FROM golang:1-alpine'],
    ['golang:alpine', 'FROM golang:alpine'],
    ['an ARG default of a modern Go', 'ARG GO=1.21\nFROM golang:${GO}'],
    ['Go 1.13 exactly', 'FROM golang:1.13'],
    ['another image with a go.mod asking for Go 1.13', 'FROM company/go-builder:7'],
  ])('adds it: %s', (_name, from) => {
    const input = build(from);
    expect(fix(input, [trimpath], goMod('1.13'))).toEqual({ output: input.replace('go build', 'go build -trimpath'), skips: [] });
  });

  test('an ARG without default in the tag: go.mod\'s go line stands in', () => {
    const input = build('ARG GO_VERSION\nFROM golang:${GO_VERSION}-alpine');
    expect(fix(input, [trimpath], goMod('1.20')).output).toContain('go build -trimpath');
    expect(fix(input, [trimpath], goMod('1.12')).skips).toEqual(['cannot tell whether golang:${GO_VERSION}-alpine has Go 1.13 or later, which -trimpath needs (an ARG without default in the image, and go.mod says go 1.12)']);
  });

  test('an unknown image and no go line: cannot tell', () => {
    const input = build('FROM company/go-builder:7');
    expect(fix(input, [trimpath], goMod(null)).skips).toEqual(['cannot tell whether company/go-builder:7 has Go 1.13 or later, which -trimpath needs (no Go version in its tag, and no go line in go.mod)']);
  });

  test('a digest-only golang image and a go line below 1.13: cannot tell', () => {
    const input = build('FROM golang@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    expect(fix(input, [trimpath], goMod('1.12')).skips).toEqual([expect.stringMatching(/^cannot tell whether golang@sha256:\w+ has Go 1\.13 or later, which -trimpath needs \(no Go version in its tag, and go\.mod says go 1\.12\)$/)]);
  });

  test('the version skip comes before the C compiler one (Go 1.12 on Alpine, cgo on)', () => {
    const input = 'FROM golang:1.12-alpine\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n';
    expect(fix(input, [trimpath]).skips).toEqual(['golang:1.12-alpine has Go 1.12, and -trimpath needs Go 1.13 or later']);
  });

  test('stages with different Go versions: the old one does not hold the new one back', () => {
    const input = 'FROM golang:1.12 AS legacy\nWORKDIR /src\nCOPY . .\nRUN go build -o /old .\n\nFROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /new .\n';
    expect(fix(input, [trimpath], goMod('1.22'))).toEqual({
      output: input.replace('go build -o /new', 'go build -trimpath -o /new'),
      skips: ['golang:1.12 has Go 1.12, and -trimpath needs Go 1.13 or later'],
    });
  });
});

describe('go/mod-download-first and module mode', () => {
  const stage = (from: string, workdir: string, extra = '') => `${from}\n${extra}WORKDIR ${workdir}\nCOPY . .\nRUN go get -d ./... && go build -o /app .\n`;
  const gopathSkip = (image: string, version: string, dir: string) =>
    `${image} has Go ${version}: before Go 1.13, go commands inside $GOPATH/src (${dir}) without GO111MODULE=on run in GOPATH mode, where go mod download fails`;
  test.each([
    ['Go 1.12 in $GOPATH/src', 'FROM golang:1.12', '/go/src/github.com/me/app', '', gopathSkip('golang:1.12', '1.12', '/go/src/github.com/me/app')],
    ['Go 1.11 with GO111MODULE=auto', 'FROM golang:1.11.13-alpine3.10', '/go/src/app', 'ENV GO111MODULE=auto\n', gopathSkip('golang:1.11.13-alpine3.10', '1.11.13', '/go/src/app')],
    ['a custom GOPATH', 'FROM golang:1.12', '/work/src/example.com/app', 'ENV GOPATH=/work\n', gopathSkip('golang:1.12', '1.12', '/work/src/example.com/app')],
    ['Go 1.10: no modules at all', 'FROM golang:1.10', '/src', '', 'golang:1.10 has Go 1.10, which predates modules (Go 1.11): the build runs in GOPATH mode, where go mod download fails'],
    ['GO111MODULE=off on a modern Go', 'FROM golang:1.21', '/src', 'ENV GO111MODULE=off\n', 'GO111MODULE=off: the build runs in GOPATH mode, where go mod download fails'],
    ['an ARG without default in $GOPATH/src with an old go line', 'ARG GO_VERSION\nFROM golang:${GO_VERSION}', '/go/src/app', '',
      'cannot tell whether golang:${GO_VERSION} has Go 1.13 or later (an ARG without default in the image, and go.mod says go 1.12): before Go 1.13, go commands inside $GOPATH/src (/go/src/app) without GO111MODULE=on run in GOPATH mode, where go mod download fails'],
    ['Go from a tarball, $HOME/go/src', 'FROM debian:stretch\nRUN curl -fsSL https://dl.google.com/go/go1.12.9.linux-amd64.tar.gz | tar -C /usr/local -xz', '/root/go/src/app', '',
      'debian:stretch has Go 1.12.9: before Go 1.13, go commands inside $GOPATH/src (/root/go/src/app) without GO111MODULE=on run in GOPATH mode, where go mod download fails'],
    ['an unknown Go in $GOPATH/src with an old go line', 'FROM golang@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', '/go/src/app', '',
      'cannot tell whether golang@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef has Go 1.13 or later (no Go version in its tag, and go.mod says go 1.12): before Go 1.13, go commands inside $GOPATH/src (/go/src/app) without GO111MODULE=on run in GOPATH mode, where go mod download fails'],
  ])('skips: %s', (_name, from, workdir, extra, reason) => {
    const input = stage(from, workdir, extra);
    expect(fix(input, [modDownloadFirst])).toEqual({ output: input, skips: [reason] });
  });

  test.each([
    ['Go 1.12 outside $GOPATH/src', 'FROM golang:1.12', '/src', ''],
    ['Go 1.12 in $GOPATH/src with GO111MODULE=on', 'FROM golang:1.12', '/go/src/github.com/me/app', 'ENV GO111MODULE=on\n'],
    ['Go 1.13 in $GOPATH/src', 'FROM golang:1.13', '/go/src/github.com/me/app', ''],
    ['an untagged golang in $GOPATH/src', 'FROM golang', '/go/src/github.com/me/app', ''],
  ])('downloads first: %s', (_name, from, workdir, extra) => {
    const result = fix(stage(from, workdir, extra), [modDownloadFirst]);
    expect(result.skips).toEqual([]);
    expect(result.output).toContain('COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n');
  });
});

describe('go/build-cache-mount and Go without caches', () => {
  test('Go 1.9 has no build cache: no mount', () => {
    const input = 'FROM golang:1.9\nWORKDIR /go/src/app\nCOPY . .\nRUN go build -o /app .\n';
    expect(fix(input, [buildCacheMount], { 'main.go': MAIN })).toEqual({
      output: input,
      skips: ['golang:1.9 has Go 1.9, which has no build cache (Go 1.10) or module cache (Go 1.11) to keep'],
    });
  });
  test('Go 1.10 has a build cache: mounted', () => {
    const input = 'FROM golang:1.10\nWORKDIR /go/src/app\nCOPY . .\nRUN go build -o /app .\n';
    expect(fix(input, [buildCacheMount], { 'main.go': MAIN }).output).toContain('--mount=type=cache,target=/root/.cache/go-build');
  });
});

describe('go/vendor-mode and the Go version', () => {
  const vendored = (go: string) => ({ ...goMod(go), 'vendor/modules.txt': '# example.com/dep v1.0.0\n## explicit\nexample.com/dep\n' });
  test('Go 1.12 in $GOPATH/src: GOPATH mode, where -mod is an error', () => {
    const input = 'FROM golang:1.12\nWORKDIR /go/src/example.com/app\nCOPY . .\nRUN go mod download\nRUN go build -o /app .\n';
    expect(fix(input, [vendorMode], vendored('1.12')).output).toBe(input);
    expect(fix(input, [vendorMode], vendored('1.12')).skips[0]).toMatch(/^golang:1\.12 has Go 1\.12: before Go 1\.13, go commands inside \$GOPATH\/src/);
  });
  test('go.mod says 1.14 but the image has Go 1.13: -mod=vendor all the same', () => {
    const input = 'FROM golang:1.13\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n';
    expect(fix(input, [vendorMode], vendored('1.14')).output).toBe(input.replace('go build', 'go build -mod=vendor'));
  });
  test('go.mod says 1.14 and the image has Go 1.14: nothing to add', () => {
    const input = 'FROM golang:1.14\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n';
    expect(fix(input, [vendorMode], vendored('1.14'))).toEqual({ output: input, skips: [] });
  });
});

describe('the default transforms on old Go', () => {
  const safe = transforms.filter((t) => t.safety === 'safe');
  test.each([
    ['Go 1.12 on Alpine, go 1.12 in go.mod', 'FROM golang:1.12-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -a -o /app .\n\nFROM scratch\nCOPY --from=build /app /app\n'],
    ['Go 1.10', 'FROM golang:1.10\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n'],
    ['Go 1.12 in $GOPATH/src', 'FROM golang:1.12\nWORKDIR /go/src/github.com/me/app\nCOPY . .\nRUN go get -d ./... && go build -o /app .\n'],
  ])('no -trimpath, and no download where modules are off: %s', (name, input) => {
    const output = fix(input, safe).output;
    expect(output).not.toContain('-trimpath');
    if (!name.startsWith('Go 1.12 on Alpine')) expect(output).not.toContain('go mod download');
  });
});

describe('go/mod-download-first names a Go RUN between the COPY and the download as such', () => {
  test('go clean -modcache would throw a moved download away', () => {
    const input = 'FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go clean -modcache\nRUN go mod download\nRUN go build -o /app .\n';
    expect(fix(input, [modDownloadFirst], goMod('1.19')).skips).toEqual(['"RUN go clean -modcache" empties the module cache after the source COPY, so a download moved above the COPY would be thrown away (drop the go clean first)']);
  });
  test('another go command', () => {
    const input = 'FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go version && go env\nRUN go build -o /app .\n';
    expect(fix(input, [modDownloadFirst], goMod('1.19')).skips).toEqual(['"RUN go version && go env" runs go after the source COPY and might change go.mod, go.sum or how go fetches modules: move it above the COPY, or, if it needs the sources and changes none of these, copy go.mod and go.sum and run go mod download above the COPY by hand']);
  });
});
