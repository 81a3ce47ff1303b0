/** Edge cases of go/static-binary-for-minimal-final that the examples do not show. */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { staticBinaryForMinimalFinal } from '../../transforms/go/static-binary-for-minimal-final.js';

const MODULE = { 'go.mod': 'module example.com/app\n\ngo 1.21\n', 'main.go': 'package main\n\nfunc main() {}\n' };

function fix(dockerfile: string, files: Record<string, string> = MODULE) {
  const result = fixText(dockerfile, { transforms: [staticBinaryForMinimalFinal], context: memoryContext(files) });
  return { output: result.output, skips: result.skips.map((s) => s.reason) };
}

const build = (run: string, extra = '') => `FROM golang:1.21 AS build\nWORKDIR /src\nCOPY . .\n${extra}RUN ${run}\n\nFROM scratch\nCOPY --from=build /src/app /app\n`;

describe('leaves the build alone', () => {
  test('-extldflags -static with no go.mod in the context: the flags alone hold it back', () => {
    const input = build(`go build -ldflags '-extldflags "-static"' -o app .`).replace('golang:1.21', 'golang:1.19-alpine');
    expect(fix(input, {}).skips).toEqual([]);
    expect(fix(input, {}).output).toBe(input);
  });
  test.each([
    ['ENV CGO_ENABLED', build('go build -o app .', 'ENV CGO_ENABLED=1\n')],
    ['an ARG CGO_ENABLED', build('go build -o app .', 'ARG CGO_ENABLED\n')],
    ['export earlier in the RUN', build('export CGO_ENABLED=1 && go build -o app .')],
    ['go env -w in an earlier RUN', build('go build -o app .', 'RUN go env -w CGO_ENABLED=1\n')],
    ['a static cgo link', build(`go build -ldflags '-linkmode external -extldflags "-static"' -o app .`)],
    // cgo packages (go-sqlite3) link externally by themselves: -extldflags -static alone is a static cgo binary
    ['-extldflags "-static" without -linkmode', build(`go build -ldflags '-extldflags "-static"' -o app .`)],
    ['-extldflags=-static beside -s -w', build('go build -ldflags "-s -w -extldflags=-static" -o app .')],
    ['-extldflags with -static among other linker flags', build(`go build -tags netgo -ldflags '-w -extldflags "-lm -static"' -o app .`)],
    ['a copy of certificates only', build('go build -o app .').replace('/src/app /app', '/etc/ssl/certs /etc/ssl/certs')],
    ['a copy of a path no build writes', build('go build -o app .').replace('/src/app /app', '/src/config.yaml /config.yaml')],
    ['golang:alpine with Go >= 1.20 and no compiler', build('go build -o app .').replace('golang:1.21', 'golang:1.21-alpine')],
    ['a Windows image', build('go build -o app .').replace('golang:1.21', 'golang:1.21-windowsservercore-ltsc2022')],
    ['a debian final image', build('go build -o app .').replace('FROM scratch', 'FROM debian:bookworm-slim')],
  ])('%s', (_name, dockerfile) => {
    const result = fix(dockerfile);
    expect(result.output).toBe(dockerfile);
    expect(result.skips).toEqual([]);
  });
});

describe('rewrites', () => {
  test('a golang tag from a global ARG default, and COPY --from by stage index', () => {
    const input = 'ARG GO=1.17-alpine\nFROM golang:${GO}\nWORKDIR /src\nCOPY . .\nRUN go build -o app .\nFROM scratch\nCOPY --from=0 /src/app /app\n';
    expect(fix(input).output).toBe(input.replace('RUN go build', 'RUN CGO_ENABLED=0 go build'));
  });
  test('a runtime stage built FROM an alpine stage', () => {
    const input = 'FROM alpine:3.19 AS base\nRUN apk add --no-cache ca-certificates\nFROM golang:1.21 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o app .\nFROM base\nCOPY --from=build /src/app /app\n';
    expect(fix(input).output).toContain('RUN CGO_ENABLED=0 go build -o app .');
  });
  test('a whole directory copy that holds the binary; the prefix goes before other assignments', () => {
    const input = 'FROM golang:1.21 AS build\nWORKDIR /src\nCOPY . .\nRUN GOOS=linux go build -o bin/app .\nFROM busybox\nCOPY --from=build /src/bin/ /usr/local/bin/\n';
    expect(fix(input).output).toContain('RUN CGO_ENABLED=0 GOOS=linux go build -o bin/app .');
  });
  test('pure-Go build tags and a Debian base whose golang package brings gcc', () => {
    const input = 'FROM debian:bookworm AS build\nRUN apt-get update && apt-get install -y golang\nWORKDIR /src\nCOPY . .\nRUN go build -tags netgo,osusergo -o app .\nFROM scratch\nCOPY --from=build /src/app /app\n';
    expect(fix(input).output).toContain('RUN CGO_ENABLED=0 go build -tags netgo,osusergo -o app .');
  });
  test('cgo in vendor/ and testdata/ does not count', () => {
    const files = { ...MODULE, 'vendor/x/c.go': 'package x\n\nimport "C"\n', 'testdata/c.go': 'package t\n\nimport "C"\n' };
    expect(fix(build('go build -o app .'), files).output).toContain('CGO_ENABLED=0 go build');
  });
  test('idempotent', () => {
    const once = fix(build('go build -o app .')).output;
    expect(once).toContain('RUN CGO_ENABLED=0 go build -o app .');
    expect(fix(once).output).toBe(once);
  });
});

