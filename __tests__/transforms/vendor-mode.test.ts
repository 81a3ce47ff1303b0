/** Edge cases of go/vendor-mode and of the removal helpers it relies on (src/engine/removal.ts). */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { applyEdits } from '../../src/engine/edits.js';
import { fixText } from '../../src/engine/fixer.js';
import { parseDockerfile } from '../../src/engine/parse.js';
import { codeStart } from '../../src/engine/continuations.js';
import { removeInstructionEdit, removeTokenEdits } from '../../src/engine/removal.js';
import { joinedByAnd } from '../../src/shell/shell.js';
import { vendorMode } from '../../transforms/go/vendor-mode.js';

const vendored = memoryContext({
  'go.mod': 'module example.com/vend\n\ngo 1.19\n\nrequire example.com/tiny v1.0.0\n',
  'vendor/modules.txt': '# example.com/tiny v1.0.0\n## explicit; go 1.19\nexample.com/tiny\n',
  'main.go': 'package main\n',
});

const fix = (text: string, context = vendored) => fixText(text, { transforms: [vendorMode], context, dockerfilePath: 'Dockerfile' });

describe('go/vendor-mode', () => {
  test('does nothing without vendor/modules.txt, even with -mod=readonly', () => {
    const text = 'FROM golang:1.22\nCOPY . .\nRUN go mod download\nRUN go build -mod=readonly .\n';
    const result = fix(text, memoryContext({ 'go.mod': 'module x\n\ngo 1.22\n' }));
    expect(result.output).toBe(text);
    expect(result.skips).toEqual([]);
  });

  test('keeps a download whose modules another stage copies out of the module cache', () => {
    const text = 'FROM golang:1.19 AS deps\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build .\nFROM golang:1.19\nCOPY --from=deps /go/pkg/mod /go/pkg/mod\n';
    const result = fix(text);
    expect(result.output).toBe(text);
    expect(result.skips.map((s) => s.reason)).toEqual(['"COPY --from=deps /go/pkg/mod /go/pkg/mod" takes the module cache (/go/pkg/mod) out of this stage']);
  });

  test('keeps a download that nothing after it builds from', () => {
    const text = 'FROM golang:1.19\nCOPY . .\nRUN go mod download\n';
    expect(fix(text).skips.map((s) => s.reason)).toEqual(['no Go step after it uses vendor/ (in this stage or one built FROM it), so the downloaded modules may serve something else']);
  });

  test('removes a download whose consumer is a stage built FROM it', () => {
    const text = 'FROM golang:1.19 AS base\nCOPY go.mod ./\nRUN go mod download\nFROM base\nCOPY . .\nRUN go build .\n';
    expect(fix(text).output).toBe('FROM golang:1.19 AS base\nCOPY go.mod ./\nFROM base\nCOPY . .\nRUN go build .\n');
  });

  test('keeps a download before an offline build driver that might not build from vendor/', () => {
    const text = 'FROM golang:1.19\nCOPY . .\nRUN go mod download\nRUN --network=none make build\n';
    expect(fix(text).skips[0]?.reason).toBe('"RUN --network=none make build" has --network=none and runs make, which may still need the downloaded modules');
  });

  test('leaves downloads joined by ; or || alone', () => {
    for (const run of ['go mod download || true', 'set -e; go mod download; go build .', 'if true; then go mod download; fi && go build .']) {
      const text = `FROM golang:1.19\nCOPY . .\nRUN ${run}\nRUN go build .\n`;
      const result = fix(text);
      expect(result.output).toBe(text);
      expect(result.skips[0]?.reason).toMatch(/^this go mod download is not a plain && step/);
    }
  });

  test('removes a download chained after the build, with its &&', () => {
    expect(fix('FROM golang:1.19\nCOPY . .\nRUN go build -o /app . && \\\n    go mod download\n').output).toBe('FROM golang:1.19\nCOPY . .\nRUN go build -o /app .\n');
  });

  test('a command substitution inside the chain does not make it a non-plain chain', () => {
    expect(fix('FROM golang:1.19\nCOPY . .\nRUN go mod download && go build -ldflags "-X main.v=$(cat VERSION)" .\n').output).toBe(
      'FROM golang:1.19\nCOPY . .\nRUN go build -ldflags "-X main.v=$(cat VERSION)" .\n',
    );
  });

  test('keeps the module cache mount on a RUN that installs a tool at a version or runs make', () => {
    const text = 'FROM golang:1.19\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod go install golang.org/x/tools/cmd/stringer@v0.20.0 && go build .\nRUN --mount=type=cache,target=/go/pkg/mod make\n';
    const result = fix(text);
    expect(result.output).toBe(text);
    expect(result.skips.map((s) => s.reason)).toEqual([
      'the module cache mount stays: go install of a tool@version fetches modules outside vendor/',
      'the module cache mount stays: the RUN runs make, whose go commands I cannot see',
    ]);
  });

  test('follows ENV GOMODCACHE for the mount target, and leaves other cache mounts alone', () => {
    const text = 'FROM golang:1.19\nENV GOMODCACHE=/cache/mod\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/cache/mod go build .\n';
    expect(fix(text).output).toBe('FROM golang:1.19\nENV GOMODCACHE=/cache/mod\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod go build .\n');
  });

  test('builds from a bind mount of the context count as seeing vendor/', () => {
    const text = 'FROM golang:1.19\nWORKDIR /src\nRUN --mount=type=bind,target=. --mount=type=cache,target=/go/pkg/mod go build -mod=mod -o /app .\n';
    expect(fix(text).output).toBe('FROM golang:1.19\nWORKDIR /src\nRUN --mount=type=bind,target=. go build -o /app .\n');
  });

  test('COPY --exclude=vendor does not bring vendor/', () => {
    const text = 'FROM golang:1.19\nCOPY --exclude=vendor . .\nRUN go build -mod=mod .\n';
    expect(fix(text).output).toBe(text);
  });

  test('GOFLAGS set for one command or as an ARG blocks the stage', () => {
    const prefix = 'FROM golang:1.19\nCOPY . .\nRUN go mod download\nRUN GOFLAGS=-mod=mod go build .\n';
    expect(fix(prefix).skips[0]?.reason).toMatch(/makes every go command ignore vendor\/ and use the module cache/);
    const arg = 'FROM golang:1.19\nARG GOFLAGS\nCOPY . .\nRUN go mod download\nRUN go build .\n';
    expect(fix(arg).skips[0]?.reason).toBe('"ARG GOFLAGS" may pass GOFLAGS=-mod=mod at build time, which would need the module cache');
    const vendorFlag = 'FROM golang:1.19\nENV GOFLAGS=-mod=vendor\nCOPY . .\nRUN go mod download\nRUN go build .\n';
    expect(fix(vendorFlag).output).toBe('FROM golang:1.19\nENV GOFLAGS=-mod=vendor\nCOPY . .\nRUN go build .\n');
  });

  test('reports -mod=readonly removal with the explanation', () => {
    const result = fix('FROM golang:1.19\nCOPY . .\nRUN go build -mod=readonly .\n');
    expect(result.changes[0]?.detail).toBe('-mod=readonly switches vendoring off (it is the default since Go 1.16 for non-vendored builds)');
  });

  test('a <Dockerfile>.dockerignore that excludes vendor blocks it too', () => {
    const context = memoryContext({
      'go.mod': 'module x\n\ngo 1.19\n',
      'vendor/modules.txt': '',
      'Dockerfile.dockerignore': 'vendor\n',
    });
    expect(fix('FROM golang:1.19\nCOPY . .\nRUN go mod download\nRUN go build .\n', context).skips[0]?.reason).toBe(
      'Dockerfile.dockerignore excludes vendor/, so the build cannot see the vendored modules and needs the module cache',
    );
  });
});

