/**
 * The instructions the property tests build Dockerfiles from: the Go patterns the transforms act on
 * (golang builders, WORKDIR, manifest and source COPYs, module downloads, go builds with the flags
 * and environment the transforms read, minimal final images) and the rest of what real files hold
 * (package installs, users, labels with Unicode, heredocs, exec forms, ONBUILD, SHELL).
 */
import fc from 'fast-check';
import type { InstructionSpec } from './dockerfile-model.js';

type Spec = fc.Arbitrary<InstructionSpec>;

const words = (text: string): string[] => text.split(' ');

/** `arb` in `present` cases out of `present + absent`, else null; shrinks towards null. */
export function maybe<T>(arb: fc.Arbitrary<T>, present: number, absent: number): fc.Arbitrary<T | null> {
  return fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(null), weight: absent }, { arbitrary: arb, weight: present });
}

function spec(keyword: string, flags: readonly string[], args: readonly string[]): InstructionSpec {
  return { keyword, tokens: [...flags, ...args], flagCount: flags.length };
}

/** `["go", "build", "."]` as tokens a layout may break between, or with blanks inside the brackets. */
function jsonTokens(values: readonly string[], spaced: boolean): string[] {
  const quoted = values.map((v, i) => `${JSON.stringify(v)}${i < values.length - 1 ? ',' : ''}`);
  if (spaced) return ['[', ...quoted, ']'];
  return quoted.map((q, i) => `${i === 0 ? '[' : ''}${q}${i === quoted.length - 1 ? ']' : ''}`);
}

function jsonSpec(keyword: string, flags: readonly string[], values: readonly string[], spaced: boolean): InstructionSpec {
  return { keyword, tokens: [...flags, ...jsonTokens(values, spaced)], flagCount: flags.length, json: true };
}

/** Commands joined by `&&` (mostly), `;` or `||`, as one token list. */
function chain(commands: readonly (readonly string[])[], joiners: readonly string[]): string[] {
  return commands.flatMap((c, i) => (i === 0 ? [...c] : [joiners[(i - 1) % joiners.length] ?? '&&', ...c]));
}

const joiner = fc.constantFrom('&&', '&&', '&&', ';', '||');

// --- what Go stages hold -------------------------------------------------------------------------

export const goVersion = fc.constantFrom('1.22', '1.21', '1.20', '1.19', '1.16', '1.15', '1.13', '1.9', '1', '1.23.4');
const golangImage = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(goVersion, fc.constantFrom('', '', '-alpine', '-alpine3.19', '-bookworm', '-bullseye')).map(([v, s]) => `golang:${v}${s}`) },
  { weight: 1, arbitrary: fc.constantFrom('golang', 'golang:latest', 'golang:alpine', 'docker.io/library/golang:1.22', 'golang:${GO_VERSION}', 'golang:${GO_VERSION}-alpine', 'golang:1.22@sha256:0123abcd', 'golang:1.22-windowsservercore-ltsc2022') },
  { weight: 1, arbitrary: fc.constantFrom('debian:bookworm', 'alpine:3.19', 'mycompany/go-builder:2', 'ubuntu:22.04') },
);
const stageAlias = fc.constantFrom<string | null>('build', 'builder', 'Build', 'deps', null);
const platform = fc.constantFrom('--platform=$BUILDPLATFORM', '--platform=linux/amd64', '--platform=${BUILDPLATFORM}');
const asWord = fc.constantFrom('AS', 'AS', 'as');

/** `FROM golang:... AS <alias>`: the alias given, or one of a few (or none). */
export function fromGolang(alias: fc.Arbitrary<string | null> = stageAlias): Spec {
  return fc
    .record({ image: golangImage, alias, as: asWord, platform: maybe(platform, 1, 5) })
    .map(({ image, alias: a, as, platform: p }) => spec('FROM', p === null ? [] : [p], [image, ...(a === null ? [] : [as, a])]));
}

/** A stage built FROM the Go builder (tests, a second binary). */
export const fromEarlierStage: Spec = fc
  .record({ parent: fc.constantFrom('build', 'builder', 'Build', 'deps'), alias: fc.constantFrom('test', 'lint', 'tools'), as: asWord })
  .map(({ parent, alias, as }) => spec('FROM', [], [parent, as, alias]));

