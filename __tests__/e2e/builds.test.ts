/**
 * Proof by real builds (buildah and Docker's BuildKit, offline), on each builder this machine has: for each variant, the original and the rewritten
 * Dockerfile both build and their images print the same thing; after a comment-only change to
 * main.go, the rewritten Dockerfile's rebuild takes the dependency steps from the cache and does not
 * recompile the dependency (`go build -v` prints every package it compiles).
 */
import { afterAll, expect, test } from '@jest/globals';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builderChoices, type Builder } from '../../bench/builder.js';
import { cachefix } from '../helpers/cli.js';
import { describeWhen } from '../helpers/conditional.js';
import { sharedDir } from '../helpers/paths.js';

const sampleApp = join(sharedDir, 'tools', 'offline-builder', 'sample-app');
const BUILD_TIMEOUT = 15 * 60 * 1000;

interface Variant {
  readonly name: string;
  readonly dockerfile: string;
  /** Context files besides the sample app's (or instead of them, with `ownSources`). */
  readonly files?: Record<string, string>;
  readonly ownSources?: boolean;
  readonly binary: string;
  /** Expected lines in the rewritten Dockerfile. */
  readonly rewrittenContains: readonly string[];
  /** Expected cached steps in the rebuild after a change to main.go. */
  readonly cachedAfterChange: readonly string[];
  readonly heavydep: boolean;
  /** Context files copied from the sample app under another name (its go.sum for a workspace module). */
  readonly sumFrom?: Record<string, string>;
  /** The file the comment-only change goes into (default main.go). */
  readonly mainGo?: string;
}

const DEBIAN_FINAL = 'FROM debian:bookworm-slim\nCOPY --from=build /out/app /usr/local/bin/app\nCMD ["app"]\n';
const NAIVE_BUILD = 'FROM golang:1.19 AS build\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -v -o /out/app .\n\n';

