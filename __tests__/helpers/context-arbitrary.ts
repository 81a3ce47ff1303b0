/**
 * fast-check arbitraries for build contexts (files for memoryContext): a Go module with or without
 * go.sum, local replaces, a go.work workspace, vendor/, a .dockerignore (or `Dockerfile.dockerignore`),
 * cgo and build-info code, configuration files and assets; or no Go module at all. The transforms
 * check these before rewriting, so without them most rewrites would be skipped.
 */
import fc from 'fast-check';
import { maybe } from './dockerfile-vocabulary.js';

export interface GeneratedContext {
  /** Context-relative path → text. */
  readonly files: Readonly<Record<string, string>>;
  /** The Dockerfile's path inside the context, or null (stdin). */
  readonly dockerfilePath: string | null;
}

const require_ = fc.constantFrom('github.com/google/uuid v1.6.0', 'golang.org/x/sync v0.7.0', 'github.com/mattn/go-sqlite3 v1.14.22');
const replace = fc.constantFrom(
  { line: 'replace example.com/lib => ./lib', dir: 'lib' },
  { line: 'replace example.com/lib => ../lib', dir: null },
  { line: 'replace example.com/lib v1.0.0 => example.com/fork v1.0.1', dir: null },
);

const goMod = fc
  .record({ go: fc.constantFrom('1.22', '1.21', '1.19', '1.13', '1.22.3'), requires: fc.uniqueArray(require_, { maxLength: 2 }), replace: maybe(replace, 1, 3) })
  .map(({ go, requires, replace: r }) => ({
    text: [`module example.com/app`, '', `go ${go}`, ...(requires.length > 0 ? ['', 'require (', ...requires.map((q) => `\t${q}`), ')'] : []), ...(r ? ['', r.line] : []), ''].join('\n'),
    replacedDir: r?.dir ?? null,
  }));

const mainGo = fc.constantFrom(
  'package main\n\nfunc main() {}\n',
  'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("🐳") }\n',
  'package main\n\n// #include <stdio.h>\nimport "C"\n\nfunc main() {}\n',
  'package main\n\nimport "runtime/debug"\n\nfunc main() { debug.ReadBuildInfo() }\n',
  'package main\n\nimport _ "embed"\n\n//go:embed config.yaml\nvar config string\n\nfunc main() {}\n',
);

const dockerignore = fc.constantFrom(
  '.git\n', '.git\n**/.idea\n', 'vendor\n', 'go.sum\n', '*\n!cmd\n!go.mod\n!go.sum\n!*.go\n', '!.git\n', '**/*.md\nbin/\n', '.git', '.git\r\nnode_modules\r\n', '# nothing\n', 'go.mod\n',
);

const extras = fc.uniqueArray(
  fc.constantFrom<[string, string]>(
    ['config.yaml', 'port: 8080\n'], ['.env', 'A=1\n'], ['static/index.html', '<p>🐳</p>\n'], ['templates/base.tmpl', '{{.}}\n'],
    ['configs/app.toml', 'a = 1\n'], ['config/prod.yaml', 'x: 1\n'], ['migrations/001.sql', 'select 1;\n'], ['README.md', '# app\n'],
    ['cmd/app/main.go', 'package main\n\nfunc main() {}\n'], ['static/gen.go', 'package static\n'], ['scripts/build.sh', '#!/bin/sh\ngo build .\n'],
    ['Makefile', 'build:\n\tgo build .\n'],
  ),
  { maxLength: 4, selector: ([path]) => path },
);

const goModule: fc.Arbitrary<GeneratedContext> = fc
  .record({
    goMod,
    goSum: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    main: mainGo,
    vendor: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    libHasGoMod: fc.boolean(),
    work: maybe(fc.constantFrom(['./svc'], ['.', './svc'], ['../outside']), 1, 8),
    ignore: maybe(dockerignore, 1, 1),
    perDockerfileIgnore: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    extras,
    dockerfilePath: fc.constantFrom<string | null>('Dockerfile', 'Dockerfile', null, 'build/Dockerfile'),
  })
  .map((c) => {
    const files: Record<string, string> = { 'go.mod': c.goMod.text, 'main.go': c.main, ...Object.fromEntries(c.extras) };
    if (c.goSum) files['go.sum'] = 'github.com/google/uuid v1.6.0 h1:x=\n';
    if (c.vendor) files['vendor/modules.txt'] = '# github.com/google/uuid v1.6.0\n## explicit\ngithub.com/google/uuid\n';
    if (c.goMod.replacedDir !== null && c.libHasGoMod) files[`${c.goMod.replacedDir}/go.mod`] = 'module example.com/lib\n\ngo 1.21\n';
    if (c.work !== null) {
      files['go.work'] = `go 1.22\n\nuse (\n${c.work.map((u) => `\t${u}`).join('\n')}\n)\n`;
      files['svc/go.mod'] = 'module example.com/svc\n\ngo 1.22\n';
      files['svc/go.sum'] = '';
    }
    if (c.ignore !== null) files[c.perDockerfileIgnore && c.dockerfilePath !== null ? `${c.dockerfilePath}.dockerignore` : '.dockerignore'] = c.ignore;
    return { files, dockerfilePath: c.dockerfilePath };
  });

/** A Go module most of the time; sometimes an empty context or one with another language. */
export const buildContext: fc.Arbitrary<GeneratedContext> = fc.oneof(
  { weight: 8, arbitrary: goModule },
  { weight: 1, arbitrary: fc.constant<GeneratedContext>({ files: {}, dockerfilePath: null }) },
  { weight: 1, arbitrary: fc.constant<GeneratedContext>({ files: { 'package.json': '{}\n', '.dockerignore': 'node_modules\n' }, dockerfilePath: 'Dockerfile' }) },
);
