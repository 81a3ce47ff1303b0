/** Edge cases of docker/move-unrelated-copy (formerly go/move-unrelated-copy) that the examples do not show. */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { moveUnrelatedCopy } from '../../transforms/docker/move-unrelated-copy.js';

const MODULE: Record<string, string> = {
  'go.mod': 'module example.com/app\n\ngo 1.19\n',
  'go.sum': '',
  'main.go': 'package main\n\nfunc main() {}\n',
  'config.yaml': 'port: 8080\n',
  'configs/prod.yaml': 'port: 80\n',
  'static/index.html': '<h1>hi</h1>\n',
  'static/css/site.css': 'body{}\n',
};

function fix(dockerfile: string, extra: Record<string, string> = {}) {
  const result = fixText(dockerfile, { transforms: [moveUnrelatedCopy], context: memoryContext({ ...MODULE, ...extra }) });
  return { output: result.output, skips: result.skips.map((s) => `${s.line}: ${s.reason}`), changes: result.changes.map((c) => c.line) };
}

/** A Go stage: download, the given lines, then a build. */
const stage = (...lines: string[]) => ['FROM golang:1.19', 'WORKDIR /app', 'COPY go.mod go.sum ./', 'RUN go mod download', ...lines, ''].join('\n');

describe('moves', () => {
  test('past a COPY . . that copies the same file the same way', () => {
    const input = stage('COPY config.yaml ./', 'COPY . .', 'RUN go build -o /app/main .');
    expect(fix(input).output).toBe(stage('COPY . .', 'RUN go build -o /app/main .', 'COPY config.yaml ./'));
  });

  test('past several builds and harmless steps, to after the last build', () => {
    const input = stage('COPY static/ ./static/', 'COPY main.go ./', 'RUN mkdir -p /out && go build -o /out/a .', 'USER 1000', 'RUN go vet ./... && go build -o /out/b .', 'RUN go test ./...');
    expect(fix(input).output).toBe(stage('COPY main.go ./', 'RUN mkdir -p /out && go build -o /out/a .', 'USER 1000', 'RUN go vet ./... && go build -o /out/b .', 'COPY static/ ./static/', 'RUN go test ./...'));
  });

  test('a file the build compiles from elsewhere is not a reason to stay: embeds of other names do not match', () => {
    const input = stage('COPY config.yaml ./', 'COPY . .', 'RUN go build -o /app/main .');
    expect(fix(input, { 'web/web.go': 'package web\n\n//go:embed dist/*.js\nvar js string\n' }).changes).toEqual([5]);
  });
});

describe('skips', () => {
  test('a file embedded by a sub-package, at its place in the image', () => {
    const input = stage('COPY configs/prod.yaml ./internal/conf/app.yaml', 'COPY . .', 'RUN go build -o /app/main .');
    const result = fix(input, { 'internal/conf/conf.go': 'package conf\n\nimport _ "embed"\n\n//go:embed "app.yaml"\nvar Default []byte\n' });
    expect(result.output).toBe(input);
    expect(result.skips).toEqual(['5: configs/prod.yaml is embedded in the binary by //go:embed app.yaml in internal/conf/conf.go']);
  });

  test('a file named by //go:generate', () => {
    const input = stage('COPY config.yaml ./', 'COPY main.go ./', 'RUN go build -o /app/main .');
    const result = fix(input, { 'main.go': 'package main\n\n//go:generate go run ./gen -in config.yaml\nfunc main() {}\n' });
    expect(result.skips).toEqual(['5: //go:generate in main.go names config.yaml']);
  });

  test('a file GOFLAGS makes every build read', () => {
    const input = 'FROM golang:1.19\nENV GOFLAGS=-overlay=/app/overlay.json\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY overlay.json ./\nCOPY . .\nRUN go build -o /app/main .\n';
    expect(fix(input, { 'overlay.json': '{}' }).skips).toEqual(['6: the ENV GOFLAGS=-overlay=/app/overlay.json names overlay.json']);
  });

  test('a file a build step mounts', () => {
    const input = stage('COPY config.yaml ./', 'COPY . .', 'RUN --mount=type=bind,source=config.yaml,target=/tmp/c.yaml go build -o /app/main .');
    expect(fix(input).skips).toEqual(['5: the RUN go build -o /app/main . names config.yaml']);
  });

  test('a renamed file that COPY . . would overwrite', () => {
    const input = stage('COPY configs/prod.yaml ./config.yaml', 'COPY . .', 'RUN go build -o /app/main .');
    expect(fix(input).skips).toEqual(['5: the COPY . . may also write /app/config.yaml, so the order of the two copies matters']);
  });

  test('different --chown from the COPY . . that copies it too', () => {
    const input = stage('COPY --chown=1000 config.yaml ./', 'COPY . .', 'RUN go build -o /app/main .');
    expect(fix(input).skips).toEqual(['5: the COPY . . may also write /app/config.yaml, so the order of the two copies matters']);
  });

  test('the build writes its binary where the COPY puts files', () => {
    const input = stage('COPY static/ ./public/', 'COPY main.go ./', 'RUN go build -o public/app .');
    expect(fix(input).skips).toEqual(['5: the RUN go build -o public/app . writes /app/public/app, where the COPY puts /app/public']);
  });

  test('the default binary name collides with the destination', () => {
    const input = stage('COPY config.yaml ./app', 'COPY main.go ./', 'RUN go build');
    expect(fix(input).skips).toEqual(['5: the RUN go build writes /app/app, where the COPY puts /app/app']);
  });

  test('a step between runs the program', () => {
    const input = stage('COPY config.yaml ./', 'COPY main.go ./', 'RUN go build -o /app/main . && /app/main -check');
    expect(fix(input).skips).toEqual(['5: the RUN go build -o /app/main . && /app/main -check runs /app/main, which may read config.yaml']);
  });

  test('a WORKDIR between', () => {
    const input = stage('COPY config.yaml ./', 'WORKDIR /app/cmd', 'RUN go build -o /app/main .');
    expect(fix(input).skips).toEqual(['5: moving it would cross the WORKDIR /app/cmd']);
  });

  test('a mixed COPY', () => {
    const input = stage('COPY config.yaml Makefile ./', 'RUN go build -o /app/main .');
    expect(fix(input, { Makefile: 'all:\n' }).skips).toEqual(['5: it also copies Makefile, which the build may read']);
  });

  test('a COPY with a variable', () => {
    const input = stage('ARG ENV=prod', 'COPY configs/${ENV}.yaml ./config.yaml', 'RUN go build -o /app/main .');
    expect(fix(input).skips).toEqual(['6: the COPY uses a variable']);
  });
});

describe('leaves alone, silently', () => {
  test.each([
    ['no module download in the stage', 'FROM golang:1.19\nWORKDIR /app\nCOPY config.yaml ./\nCOPY . .\nRUN go build .\n'],
    ['a COPY from another stage', stage('COPY --from=ui /dist ./static', 'COPY . .', 'RUN go build -o /app/main .')],
    ['a source COPY', stage('COPY main.go ./', 'RUN go build -o /app/main .')],
    ['a COPY after the build already', stage('COPY . .', 'RUN go build -o /app/main .', 'COPY config.yaml ./')],
  ])('%s', (_name, input) => {
    expect(fix(input)).toEqual({ output: input, skips: [], changes: [] });
  });
});
