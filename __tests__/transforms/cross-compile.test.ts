/** Edge cases of go/cross-compile that the examples do not show, and its composition with go/static-binary-for-minimal-final. */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { crossCompile } from '../../transforms/go/cross-compile.js';
import { staticBinaryForMinimalFinal } from '../../transforms/go/static-binary-for-minimal-final.js';

const MODULE = { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n\nfunc main() {}\n' };

function fix(dockerfile: string, transforms = [crossCompile]) {
  const result = fixText(dockerfile, { transforms, context: memoryContext(MODULE) });
  return { output: result.output, skips: result.skips.map((s) => s.reason) };
}

const stages = (build: string, final = 'FROM scratch\nCOPY --from=build /out/app /app\n') =>
  `FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n${build}\n\n${final}`;

describe('rewrites', () => {
  test('keeps a --platform that already uses BUILDPLATFORM, with a default', () => {
    const input = stages('RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o /out/app .').replace('FROM golang', 'FROM --platform=${BUILDPLATFORM:-linux/amd64} golang');
    expect(fix(input).output).toBe(input
      .replace('COPY . .\n', 'COPY . .\nARG TARGETOS TARGETARCH\n')
      .replace('GOOS=linux GOARCH=amd64', 'GOOS=$TARGETOS GOARCH=$TARGETARCH'));
  });
  test('a multi-line ENV above the download stays in place, with the ARG above it', () => {
    const input = 'FROM golang:1.22 AS build\nENV CGO_ENABLED=0 \\\n    GOARCH=amd64\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\n';
    expect(fix(input).output).toBe('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nENV CGO_ENABLED=0 \\\n    GOARCH=$TARGETARCH\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN GOOS=$TARGETOS go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\n');
  });
  test('an ENV that only pins the target goes away and comes back below the download', () => {
    const input = 'FROM golang:1.22 AS build\nENV CGO_ENABLED=0\nENV GOOS=linux GOARCH=amd64\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\n';
    expect(fix(input).output).toBe('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nENV CGO_ENABLED=0\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nARG TARGETOS TARGETARCH\nENV GOOS=$TARGETOS GOARCH=$TARGETARCH\nCOPY . .\nRUN go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\n');
  });
  test('files the stage copied from the context may be copied out', () => {
    const input = stages('RUN CGO_ENABLED=0 GOARCH=amd64 go build -o /out/app .', 'FROM scratch\nCOPY --from=build /out/app /app\nCOPY --from=build /src/templates /templates\n');
    expect(fix(input).output).toContain('GOOS=$TARGETOS GOARCH=$TARGETARCH go build');
  });
  test('composes with go/static-binary-for-minimal-final in one run, and a second run changes nothing', () => {
    const input = stages('RUN GOOS=linux GOARCH=amd64 go build -o /out/app .');
    const both = [staticBinaryForMinimalFinal, crossCompile];
    const once = fix(input, both);
    expect(once.output).toContain('RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .');
    expect(once.output).toContain('FROM --platform=$BUILDPLATFORM golang:1.22 AS build');
    expect(fix(once.output, both)).toEqual({ output: once.output, skips: [] });
  });
});

describe('skips with a reason', () => {
  test.each([
    ['a stage built FROM the build stage', stages('RUN CGO_ENABLED=0 GOARCH=amd64 go build -o /out/app .', 'FROM build AS final\nCMD ["/out/app"]\n'), /^the stage final is built FROM this one/],
    ['go install', stages('RUN CGO_ENABLED=0 GOARCH=amd64 go install .', 'FROM scratch\nCOPY --from=build /go/bin/app /app\n'), /^go install on line 4 cannot cross-compile/],
    ['an existing ARG TARGETARCH', stages('ARG TARGETARCH\nRUN CGO_ENABLED=0 GOARCH=amd64 go build -o /out/app .'), /^the stage already declares ARG TARGETARCH/],
    ['several architectures', stages('RUN CGO_ENABLED=0 GOARCH=amd64 go build -o /out/app . && CGO_ENABLED=0 GOARCH=arm64 go build -o /out/app-arm64 .'), /^the stage builds for several GOARCH values \(amd64, arm64\)/],
    ['go test under a pinned ENV', stages('ENV CGO_ENABLED=0 GOARCH=amd64\nRUN go test ./... && go build -o /out/app .'), /^go test on line 5 would run code/],
    ['foreign packages', stages('RUN dpkg --add-architecture arm64\nRUN CGO_ENABLED=0 GOARCH=amd64 go build -o /out/app .'), /^the RUN on line 4 installs packages for a specific architecture/],
    ['strip on the binary', stages('RUN CGO_ENABLED=0 GOARCH=amd64 go build -o /out/app . && strip /out/app'), /^the RUN on line 4 runs or inspects the binary/],
    ['a Windows image', stages('RUN CGO_ENABLED=0 GOARCH=amd64 go build -o /out/app .').replace('golang:1.22', 'golang:1.22-windowsservercore-ltsc2022'), /is a Windows image$/],
    ['a copied path produced by make', stages('RUN make assets && CGO_ENABLED=0 GOARCH=amd64 go build -o /out/app .', 'FROM scratch\nCOPY --from=build /out/app /app\nCOPY --from=build /src/dist /dist\n'), /^COPY --from on line 8 takes \/src\/dist/],
    ['nothing copies from the stage', stages('RUN CGO_ENABLED=0 GOARCH=amd64 go build -o /out/app .', 'FROM scratch\nCOPY app /app\n'), /^no stage copies from this one/],
  ])('%s', (_name, input, reason) => {
    const result = fix(input);
    expect(result.output).toBe(input);
    expect(result.skips).toEqual([expect.stringMatching(reason)]);
  });
  test('a GOARCH that is not literal is not a pinned target', () => {
    const input = stages('ARG ARCH=amd64\nRUN CGO_ENABLED=0 GOARCH=$ARCH go build -o /out/app .');
    expect(fix(input)).toEqual({ output: input, skips: [] });
  });
});
