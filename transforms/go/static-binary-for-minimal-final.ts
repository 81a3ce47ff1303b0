/**
 * go/static-binary-for-minimal-final (catalogue G-12, seed point 8).
 *
 * Looks for: a stage on a minimal runtime image (`scratch`, `gcr.io/distroless/static*`, `alpine`,
 * `busybox`, or a stage built FROM one) that `COPY --from`s the executable of a `go build`/`go
 * install` which does not set CGO_ENABLED (no prefix, `export`, `go env -w`, ENV or ARG), in a stage
 * that can link cgo: a Debian-based golang image (gcc is installed), a C compiler installed with
 * apk/apt, or Go older than 1.20 (cgo on by default even without a compiler). Such a binary is linked
 * against the builder's C library and fails to start where there is none: `exec /app: no such file or
 * directory`. An Alpine (musl) builder feeding an alpine image is left alone: its binary runs there.
 * Checks: the copied path is that build's output (its `-o`, GOBIN/$GOPATH/bin, or the package name),
 * or the only Go build of the source stage; the build context has a go.mod; nothing in it needs cgo:
 * no `import "C"` outside vendor/ and testdata/, no go.mod requirement of a known cgo module, no
 * `-tags` that select cgo code, no `-linkmode external`, `-race`, `-buildmode=...` or gccgo.
 * Writes: `CGO_ENABLED=0 ` in front of that go command (before its other env prefixes).
 */
import { type BuildContext, normalizePath } from '../../src/context/context.js';
import type { Edit } from '../../src/engine/edits.js';
import { buildEnv, copyTakes, goBuildOutputs, resolveImage, stageByReference } from '../../src/ecosystems/go/go-binary.js';
import { type GoBuildCommand, goBuildCommands } from '../../src/ecosystems/go/go-build.js';
import { goSourceFiles, MAX_GO_FILES } from '../../src/ecosystems/go/go-sources.js';
import { compareGoVersions, parseGoMod } from '../../src/ecosystems/go/gomod.js';
import { copySpec } from '../../src/engine/instructions.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import { runScript } from '../../src/shell/shell.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { cCompilerInstall, installsCCompiler } from '../../src/ecosystems/go/go-toolchain.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { isGolangImage } from '../../src/ecosystems/go/go.js';
import { isWindowsImage } from '../../src/images/official-images.js';
import { GO_MENTIONS } from '../../src/ecosystems/go/steps.js';

/**
 * Modules that need cgo: with CGO_ENABLED=0 they fail to compile, or (go-sqlite3) compile to a stub
 * that fails at run time. Prefixes: a trailing `/` matches every module under it (any major version).
 */
const CGO_MODULES = [
  'github.com/mattn/go-sqlite3',
  'github.com/confluentinc/confluent-kafka-go',
  'github.com/go-gl/',
  'github.com/miekg/pkcs11',
  'github.com/DataDog/zstd',
  'github.com/google/gopacket', // its pcap package
  'github.com/mattn/go-oci8',
  'github.com/libgit2/git2go',
  'github.com/linxGnu/grocksdb',
  'github.com/tecbot/gorocksdb',
  'github.com/seccomp/libseccomp-golang',
  'gocv.io/x/gocv',
  'libvirt.org/go/libvirt',
];

/** Build tags that conventionally select cgo code (go-sqlite3, netcgo, libpcap, libseccomp, ...). */
const CGO_TAGS = /cgo|sqlite|pcap|seccomp|gpgme|libdm|gssapi|kerberos|libgit2|rocksdb|pkcs11|libvirt|cuda/i;


