/**
 * go/build-cache-mount through the whole default pipeline, on variants of issue 11 §3 that the
 * examples do not show: every RUN that needs modules must end up sharing one module cache, or none
 * may have it (a download into a cache mount leaves the image without modules, so a RUN without the
 * mount downloads them all again); a dev image keeps its modules; a Makefile's go build counts.
 */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText, parseDockerfile } from '../../src/index.js';

const GO = {
  'go.mod': 'module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n',
  'go.sum': 'github.com/google/uuid v1.6.0 h1:x\ngithub.com/google/uuid v1.6.0/go.mod h1:y\n',
  'main.go': 'package main\n\nfunc main() {}\n',
};

function fix(dockerfile: string, files: Record<string, string> = {}) {
  const result = fixText(dockerfile, { context: memoryContext({ ...GO, ...files, Dockerfile: dockerfile }) });
  return { output: result.output, skips: result.skips.map((s) => `${s.transform}: ${s.reason}`) };
}

/** RUNs that run Go (directly, wrapped, or through make), each with the cache mount it has over /go/pkg/mod, or null. */
function moduleMounts(dockerfile: string): (string | null)[] {
  const doc = parseDockerfile(dockerfile);
  return doc.instructions
    .filter((i) => i.keyword === 'RUN' && /\b(go|xx-go)\s+(build|install|mod download|test|get)\b|\b(make|task)\b|\.\/build\.sh/.test(dockerfile.slice(i.argsStart, i.end)))
    .map((i) => {
      const mount = i.flags
        .filter((f) => f.name === 'mount' && f.options.some((o) => o.name === 'type' && o.value === 'cache'))
        .find((f) => ['/go', '/go/pkg', '/go/pkg/mod', '/cache'].includes(f.options.find((o) => o.name === 'target')?.value.replace(/\/$/, '') ?? ''));
      return mount ? dockerfile.slice(mount.start, mount.end) : null;
    });
}

/** Every Go RUN shares one module cache, or none has one. */
function expectAllOrNothing(output: string): 'all' | 'none' {
  const mounts = moduleMounts(output);
  expect(mounts.length).toBeGreaterThan(1);
  if (mounts.every((m) => m === null)) return 'none';
  expect(new Set(mounts).size).toBe(1);
  return 'all';
}

const split = (build: string, from = 'golang:1.22') =>
  `FROM ${from} AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN ${build}\n\nFROM alpine:3.19\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n`;

describe('a Go command behind a wrapper we can read gets the same module cache as the download', () => {
  test.each([
    ['exec', 'exec go build -o /out/app .'],
    ['a test and exec in an || chain', '[ "$DEBUG" = 0 ] && exec go build -o /out/app . || exec go build -gcflags=all="-N -l" -o /out/app .'],
    ['env with settings', 'env CGO_ENABLED=0 GOOS=linux go build -o /out/app .'],
    ['time', 'time go build -o /out/app .'],
    ['command', 'command go build -o /out/app .'],
    ['nice -n', 'nice -n 10 go build -o /out/app .'],
    ['timeout', 'timeout 600 go build -o /out/app .'],
    ['the absolute path of go', '/usr/local/go/bin/go build -o /out/app .'],
    ['sh -c', 'sh -c "go build -o /out/app ."'],
    ['bash -ec with a chain', "bash -ec 'go vet ./... && go build -o /out/app .'"],
    ['xx-go', 'xx-go build -o /out/app .'],
    ['xx-go --wrap, then go', 'xx-go --wrap && go build -o /out/app .'],
  ])('%s', (_name, build) => {
    const { output } = fix(split(build));
    expect(expectAllOrNothing(output)).toBe('all');
  });
});

describe('a Go command we cannot read: no RUN of the stage gets the module cache, and the skip says why', () => {
  test.each([
    ['sudo', 'sudo -u nobody go build -o /out/app .', 'runs go through sudo'],
    ['env -i', 'env -i PATH=/usr/local/go/bin:/bin go build -o /out/app .', 'runs go through env -i'],
    ['su -c', 'su nobody -s /bin/sh -c "go build -o /out/app ."', 'runs go through su'],
    ['a script that is not in the context', './build.sh', 'runs ./build.sh, which is not in the build context'],
    ['a task runner', 'task build', 'runs task, whose Go commands I cannot read'],
    ['make without a Makefile', 'make build', 'runs make build, whose Go commands I cannot tell (there is no Makefile in the context root)'],
    ['a GOMODCACHE of its own', 'GOMODCACHE=/tmp/mod go build -o /out/app .', 'runs go with GOMODCACHE=/tmp/mod'],
  ])('%s', (_name, build, reason) => {
    const { output, skips } = fix(split(build));
    expect(expectAllOrNothing(output)).toBe('none');
    expect(skips.some((s) => s.startsWith('go/build-cache-mount: no cache mount for /go/pkg/mod:') && s.includes(reason))).toBe(true);
  });

  test('a stage built FROM the stage shares its verdict', () => {
    const dockerfile = 'FROM golang:1.22 AS base\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n\nFROM base AS build\nRUN sudo -E go build -o /out/app .\n\nFROM alpine:3.19\nCOPY --from=build /out/app /app\n';
    expect(expectAllOrNothing(fix(dockerfile).output)).toBe('none');
  });
});

