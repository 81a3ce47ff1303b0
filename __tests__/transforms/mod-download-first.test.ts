/**
 * go/mod-download-first on the shapes the examples show only once: where an existing download runs
 * (WORKDIR before or after the source COPY, relative WORKDIRs, `cd`), which instructions between the
 * source COPY and the first Go command can change the download, and modules with nothing to download.
 * The default pipeline must end with exactly one download, above the source COPY, in the module's directory.
 */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { transforms } from '../../transforms/index.js';
import { modDownloadFirst } from '../../transforms/go/mod-download-first.js';

const MODULE = {
  'go.mod': 'module example.com/app\n\ngo 1.19\n\nrequire example.com/heavydep v1.0.0\n',
  'go.sum': 'example.com/heavydep v1.0.0 h1:x=\nexample.com/heavydep v1.0.0/go.mod h1:y=\n',
  'main.go': 'package main\n\nfunc main() {}\n',
  'cmd/app/main.go': 'package main\n\nfunc main() {}\n',
};

function fix(dockerfile: string, files: Record<string, string> = MODULE) {
  const result = fixText(dockerfile, { transforms: [modDownloadFirst], context: memoryContext(files) });
  return { output: result.output, skips: result.skips.map((s) => s.reason) };
}

function pipeline(dockerfile: string, files: Record<string, string> = MODULE): string {
  return fixText(dockerfile, { transforms: transforms.filter((t) => t.safety === 'safe'), context: memoryContext(files) }).output;
}

describe('an existing download after the source COPY moves above it, into the module directory', () => {
  test.each([
    [
      'WORKDIR after a COPY to an absolute directory (issue 11, defect 7)',
      'FROM golang:1.19\nRUN mkdir /app\nCOPY . /app/\nWORKDIR /app\nRUN go mod download\nRUN go build -o /bin/app .\n',
      'FROM golang:1.19\nRUN mkdir /app\nCOPY go.mod go.sum /app/\nRUN cd /app && go mod download\nCOPY . /app/\nWORKDIR /app\nRUN go build -o /bin/app .\n',
    ],
    [
      'WORKDIR before the COPY',
      'FROM golang:1.19\nWORKDIR /app\nCOPY . /app/\nRUN go mod download\nRUN go build .\n',
      'FROM golang:1.19\nWORKDIR /app\nCOPY go.mod go.sum /app/\nRUN go mod download\nCOPY . /app/\nRUN go build .\n',
    ],
    [
      'a relative WORKDIR after a relative COPY (the golang image works in /go)',
      'FROM golang:1.19\nCOPY . app/\nWORKDIR app\nRUN go mod download -x && go mod verify\nRUN go build .\n',
      'FROM golang:1.19\nCOPY go.mod go.sum app/\nRUN cd app && go mod download -x && go mod verify\nCOPY . app/\nWORKDIR app\nRUN go build .\n',
    ],
    [
      'COPY . . with a WORKDIR into a package directory of the same module after it',
      'FROM golang:1.19\nWORKDIR /src\nCOPY . .\nWORKDIR /src/cmd/app\nRUN go mod download\nRUN go build .\n',
      'FROM golang:1.19\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nWORKDIR /src/cmd/app\nRUN go build .\n',
    ],
    [
      'its own cd to the module directory',
      'FROM golang:1.19\nCOPY . /app\nRUN cd /app && go mod download\nRUN cd /app && go build .\n',
      'FROM golang:1.19\nCOPY go.mod go.sum /app/\nRUN cd /app && go mod download\nCOPY . /app\nRUN cd /app && go build .\n',
    ],
    [
      'a relative WORKDIR, then a RUN of file commands and an ENV of build settings',
      'FROM golang:1.19\nWORKDIR /src\nCOPY . .\nWORKDIR cmd\nRUN rm -rf testdata\nENV CGO_ENABLED=0\nRUN go mod download\nRUN go build .\n',
      'FROM golang:1.19\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nWORKDIR cmd\nRUN rm -rf testdata\nENV CGO_ENABLED=0\nRUN go build .\n',
    ],
  ])('%s', (_name, input, expected) => {
    expect(fix(input)).toEqual({ output: expected, skips: [] });
    const all = pipeline(input);
    expect(all.match(/go mod download/g)).toHaveLength(1);
    expect(all.indexOf('go mod download')).toBeLessThan(all.search(/^COPY \. /m));
  });
});