const envPairs = fc.constantFrom(
  ['GOPATH=/go'], ['GOPATH', '/go'], ['GOPATH=/workspace'], ['GO111MODULE=on'], ['GO111MODULE', 'on'], ['GO111MODULE=auto'],
  ['GO111MODULE=on', 'GOPATH=/go', 'CGO_ENABLED=0'], ['CGO_ENABLED=0'], ['CGO_ENABLED=1'], ['CGO_ENABLED=0', 'GOOS=linux', 'GOARCH=amd64'],
  ['GOOS=linux', 'GOARCH=amd64'], ['GOOS=linux'], ['GOARCH=arm64'], ['GOPROXY=https://proxy.golang.org,direct'], ['GOFLAGS=-mod=mod'],
  ['GOFLAGS="-mod=vendor -trimpath"'], ['GOFLAGS=-trimpath'], ['GOMODCACHE=/cache/mod', 'GOCACHE=/cache/build'], ['HOME=/home/app'],
  ['GOPRIVATE=github.com/acme/*'], ['TZ=Europe/Zürich'], ['APP_NAME="Ünïcødé 🐳 app"'], ['PATH=$PATH:/usr/local/go/bin'],
);
const env: Spec = envPairs.map((pairs) => spec('ENV', [], pairs));
const arg: Spec = fc
  .constantFrom(['VERSION=dev'], ['VERSION'], ['TARGETOS', 'TARGETARCH'], ['GOPROXY'], ['GO_VERSION=1.22'], ['CGO_ENABLED=0'], ['GOFLAGS'])
  .map((names) => spec('ARG', [], names));
const user: Spec = fc.constantFrom('1000', '65532:65532', 'app', 'nonroot:nonroot', 'root').map((u) => spec('USER', [], [u]));
export const workdir: Spec = fc.constantFrom('/app', '/src', '/go/src/github.com/acme/app', 'app', '/workspace', '$GOPATH/src/app', '/build/ü')
  .map((dir) => spec('WORKDIR', [], [dir]));

/** RUNs that read no source file: what docker/hoist-independent-run moves. */
const independentCommand = fc.constantFrom(
  words('apt-get update'), words('apt-get install -y --no-install-recommends git ca-certificates'), words('apt-get install -y gcc libc6-dev'),
  words('apk add --no-cache git'), words('apk add --no-cache gcc musl-dev'), words('apk add --no-cache build-base'), words('adduser -D -u 1000 app'),
  words('mkdir -p /out'), words('chmod +x /usr/local/bin/entrypoint.sh'), words('go install github.com/swaggo/swag/cmd/swag@v1.16.3'),
  words('rm -rf /var/lib/apt/lists/*'), words('update-ca-certificates'), ['git', 'config', '--global', 'url."https://x@github.com/".insteadOf', '"https://github.com/"'],
  ['echo', '"héllo 🐳 𝔘"'],
  // the escape character inside a token is not a continuation: Docker passes it to the shell
  ['printf', "'%s\\n'", '"a b"', '>', '/etc/motd'], ['echo', 'a\\', 'b', '>', '/tmp/x'], ['echo', '`uname -m`', '>', '/tmp/arch'],
);
/** RUNs that read the sources: they must stay after the COPY. */
const dependentCommand = fc.constantFrom(
  words('chmod +x ./scripts/build.sh'), words('./scripts/build.sh'), words('make build'), words('make'), words('go generate ./...'),
  words('sh ./configure'), words('ls -la'), words('cat go.mod'), words('git rev-parse HEAD'),
);

const mountFlag = fc.constantFrom(
  '--mount=type=cache,target=/go/pkg/mod', '--mount=type=cache,target=/root/.cache/go-build', '--mount=type=cache,id=gomod,target=/go/pkg/mod',
  '--mount=type=cache,target=/root/.cache', '--mount=type=bind,target=.', '--mount=type=bind,source=go.mod,target=go.mod',
  '--mount=type=secret,id=netrc,target=/root/.netrc', '--mount=type=ssh', '--network=none', '--network=host', '--mount=type=tmpfs,target=/tmp',
  '--mount=type=cache,target="/go/pkg/mod"', '--mount=type=cache,target=/go/pkg/mod,sharing=locked', '--mount=target=/root/.cache/go-build,type=cache',
  '--mount=type=bind,from=deps,source=/go/pkg/mod,target=/go/pkg/mod', '--security=insecure',
);
const runFlags = fc.oneof({ weight: 5, arbitrary: fc.constant<string[]>([]) }, { weight: 2, arbitrary: fc.uniqueArray(mountFlag, { maxLength: 2 }) });

