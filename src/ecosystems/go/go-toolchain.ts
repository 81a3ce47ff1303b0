/**
 * What toolchain a Go stage has: the Go version its image is known to carry, whether that is the
 * Alpine or Debian flavour of the golang image, and whether the Dockerfile installs a C compiler.
 * Some go build flags behave differently on old Go (before 1.10 the build cache did not exist; before
 * 1.20 the standard library came precompiled and rebuilding it with cgo on needed gcc).
 */
import { resolveImage } from './go-binary.js';
import { compareGoVersions } from './gomod.js';
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
  return { image, golang: false, variant, goVersion: copiedGoVersion(doc, lineage, at) };
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

/**
 * Package names whose installation gives a stage a C toolchain (apk and apt spellings); musl-dev and
 * libc-dev come with gcc in practice, and mark the stage as one that links cgo.
 */
const C_TOOLCHAIN_PACKAGES = /^(gcc|g\+\+|gcc-[\w.-]+|clang|clang-[\w.-]+|build-base|build-essential|musl-dev|libc6?-dev|alpine-sdk)$/;

/** Whether an apk/apt install in the stage's lineage, before `before`, brings a C compiler. */
export function installsCCompiler(doc: ParsedDockerfile, stage: Stage, before: Instruction): boolean {
  return stageLineage(doc, stage).some((s) => s.instructions.some((instruction) => {
    if (instruction.keyword !== 'RUN' || instruction.start >= before.start) return false;
    const script = runScript(doc, instruction);
    if (!script.parsed) return /\b(gcc|clang|build-base|build-essential|musl-dev|alpine-sdk)\b/.test(doc.source.text.slice(instruction.argsStart, instruction.end));
    return script.commands.some((c) => {
      const words = c.words.map((w) => w.value);
      const manager = words[0] ?? '';
      const install = words.findIndex((w) => w === 'add' || w === 'install');
      if (!['apk', 'apt-get', 'apt', 'aptitude'].includes(manager) || install < 0) return false;
      const packages = words.slice(install + 1).filter((w) => !w.startsWith('-')).map((w) => w.replace(/[=:].*$/, ''));
      // Debian's golang packages recommend gcc, and apt installs recommendations by default
      const golangWithRecommends = manager !== 'apk' && !words.includes('--no-install-recommends') && packages.some((p) => /^golang(-[\d.]+)?(-go)?$/.test(p));
      return golangWithRecommends || packages.some((p) => C_TOOLCHAIN_PACKAGES.test(p));
    });
  }));
}