describe('skips with a reason', () => {
  test('import "C" inside an import block', () => {
    const files = { ...MODULE, 'pkg/c.go': 'package pkg\n\nimport (\n\t"fmt"\n\t"C"\n)\n' };
    expect(fix(build('go build -o app .'), files).skips).toEqual([expect.stringMatching(/^pkg\/c\.go imports "C"/)]);
  });
  test('a cgo module of any major version, in a nested go.mod', () => {
    const files = { ...MODULE, 'tools/go.mod': 'module example.com/tools\n\nrequire github.com/confluentinc/confluent-kafka-go/v2 v2.3.0\n', 'tools/main.go': 'package main\n' };
    expect(fix(build('go build -o app .'), files).skips).toEqual([expect.stringMatching(/^tools\/go\.mod requires github\.com\/confluentinc\/confluent-kafka-go\/v2/)]);
  });
  test.each([
    ['-tags sqlite_omit_load_extension', /^-tags sqlite_omit_load_extension selects cgo code/],
    ['-race', /^-race needs cgo/],
    ['-buildmode=plugin', /^-buildmode=plugin may need cgo/],
  ])('%s', (flag, reason) => {
    expect(fix(build(`go build ${flag} -o app .`)).skips).toEqual([expect.stringMatching(reason)]);
  });
  test('GOFLAGS with cgo tags', () => {
    expect(fix(build('go build -o app .', 'ENV GOFLAGS=-tags=libsqlite3\n')).skips).toEqual([expect.stringMatching(/^-tags libsqlite3 selects cgo code/)]);
  });
  test('too many files to check', () => {
    const files: Record<string, string> = { ...MODULE };
    for (let i = 0; i <= 5000; i++) files[`gen/f${i}.go`] = 'package gen\n';
    expect(fix(build('go build -o app .'), files).skips).toEqual(['too many files to check for cgo (more than 5000 .go files)']);
  });
  test('a golang tag that cannot be resolved', () => {
    expect(fix(build('go build -o app .').replace('golang:1.21', 'golang:${GO_VERSION}')).skips).toEqual([expect.stringMatching(/^cannot tell whether golang:\$\{GO_VERSION\} can link cgo/)]);
  });
  test('a heredoc RUN that builds', () => {
    const input = 'FROM golang:1.21 AS build\nWORKDIR /src\nCOPY . .\nRUN <<EOF\ngo build -o app .\nEOF\nFROM scratch\nCOPY --from=build /src/app /app\n';
    expect(fix(input).skips).toEqual([expect.stringMatching(/^cannot read the RUN on line 4 \(RUN uses a heredoc\)/)]);
  });
  test.each([
    ['apk add gcc musl-dev on golang:alpine', 'golang:1.19-alpine', 'RUN apk add --no-cache gcc musl-dev\n', 'the build stage installs a C compiler ("RUN apk add --no-cache gcc musl-dev")'],
    ['apk add build-base', 'golang:1.22-alpine', 'RUN apk add build-base git\n', 'the build stage installs a C compiler ("RUN apk add build-base git")'],
    ['apt-get install build-essential on Debian', 'golang:1.21', 'RUN apt-get update && apt-get install -y build-essential\n', 'the build stage installs a C compiler ("RUN apt-get update && apt-get install -y build-essential")'],
    ['CGO_ENABLED=1 for go test in another RUN', 'golang:1.21', 'RUN CGO_ENABLED=1 go test ./...\n', '"RUN CGO_ENABLED=1 go test ./..." sets CGO_ENABLED=1'],
  ])('signs that cgo is wanted, with or without a go.mod: %s', (_name, image, extra, sign) => {
    const input = build('go build -o app .', extra).replace('golang:1.21', image);
    const reason = `${sign}, so the build may need cgo: set CGO_ENABLED=0 by hand if it does not, or link it statically`;
    expect(fix(input)).toEqual({ output: input, skips: [reason] });
    expect(fix(input, {})).toEqual({ output: input, skips: [reason] });
  });
  test('CGO_ENABLED=1 in another stage', () => {
    const input = `FROM golang:1.21 AS test\nENV CGO_ENABLED=1\nRUN go test ./...\n\n${build('go build -o app .')}`;
    expect(fix(input).skips).toEqual(['"ENV CGO_ENABLED=1" sets CGO_ENABLED=1, so the build may need cgo: set CGO_ENABLED=0 by hand if it does not, or link it statically']);
  });
  test('a go.mod that requires a cgo module outranks the signs', () => {
    const files = { ...MODULE, 'go.mod': 'module example.com/app\n\ngo 1.21\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n' };
    const input = build('go build -o app .', 'RUN apt-get update && apt-get install -y gcc\n');
    expect(fix(input, files).skips).toEqual([expect.stringMatching(/^go\.mod requires github\.com\/mattn\/go-sqlite3, which needs cgo/)]);
  });
  test('a base image that may or may not have a C compiler', () => {
    const input = 'FROM ubuntu:24.04 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o app .\nFROM scratch\nCOPY --from=build /src/app /app\n';
    expect(fix(input).skips).toEqual([expect.stringMatching(/^cannot tell whether ubuntu:24.04 has a C compiler/)]);
  });
});