function runOf(commands: fc.Arbitrary<readonly (readonly string[])[]>): Spec {
  return fc.record({ flags: runFlags, commands, joiners: fc.array(joiner, { minLength: 1, maxLength: 3 }) })
    .map(({ flags, commands: cs, joiners }) => spec('RUN', flags, chain(cs, joiners)));
}

export const independentRun: Spec = runOf(fc.array(independentCommand, { minLength: 1, maxLength: 3 }));
export const dependentRun: Spec = runOf(fc.array(fc.oneof(dependentCommand, independentCommand), { minLength: 1, maxLength: 2 }));

const download = fc.constantFrom(words('go mod download'), words('go mod download'), words('go mod download -x'), words('go mod verify'), words('go mod tidy'));
const downloadCommands = fc.oneof(
  { weight: 6, arbitrary: download.map((d) => [d]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(words('cd /src'), words('cd /app'), words('cd app')), download).map(([cd, d]) => [cd, d]) },
  { weight: 1, arbitrary: download.map((d) => [d, words('go mod verify')]) },
);
export const downloadRun: Spec = fc.oneof(
  { weight: 6, arbitrary: fc.record({ flags: runFlags, cs: downloadCommands }).map(({ flags, cs }) => spec('RUN', flags, chain(cs, ['&&']))) },
  { weight: 1, arbitrary: download.map((d) => spec('RUN', [], [...d, '||', 'true'])) },
);

const buildEnvPrefix = fc.oneof(
  { weight: 3, arbitrary: fc.constant<string[]>([]) },
  { weight: 3, arbitrary: fc.constantFrom(['CGO_ENABLED=0'], ['CGO_ENABLED=0', 'GOOS=linux'], ['CGO_ENABLED=0', 'GOOS=linux', 'GOARCH=amd64'], ['GOOS=linux', 'GOARCH=amd64'], ['CGO_ENABLED=1']) },
  { weight: 1, arbitrary: fc.subarray(['CGO_ENABLED=0', 'CGO_ENABLED=1', 'GOOS=linux', 'GOARCH=amd64', 'GOARCH=arm64', 'GOARM=7', 'GOFLAGS=-mod=mod', 'GOPROXY=direct'], { maxLength: 3 }) },
);
const buildFlag = fc.constantFrom(
  ['-a'], ['-installsuffix', 'cgo'], ['-installsuffix=cgo'], ['-trimpath'], ['-mod=mod'], ['-mod=readonly'], ['-mod=vendor'], ['-v'],
  ['-tags', 'netgo'], ['-tags', 'sqlite_omit_load_extension'], ['-race'], ['-ldflags', '"-s -w"'], ['-ldflags="-X main.version=${VERSION}"'],
  ['-ldflags', "'-extldflags \"-static\"'"], ['-ldflags=-X=main.v=1'], ['-ldflags', '"$LDFLAGS"'], ['-gcflags="all=-N -l"'], ['-buildmode=pie'],
  ['-p', '4'], ['-a=true'], ['-trimpath=false'],
);
export const buildOutput = fc.constantFrom('/app/main', '/out/app', '/go/bin/app', 'app', 'main', '/usr/local/bin/server', 'bin/app', '/app/🐳');
const buildPackage = fc.constantFrom('.', '.', './cmd/app', './...', './cmd/server/main.go', 'github.com/acme/app/cmd/app');

/** `go build` (or install) with prefixes and flags; `-o <output>` when one is given. */
function goBuildTo(output: fc.Arbitrary<string | null>, sub = fc.constantFrom('build', 'build', 'build', 'install')): fc.Arbitrary<string[]> {
  return fc
    .record({ env: buildEnvPrefix, sub, flags: fc.uniqueArray(buildFlag, { maxLength: 3 }), out: output, pkg: maybe(buildPackage, 3, 1) })
    .map(({ env: e, sub: s, flags, out, pkg }) => [
      ...e, 'go', s, ...flags.flat(), ...(out === null || s === 'install' ? [] : ['-o', out]), ...(pkg === null ? [] : [pkg]),
    ]);
}