describe('a download at the head of an && chain leaves it for the new download above the source COPY', () => {
  test.each([
    [
      'with its flags and verify',
      'FROM golang:1.19\nWORKDIR /app\nCOPY . .\nRUN go mod download -x && go mod verify && go build -o /bin/app .\n',
      'FROM golang:1.19\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download -x && go mod verify\nCOPY . .\nRUN go build -o /bin/app .\n',
    ],
    [
      'after a cd to the module directory',
      'FROM golang:1.19\nCOPY . /app\nRUN cd /app && go mod download && CGO_ENABLED=0 go build -o /bin/app .\n',
      'FROM golang:1.19\nCOPY go.mod go.sum /app/\nRUN cd /app && go mod download\nCOPY . /app\nRUN cd /app && CGO_ENABLED=0 go build -o /bin/app .\n',
    ],
    [
      'continued on the next line',
      'FROM golang:1.19\nWORKDIR /app\nCOPY . .\nRUN go mod download && \\\n    go build -o /bin/app .\n',
      'FROM golang:1.19\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /bin/app .\n',
    ],
  ])('%s', (_name, input, expected) => {
    expect(fix(input)).toEqual({ output: expected, skips: [] });
    expect(pipeline(input).match(/go mod download/g)).toHaveLength(1);
  });

  test('a cd later in the chain does not matter: only the commands before the download decide its directory', () => {
    const input = 'FROM golang:1.19\nWORKDIR /app\nCOPY . .\nRUN go mod download && go build -o /bin/app . && cd /tmp && go version\n';
    expect(fix(input).output).toBe(input.replace('COPY . .\nRUN go mod download && go build', 'COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build'));
  });
});

describe('an existing download that cannot move makes it skip rather than add a second one', () => {
  test.each([
    [
      'a package directory with a go.mod of its own',
      'FROM golang:1.19\nWORKDIR /src\nCOPY . .\nWORKDIR /src/cmd/app\nRUN go mod download\nRUN go build .\n',
      { ...MODULE, 'cmd/app/go.mod': 'module example.com/tool\n' },
      '"RUN go mod download" runs in /src/cmd/app, not in the module the source COPY puts in /src',
    ],
    [
      'a relative WORKDIR on an image whose WORKDIR is unknown',
      'FROM example.com/builder\nCOPY . app/\nWORKDIR app\nRUN go mod download\nRUN go build .\n',
      MODULE,
      'I cannot tell in which directory "RUN go mod download" runs (a variable or an unknown WORKDIR); move it above the source COPY by hand',
    ],
    [
      'a cd relative to a WORKDIR set after the COPY',
      'FROM golang:1.19\nCOPY . /src/app/\nWORKDIR /src\nRUN cd app && go mod download\nRUN cd app && go build .\n',
      MODULE,
      '"RUN cd app && go mod download" changes to app, which is not the module directory above the source COPY; move it there by hand',
    ],
    [
      'a variable in the download',
      'FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go mod download $FLAGS\nRUN go build .\n',
      MODULE,
      '"RUN go mod download $FLAGS" uses a variable, which may not be set above the source COPY; move it there by hand',
    ],
  ])('%s', (_name, input, files, reason) => {
    expect(fix(input, files)).toEqual({ output: input, skips: [reason] });
  });
});