describe('removal helpers', () => {
  const doc = (text: string) => parseDockerfile(text);
  const apply = (text: string, edits: readonly { start: number; end: number; text: string }[]) => applyEdits(text, edits.map((e) => ({ ...e, owner: 't' })));
  const span = (text: string, word: string, from = 0) => {
    const start = text.indexOf(word, from);
    return { start, end: start + word.length };
  };

  test('a token alone on its continuation line takes the whole line', () => {
    const text = 'RUN go build \\\n    -mod=mod \\\n    -o app .\n';
    const edits = removeTokenEdits(doc(text), span(text, '-mod=mod'), span(text, 'build'), span(text, '-o'));
    expect(apply(text, edits)).toBe('RUN go build \\\n    -o app .\n');
  });

  test('the last token drops the continuation before it and keeps comment lines', () => {
    const text = 'ENV A=1 \\\n  # about B\n  B=2\nRUN x\n';
    const edits = removeTokenEdits(doc(text), span(text, 'B=2'), span(text, 'A=1'), null);
    expect(apply(text, edits)).toBe('ENV A=1\n  # about B\nRUN x\n');
  });

  test('codeStart skips continuations and comment lines, joinedByAnd sees through them', () => {
    const text = 'RUN --mount=type=cache,target=/x \\\n  # c\n  a && \\\n  # d\n  b\n';
    const d = doc(text);
    const run = d.instructions[0]!;
    const at = codeStart(d.source.text, d.escapeChar, run.argsStart, run.end);
    expect(text.slice(at, at + 1)).toBe('a');
    expect(run.argsStart).toBe(at); // the parser's argsStart uses the same rule
    expect(joinedByAnd(d, text.indexOf('a &&') + 1, text.lastIndexOf('b'))).toBe(true);
  });

  test('removing the last instruction of a file without a final line break keeps it that way', () => {
    const text = 'FROM a\nRUN b';
    const d = doc(text);
    expect(apply(text, [removeInstructionEdit(d, d.instructions[1]!)])).toBe('FROM a');
  });

  test('removing an instruction between blank lines leaves one blank line', () => {
    const text = 'FROM a\n\nRUN b\n\nRUN c\n';
    const d = doc(text);
    expect(apply(text, [removeInstructionEdit(d, d.instructions[1]!)])).toBe('FROM a\n\nRUN c\n');
  });
});

