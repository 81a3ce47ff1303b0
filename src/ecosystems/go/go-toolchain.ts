/**
 * What toolchain a Go stage has: the Go version its image is known to carry, whether that is the
 * Alpine or Debian flavour of the golang image, and whether the Dockerfile installs a C compiler.
 * Some go build flags behave differently on old Go (before 1.10 the build cache did not exist; before
 * 1.20 the standard library came precompiled and rebuilding it with cgo on needed gcc).
 */
import { globalArgDefaults, resolveImage } from './go-binary.js';
import { compareGoVersions, parseGoMod } from './gomod.js';
import { runEnvironment } from '../../engine/env.js';
import { copySpec } from '../../engine/instructions.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../engine/parse.js';
import { runScript } from '../../shell/shell.js';
import { isGolangImage } from './go.js';
import { isWindowsImage } from '../../images/official-images.js';

export interface StageToolchain {
  /** The image at the root of the stage's lineage, global ARG defaults filled in. */
  readonly image: string;
  /** The official golang image for Linux (or a mirror of it). */
  readonly golang: boolean;
  /** `debian` (gcc included), `alpine` (no C compiler), `windows`; null when the tag does not say. */
  readonly variant: 'debian' | 'alpine' | 'windows' | null;
  /**
   * The Go version: from a golang image's tag, or from a `COPY --from=golang:X /usr/local/go` into
   * another image. `latest` for a tag without one (`golang:alpine`, `golang:1-bookworm`); null when unknown.
   */
  readonly goVersion: string | null;
}

/** The toolchain of the stage that runs `at`, or why the image cannot be known (an ARG without default). */
export function stageToolchain(doc: ParsedDockerfile, stage: Stage, at: Instruction): StageToolchain | { reason: string } {
  const lineage = stageLineage(doc, stage);
  const written = lineage.at(-1)?.image ?? '';
  const image = resolveImage(doc, written);
  if (image === null) return { reason: `cannot tell which image ${written} is (an ARG in it has no default)` };
  if (/(^|\/)golang([:@]|$)/.test(image)) {
    const tag = golangTag(image);
    const variant = isWindowsImage(image) ? 'windows' : tag === null ? null : tag.includes('alpine') ? 'alpine' : 'debian';
    return { image, golang: isGolangImage(image), variant, goVersion: tag === null ? null : tagVersion(tag) };
  }
  const variant = isWindowsImage(image) ? 'windows' : null;
  return { image, golang: false, variant, goVersion: copiedGoVersion(doc, lineage, at) ?? installedGoVersion(doc, stage, at) };
}

/** Whether the toolchain is known to be at least `minimum`; null when its version is unknown. */
export function goAtLeast(toolchain: StageToolchain, minimum: string): boolean | null {
  if (toolchain.goVersion === null) return null;
  return toolchain.goVersion === 'latest' || compareGoVersions(toolchain.goVersion, minimum) >= 0;
}

/** The tag of a golang image (`latest` when none is written), or null for a bare digest. */
function golangTag(image: string): string | null {
  const [name = '', digest] = image.split('@');
  return /:([^/]+)$/.exec(name)?.[1] ?? (digest === undefined ? 'latest' : null);
}

/** `1.19.5-alpine3.17` → `1.19.5`; `alpine`, `latest`, `1`, `1-bookworm` → `latest` (the newest Go). */
function tagVersion(tag: string): string {
  const version = /^\d+(\.\d+)*/.exec(tag)?.[0];
  return version === undefined || version === '1' ? 'latest' : version;
}

/** The Go a stage copies from a golang image (`COPY --from=golang:1.22 /usr/local/go /usr/local/go`). */
function copiedGoVersion(doc: ParsedDockerfile, lineage: readonly Stage[], before: Instruction): string | null {
  let version: string | null = null;
  for (const stage of [...lineage].reverse()) {
    for (const instruction of stage.instructions) {
      if (instruction.start >= before.start) break;
      const spec = copySpec(instruction);
      if (!spec?.from || !spec.sources.some((s) => /^\/usr\/local\/go\/?$/.test(s))) continue;
      const from = resolveImage(doc, spec.from);
      const tag = from !== null && isGolangImage(from) ? golangTag(from) : null;
      version = tag === null ? null : tagVersion(tag);
    }
  }
  return version;
}

/** `go1.12.5.linux-amd64.tar.gz`, `go${GO_VERSION}.linux-arm64.tar.gz`: an official Go download. */
const GO_TARBALL = /\bgo(\d+\.\d+(?:\.\d+)?|\$\{?(\w+)\}?)\.(?:linux|src)\b/;

