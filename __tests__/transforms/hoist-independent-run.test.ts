/** Edge cases of docker/hoist-independent-run (formerly go/hoist-independent-run) that the examples do not show, its composition with go/mod-download-first, and other ecosystems' stages. */
import { describe, expect, test } from '@jest/globals';
import { applyEdits } from '../../src/engine/edits.js';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { moveAbove } from '../../src/engine/moves.js';
import { parseDockerfile } from '../../src/engine/parse.js';
import { hoistIndependentRun } from '../../transforms/docker/hoist-independent-run.js';
import { modDownloadFirst } from '../../transforms/go/mod-download-first.js';

const MODULE = { 'go.mod': 'module example.com/app\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n', 'go.sum': '', 'main.go': 'package main\n\nfunc main() {}\n' };

function fix(dockerfile: string, transforms = [hoistIndependentRun]) {
  const result = fixText(dockerfile, { transforms, context: memoryContext(MODULE) });
  return { output: result.output, skips: result.skips.map((s) => `${s.line}: ${s.reason}`), changes: result.changes.map((c) => c.line) };
}

/** A Go stage: WORKDIR /app, COPY . ., the given lines, then a build. */
const stage = (...lines: string[]) => ['FROM golang:1.19', 'WORKDIR /app', 'COPY . .', ...lines, 'RUN go build -o /out/app .', ''].join('\n');

describe('moves', () => {
  test('package installs, cleanup of absolute paths, users and directories outside the copy', () => {
    const input = stage('RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*', 'RUN useradd -r app && mkdir -p /out /var/lib/app');
    expect(fix(input).output).toBe('FROM golang:1.19\nWORKDIR /app\nRUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\nRUN useradd -r app && mkdir -p /out /var/lib/app\nCOPY . .\nRUN go build -o /out/app .\n');
  });

  test('variables set before the source COPY, and ones it can resolve in paths', () => {
    const input = stage('RUN mkdir -p $GOPATH/bin ${HOME}/.ssh && echo "host *" > /root/.ssh/config');
    expect(fix(input).output).toBe(input.replace('COPY . .\nRUN mkdir -p $GOPATH/bin ${HOME}/.ssh && echo "host *" > /root/.ssh/config\n', 'RUN mkdir -p $GOPATH/bin ${HOME}/.ssh && echo "host *" > /root/.ssh/config\nCOPY . .\n'));
  });

  test('crosses an unrelated ARG, a LABEL and a COPY of other files', () => {
    const input = stage('ARG VERSION', 'LABEL a=b', 'COPY config.yaml ./configs/', 'RUN apk add --no-cache git');
    expect(fix(input).output).toContain('WORKDIR /app\nRUN apk add --no-cache git\nCOPY . .\nARG VERSION\nLABEL a=b\nCOPY config.yaml ./configs/\nRUN go build');
  });

  test('not across a COPY into a directory the package manager reads', () => {
    const input = stage('COPY sources.list /etc/apt/', 'RUN apt-get update');
    expect(fix(input).skips).toEqual(['5: the COPY sources.list /etc/apt/ writes /etc/apt, which overlaps /etc used by apt-get']);
  });

  test('lands above the source COPY when a step between the go.mod COPY and it must stay', () => {
    const input = 'FROM golang:1.19\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nRUN ./tools/setup.sh\nCOPY . .\nRUN apk add git\nRUN go build .\n';
    expect(fix(input).output).toBe('FROM golang:1.19\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nRUN ./tools/setup.sh\nRUN apk add git\nCOPY . .\nRUN go build .\n');
  });

  test('the seed case composes with go/mod-download-first in one pass, and a second run changes nothing', () => {
    const input = 'FROM golang:1.19\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y git\nRUN go mod download\nRUN go build -o /app/main .\n';
    const both = [hoistIndependentRun, modDownloadFirst];
    const once = fix(input, both);
    expect(once.output).toBe('FROM golang:1.19\nWORKDIR /app\nRUN apt-get update && apt-get install -y git\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app/main .\n');
    expect(fix(once.output, both)).toEqual({ output: once.output, skips: [], changes: [] });
  });

  test('the move helper keeps a file without a final newline that way', () => {
    const text = 'FROM x\r\nCOPY . .\r\nRUN apk add git';
    const doc = parseDockerfile(text);
    const run = doc.instructions[2]!;
    const out = applyEdits(text, moveAbove(doc, run, doc.source.lineStarts[1]!).map((e) => ({ ...e, owner: 't' })));
    expect(out).toBe('FROM x\r\nRUN apk add git\r\nCOPY . .');
  });
});