describe('a RUN between the source COPY and the first Go command', () => {
  const between = (run: string) => `FROM golang:1.19\nARG BUILD_JS=0\nCOPY . /src\n${run}\nRUN cd /src && go build -o /app .\n`;
  test.each([
    ['that copies files in only if asked (issue 11, defect 6b)', 'RUN if [ "$BUILD_JS" = 1 ]; then cp -r /ui /src/ui; fi'],
    ['that makes a directory and removes test data', 'RUN mkdir -p /src/out && rm -rf /src/testdata'],
    ['that edits a version file with sed', "RUN sed -i 's/dev/1.0/' /src/version.go"],
  ])('%s does not stop the split', (_name, run) => {
    const { output, skips } = fix(between(run));
    expect(skips).toEqual([]);
    expect(output).toBe(between(run).replace('COPY . /src\n', 'COPY go.mod go.sum /src/\nRUN cd /src && go mod download\nCOPY . /src\n'));
  });

  const advice = 'might change go.mod, go.sum or how go fetches modules: move it above the COPY, or, if it needs the sources and changes none of these, copy go.mod and go.sum and run go mod download above the COPY by hand';
  test.each([
    ['that edits go.mod', "RUN sed -i 's/v1/v2/' /src/go.mod", `"RUN sed -i 's/v1/v2/' /src/go.mod" names go.mod after the source COPY and ${advice}`],
    ['that writes a netrc', 'RUN echo "machine example.com" > /root/.netrc', `"RUN echo "machine example.com" > /root/.netrc" names netrc after the source COPY and ${advice}`],
    ['that configures git', 'RUN git config --global url."ssh://git@example.com/".insteadOf "https://example.com/"', `"RUN git config --global url."ssh://git@example.com/".instea…" runs git after the source COPY and ${advice}`],
    ['that sets a Go setting', 'RUN go env -w GOPRIVATE=example.com', `"RUN go env -w GOPRIVATE=example.com" runs go after the source COPY and ${advice}`],
    // with no Makefile in the context, make may run go itself: read as a Go command that cannot be read
    ['that runs make', 'RUN cd /src && make generate', 'the RUN on line 4 runs make generate, whose Go commands I cannot tell (there is no Makefile in the context root)'],
    ['that installs packages', 'RUN apk add --no-cache git', `"RUN apk add --no-cache git" runs apk after the source COPY and ${advice}`],
    ['that is a heredoc', 'RUN <<EOF\ncp -r /ui /src/ui\nEOF', `"RUN <<EOF cp -r /ui /src/ui EOF" cannot be read after the source COPY and ${advice}`],
  ])('%s stops it', (_name, run, reason) => {
    expect(fix(between(run)).skips).toEqual([reason]);
  });

  test('an ENV of a fetch setting says to move it up', () => {
    expect(fix(between('ENV GOPRIVATE=example.com')).skips).toEqual([
      '"ENV GOPRIVATE=example.com" sits between the source COPY and the first Go command; the download might need it (move it above the COPY first)',
    ]);
  });
});

describe('a module that requires nothing', () => {
  const input = 'FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n';
  test('gets no download step, and says why', () => {
    expect(fix(input, { 'go.mod': 'module example.com/app\n\ngo 1.19\n', 'main.go': 'package main\n' })).toEqual({
      output: input,
      skips: ['go.mod requires no modules, so there is nothing to download before the sources'],
    });
  });
  test('in a workspace where another module requires something still gets one', () => {
    const files = {
      'go.work': 'go 1.19\n\nuse (\n\t./api\n\t./cli\n)\n',
      'api/go.mod': 'module example.com/api\n\ngo 1.19\n',
      'cli/go.mod': 'module example.com/cli\n\ngo 1.19\n\nrequire example.com/heavydep v1.0.0\n',
      'cli/go.sum': 'example.com/heavydep v1.0.0 h1:x=\n',
    };
    expect(fix(input, files)).toEqual({
      output: input.replace('COPY . .\n', 'COPY go.work ./\nCOPY api/go.mod ./api/\nCOPY cli/go.mod cli/go.sum ./cli/\nRUN go mod download\nCOPY . .\n'),
      skips: [],
    });
  });
});

test('a stage that makes go.mod with go mod init is told so, not sent to look for another context', () => {
  const dockerfile = 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go mod init example.com/app && go mod tidy\nRUN go build -o /app/server .\n';
  const result = fixText(dockerfile, { transforms: [modDownloadFirst], context: memoryContext({ 'main.go': 'package main\n\nfunc main() {}\n', Dockerfile: dockerfile }) });
  expect(result.skips.filter((s) => s.transform === 'go/mod-download-first').map((s) => s.reason)).toEqual([
    'the Dockerfile makes go.mod itself ("RUN go mod init example.com/app && go mod tidy"), so there is none to copy before the sources',
  ]);
});