export const goBuildCommand: fc.Arbitrary<string[]> = goBuildTo(maybe(buildOutput, 3, 1));

/** A plain `RUN go build -o <output>`, the build a final stage copies from. */
export function goBuildRunTo(output: string): Spec {
  return fc
    .record({ flags: runFlags, build: goBuildTo(fc.constant(output), fc.constant('build')), before: fc.array(download, { maxLength: 1 }) })
    .map(({ flags, build, before }) => spec('RUN', flags, chain([...before, build], ['&&'])));
}

const otherGoCommand = fc.constantFrom(
  words('go test ./...'), words('go test -trimpath ./...'), words('go vet ./...'), words('go clean -cache -modcache'), words('go clean -cache'),
  words('go run ./cmd/gen'), words('go generate ./...'), words('make build'), words('cd /app'), words('go env -w GOFLAGS=-trimpath'),
  words('export CGO_ENABLED=0'), words('go install github.com/go-delve/delve/cmd/dlv@latest'),
);

const goShellRun: Spec = fc
  .record({
    flags: runFlags,
    before: fc.array(fc.oneof(otherGoCommand, download), { maxLength: 1 }),
    build: goBuildCommand,
    after: fc.array(otherGoCommand, { maxLength: 1 }),
    joiners: fc.array(joiner, { minLength: 1, maxLength: 3 }),
  })
  .map(({ flags, before, build, after, joiners }) => spec('RUN', flags, chain([...before, build, ...after], joiners)));

const heredocMarker = fc.constantFrom(
  { marker: '<<EOF', terminator: 'EOF' }, { marker: '<<"EOF"', terminator: 'EOF' }, { marker: "<<'SCRIPT'", terminator: 'SCRIPT' },
  { marker: '<<-EOF', terminator: '\tEOF' }, { marker: '<<-EOT', terminator: 'EOT' },
);
/** Body lines; a shell continuation inside the body (a line ending in `\` or a backtick) is not Docker's. */
const heredocLine = fc.oneof(
  { weight: 4, arbitrary: goBuildCommand.map((c) => c.join(' ')) },
  { weight: 2, arbitrary: fc.oneof(download, otherGoCommand, independentCommand).map((c) => c.join(' ')) },
  { weight: 1, arbitrary: fc.constantFrom('# not a comment to Docker', '', 'set -eux', 'echo "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🐳"', 'FROM scratch', 'RUN go build .', '  EOF', 'EOF2') },
  { weight: 1, arbitrary: goBuildCommand.map((c) => `${c.slice(0, 2).join(' ')} \\\n    ${c.slice(2).join(' ')}`) },
  { weight: 1, arbitrary: fc.constantFrom('go build -o /app/main \\', 'echo `date`', 'go build \\', 'GOOS=linux \\') },
);

/** The body lines split where they hold line breaks, tab-indented for `<<-`. */
function heredocBody(m: { marker: string; terminator: string }, body: readonly string[]): { body: string[]; terminator: string } {
  const lines = body.flatMap((b) => b.split('\n'));
  return { body: lines.map((b) => (m.marker.startsWith('<<-') ? `\t${b}` : b)), terminator: m.terminator };
}

/** A RUN whose script is a here-document (BuildKit), with flags on the first line. */
const goHeredocRun: Spec = fc
  .record({
    flags: fc.uniqueArray(mountFlag, { maxLength: 1 }),
    head: fc.constantFrom<string[]>([], [], ['bash'], ['sh', '-e'], ['cat'], ['python3']),
    tail: fc.constantFrom<string[]>([], [], [], ['>', '/tmp/build.sh'], ['&&', 'go', 'version']),
    m: heredocMarker,
    body: fc.array(heredocLine, { minLength: 0, maxLength: 3 }),
  })
  .map(({ flags, head, tail, m, body }) => ({
    keyword: 'RUN',
    tokens: [...flags, ...head, m.marker, ...tail],
    flagCount: flags.length,
    heredoc: heredocBody(m, body),
  }));

/** A RUN in exec form. */
const goJsonRun: Spec = fc
  .record({ flags: fc.uniqueArray(mountFlag, { maxLength: 1 }), build: goBuildCommand, shell: fc.boolean(), spaced: fc.boolean() })
  .map(({ flags, build, shell, spaced }) => jsonSpec('RUN', flags, shell ? ['/bin/sh', '-c', build.join(' ')] : build, spaced));