describe('skips', () => {
  const cases: [string, string[], string][] = [
    ['a pipe', ['RUN apt-get install -y git | tee /tmp/log'], 'the RUN uses a pipe'],
    ['command substitution', ['RUN apt-get install -y $(cat packages.txt)'], 'the RUN uses command substitution ($(cat packages.txt))'],
    ['a redirect to a relative file', ['RUN apt-get install -y git > apt.log'], 'the RUN redirects to apt.log, a path that may be among the copied files'],
    ['a local package file', ['RUN apk add --allow-untrusted ./vendor/pkg.apk'], 'apk gets the relative path ./vendor/pkg.apk, which may be among the copied files'],
    ['a non-install subcommand', ['RUN apt-get source hello'], 'apt-get source is not a package install, update or removal'],
    ['a home inside the copy', ['RUN useradd -m -d /app/home app'], 'the COPY . . writes /app, which overlaps /app/home used by useradd'],
    ['chmod of a copied file', ['RUN chmod +x /app/entrypoint.sh'], 'the COPY . . writes /app, which overlaps /app/entrypoint.sh used by chmod'],
    ['a go command that reads the tree', ['RUN apk add git && go generate ./...'], ''],
    ['an unresolvable path', ['RUN mkdir -p $DATA_DIR'], 'cannot tell where $DATA_DIR points'],
    ['a VOLUME', ['VOLUME /data', 'RUN mkdir -p /data/db'], 'moving it would cross the VOLUME /data'],
    ['a USER change', ['USER 1000', 'RUN mkdir -p /tmp/x'], 'moving it would cross the USER 1000'],
    ['an ENV PATH', ['ENV PATH=/app/bin:$PATH', 'RUN apk add git'], 'the ENV PATH=/app/bin:$PATH sets PATH, which apk may read'],
    ['a GOPROXY for go install', ['ENV GOPROXY=https://proxy.example.com', 'RUN go install example.com/tool@v1.0.0'], 'the ENV GOPROXY=https://proxy.example.com sets GOPROXY, which go may read'],
    ['git config of the copied repository', ['RUN git config core.autocrlf false'], "git config without --global writes the copied repository's own config"],
    ['a script', ['RUN ./scripts/install-deps.sh && apk add git'], './scripts/install-deps.sh may read the copied sources'],
    ['go install into the copy, set in the RUN', ['RUN export GOBIN=/app/bin && go install example.com/tool@v1.0.0'], 'the COPY . . writes /app, which overlaps /app/bin used by go install'],
    ['go install into a place built from variables', ['RUN GOBIN=$PWD/bin go install example.com/tool@v1.0.0'], 'cannot tell where go install writes (GOBIN has a value I cannot resolve)'],
  ];
  test.each(cases)('%s', (_name, lines, reason) => {
    const input = stage(...lines);
    const result = fix(input);
    expect(result.output).toBe(input);
    expect(result.skips).toEqual(reason === '' ? [] : [`${3 + lines.length}: ${reason}`]);
  });

  test('a COPY --from that writes the whole file system', () => {
    const input = 'FROM golang:1.19\nWORKDIR /app\nCOPY . .\nCOPY --from=tonistiigi/xx / /\nRUN apk add clang\nRUN go build .\n';
    expect(fix(input).skips).toEqual(['5: the COPY --from=tonistiigi/xx / / writes /, which overlaps /etc used by apk']);
  });

  test('a source COPY into the image root', () => {
    const input = 'FROM golang:1.19\nWORKDIR /\nCOPY . .\nRUN apt-get install -y git\nRUN go build .\n';
    expect(fix(input).skips).toEqual(['4: the COPY . . writes /, which overlaps /etc used by apt-get']);
  });

  test('no Go command after the source COPY: not a Go build stage, nothing to say', () => {
    const input = 'FROM alpine:3.19\nCOPY . /app\nRUN apk add git\n';
    expect(fix(input)).toEqual({ output: input, skips: [], changes: [] });
  });
});

