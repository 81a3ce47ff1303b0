/** Edge cases of go/trimpath that the examples do not show: where -trimpath already is, and what else compiles. */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { trimpath } from '../../transforms/go/trimpath.js';

const goMod = (go: string) => ({ 'go.mod': `module example.com/app\n\ngo ${go}\n`, 'main.go': 'package main\n\nfunc main() {}\n' });

function fix(dockerfile: string, files = goMod('1.22')) {
  const result = fixText(dockerfile, { transforms: [trimpath], context: memoryContext(files) });
  return { output: result.output, skips: result.skips.map((s) => s.reason) };
}

const golang = (body: string, image = 'golang:1.22') => `FROM ${image} AS build\nWORKDIR /src\nCOPY . .\n${body}\n`;

describe('adds -trimpath', () => {
  test.each([
    ['a go run of a pinned tool does not count as a compile of ours', golang('RUN go run golang.org/x/tools/cmd/stringer@v0.20.0 -type=T\nRUN go build .')],
    ['another image whose go.mod asks for Go 1.21', 'FROM debian:bookworm-slim AS build\nRUN go build .\n'],
    ['another image with Go copied from golang:1.22', 'FROM alpine:3.19 AS build\nCOPY --from=golang:1.22-alpine /usr/local/go /usr/local/go\nRUN go build .\n'],
    ['Go 1.18 on Alpine with gcc installed', golang('RUN apk add --no-cache build-base\nRUN go build .', 'golang:1.18-alpine')],
    ['a go test that has -trimpath itself', golang('RUN go test -trimpath ./...\nRUN go build .')],
  ])('%s', (_name, input) => {
    const result = fix(input, goMod('1.21'));
    expect(result.skips).toEqual([]);
    expect(result.output).toBe(input.replace('go build .', 'go build -trimpath .'));
  });
});

describe('leaves it alone', () => {
  test.each([
    ['a quoted ENV GOFLAGS with -trimpath among other flags', golang('ENV GOFLAGS="-mod=mod -trimpath"\nRUN go build .')],
    ['GOFLAGS exported earlier in the RUN', golang('RUN export GOFLAGS=-trimpath && go build .')],
    ['go env -w GOFLAGS', golang('RUN go env -w GOFLAGS=-trimpath\nRUN go build .')],
    ['GOFLAGS set in the stage it is built FROM', 'FROM golang:1.22 AS base\nENV GOFLAGS=-trimpath\nFROM base AS build\nRUN go build .\n'],
    ['--trimpath', golang('RUN go build --trimpath .')],
  ])('%s', (_name, input) => {
    expect(fix(input)).toEqual({ output: input, skips: [] });
  });
});

describe('skips with a reason', () => {
  test.each([
    ['make in a golang stage', golang('RUN make generate\nRUN go build .'), /^make in "RUN make generate" may compile the same packages without -trimpath/],
    ['go vet in another stage', golang('RUN go build .') + 'FROM golang:1.22 AS lint\nRUN go vet ./...\n', /^go vet in "RUN go vet \.\/\.\.\." compiles the same packages/],
    ['a go test in a heredoc', golang('RUN go build .\nRUN <<EOF\ngo test ./...\nEOF'), /^go test in "RUN <<EOF go test \.\/\.\.\. EOF" compiles/],
    ['-buildmode=shared', golang('RUN go install -buildmode=shared std'), /^-buildmode=shared: the program and the libraries/],
    ['a variable GOFLAGS', golang('ENV GOFLAGS=$EXTRA\nRUN go build .'), /^cannot tell whether ENV GOFLAGS sets -trimpath/],
    ['an image of unknown Go and a go.mod asking for less than 1.20', 'FROM mycompany/go:stable\nRUN go build .\n', /^cannot tell whether mycompany\/go:stable has Go 1.20 or later or a C compiler/],
  ])('%s', (_name, input, reason) => {
    const result = fix(input, goMod('1.19'));
    expect(result.output).toBe(input);
    expect(result.skips[result.skips.length - 1]).toMatch(reason);
  });
});