const variants: Variant[] = [
  {
    name: 'sample app, Debian final',
    dockerfile: NAIVE_BUILD + DEBIAN_FINAL,
    binary: '/usr/local/bin/app',
    rewrittenContains: ['COPY go.mod go.sum ./', 'RUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download', '    --mount=type=cache,target=/root/.cache/go-build \\\n    go build -trimpath -v -o /out/app .'],
    cachedAfterChange: ['COPY go.mod go.sum ./', 'RUN --mount=type=cache,target=/go/pkg/mod     go mod download'],
    heavydep: true,
  },
  {
    name: 'sample app, scratch final',
    dockerfile: 'FROM golang:1.19 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -v -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
    binary: '/app',
    rewrittenContains: ['COPY go.mod go.sum ./', 'CGO_ENABLED=0 go build -trimpath -v -o /out/app .'],
    cachedAfterChange: ['COPY go.mod go.sum ./'],
    heavydep: true,
  },
  {
    // issue 11, defect 7: the download after a WORKDIR set after the COPY moves up (with a cd), once
    name: 'sample app, download after a WORKDIR that follows the source COPY',
    dockerfile: 'FROM golang:1.19 AS build\nRUN mkdir /app\nCOPY . /app/\nWORKDIR /app\nRUN go mod download\nRUN go build -v -o /out/app .\n\n' + DEBIAN_FINAL,
    binary: '/usr/local/bin/app',
    rewrittenContains: ['RUN mkdir /app\nCOPY go.mod go.sum /app/\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    cd /app && go mod download\nCOPY . /app/\nWORKDIR /app\nRUN --mount'],
    cachedAfterChange: ['COPY go.mod go.sum /app/', 'RUN --mount=type=cache,target=/go/pkg/mod     cd /app && go mod download'],
    heavydep: true,
  },
  {
    // issue 11 §3.2: a go build behind `exec` and a test gets the split and the same module cache as the download
    name: 'exec go build behind a test',
    dockerfile: 'FROM golang:1.19 AS build\nWORKDIR /src\nCOPY . .\nARG DEBUG=0\nRUN [ "$DEBUG" = 0 ] && exec go build -v -o /out/app . || exec go build -v -gcflags=all="-N -l" -o /out/app .\n\n' + DEBIAN_FINAL,
    binary: '/usr/local/bin/app',
    rewrittenContains: ['COPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download', 'RUN --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n    [ "$DEBUG" = 0 ] && exec go build'],
    cachedAfterChange: ['COPY go.mod go.sum ./', 'RUN --mount=type=cache,target=/go/pkg/mod     go mod download'],
    heavydep: true,
  },
  {
    // go/mod-download-first skips (nothing to download): the rest of the pipeline still builds
    name: 'no requirements, no go.sum (standard library only)',
    dockerfile: NAIVE_BUILD + DEBIAN_FINAL,
    ownSources: true,
    files: { 'go.mod': 'module example.com/hello\n\ngo 1.19\n', 'main.go': 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' },
    binary: '/usr/local/bin/app',
    rewrittenContains: ['WORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download\n'],
    cachedAfterChange: [],
    heavydep: false,
  },
  {
    name: 'vendored module',
    dockerfile: 'FROM golang:1.19 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -v -o /out/app .\n\n' + DEBIAN_FINAL,
    ownSources: true,
    files: {
      'go.mod': 'module example.com/vend\n\ngo 1.19\n\nrequire example.com/tiny v1.0.0\n',
      'vendor/modules.txt': '# example.com/tiny v1.0.0\n## explicit; go 1.19\nexample.com/tiny\n',
      'vendor/example.com/tiny/tiny.go': 'package tiny\n\nfunc Answer() int { return 42 }\n',
      'main.go': 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/tiny"\n)\n\nfunc main() { fmt.Println("answer", tiny.Answer()) }\n',
    },
    binary: '/usr/local/bin/app',
    rewrittenContains: ['RUN --mount=type=cache,target=/root/.cache/go-build \\\n    go build -trimpath -v -o /out/app .'],
    cachedAfterChange: [],
    heavydep: false,
  },
  {
    name: 'local replace',
    dockerfile: 'FROM golang:1.19 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -v -o /out/app .\n\n' + DEBIAN_FINAL,
    ownSources: true,
    files: {
      'go.mod': 'module example.com/rep\n\ngo 1.19\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ./lib\n',
      'lib/go.mod': 'module example.com/lib\n\ngo 1.19\n',
      'lib/lib.go': 'package lib\n\nfunc Name() string { return "local" }\n',
      'main.go': 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/lib"\n)\n\nfunc main() { fmt.Println("lib", lib.Name()) }\n',
    },
    binary: '/usr/local/bin/app',
    rewrittenContains: ['COPY lib/go.mod ./lib/', '    --mount=type=cache,target=/root/.cache/go-build \\\n    go build -trimpath -v -o /out/app .'],
    cachedAfterChange: ['COPY lib/go.mod ./lib/'],
    heavydep: false,
  },
  {
    name: 'go.work workspace with two modules',
    dockerfile: 'FROM golang:1.19 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -v -o /out/app ./svc\n\n' + DEBIAN_FINAL,
    ownSources: true,
    files: {
      'go.work': 'go 1.19\n\nuse (\n\t./svc\n\t./lib\n)\n',
      'svc/go.mod': 'module example.com/svc\n\ngo 1.19\n\nrequire example.com/heavydep v1.0.0\n',
      'svc/main.go': 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/heavydep"\n\t"example.com/lib"\n)\n\nfunc main() { fmt.Println(lib.Name(), heavydep.Total()) }\n',
      'lib/go.mod': 'module example.com/lib\n\ngo 1.19\n',
      'lib/lib.go': 'package lib\n\nfunc Name() string { return "lib" }\n',
    },
    sumFrom: { 'svc/go.sum': 'go.sum' },
    mainGo: 'svc/main.go',
    binary: '/usr/local/bin/app',
    rewrittenContains: ['COPY go.work ./\nCOPY svc/go.mod svc/go.sum ./svc/\nCOPY lib/go.mod ./lib/\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download'],
    cachedAfterChange: ['COPY svc/go.mod svc/go.sum ./svc/', 'RUN --mount=type=cache,target=/go/pkg/mod go mod download'],
    heavydep: true,
  },
];

const work = mkdtempSync(join(tmpdir(), 'cachefix-e2e-'));
const built: { builder: Builder; tag: string }[] = [];
afterAll(() => {
  for (const { builder, tag } of built) builder.remove(tag);
  rmSync(work, { recursive: true, force: true });
});

for (const { name, builder, reason } of builderChoices()) {
  describeWhen(builder !== null, `${name}: ${reason ?? ''}`)(`real builds on ${name}`, () => {
    test.each(variants.map((v, i) => [v.name, v, i] as const))('%s', (_name, variant, index) => {
      const b = builder!;
      const dir = join(work, `${name}-v${index}`);
      mkdirSync(dir, { recursive: true });
      if (!variant.ownSources) cpSync(sampleApp, dir, { recursive: true });
      for (const [path, text] of Object.entries(variant.files ?? {})) {
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      for (const [path, from] of Object.entries(variant.sumFrom ?? {})) cpSync(join(sampleApp, from), join(dir, path));
      writeFileSync(join(dir, 'Dockerfile.original'), variant.dockerfile);
      writeFileSync(join(dir, 'Dockerfile'), variant.dockerfile);
      const rewrite = cachefix(['--write', '--quiet', 'Dockerfile'], { cwd: dir });
      expect(rewrite.status).toBe(0);
      const rewritten = readFileSync(join(dir, 'Dockerfile'), 'utf8');
      for (const line of variant.rewrittenContains) expect(rewritten).toContain(line);

      const tag = (kind: string) => {
        const t = `cachefix-test-e2e-${name}-${index}-${kind}`;
        built.push({ builder: b, tag: t });
        return t;
      };
      const original = b.build({ context: dir, dockerfile: join(dir, 'Dockerfile.original'), tag: tag('original') });
      expect(original.ok).toBe(true);
      // --no-cache: a warm layer cache must not hide a broken reorder (catalogue CR-16)
      const fixed = b.build({ context: dir, dockerfile: join(dir, 'Dockerfile'), tag: tag('fixed'), noCache: true });
      expect(fixed.ok).toBe(true);
      const expectedOutput = b.run(tag('original'), [variant.binary]);
      expect(expectedOutput.trim()).not.toBe('');
      expect(b.run(tag('fixed'), [variant.binary])).toBe(expectedOutput);

      // buildah 1.28 keeps no reusable layers from a --no-cache build: record them once before the change
      expect(b.build({ context: dir, dockerfile: join(dir, 'Dockerfile'), tag: tag('fixed') }).ok).toBe(true);
      // unique text: both builders' layer caches outlive test runs, and an old identical change would be cached
      appendFileSync(join(dir, variant.mainGo ?? 'main.go'), `\n// a comment-only change ${process.pid}-${Date.now()}\n`);
      const rebuild = b.build({ context: dir, dockerfile: join(dir, 'Dockerfile'), tag: tag('fixed') });
      expect(rebuild.ok).toBe(true);
      const cached = rebuild.steps.filter((s) => s.cached).map((s) => s.text.replace(/\s+/g, ' '));
      for (const step of variant.cachedAfterChange) expect(cached).toContain(step.replace(/\s+/g, ' '));
      // the source copy and the compile did run: a builder that cached everything would pass the rest
      expect(rebuild.steps.some((s) => !s.cached && /go build/.test(s.text))).toBe(true);
      expect(rebuild.output).not.toMatch(/^example\.com\/(heavydep|tiny|lib)$/m);
      expect(b.run(tag('fixed'), [variant.binary])).toBe(expectedOutput);

      if (variant.heavydep && index === 0) {
        // the contrast that makes this test able to fail: the original recompiles the dependency
        const naive = b.build({ context: dir, dockerfile: join(dir, 'Dockerfile.original'), tag: tag('original') });
        expect(naive.output).toMatch(/^example\.com\/heavydep$/m);
      }
    }, BUILD_TIMEOUT);
  });
}