describe('the manifest COPY above a removed download', () => {
  const stage = (middle: string, source = 'COPY . .') => `FROM golang:1.19 AS build\nWORKDIR /src\n${middle}\n${source}\nRUN go build -o /out/app .\n`;
  test.each([
    ['goes when only the download read it', stage('COPY go.mod go.sum ./\nRUN go mod download'), stage('').replace('/src\n\n', '/src\n')],
    ['goes with go.sum* and an ENV between', stage('COPY go.mod go.sum* ./\nENV CGO_ENABLED=0\nRUN go mod download && go mod verify'), stage('ENV CGO_ENABLED=0')],
    ['goes when both copy to /src with the same --chown', stage('COPY --chown=1000 go.mod go.sum /src/\nRUN go mod download', 'COPY --chown=1000 . /src'), stage('', 'COPY --chown=1000 . /src').replace('/src\n\n', '/src\n')],
    ['stays when the source COPY has other flags', stage('COPY go.mod go.sum ./\nRUN go mod download', 'COPY --chown=1000 . .'), stage('COPY go.mod go.sum ./', 'COPY --chown=1000 . .')],
    ['stays when a RUN that stays comes between', stage('COPY go.mod go.sum ./\nRUN go mod download\nRUN cat go.mod'), stage('COPY go.mod go.sum ./\nRUN cat go.mod')],
    ['stays when the download is part of a chain that stays', stage('COPY go.mod go.sum ./\nRUN go mod download && go generate ./...'), stage('COPY go.mod go.sum ./\nRUN go mod download && go generate ./...')],
    ['stays when the sources go elsewhere', stage('COPY go.mod go.sum ./\nRUN go mod download', 'COPY . /app'), stage('COPY go.mod go.sum ./', 'COPY . /app')],
    ['stays when no whole-context COPY follows', stage('COPY go.mod go.sum ./\nRUN go mod download', 'COPY vendor ./vendor\nCOPY *.go ./'), stage('COPY go.mod go.sum ./', 'COPY vendor ./vendor\nCOPY *.go ./')],
    ['stays when it copies more than the manifests', stage('COPY go.mod go.sum main.go ./\nRUN go mod download'), stage('COPY go.mod go.sum main.go ./')],
  ])('%s', (_name, input, expected) => {
    expect(fix(input).output).toBe(expected);
  });
});