describe('a script or Makefile in the context is read', () => {
  test('a build script that runs go build gets the mounts with the download', () => {
    const { output } = fix(split('./build.sh'), { 'build.sh': '#!/bin/sh\nset -e\nCGO_ENABLED=0 go build -o /out/app .\n' });
    expect(expectAllOrNothing(output)).toBe('all');
  });

  test('make: the recipe of the default target, through $(GO), an include and a recursive $(MAKE)', () => {
    const files = {
      Makefile: 'include build.mk\n\nall: app\n\napp:\n\t$(MAKE) -C cmd server\n',
      'build.mk': 'GO ?= go\nLDFLAGS := -s -w\n',
      'cmd/Makefile': 'server:\n\tcd .. && $(GO) build -ldflags "$(LDFLAGS)" -o /out/app .\n',
    };
    const dockerfile = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN make\n\nFROM alpine:3.19\nCOPY --from=build /out/app /app\n';
    const { output } = fix(dockerfile, files);
    expect(output).toContain('COPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download\nCOPY . .\n');
    expect(expectAllOrNothing(output)).toBe('all');
  });

  test.each([
    ['a Makefile that exports GOPRIVATE', { Makefile: 'export GOPRIVATE := example.com/*\nbuild:\n\tgo build -o /out/app .\n' }, 'make build', 'GOPRIVATE'],
    ['a script that exports GOPROXY', { 'build.sh': 'export GOPROXY=https://proxy.example\ngo build -o /out/app .\n' }, 'sh build.sh', 'GOPROXY'],
    ['a script that runs go env -w', { 'build.sh': 'go env -w GOFLAGS=-insecure\ngo build -o /out/app .\n' }, './build.sh', 'GOFLAGS'],
  ])('%s: no split, since a separate download would not have the setting', (_name, files, run, name) => {
    const dockerfile = `FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN ${run}\n`;
    const { output, skips } = fix(dockerfile, files);
    expect(output).not.toContain('go mod download');
    expect(skips).toContain(`go/mod-download-first: the Go RUN on line 4 sets ${name} for go, which a separate download would not have`);
  });

  test('make whose recipes run no go adds nothing', () => {
    const dockerfile = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN make docs\n';
    const { output } = fix(dockerfile, { Makefile: 'docs:\n\tmkdir -p /out/docs\n' });
    expect(output).not.toContain('--mount');
  });

  test('a make target without a rule skips the split and the mounts, with the reason', () => {
    const dockerfile = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN make release\n';
    const { output, skips } = fix(dockerfile, { Makefile: 'build:\n\tgo build -o /out/app .\n' });
    expect(output).not.toContain('--mount');
    expect(skips).toContain('go/mod-download-first: the RUN on line 4 runs make release, whose Go commands I cannot tell (Makefile has no rule for release)');
  });
});

describe('an existing mount that covers the module cache is reused by the inserted download', () => {
  test.each([
    ['a mount of /go/pkg', '--mount=type=cache,target=/go/pkg', 'type=cache,target=/go/pkg'],
    ['a mount with an id', '--mount=type=cache,id=gomod,target=/go/pkg/mod,sharing=locked', 'type=cache,id=gomod,target=/go/pkg/mod,sharing=locked'],
  ])('%s', (_name, mount, spec) => {
    const dockerfile = `FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN ${mount} go build -o /out/app .\n`;
    const { output } = fix(dockerfile);
    expect(output).toContain(`RUN --mount=${spec} \\\n    go mod download\n`);
    expect(expectAllOrNothing(output)).toBe('all');
  });

  test('GOMODCACHE under a mounted directory', () => {
    const dockerfile = 'FROM golang:1.22 AS build\nENV GOMODCACHE=/cache/mod GOCACHE=/cache/build\nWORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=/cache go build -o /out/app .\n';
    const { output } = fix(dockerfile);
    expect(output).toContain('RUN --mount=type=cache,target=/cache \\\n    go mod download\n');
    expect(output.match(/--mount=/g)?.length).toBe(2);
  });
});