export const goRun: Spec = fc.oneof(
  { weight: 8, arbitrary: goShellRun },
  { weight: 1, arbitrary: goHeredocRun },
  { weight: 1, arbitrary: goJsonRun },
  { weight: 1, arbitrary: runOf(fc.array(otherGoCommand, { minLength: 1, maxLength: 2 })) },
);

const copyFlag = fc.constantFrom('--chown=1000:1000', '--chown=app:app', '--chmod=755', '--link', '--from=deps', '--parents', '--exclude=*.md');
const copyFlags = fc.oneof({ weight: 5, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.uniqueArray(copyFlag, { maxLength: 2 }) });

export const manifestCopy: Spec = fc
  .record({ flags: copyFlags, files: fc.constantFrom(['go.mod', 'go.sum'], ['go.mod', 'go.sum'], ['go.mod'], ['go.*'], ['go.mod', 'go.sum', 'go.work']), dest: fc.constantFrom('./', './', '.', '/src/', '/app/'), json: fc.boolean() })
  .map(({ flags, files, dest, json }) => (json ? jsonSpec('COPY', flags, [...files, dest], false) : spec('COPY', flags, [...files, dest])));

export const sourceCopy: Spec = fc
  .record({
    keyword: fc.constantFrom('COPY', 'COPY', 'COPY', 'ADD'),
    flags: copyFlags,
    src: fc.constantFrom('.', '.', '.', './', './cmd', '*.go'),
    dest: fc.constantFrom('.', '.', './', '/src', '/app/', '/go/src/app', '/build/ü', '$APP_HOME'),
    json: fc.nat(9),
  })
  .map(({ keyword, flags, src, dest, json }) => (json === 0 ? jsonSpec(keyword, flags, [src, dest], true) : spec(keyword, flags, [src, dest])));

/** COPYs of files a Go build does not read: what docker/move-unrelated-copy moves after the build. */
export const unrelatedCopy: Spec = fc
  .record({ src: fc.constantFrom(['config.yaml'], ['.env'], ['static/'], ['templates', 'configs'], ['config/*.yaml'], ['README.md'], ['migrations']), dest: fc.constantFrom('./', '/app/config/', '.') })
  .map(({ src, dest }) => spec('COPY', [], [...src, dest]));

// --- final stages --------------------------------------------------------------------------------

const runtimeImage = fc.constantFrom(
  'scratch', 'scratch', 'alpine:3.19', 'alpine', 'gcr.io/distroless/static-debian12', 'gcr.io/distroless/static:nonroot', 'gcr.io/distroless/base',
  'debian:bookworm-slim', 'busybox:1.36', 'build', 'cgr.dev/chainguard/static', 'mcr.microsoft.com/windows/nanoserver:ltsc2022', '${BASE}',
);
export const fromRuntime: Spec = fc
  .record({ image: runtimeImage, alias: maybe(fc.constantFrom('final', 'runtime', 'prod'), 1, 1), as: asWord })
  .map(({ image, alias, as }) => spec('FROM', [], [image, ...(alias === null ? [] : [as, alias])]));

const copySource = fc.constantFrom('/app/main', '/out/app', '/go/bin/app', '/src/app', '/app/app', '/etc/ssl/certs/ca-certificates.crt', '/go/pkg/mod', '/app/🐳', '/usr/local/go');

/** `COPY --from=<stage> <path> <dest>`: from the stage and path given, or from one of a few. */
export function copyFrom(from: fc.Arbitrary<string> = fc.constantFrom('build', 'builder', 'Build', '0', 'deps', 'golang:1.22'), src: fc.Arbitrary<string> = copySource): Spec {
  return fc
    .record({ from, src, dest: fc.constantFrom('/main', '/app', '/usr/local/bin/app', '/etc/ssl/certs/', '.'), link: fc.boolean() })
    .map(({ from: f, src: s, dest, link }) => spec('COPY', [`--from=${f}`, ...(link ? ['--link'] : [])], [s, dest]));
}

