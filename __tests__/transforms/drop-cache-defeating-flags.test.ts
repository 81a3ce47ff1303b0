/** Edge cases of go/drop-cache-defeating-flags: which flags go, and the layout around them. */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { dropCacheDefeatingFlags } from '../../transforms/go/drop-cache-defeating-flags.js';

const MODULE = { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n\nfunc main() {}\n' };

function fix(dockerfile: string) {
  const result = fixText(dockerfile, { transforms: [dropCacheDefeatingFlags], context: memoryContext(MODULE) });
  return { output: result.output, skips: result.skips.map((s) => s.reason) };
}

const golang = (run: string) => `FROM golang:1.22 AS build\nENV CGO_ENABLED=0\nWORKDIR /src\nCOPY . .\n${run}\nCOPY config /etc/app/\n`;

describe('removes', () => {
  test.each([
    ['-a and -installsuffix on separate continuation lines', 'RUN go build \\\n    -a \\\n    -installsuffix cgo \\\n    -o /out/app .', 'RUN go build \\\n    -o /out/app .'],
    ['-installsuffix with its value on the next line', 'RUN go build -installsuffix \\\n    cgo -o /out/app .', 'RUN go build \\\n    -o /out/app .'],
    ['-installsuffix ending the RUN after a comment line', 'RUN go build -o /out/app \\\n    # legacy\n    -installsuffix cgo', 'RUN go build -o /out/app\n    # legacy'],
    ['--a=true and --installsuffix=static', 'RUN go build --a=true --installsuffix=static -o /out/app .', 'RUN go build -o /out/app .'],
    ['-a before a redirection', 'RUN go build -o /out/app -a . 2>&1', 'RUN go build -o /out/app . 2>&1'],
    ['-a right before the package', 'RUN go build -a .', 'RUN go build .'],
  ])('%s', (_name, run, expected) => {
    const result = fix(golang(run));
    expect(result).toEqual({ output: golang(expected), skips: [] });
  });
});

describe('leaves alone', () => {
  test.each([
    ['-a=false', 'RUN go build -a=false -o /out/app .'],
    ['-a after the package (not a flag for go)', 'RUN go build -o /out/app . -a'],
    ['go install of a pinned tool', 'RUN go install -a golang.org/x/tools/cmd/stringer@v0.20.0'],
    ['go test -a', 'RUN go test -a ./...'],
    ['a -a in GOFLAGS overridden on the command line', 'ENV GOFLAGS=-a\nRUN go build -a=false .'],
  ])('%s', (_name, run) => {
    expect(fix(golang(run))).toEqual({ output: golang(run), skips: [] });
  });
});

describe('cgo', () => {
  test('off by itself on golang:1.21-alpine without a C compiler: removed', () => {
    expect(fix('FROM golang:1.21-alpine\nRUN go build -a .\n')).toEqual({ output: 'FROM golang:1.21-alpine\nRUN go build .\n', skips: [] });
  });
  test.each([
    ['golang:1.21-alpine with gcc installed', 'FROM golang:1.21-alpine\nRUN apk add --no-cache gcc musl-dev\nRUN go build -a .\n', 'cgo is on: the stage has a C compiler and CGO_ENABLED is not set'],
    ['CGO_ENABLED=1 on golang:1.21-alpine', 'FROM golang:1.21-alpine\nRUN CGO_ENABLED=1 go build -a .\n', 'cgo is on (CGO_ENABLED=1)'],
    ['CGO_ENABLED from a build argument', 'FROM golang:1.22\nARG CGO_ENABLED\nRUN go build -a .\n', 'cgo may be on (the value of CGO_ENABLED is not literal)'],
    // the same terms as go/trimpath's skip of this build: Go before 1.20 has cgo on without a compiler
    ['golang:1.18-alpine without a C compiler', 'FROM golang:1.18-alpine\nRUN go build -a .\n', 'cgo is on: golang:1.18-alpine has Go 1.18, which turns it on by default even without a C compiler (CGO_ENABLED is not set)'],
    ['an image whose Go is unknown', 'FROM ubuntu:22.04\nRUN go build -a .\n', 'cgo may be on (CGO_ENABLED is not 0)'],
  ])('on: %s', (_name, input, why) => {
    const result = fix(input);
    expect(result.output).toBe(input);
    expect(result.skips).toEqual([`${why}, and Go's build cache does not notice changes to the C libraries cgo uses: -a is the documented way to rebuild against them (set CGO_ENABLED=0 if the binary needs no cgo)`]);
  });
});

test('an ARG in the image without a default: cannot tell the Go version', () => {
  const input = 'ARG GO_IMAGE\nFROM ${GO_IMAGE} AS build\nRUN go build -a .\n';
  expect(fix(input).skips).toEqual(['cannot tell which image ${GO_IMAGE} is (an ARG in it has no default), so whether its Go is older than 1.10, where -a was needed for a static binary']);
});