/** A go build or install in a RUN we cannot parse (heredoc, exec form). */
const GO_BUILD_TEXT = /(^|[\s;&|("'`])go["',\s]+(build|install)\b/;

/** `import "C"` alone or inside an import block: the line cgo looks for. */
const IMPORT_C = /^\s*(import\s+)?(_\s+)?"C"\s*(\/\/.*)?$/m;

/** Paths in a Go stage that hold the image's own files, never a Go build's output. */
const SYSTEM_FILES = /^\/(etc|usr\/share|usr\/local\/share|usr\/lib|lib|var\/lib)(\/|$)/;

type RuntimeKind = 'scratch' | 'distroless/static' | 'alpine' | 'busybox';

export const staticBinaryForMinimalFinal: Transform = {
  id: 'go/static-binary-for-minimal-final',
  mentions: GO_MENTIONS,
  title: 'Set CGO_ENABLED=0 when a Go binary goes into a scratch, distroless/static, alpine or busybox image',
  rationale:
    'a Go binary linked with cgo fails to start in scratch, distroless/static, alpine and busybox images ("no such file or directory": no C library to load), so the build now links it statically',
  safety: 'safe',
  preconditions: [
    'the copied file is the output of that go build, or the source stage has exactly one go build',
    'the build stage can link cgo (Debian golang image, a C compiler installed, or Go < 1.20) and CGO_ENABLED is not set',
    'a go.mod in the context; no import "C", no known cgo module in go.mod, no cgo -tags, -linkmode external, -race or -buildmode',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    const cgoInContext = once(() => cgoUseInContext(context.build));
    for (const { build, runtimes } of copiedBuilds(doc, context, out)) {
      rewriteBuild(doc, build, runtimes, cgoInContext, out);
    }
    return out.result();
  },
};

interface CopiedBuild {
  readonly build: GoBuildCommand;
  /** The minimal images its binary is copied into, with the COPY that does it. */
  readonly runtimes: { readonly kind: RuntimeKind; readonly copy: Instruction }[];
}

/** What it looks for: go builds whose executable a `COPY --from` puts into a minimal runtime stage. */
function copiedBuilds(doc: ParsedDockerfile, context: TransformContext, out: ResultBuilder): CopiedBuild[] {
  const found = new Map<number, CopiedBuild>();
  // a source stage's builds and unreadable go build, read once: several COPY --from may name it
  const readings = new Map<Stage, { builds: GoBuildCommand[]; opaque: Instruction | undefined }>();
  const readSource = (source: Stage) => {
    let known = readings.get(source);
    if (known === undefined) {
      known = {
        builds: goBuildCommands(doc, stageLineage(doc, source)),
        opaque: stageLineage(doc, source).flatMap((s) => s.instructions).find((i) => {
          if (i.keyword !== 'RUN') return false;
          const text = doc.source.text.slice(i.argsStart, i.end);
          return GO_BUILD_TEXT.test(text) && !text.includes('CGO_ENABLED') && !runScript(doc, i).parsed;
        }),
      };
      readings.set(source, known);
    }
    return known;
  };
  for (const stage of doc.stages) {
    const kind = runtimeKind(doc, stage);
    if (kind === null) continue;
    for (const copy of stage.instructions) {
      const spec = copy.onbuild ? null : copySpec(copy);
      const source = spec?.from ? stageByReference(doc, spec.from) : undefined;
      if (!spec || !source || source === stage) continue;
      const { builds, opaque } = readSource(source);
      if (opaque) {
        out.skip(opaque, `cannot read the RUN on line ${opaque.line + 1} (${runScript(doc, opaque).reason ?? 'unparsed'}) to tell how its go build sets CGO_ENABLED`);
        continue;
      }
      if (builds.length === 0) continue;
      const taken = buildsTaken(doc, context, builds, spec.sources);
      if ('reason' in taken) {
        out.skip(copy, taken.reason);
        continue;
      }
      for (const build of taken.builds) {
        const entry = found.get(build.command.start) ?? { build, runtimes: [] };
        entry.runtimes.push({ kind, copy });
        found.set(build.command.start, entry);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.build.command.start - b.build.command.start);
}

/** The minimal image a stage runs on (through stages built FROM others), or null. */
function runtimeKind(doc: ParsedDockerfile, stage: Stage): RuntimeKind | null {
  const root = stageLineage(doc, stage).at(-1);
  const image = resolveImage(doc, root?.image ?? '')?.toLowerCase() ?? '';
  if (image === 'scratch') return 'scratch';
  if (/(^|\/)distroless\/static([-:@]|$)/.test(image) || /(^|\/)chainguard\/static([:@]|$)/.test(image)) return 'distroless/static';
  if (/(^|\/)alpine([:@]|$)/.test(image)) return 'alpine';
  if (/(^|\/)busybox([:@]|$)/.test(image)) return 'busybox';
  return null;
}

/**
 * Which of the source stage's builds produced the copied files: those whose output a source takes;
 * when some output cannot be worked out, the only build of the stage. System paths are never binaries.
 */
function buildsTaken(doc: ParsedDockerfile, context: TransformContext, builds: readonly GoBuildCommand[], sources: readonly string[]): { builds: GoBuildCommand[] } | { reason: string } {
  const outputs = builds.map((build) => ({ build, outputs: goBuildOutputs(doc, build, context.build) }));
  const taken = new Set<GoBuildCommand>();
  for (const source of sources) {
    if (/[$`]/.test(source)) return { reason: `cannot tell which go build produced ${source} (it uses a variable)` };
    const matches = outputs.filter((o) => o.outputs !== null && copyTakes(source, o.outputs));
    if (matches.length > 0) {
      for (const m of matches) taken.add(m.build);
      continue;
    }
    // every output is known and elsewhere, or certificates and time zones: not a Go binary
    if (outputs.every((o) => o.outputs !== null) || SYSTEM_FILES.test(`/${normalizePath(source)}`)) continue;
    if (builds.length === 1 && builds[0]) taken.add(builds[0]);
    else return { reason: `cannot tell which of the ${builds.length} go builds produced ${source}` };
  }
  return { builds: [...taken] };
}

/** Why a build must keep cgo (`needsCgo`), or why we cannot tell. */
interface CgoProblem {
  readonly reason: string;
  readonly needsCgo: boolean;
}

function rewriteBuild(doc: ParsedDockerfile, build: GoBuildCommand, runtimes: CopiedBuild['runtimes'], cgoInContext: () => CgoProblem | null, out: ResultBuilder): void {
  // What it checks: CGO_ENABLED is the author's choice once it is set anywhere.
  if (buildEnv(doc, build, 'CGO_ENABLED') !== null) return;
  // a binary built on Alpine links musl if anything, and runs in alpine: only images without any C library are a problem
  const musl = buildsOnAlpine(doc, build);
  const first = runtimes.find((r) => !(musl && r.kind === 'alpine'));
  if (!first) return;
  const toolchain = cgoToolchain(doc, build);
  if (toolchain === 'none') return;
  if (typeof toolchain === 'object') return out.skip(build.instruction, toolchain.reason);
  const flag = cgoFlag(doc, build);
  if (flag === 'static') return;
  // the context is the proof, when there is one; without it the Dockerfile's own signs must do
  const inContext = flag ?? cgoInContext();
  if (inContext?.needsCgo) {
    return out.skip(build.instruction, `${inContext.reason}: the binary cannot be built with CGO_ENABLED=0 (link it statically by hand, or use a final image with its C library)`);
  }
  const wanted = cgoWanted(doc, build);
  if (wanted) return out.skip(build.instruction, `${wanted}, so the build may need cgo: set CGO_ENABLED=0 by hand if it does not, or link it statically`);
  if (inContext) return out.skip(build.instruction, inContext.reason);

  // What it writes: the prefix leads the command's other assignments, as in `CGO_ENABLED=0 GOOS=linux go build`.
  const at = Math.min(...build.command.assignments.map((a) => a.start), build.command.words[0]?.start ?? build.command.start);
  const edit: Edit = { start: at, end: at, text: 'CGO_ENABLED=0 ' };
  out.change(build.instruction, [edit], `the binary goes into ${first.kind} (COPY on line ${first.copy.line + 1})`);
}

/** The build stage's lineage starts from Alpine: the golang `*-alpine` images or alpine itself. */
function buildsOnAlpine(doc: ParsedDockerfile, build: GoBuildCommand): boolean {
  const image = resolveImage(doc, stageLineage(doc, build.stage).at(-1)?.image ?? '') ?? '';
  return /(^|\/)alpine([:@]|$)/.test(image) || (isGolangImage(image) && /:[^/]*alpine[^/]*$/.test(image.split('@')[0] ?? ''));
}

/** Whether a stage can link cgo ('links'), cannot ('none'), or why we cannot tell. */
function cgoToolchain(doc: ParsedDockerfile, build: GoBuildCommand): 'links' | 'none' | { reason: string } {
  const lineage = stageLineage(doc, build.stage);
  const written = lineage.at(-1)?.image ?? '';
  const image = resolveImage(doc, written);
  if (image === null) return { reason: `cannot tell whether ${written} can link cgo (an ARG in the image has no default)` };
  if (isWindowsImage(image)) return 'none';
  const compiler = installsCCompiler(doc, build.stage, build.instruction);
  if (!isGolangImage(image)) {
    if (compiler) return 'links';
    return { reason: `cannot tell whether ${image} has a C compiler, so whether cgo is on (set CGO_ENABLED explicitly)` };
  }
  const [name = '', digest] = image.split('@');
  const tag = /:([^/]+)$/.exec(name)?.[1] ?? (digest === undefined ? 'latest' : undefined);
  if (tag === undefined) return { reason: `cannot tell which variant of the golang image ${image} is (Debian-based ones have gcc)` };
  if (!tag.includes('alpine') || compiler) return 'links';
  // Go 1.20+ turns cgo off when there is no C compiler; before, alpine builds linked musl dynamically
  const version = /^\d+(\.\d+)*/.exec(tag)?.[0];
  if (version === undefined || version === '1') return 'none'; // `alpine`, `1-alpine`: the latest Go
  return compareGoVersions(version, '1.20') < 0 ? 'links' : 'none';
}

/**
 * A go build flag (or GOFLAGS) that needs cgo, or 'static' when the flags already link a static cgo
 * binary (`-linkmode external -extldflags -static`): that binary runs anywhere.
 */
function cgoFlag(doc: ParsedDockerfile, build: GoBuildCommand): CgoProblem | 'static' | null {
  const flags: { name: string; value: string | null }[] = [...build.flags];
  const goflags = buildEnv(doc, build, 'GOFLAGS')?.value;
  for (const word of goflags?.split(/\s+/) ?? []) {
    const [name = '', value] = word.replace(/^--?/, '-').split(/=(.*)/);
    if (name.startsWith('-')) flags.push({ name, value: value ?? null });
  }
  const needs = (reason: string): CgoProblem => ({ reason, needsCgo: true });
  for (const flag of flags) {
    const value = flag.value ?? '';
    if (flag.name === '-tags') {
      const tag = value.split(/[\s,]+/).find((t) => CGO_TAGS.test(t));
      if (tag) return needs(`-tags ${tag} selects cgo code`);
    }
    if (flag.name === '-ldflags' && /-extldflags[=\s]+['"]?[^'"]*-static\b/.test(value)) return 'static';
    if (flag.name === '-ldflags' && /-linkmode[=\s]+['"]?external/.test(value)) return needs('-ldflags -linkmode external links with the C toolchain');
    if (['-race', '-msan', '-asan', '-linkshared'].includes(flag.name)) return needs(`${flag.name} needs cgo`);
    if (flag.name === '-buildmode' && !['exe', 'default'].includes(value)) return needs(`-buildmode=${value} may need cgo`);
    if (flag.name === '-compiler' && value === 'gccgo') return needs('gccgo always links the C library');
  }
  return null;
}

/** `CGO_ENABLED=1`, `CGO_ENABLED 1`, `CGO_ENABLED="1"` in any instruction. */
const CGO_ON = /\bCGO_ENABLED\s*[= ]\s*["']?1\b/;

/**
 * What in the Dockerfile says its author wants cgo, though the build does not set CGO_ENABLED: a
 * CGO_ENABLED=1 anywhere (another stage, another RUN), or a C compiler the build stage installs by
 * name (`apk add gcc musl-dev`, `build-base`, `build-essential`). Null when nothing does.
 */
function cgoWanted(doc: ParsedDockerfile, build: GoBuildCommand): string | null {
  const on = doc.instructions.find((i) => CGO_ON.test(doc.source.text.slice(i.argsStart, i.end)));
  if (on) return `${instructionSnippet(doc, on)} sets CGO_ENABLED=1`;
  const compiler = cCompilerInstall(doc, build.stage, build.instruction);
  if (compiler?.explicit) return `the build stage installs a C compiler (${instructionSnippet(doc, compiler.instruction)})`;
  return null;
}

/** Why the context's Go code may need cgo, or why it cannot be checked; null when it does not. */
function cgoUseInContext(build: BuildContext): CgoProblem | null {
  const unknown = (reason: string): CgoProblem => ({ reason, needsCgo: false });
  const files = goSourceFiles(build);
  if (files === null) return unknown(`too many files to check for cgo (more than ${MAX_GO_FILES} .go files)`);
  const modules = new Set(['go.mod']);
  for (const file of files) {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) modules.add(`${parts.slice(0, i).join('/')}/go.mod`);
  }
  const goMods = [...modules].sort().filter((path) => build.exists(path));
  if (goMods.length === 0) return unknown('no go.mod in the build context, so its dependencies cannot be checked for cgo (pass --context if the build runs elsewhere)');
  for (const path of goMods) {
    const text = build.readFile(path);
    if (text === null) return unknown(`cannot read ${path} to check its dependencies for cgo`);
    const requirement = parseGoMod(text).requires.find((r) => CGO_MODULES.some((m) => (m.endsWith('/') ? r.startsWith(m) : r === m || r.startsWith(`${m}/v`))));
    if (requirement) return { reason: `${path} requires ${requirement}, which needs cgo`, needsCgo: true };
  }
  for (const file of files) {
    const text = build.readFile(file);
    if (text === null) return unknown(`cannot read ${file} to check it for import "C"`);
    if (IMPORT_C.test(text)) return { reason: `${file} imports "C"`, needsCgo: true };
  }
  return null;
}

function once<T>(compute: () => T): () => T {
  let cached: { value: T } | null = null;
  return () => (cached ??= { value: compute() }).value;
}