const runtimeTail: Spec = fc.oneof(
  fc.constantFrom(['/main'], ['/app'], ['app', 'serve'], ['go', 'run', '.']).chain((values) =>
    fc.tuple(fc.constantFrom('ENTRYPOINT', 'CMD'), fc.boolean()).map(([kw, spaced]) => jsonSpec(kw, [], values, spaced))),
  fc.constantFrom(['./app'], ['/main', '--port', '8080']).map((a) => spec('CMD', [], a)),
  user,
  fc.constantFrom('8080', '8080/tcp', '80 443').map((p) => spec('EXPOSE', [], words(p))),
  runOf(fc.constant([words('apk add --no-cache ca-certificates tzdata')])),
);

// --- everything else -----------------------------------------------------------------------------

const label: Spec = fc
  .constantFrom(['maintainer="Zoë Ünïcødé <z@example.com>"'], ['org.opencontainers.image.title="🐳 𝔘𝔫𝔦 app"'], ['version=1.0', 'description="日本語 app"'], ['a=b'])
  .map((pairs) => spec('LABEL', [], pairs));
const copyHeredoc: Spec = fc
  .record({
    flags: fc.constantFrom<string[]>([], [], ['--chmod=755'], ['--chown=app:app', '--link']),
    dest: fc.constantFrom('/etc/app.conf', '/app/config.yaml', '/usr/local/bin/build.sh'),
    m: heredocMarker,
    body: fc.array(fc.constantFrom('key: value', 'name: Ünï 🐳', '# comment', '', 'go build .', 'go build \\', 'COPY . .'), { minLength: 0, maxLength: 3 }),
  })
  .map(({ flags, dest, m, body }) => ({ keyword: 'COPY', tokens: [...flags, m.marker, dest], flagCount: flags.length, heredoc: heredocBody(m, body) }));
const misc: Spec = fc.oneof(
  label,
  copyHeredoc,
  fc.constantFrom(
    spec('EXPOSE', [], ['8080']), spec('VOLUME', [], ['/data']), spec('STOPSIGNAL', [], ['SIGTERM']), spec('MAINTAINER', [], words('Zoë <z@example.com>')),
    spec('ONBUILD', [], words('RUN go build ./...')), spec('ONBUILD', [], words('COPY . .')), spec('ADD', [], words('https://example.com/tool.tgz /tmp/')),
    spec('HEALTHCHECK', ['--interval=30s'], words('CMD wget -q localhost:8080')), spec('HEALTHCHECK', [], ['NONE']),
    jsonSpec('SHELL', [], ['/bin/bash', '-o', 'pipefail', '-c'], false), jsonSpec('SHELL', [], ['powershell', '-Command'], true),
    jsonSpec('VOLUME', [], ['/data', '/cache'], true),
  ),
  fc.constant(spec('RUN', [], ['echo', '"ü 🐳 𝔘 日本"', '>', '/etc/motd'])),
);

/** Instructions a Go build stage has before its source COPY (settings, tools, users). */
export const stageSetup: Spec = fc.oneof({ weight: 3, arbitrary: env }, { weight: 1, arbitrary: arg }, { weight: 1, arbitrary: user }, { weight: 3, arbitrary: independentRun }, { weight: 1, arbitrary: misc });
/** Instructions between the source COPY and the build. */
export const afterSource: Spec = fc.oneof(
  { weight: 4, arbitrary: downloadRun }, { weight: 2, arbitrary: independentRun }, { weight: 2, arbitrary: dependentRun },
  { weight: 2, arbitrary: unrelatedCopy }, { weight: 2, arbitrary: env }, { weight: 1, arbitrary: arg }, { weight: 1, arbitrary: misc },
  { weight: 1, arbitrary: workdir }, { weight: 1, arbitrary: user },
);
export const stageTail: Spec = fc.oneof(goRun, unrelatedCopy, misc, runtimeTail);
export const runtimeBody: Spec = fc.oneof({ weight: 4, arbitrary: copyFrom() }, { weight: 3, arbitrary: runtimeTail }, { weight: 1, arbitrary: misc });
export const globalArg: Spec = fc.constantFrom(['GO_VERSION=1.22'], ['GO_VERSION'], ['BASE=alpine:3.19'], ['BASE']).map((a) => spec('ARG', [], a));
/** Anything at all, for files in an unusual order. */
export const anyInstruction: Spec = fc.oneof(stageSetup, afterSource, goRun, runtimeBody, sourceCopy, manifestCopy);