describe('any ecosystem that installs or builds', () => {
  const run = (dockerfile: string) => {
    const result = fixText(dockerfile, { transforms: [hoistIndependentRun], context: memoryContext({ 'package.json': '{}', 'Cargo.toml': '', 'pom.xml': '<project/>' }) });
    return { output: result.output, skips: result.skips.map((s) => `${s.line}: ${s.reason}`) };
  };

  test('a RUN set off by a blank line keeps it, below it, instead of leaving two blank lines behind', () => {
    const input = 'FROM node:20-alpine\n\nWORKDIR /app\n\nCOPY . .\n\nRUN apk add --update python3 make g++\\\n   && rm -rf /var/cache/apk/*\n\nRUN apk add git\nRUN npm ci\n';
    expect(run(input).output).toBe('FROM node:20-alpine\n\nWORKDIR /app\n\nRUN apk add --update python3 make g++\\\n   && rm -rf /var/cache/apk/*\n\nRUN apk add git\n\nCOPY . .\nRUN npm ci\n');
    const crlf = 'FROM node:20\r\nWORKDIR /app\r\nCOPY . .\r\n\r\nRUN apt-get update\r\nRUN npm ci\r\n';
    expect(run(crlf).output).toBe('FROM node:20\r\nWORKDIR /app\r\nRUN apt-get update\r\n\r\nCOPY . .\r\nRUN npm ci\r\n');
  });

  test('a stage that neither installs nor builds is left alone', () => {
    const input = 'FROM debian:bookworm\nWORKDIR /srv\nCOPY . .\nRUN apt-get update && apt-get install -y nginx\nCMD ["nginx"]\n';
    expect(run(input)).toEqual({ output: input, skips: [] });
  });

  test('Rust: apk add above COPY . . before cargo build', () => {
    const input = 'FROM rust:1.79-alpine\nWORKDIR /src\nCOPY . .\nRUN apk add --no-cache musl-dev\nRUN cargo build --release\n';
    expect(run(input).output).toBe('FROM rust:1.79-alpine\nWORKDIR /src\nRUN apk add --no-cache musl-dev\nCOPY . .\nRUN cargo build --release\n');
  });

  test('Java: useradd and mkdir of an absolute path above COPY . . before ./mvnw', () => {
    const input = 'FROM eclipse-temurin:21-jdk\nWORKDIR /build\nCOPY . .\nRUN useradd -r app && mkdir -p /opt/app\nRUN ./mvnw -B package\n';
    expect(run(input).output).toBe('FROM eclipse-temurin:21-jdk\nWORKDIR /build\nRUN useradd -r app && mkdir -p /opt/app\nCOPY . .\nRUN ./mvnw -B package\n');
  });

  test('Node: only what comes before the first install moves; a RUN after npm ci stays', () => {
    const input = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN apt-get update && apt-get install -y curl\n';
    expect(run(input)).toEqual({ output: input, skips: [] });
  });

  test('Node: the guards stay: an ENV the package manager reads, a WORKDIR, a USER', () => {
    expect(run('FROM node:20\nWORKDIR /app\nCOPY . .\nENV DEBIAN_FRONTEND=noninteractive\nRUN apt-get update\nRUN npm ci\n').skips)
      .toEqual(['5: the ENV DEBIAN_FRONTEND=noninteractive sets DEBIAN_FRONTEND, which apt-get may read']);
    expect(run('FROM node:20\nCOPY . /app\nWORKDIR /app\nRUN apt-get update\nRUN npm ci\n').skips).toEqual(['4: moving it would cross the WORKDIR /app']);
    expect(run('FROM node:20\nWORKDIR /app\nCOPY . .\nUSER node\nRUN mkdir -p /tmp/x\nRUN npm ci\n').skips).toEqual(['5: moving it would cross the USER node']);
  });

  test('Python: a RUN that reads a copied file stays, and blocks the ones after it', () => {
    const input = 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN chmod +x ./entrypoint.sh\nRUN apt-get update\nRUN pip install -r requirements.txt\n';
    expect(run(input)).toEqual({
      output: input,
      skips: ['4: chmod gets the relative path ./entrypoint.sh, which may be among the copied files', '5: the RUN chmod +x ./entrypoint.sh stays before it, and this RUN may depend on what it does'],
    });
  });

  test('Python: above the manifest COPY only across nothing but a download; pip install -r is not crossed', () => {
    const input = 'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN apt-get update\nRUN pip install .\n';
    expect(run(input).output).toBe('FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nRUN apt-get update\nCOPY . .\nRUN pip install .\n');
    const bare = 'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nCOPY . .\nRUN apt-get update\nRUN pip install .\n';
    expect(run(bare).output).toBe('FROM python:3.12\nWORKDIR /app\nRUN apt-get update\nCOPY requirements.txt .\nCOPY . .\nRUN pip install .\n');
  });
});
