/** Edge cases of go/gopath-env that the examples do not show. */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { gopathEnv } from '../../transforms/go/gopath-env.js';

const module = memoryContext({ 'go.mod': 'module example.com/app\n\ngo 1.21\n', 'main.go': 'package main\n' });
const fix = (text: string) => fixText(text, { transforms: [gopathEnv], context: module, dockerfilePath: 'Dockerfile' });

describe('go/gopath-env', () => {
  test('removes pairs on their own continuation lines without joining the keyword to an unindented next line', () => {
    // found by the property tests (seed 5): deleting the lines took the blanks that kept `ENV\`
    // apart from `CGO_ENABLED=0`, and Docker would have read ENVCGO_ENABLED=0
    const text = 'FROM golang:1.22 AS build\n  ENV\\\n\n    GO111MODULE=on \\\n    GOPATH=/go \\\nCGO_ENABLED=0\n';
    expect(fix(text).output).toBe('FROM golang:1.22 AS build\n  ENV\\\n\n    CGO_ENABLED=0\n');
    // with an indented next line the whole lines go, as before
    expect(fix(text.replace('\nCGO', '\n    CGO')).output).toBe('FROM golang:1.22 AS build\n  ENV\\\n\n    CGO_ENABLED=0\n');
  });

  test('ignores stages not built on the golang image (a hand-installed Go needs its GOPATH)', () => {
    const text = 'FROM ubuntu:22.04\nENV GOPATH=/go-workspace\nENV GO111MODULE=on\n';
    const result = fix(text);
    expect(result.output).toBe(text);
    expect(result.skips).toEqual([]);
  });

  test('follows stages built FROM a golang stage, and judges their GOPATH settings together', () => {
    const text = 'FROM golang:1.22 AS base\nENV GOPATH=/workspace\nFROM base AS build\nRUN go build -o $GOPATH/bin/app .\n';
    const result = fix(text);
    expect(result.output).toBe(text);
    expect(result.skips.map((s) => s.reason)).toEqual(['"RUN go build -o $GOPATH/bin/app ." reads $GOPATH, which would become /go']);
  });

  test('a stage that only takes files from the GOPATH stage counts as a user of it', () => {
    const text = 'FROM golang:1.22 AS build\nENV GOPATH=/workspace\nRUN go install .\nFROM alpine\nRUN --mount=from=build,source=/workspace/bin,target=/b cp /b/app /app\n';
    expect(fix(text).skips[0]?.reason).toMatch(/^"RUN --mount=from=build,source=\/workspace\/bin,target=\/b cp \/…" uses \/workspace, the custom GOPATH/);
  });

  test('a directory that only starts with the GOPATH text is not a use of it', () => {
    const text = 'FROM golang:1.22\nENV GOPATH=/work\nWORKDIR /workspace\nRUN go build .\n';
    expect(fix(text).output).toBe('FROM golang:1.22\nWORKDIR /workspace\nRUN go build .\n');
  });

  test('an explicit GOPATH=/go changes nothing, so uses of $GOPATH do not matter', () => {
    const text = 'FROM golang:1.22\nENV GOPATH=/go\nENV PATH=$GOPATH/bin:$PATH\n';
    expect(fix(text).output).toBe('FROM golang:1.22\nENV PATH=$GOPATH/bin:$PATH\n');
  });

  test('reads the Go version from the tag, global ARG defaults included', () => {
    const versions: [string, boolean][] = [
      ['golang', true], ['golang:alpine', true], ['golang:1', true], ['golang:1.16-alpine', true], ['golang:1.15.15', false],
      ['docker.io/library/golang:1.22@sha256:abc', true], ['golang@sha256:abc', false],
    ];
    for (const [image, removed] of versions) {
      const text = `FROM ${image}\nENV GO111MODULE=on\n`;
      expect([image, fix(text).output === `FROM ${image}\n`]).toEqual([image, removed]);
    }
    expect(fix('ARG GO=1.21\nFROM golang:${GO}-alpine\nENV GO111MODULE=on\n').output).toBe('ARG GO=1.21\nFROM golang:${GO}-alpine\n');
    expect(fix('ARG GO=1.14\nFROM golang:$GO\nENV GO111MODULE=on\n').skips[0]?.reason).toBe('golang:$GO has Go 1.14, older than 1.16, where module mode is not the default');
    expect(fix('ARG GO\nFROM golang:${GO}\nENV GO111MODULE=on\n').skips[0]?.reason).toMatch(/^the Go version of golang:\$\{GO\} is unknown/);
  });

  test('keeps GO111MODULE values other than on, and ONBUILD triggers', () => {
    const text = 'FROM golang:1.22\nENV GO111MODULE=""\nONBUILD ENV GOPATH=/x\n';
    expect(fix(text).output).toBe(text);
  });

  test('says what it removed', () => {
    expect(fix('FROM golang:1.22\nENV GOPATH=/workspace GO111MODULE=on CGO_ENABLED=0\n').changes.map((c) => c.detail)).toEqual([
      'removed GOPATH=/workspace: go now caches modules in /go/pkg/mod and installs binaries to /go/bin; removed GO111MODULE=on: module mode is the default since Go 1.16',
    ]);
  });
});

describe('blank lines', () => {
  test('two adjacent ENVs removed between blank lines leave one blank line', () => {
    const text = 'FROM golang:1.22\n\nENV GOPATH=/go\nENV GO111MODULE=on\n\nWORKDIR /src\n';
    expect(fix(text).output).toBe('FROM golang:1.22\n\nWORKDIR /src\n');
  });
});