/**
 * The Go a stage installs itself, before `at`: an official tarball whose version is literal or an
 * ENV/ARG default, or the `ENV GOLANG_VERSION` the golang image's own Dockerfile sets.
 */
function installedGoVersion(doc: ParsedDockerfile, stage: Stage, at: Instruction): string | null {
  const env = runEnvironment(doc, stage, at);
  const defaults = new Map(globalArgDefaults(doc));
  let version: string | null = null;
  for (const s of [...stageLineage(doc, stage)].reverse()) {
    for (const instruction of s.instructions) {
      if (s === stage && instruction.start >= at.start) break;
      if (instruction.keyword === 'ARG') {
        for (const arg of instruction.args) {
          const [name = '', value] = arg.value.split(/=(.*)/);
          if (value !== undefined) defaults.set(name, value.replace(/^(["'])(.*)\1$/, '$2'));
        }
      }
      if (instruction.keyword !== 'RUN') continue;
      const match = GO_TARBALL.exec(doc.source.text.slice(instruction.argsStart, instruction.end));
      if (!match) continue;
      const name = match[2];
      version = name === undefined ? match[1] ?? null : env.vars.get(name) ?? defaults.get(name) ?? null;
    }
  }
  const declared = env.vars.get('GOLANG_VERSION') ?? env.vars.get('GO_VERSION') ?? null;
  const plain = (v: string | null) => (v !== null && /^\d+\.\d+(\.\d+)?$/.test(v) ? v : null);
  return plain(version) ?? plain(declared);
}

/**
 * Whether a stage's Go is at least `minimum`: the toolchain's version (see stageToolchain; an untagged
 * or `latest` golang image is the newest Go), or when that is unknown (no version in the tag, or an
 * ARG without default in it), go.mod's `go` line, the least Go the module is written for. `known` is
 * null when neither says; `evidence` then says why, for a message.
 */
function stageGoAtLeast(doc: ParsedDockerfile, stage: Stage, at: Instruction, goMod: string | null, minimum: string): { known: boolean | null; image: string; version: string | null; evidence: string } {
  const toolchain = stageToolchain(doc, stage, at);
  const declared = goMod === null ? null : parseGoMod(goMod).go;
  let known = 'reason' in toolchain ? null : goAtLeast(toolchain, minimum);
  if (known === null && declared !== null && compareGoVersions(declared, minimum) >= 0) known = true;
  const image = 'reason' in toolchain ? stageLineage(doc, stage).at(-1)?.image ?? '' : toolchain.image;
  const tag = 'reason' in toolchain ? 'an ARG without default in the image' : 'no Go version in its tag';
  const mod = goMod === null ? 'no go.mod at the context root' : declared === null ? 'no go line in go.mod' : `go.mod says go ${declared}`;
  return { known, image, version: 'reason' in toolchain ? null : toolchain.goVersion, evidence: `${tag}, and ${mod}` };
}

/** Why a stage's Go may lack `feature`, which Go `minimum` brought (see stageGoAtLeast); null when it has it. */
export function missingGoFeature(doc: ParsedDockerfile, stage: Stage, at: Instruction, goMod: string | null, minimum: string, feature: string): string | null {
  const go = stageGoAtLeast(doc, stage, at, goMod, minimum);
  if (go.known === true) return null;
  if (go.known === false) return `${go.image} has Go ${go.version ?? '?'}, and ${feature} needs Go ${minimum} or later`;
  return `cannot tell whether ${go.image} has Go ${minimum} or later, which ${feature} needs (${go.evidence})`;
}

/** Why a stage's Go has no cache to mount: it is known to predate the build cache (Go 1.10); else null. */
export function predatesGoCaches(doc: ParsedDockerfile, stage: Stage, at: Instruction): string | null {
  const toolchain = stageToolchain(doc, stage, at);
  if ('reason' in toolchain || goAtLeast(toolchain, '1.10') !== false) return null;
  return `${toolchain.image} has Go ${toolchain.goVersion ?? '?'}, which has no build cache (Go 1.10) or module cache (Go 1.11) to keep`;
}

/**
 * Why the go command at `at`, run in `dir`, may be in GOPATH mode, where go.mod is ignored and `go mod`
 * fails: Go before 1.11, GO111MODULE=off, or Go 1.11/1.12 inside $GOPATH/src without GO111MODULE=on
 * (there `auto` meant GOPATH mode; from Go 1.13 a go.mod switches modules on anywhere). Outside
 * $GOPATH/src an unknown version counts as modern, since the context has a go.mod.
 */
export function gopathModeReason(doc: ParsedDockerfile, stage: Stage, at: Instruction, dir: string | null, goMod: string | null, go111module: string | null): string | null {
  if (go111module === 'off') return 'GO111MODULE=off: the build runs in GOPATH mode';
  const toolchain = stageToolchain(doc, stage, at);
  if (!('reason' in toolchain) && goAtLeast(toolchain, '1.11') === false) {
    return `${toolchain.image} has Go ${toolchain.goVersion ?? '?'}, which predates modules (Go 1.11): the build runs in GOPATH mode`;
  }
  if (go111module === 'on') return null;
  // the golang image sets GOPATH=/go (runEnvironment knows); elsewhere Go's default is $HOME/go
  const env = runEnvironment(doc, stage, at).vars;
  const gopath = env.has('GOPATH') ? env.get('GOPATH') ?? null : `${env.get('HOME') ?? '/root'}/go`;
  if (gopath === null || dir === null) return null;
  if (!gopath.split(':').some((p) => p !== '' && (dir === `${p}/src` || dir.startsWith(`${p}/src/`)))) return null;
  const go = stageGoAtLeast(doc, stage, at, goMod, '1.13');
  if (go.known === true) return null;
  const rule = `before Go 1.13, go commands inside $GOPATH/src (${dir}) without GO111MODULE=on run in GOPATH mode`;
  if (go.known === false) return `${go.image} has Go ${go.version ?? '?'}: ${rule}`;
  return `cannot tell whether ${go.image} has Go 1.13 or later (${go.evidence}): ${rule}`;
}

/**
 * Package names whose installation gives a stage a C toolchain (apk and apt spellings); musl-dev and
 * libc-dev come with gcc in practice, and mark the stage as one that links cgo.
 */
const C_TOOLCHAIN_PACKAGES = /^(gcc|g\+\+|gcc-[\w.-]+|clang|clang-[\w.-]+|build-base|build-essential|musl-dev|libc6?-dev|alpine-sdk)$/;

/** Whether an apk/apt install in the stage's lineage, before `before`, brings a C compiler. */
export function installsCCompiler(doc: ParsedDockerfile, stage: Stage, before: Instruction): boolean {
  return cCompilerInstall(doc, stage, before) !== null;
}

/**
 * The first RUN of the stage's lineage, before `before`, whose apk/apt install brings a C compiler;
 * `explicit` when it names the compiler (`gcc`, `build-base`), not when it comes with Debian's golang
 * package's recommendations: only the former says the author wants cgo.
 */
export function cCompilerInstall(doc: ParsedDockerfile, stage: Stage, before: Instruction): { instruction: Instruction; explicit: boolean } | null {
  for (const s of [...stageLineage(doc, stage)].reverse()) {
    for (const instruction of s.instructions) {
      if (instruction.keyword !== 'RUN' || instruction.start >= before.start) continue;
      const explicit = compilerInstallIn(doc, instruction);
      if (explicit !== null) return { instruction, explicit };
    }
  }
  return null;
}

/** Whether a RUN installs a C compiler: true when named, false through golang's recommendations, null when not. */
function compilerInstallIn(doc: ParsedDockerfile, instruction: Instruction): boolean | null {
  const script = runScript(doc, instruction);
  if (!script.parsed) return /\b(gcc|clang|build-base|build-essential|musl-dev|alpine-sdk)\b/.test(doc.source.text.slice(instruction.argsStart, instruction.end)) ? true : null;
  let found: boolean | null = null;
  for (const c of script.commands) {
    const words = c.words.map((w) => w.value);
    const manager = words[0] ?? '';
    const install = words.findIndex((w) => w === 'add' || w === 'install');
    if (!['apk', 'apt-get', 'apt', 'aptitude'].includes(manager) || install < 0) continue;
    const packages = words.slice(install + 1).filter((w) => !w.startsWith('-')).map((w) => w.replace(/[=:].*$/, ''));
    if (packages.some((p) => C_TOOLCHAIN_PACKAGES.test(p))) return true;
    // Debian's golang packages recommend gcc, and apt installs recommendations by default
    if (manager !== 'apk' && !words.includes('--no-install-recommends') && packages.some((p) => /^golang(-[\d.]+)?(-go)?$/.test(p))) found = false;
  }
  return found;
}