describe('a final image with the Go toolchain that starts something other than a binary it builds keeps its modules', () => {
  const dev = (start: string, extra = '') =>
    `FROM golang:1.22\nWORKDIR /app\n${extra}COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app/server .\n${start}\n`;
  test.each([
    ['air', 'CMD ["air"]', 'RUN go install github.com/air-verse/air@v1.52.0\n'],
    ['reflex', 'ENTRYPOINT ["reflex", "-r", "\\\\.go$", "-s", "--", "go", "run", "."]', ''],
    ['CompileDaemon', 'ENTRYPOINT CompileDaemon --build="go build -o server" --command=./server', ''],
    ['dlv', 'CMD ["dlv", "debug", "--headless", "--listen=:2345"]', ''],
    ['gow', 'CMD ["gow", "run", "."]', ''],
    ['a script', 'CMD ["./dev.sh"]', ''],
    ['sh -c', 'CMD ["sh", "-c", "go test ./... && ./server"]', ''],
    ['go test', 'CMD go test ./...', ''],
  ])('%s', (_name, start, extra) => {
    const { output } = fix(dev(start, extra));
    expect(moduleMounts(output).every((m) => m === null)).toBe(true);
  });

  test('a dev stage that is not the last one (built with --target dev)', () => {
    const dockerfile = 'FROM golang:1.22 AS base\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n\nFROM base AS dev\nRUN go install github.com/air-verse/air@v1.52.0\nCMD ["air"]\n\nFROM base AS build\nRUN go build -o /out/app .\n\nFROM alpine:3.19\nCOPY --from=build /out/app /app\n';
    expect(moduleMounts(fix(dockerfile).output).every((m) => m === null)).toBe(true);
  });

  test.each([
    ['the binary it builds', 'CMD ["/app/server"]'],
    ['the binary behind tini', 'ENTRYPOINT ["tini", "--"]\nCMD ["./server"]'],
  ])('but one that starts %s gets the mounts', (_name, start) => {
    expect(expectAllOrNothing(fix(dev(start)).output)).toBe('all');
  });
});

describe('a whole tree copied to / does not block the mounts when it cannot hold Go caches', () => {
  test.each([
    ['tonistiigi/xx', 'FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.4.0 AS xx\n', 'xx'],
    ['a scratch stage of tools', 'FROM scratch AS tools\nCOPY bin/ /usr/local/bin/\n', 'tools'],
  ])('%s', (_name, helper, from) => {
    const dockerfile = `${helper}\nFROM golang:1.22-alpine AS build\nCOPY --from=${from} / /\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN xx-go build -o /out/app .\n`;
    expect(expectAllOrNothing(fix(dockerfile, { 'bin/tool': '' }).output)).toBe('all');
  });

  test('a tree from a Go image still blocks them', () => {
    const dockerfile = 'FROM golang:1.22 AS deps\n\nFROM golang:1.22 AS build\nCOPY --from=deps / /\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /out/app .\n';
    expect(expectAllOrNothing(fix(dockerfile).output)).toBe('none');
  });
});

test('a RUN that mounts Go-looking caches itself is not reported when its stage hides where Go keeps them', () => {
  const mounted = 'ARG BASE=alpine\nFROM golang:1.22-alpine AS base-alpine\nFROM base-${BASE}\nWORKDIR /src\nRUN --mount=type=bind,target=. \\\n    --mount=type=cache,target=/root/.cache \\\n    --mount=type=cache,target=/go/pkg/mod \\\n    go build -o /out/app .\n';
  expect(fix(mounted).skips.filter((s) => s.startsWith('go/build-cache-mount'))).toEqual([]);
  // without the mounts, the reason stays: nobody mounted anything
  const bare = 'ARG BASE=alpine\nFROM golang:1.22-alpine AS base-alpine\nFROM base-${BASE}\nWORKDIR /src\nRUN --mount=type=bind,target=. go build -o /out/app .\n';
  expect(fix(bare).skips.filter((s) => s.startsWith('go/build-cache-mount'))).toEqual(['go/build-cache-mount: cannot tell where Go keeps its caches in base-${BASE} (set ENV GOMODCACHE and GOCACHE, or use the golang image)']);
});
