/**
 * go/cross-compile (catalogue G-05, seed point 4).
 *
 * Looks for: a Go build stage that hard-codes the target: `GOOS=linux GOARCH=amd64 go build`, or
 * `ENV GOOS=... GOARCH=...` in the stage. In a multi-platform build that stage runs under emulation
 * for every target (4-5x slower), yet still writes an amd64 binary into an arm64 image.
 * Checks: the build disables cgo (CGO_ENABLED=0 as a prefix, `export` or ENV: cgo cross-builds need
 * a C cross-compiler); no GOARM (it would need TARGETVARIANT); a Linux target and one target for
 * every build of the stage; not a Windows image; the stage does not already declare ARG TARGETARCH;
 * the stage is only used through `COPY --from` (not the last stage, no stage built FROM it) and
 * every copied path is the binary of a rewritten build or platform-independent data (/etc,
 * /usr/share, files the stage copied from the context); no later step in the stage runs the binary,
 * `go test`/`go run`/`go generate`s under the target settings, or installs packages for another
 * architecture; no consuming stage is pinned with a literal `FROM --platform=linux/amd64`.
 * Writes: `--platform=$BUILDPLATFORM` on the stage's FROM, `ARG TARGETOS TARGETARCH` after the last
 * `go mod download` (so that layer is shared by every architecture) or right before the build, and
 * `GOOS=$TARGETOS GOARCH=$TARGETARCH` in place of the hard-coded values.
 */
import type { Edit } from '../../src/engine/edits.js';
import { runEnvironment } from '../../src/engine/env.js';
import { buildEnv, copyTakes, descendantsOf, type GoOutputs, goBuildOutputs, goCommandDir, joinPath, stageByReference } from '../../src/ecosystems/go/go-binary.js';
import { type GoBuildCommand, goBuildCommands } from '../../src/ecosystems/go/go-build.js';
import { stageScripts, goSubcommand } from '../../src/ecosystems/go/go.js';
import { copySpec, declaredNames, effectiveWorkdir, globMatches } from '../../src/engine/instructions.js';
import { type Instruction, type ParsedDockerfile, type Stage, type Word, stageLineage } from '../../src/engine/parse.js';
import { type ShellAssignment, type ShellCommand } from '../../src/shell/shell.js';
import { attachedCommentsStart, indentOf, instructionBlock, keyword } from '../../src/engine/style.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { isWindowsImage } from '../../src/images/official-images.js';
import { GO_MENTIONS } from '../../src/ecosystems/go/steps.js';

const TARGET_VARS = { GOOS: '$TARGETOS', GOARCH: '$TARGETARCH' } as const;
type TargetVar = keyof typeof TARGET_VARS;

/** Copied paths that are the same on every platform: configuration, certificates, time zones. */
const PLATFORM_INDEPENDENT = /^\/(etc|usr\/share|usr\/local\/share)(\/|$)|\.(crt|pem)$|(^|\/)zoneinfo(\.zip)?$/;
/** Commands that handle a binary without running it (upx packs every Linux architecture Go targets). */
const HANDLES_WITHOUT_RUNNING = new Set(['cp', 'mv', 'ln', 'rm', 'chmod', 'chown', 'ls', 'install', 'mkdir', 'tar', 'gzip', 'sha256sum', 'sha512sum', 'md5sum', 'stat', 'du', 'file', 'upx', 'echo', 'test', '[']);
/** Commands whose results are platform-independent, in a stage whose context files get copied out. */
const PLATFORM_NEUTRAL_COMMANDS = new Set([...HANDLES_WITHOUT_RUNNING, 'go', 'cd', 'set', 'export', 'true', 'touch', 'printf', 'cat', 'sed', 'git', 'apk', 'apt-get', 'apt', 'find', 'xargs']);
/** Go commands that run what they compile, which fails for a foreign GOARCH. */
const RUNS_TARGET_CODE = new Set(['test', 'run', 'generate']);

export const crossCompile: Transform = {
  id: 'go/cross-compile',
  mentions: GO_MENTIONS,
  title: 'Cross-compile on the build platform instead of hard-coding GOOS and GOARCH',
  rationale:
    'the Go stage now runs natively on the build platform and compiles for each target platform, so a multi-platform build needs no emulation and shares the module download across architectures',
  safety: 'unsafe',
  preconditions: [
    'CGO_ENABLED=0 for the build; no GOARM; a Linux target; not a Windows image; no ARG TARGETARCH yet',
    'the stage is only used through COPY --from, of its binary or of platform-independent files',
    'no later step runs the binary or installs packages for another architecture; no consumer pinned to a literal --platform',
    'the builder is BuildKit (it sets BUILDPLATFORM, TARGETOS and TARGETARCH)',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) rewriteStage(doc, stage, context, out);
    return out.result();
  },
};

/** One hard-coded GOOS/GOARCH value and the text that holds it. */
interface Pinned {
  readonly name: TargetVar;
  readonly value: string;
  /** Where the value is written, replaced by `$TARGETOS`/`$TARGETARCH`. */
  readonly start: number;
  readonly end: number;
  readonly instruction: Instruction;
}

function rewriteStage(doc: ParsedDockerfile, stage: Stage, context: TransformContext, out: ResultBuilder): void {
  // What it looks for: hard-coded targets in ENV and on go build prefixes of this stage.
  const envPins = stage.instructions.filter((i) => i.keyword === 'ENV' && !i.onbuild).flatMap((i) => envPinned(i));
  const builds = goBuildCommands(doc, [stage]);
  const prefixPins = new Map(builds.map((b) => [b, prefixPinned(b)] as const));
  const pinnedBuilds = builds.filter((b) => (prefixPins.get(b) ?? []).length > 0 || envPins.some((p) => p.start < b.instruction.start));
  const first = pinnedBuilds[0];
  if (!first) return;
  const allPins = [...envPins, ...pinnedBuilds.flatMap((b) => prefixPins.get(b) ?? [])];
  const skip = (reason: string) => out.skip(first.instruction, reason);

  // What it checks, cheapest first.
  const root = stageLineage(doc, stage).at(-1) ?? stage;
  if (isWindowsImage(root.image) || runEnvironment(doc, stage, first.instruction).windows) return skip(`${root.image} is a Windows image`);
  const foreignOs = allPins.find((p) => p.name === 'GOOS' && p.value !== 'linux');
  if (foreignOs) return skip(`GOOS=${foreignOs.value} targets another operating system on purpose`);
  for (const name of ['GOOS', 'GOARCH'] as const) {
    const values = new Set(allPins.filter((p) => p.name === name).map((p) => p.value));
    if (values.size > 1) return skip(`the stage builds for several ${name} values (${[...values].join(', ')}) on purpose`);
  }
  const goarm = pinnedBuilds.find((b) => buildEnv(doc, b, 'GOARM') !== null);
  if (goarm) return skip('GOARM is set: an ARM variant target needs TARGETVARIANT wiring, which this rewrite does not do');
  const wired = stageLineage(doc, stage).flatMap((s) => s.instructions).find((i) => i.keyword === 'ARG' && declaredNames(i).some((n) => /^TARGET(OS|ARCH|PLATFORM|VARIANT)$/.test(n)));
  if (wired) return skip(`the stage already declares ARG ${declaredNames(wired).join(' ')} (line ${wired.line + 1}): wire GOOS/GOARCH to it by hand`);
  const install = pinnedBuilds.find((b) => b.subcommand === 'install');
  if (install) return skip(`go install on line ${install.instruction.line + 1} cannot cross-compile into the same place (it writes to $GOPATH/bin/<os>_<arch>/, and refuses with GOBIN set): use go build -o`);
  const cgo = pinnedBuilds.find((b) => buildEnv(doc, b, 'CGO_ENABLED')?.value !== '0');
  if (cgo) return skip(`the go build on line ${cgo.instruction.line + 1} does not set CGO_ENABLED=0, and cgo cannot cross-compile without a C cross-compiler`);
  const blocked = platformBlocker(doc, stage) ?? usageBlocker(doc, stage, pinnedBuilds, envPins, context);
  if (blocked) return skip(blocked);

  // What it writes.
  const edits: Edit[] = [];
  const fromEdit = platformEdit(doc, stage);
  if ('reason' in fromEdit) return skip(fromEdit.reason);
  if (fromEdit.edit) edits.push(fromEdit.edit);
  const moved = movedEnvs(doc, stage, envPins, first.instruction);
  for (const pin of allPins.filter((p) => !moved.some((m) => m.instruction === p.instruction))) {
    edits.push({ start: pin.start, end: pin.end, text: TARGET_VARS[pin.name] });
  }
  let movedText = '';
  for (const env of moved) {
    edits.push(...env.removals);
    movedText += env.comments;
  }
  // the moved settings come back as one ENV of both: on the build platform an unset one would be wrong
  if (moved.length > 0) movedText += `${indentOf(doc, first.instruction)}${keyword(doc, 'ENV')} GOOS=$TARGETOS GOARCH=$TARGETARCH${doc.source.eol}`;
  for (const build of pinnedBuilds) {
    // the build must see both: moved to the build platform, an unset GOARCH would mean the build's own
    const os = build.command.assignments.find((a) => a.name === 'GOOS');
    const arch = build.command.assignments.find((a) => a.name === 'GOARCH');
    const sees = (name: TargetVar) => moved.length > 0 || buildEnv(doc, build, name) !== null;
    if (!sees('GOOS')) edits.push(insertAt(arch?.start ?? build.command.words[0]?.start ?? build.command.start, 'GOOS=$TARGETOS '));
    if (!sees('GOARCH')) edits.push(os ? insertAt(os.end, ' GOARCH=$TARGETARCH') : insertAt(build.command.words[0]?.start ?? build.command.start, 'GOARCH=$TARGETARCH '));
  }
  const inPlace = envPins.filter((p) => !moved.some((m) => m.instruction === p.instruction));
  const needAt = Math.min(...inPlace.map((p) => p.instruction.start), first.instruction.start);
  edits.push(argEdit(doc, stage, needAt, movedText));
  const at = Math.min(...allPins.map((p) => p.instruction.start));
  out.change(at, edits, `builds on $BUILDPLATFORM for $TARGETOS/$TARGETARCH (was ${describePins(allPins)})`);
}

/** An ENV above the module download whose GOOS/GOARCH move below it, so the download stays shared. */
interface MovedEnv {
  readonly instruction: Instruction;
  readonly pins: readonly Pinned[];
  readonly removals: readonly Edit[];
  /** Comment lines above an ENV that goes away entirely; they travel with it. */
  readonly comments: string;
}

/**
 * ENVs that pin the target above the last `go mod download` before the build: their GOOS/GOARCH words
 * leave (the whole ENV when nothing else is in it) and come back as one ENV after the new ARG. Only
 * single-line ENVs move; otherwise everything stays in place and the ARG goes above the first ENV.
 */
function movedEnvs(doc: ParsedDockerfile, stage: Stage, envPins: readonly Pinned[], build: Instruction): MovedEnv[] {
  const download = lastDownloadBefore(doc, stage, build.start);
  if (!download) return [];
  const envs = [...new Set(envPins.map((p) => p.instruction))].filter((i) => i.start < download.start);
  if (envs.some((i) => i.line !== i.endLine)) return [];
  return envs.map((instruction) => {
    const pins = envPins.filter((p) => p.instruction === instruction);
    const pinWords = instruction.args.filter((w) => pins.some((p) => p.start >= w.start && p.start < w.end));
    if (pinWords.length === instruction.args.length || pinWords.length === 0 || !instruction.args[0]?.value.includes('=')) {
      const block = instructionBlock(doc, instruction);
      const comments = doc.source.text.slice(block.start, doc.source.lineStarts[instruction.line] ?? block.start);
      return { instruction, pins, removals: [{ start: block.start, end: block.end, text: '' }], comments };
    }
    const removals = pinWords.map((word) => {
      const index = instruction.args.indexOf(word);
      const previousEnd = index > 0 ? instruction.args[index - 1]?.end ?? word.start : instruction.keywordEnd;
      return { start: previousEnd, end: word.end, text: '' };
    });
    return { instruction, pins, removals, comments: '' };
  });
}

function lastDownloadBefore(doc: ParsedDockerfile, stage: Stage, offset: number): Instruction | undefined {
  return stageScripts(doc, stage).goCommands.filter((g) => g.subcommand === 'mod download' && g.instruction.end < offset).at(-1)?.instruction;
}

/** `ENV GOOS=linux GOARCH=amd64` and the legacy `ENV GOARCH amd64`, with literal values only. */
function envPinned(instruction: Instruction): Pinned[] {
  const words = instruction.args;
  const legacy = words.length === 2 && !(words[0]?.value ?? '').includes('=');
  if (legacy) {
    const [name, value] = words;
    return name && value && isTargetVar(name.value) && isLiteral(value.value) ? [pin(name.value, value, value.start, instruction)] : [];
  }
  return words.flatMap((word) => {
    const match = /^(GOOS|GOARCH)=(.*)$/.exec(word.value);
    const name = match?.[1];
    if (!match || !name || !isTargetVar(name) || !isLiteral(match[2] ?? '')) return [];
    return [pin(name, word, word.start + name.length + 1, instruction)];
  });
}

/** `GOOS=linux GOARCH=amd64 go build`: literal prefixes of the build command. */
function prefixPinned(build: GoBuildCommand): Pinned[] {
  return build.command.assignments.flatMap((a: ShellAssignment) => {
    if (!isTargetVar(a.name) || !isLiteral(a.value) || a.value === '') return [];
    return [{ name: a.name, value: a.value, start: a.start + a.name.length + 1, end: a.end, instruction: build.instruction }];
  });
}

function pin(name: TargetVar, word: Word, start: number, instruction: Instruction): Pinned {
  return { name, value: word.value.slice(start - word.start).replace(/^(["'])(.*)\1$/, '$2'), start, end: word.end, instruction };
}

function isTargetVar(name: string): name is TargetVar {
  return name === 'GOOS' || name === 'GOARCH';
}

function isLiteral(value: string): boolean {
  return /^(["']?)[\w.-]+\1$/.test(value);
}

/** The consumers of the stage must be other stages copying from it, none pinned to a literal platform. */
function platformBlocker(doc: ParsedDockerfile, stage: Stage): string | null {
  const last = doc.stages.at(-1);
  if (last === stage) return 'the stage is the final image, which would then be built for the build platform';
  const child = descendantsOf(doc, stage).find((s) => s !== stage);
  if (child) return `the stage ${child.name ?? child.index} is built FROM this one and would run on the build platform too`;
  const pinned = [last, ...copiesFrom(doc, stage).map((c) => doc.stages[c.stage])].find((s) => s && s.platform !== null && !s.platform.includes('$'));
  if (pinned) return `FROM --platform=${pinned.platform ?? ''} on line ${pinned.from.line + 1} pins the output platform on purpose`;
  const mount = doc.instructions.find((i) => i.flags.some((f) => f.name === 'mount' && f.options.some((o) => o.name === 'from' && stageByReference(doc, o.value) === stage)));
  if (mount) return `the RUN on line ${mount.line + 1} mounts files from this stage`;
  if (copiesFrom(doc, stage).length === 0) return 'no stage copies from this one: it may be used as an image of its own (--target)';
  return null;
}

/** Every `COPY --from=<stage>` in the file. */
function copiesFrom(doc: ParsedDockerfile, stage: Stage): Instruction[] {
  return doc.instructions.filter((i) => {
    const from = copySpec(i)?.from;
    return from !== null && from !== undefined && stageByReference(doc, from) === stage;
  });
}

/**
 * Why the stage's outputs or later steps depend on running on the target platform: a copied path that
 * is neither a rewritten binary nor platform-independent, a step that runs the binary, a go test/run
 * under the target settings, a package installed for another architecture.
 */
function usageBlocker(doc: ParsedDockerfile, stage: Stage, pinned: readonly GoBuildCommand[], envPins: readonly Pinned[], context: TransformContext): string | null {
  const outputs = new Map<GoBuildCommand, GoOutputs | null>(pinned.map((b) => [b, goBuildOutputs(doc, b, context.build)]));
  const unknown = pinned.find((b) => outputs.get(b) === null);
  if (unknown) return `cannot tell where the go build on line ${unknown.instruction.line + 1} writes its binary, so what uses it`;
  const known = [...outputs.values()].filter((o): o is GoOutputs => o !== null);

  const { scripts, goCommands } = stageScripts(doc, stage);
  const unreadable = [...scripts].find(([, script]) => !script.parsed);
  if (unreadable) return `cannot read the RUN on line ${unreadable[0].line + 1} (${unreadable[1].reason ?? 'unparsed'}) to check that it does not need the target platform`;
  const commands = [...scripts].flatMap(([instruction, script]) => script.commands.map((command) => ({ instruction, command })));

  const envStart = Math.min(...envPins.map((p) => p.start));
  const targetCode = goCommands.find((g) => RUNS_TARGET_CODE.has(g.subcommand) && (g.command.start > envStart || g.command.assignments.some((a) => isTargetVar(a.name))));
  if (targetCode) return `go ${targetCode.subcommand} on line ${targetCode.instruction.line + 1} would run code built for the target platform`;
  const foreign = commands.find(({ command }) => installsForeignPackages(command));
  if (foreign) return `the RUN on line ${foreign.instruction.line + 1} installs packages for a specific architecture`;
  for (const build of pinned) {
    const files = outputs.get(build)?.files ?? [];
    const runner = commands.find(({ instruction, command }) => command.start > build.command.end && runsOutput(doc, stage, instruction, command, files));
    if (runner) return `the RUN on line ${runner.instruction.line + 1} runs or inspects the binary, which the build platform may not be able to run once it is cross-compiled`;
  }

  // What leaves the stage must be the rewritten binaries or the same on every platform.
  const dataDirs = contextCopyDirs(doc, stage);
  const pinnedStarts = new Set(pinned.map((b) => b.command.start));
  const otherBinaries = stageLineage(doc, stage).flatMap((s) => stageScripts(doc, s).goCommands)
    .filter((g) => ['build', 'install', 'get'].includes(g.subcommand) && !pinnedStarts.has(g.command.start));
  const neutral = otherBinaries.length === 0 && commands.every(({ command }) => PLATFORM_NEUTRAL_COMMANDS.has(command.words[0]?.value ?? 'true'));
  for (const copy of copiesFrom(doc, stage)) {
    for (const source of copySpec(copy)?.sources ?? []) {
      if (/[$`]/.test(source)) return `cannot tell what COPY --from on line ${copy.line + 1} takes (${source} uses a variable)`;
      const path = joinPath('/', source) ?? '/';
      const binary = !dataDirs.includes(path) && known.some((o) => o.files.some((f) => f === path || globMatches(path, f)));
      if (binary || PLATFORM_INDEPENDENT.test(path)) continue;
      // a directory holding the binary, or files copied in from the context: fine while nothing else builds there
      const holds = known.some((o) => copyTakes(source, o)) || dataDirs.some((dir) => path === dir || path.startsWith(`${dir}/`));
      if (holds && neutral && path !== '/') continue;
      return `COPY --from on line ${copy.line + 1} takes ${source}, which is not the cross-compiled binary and may be specific to the build platform`;
    }
  }
  return null;
}

/** `dpkg --add-architecture`, `apt-get install libfoo:arm64`, tonistiigi/xx helpers. */
function installsForeignPackages(command: ShellCommand): boolean {
  const words = command.words.map((w) => w.value);
  if (/^xx-/.test(words[0] ?? '')) return true;
  if (words[0] === 'dpkg' && words.includes('--add-architecture')) return true;
  return ['apt-get', 'apt'].includes(words[0] ?? '') && words.some((w) => /^[\w.+-]+:(amd64|arm64|armhf|armel|i386|ppc64el|s390x|riscv64|mips64el)$/.test(w));
}

/** A command that runs a built file, or hands it to a tool that might (strip, ldd). */
function runsOutput(doc: ParsedDockerfile, stage: Stage, run: Instruction, command: ShellCommand, files: readonly string[]): boolean {
  if (files.length === 0 || goSubcommand(command) !== null) return false;
  const dir = goCommandDir(doc, stage, run, command);
  const names = new Set(files.map((f) => f.split('/').pop() ?? ''));
  // in an unknown directory, any path ending in the binary's name might be it
  const refers = (word: string) => {
    const path = joinPath(dir, word);
    return path === null ? word.includes('/') && names.has(word.split('/').pop() ?? '') : files.includes(path);
  };
  const [name, ...args] = command.words.map((w) => w.value);
  if (name === undefined) return false;
  if (refers(name) || (!name.includes('/') && names.has(name))) return true;
  return !HANDLES_WITHOUT_RUNNING.has(name) && args.some(refers);
}

/** Directories the stage lineage filled from the build context with COPY/ADD (sources, assets). */
function contextCopyDirs(doc: ParsedDockerfile, stage: Stage): string[] {
  const dirs: string[] = [];
  for (const s of stageLineage(doc, stage)) {
    for (const instruction of s.instructions) {
      const spec = copySpec(instruction);
      if (!spec || spec.from !== null || spec.dest.includes('$')) continue;
      const dest = joinPath(effectiveWorkdir(doc, s, instruction), spec.dest);
      if (dest !== null && dest !== '/') dirs.push(dest);
    }
  }
  return dirs;
}

/** `--platform=$BUILDPLATFORM` on the stage's FROM: inserted, or replacing a fixed platform. */
function platformEdit(doc: ParsedDockerfile, stage: Stage): { edit: Edit | null } | { reason: string } {
  const root = stageLineage(doc, stage).at(-1) ?? stage;
  const onBuildPlatform = (s: Stage) => s.platform !== null && /^\$\{?BUILDPLATFORM([:}]|$)/.test(s.platform);
  if (root !== stage) {
    if (onBuildPlatform(root)) return { edit: null };
    return { reason: `the stage is built FROM ${stage.image}: put --platform=$BUILDPLATFORM on the FROM of ${root.name ?? root.index} by hand` };
  }
  if (onBuildPlatform(stage)) return { edit: null };
  const flag = stage.from.flags.find((f) => f.name === 'platform');
  if (flag) return { edit: { start: flag.start, end: flag.end, text: '--platform=$BUILDPLATFORM' } };
  return { edit: { start: stage.from.keywordEnd, end: stage.from.keywordEnd, text: ' --platform=$BUILDPLATFORM' } };
}

/**
 * `ARG TARGETOS TARGETARCH` (and the moved ENV) after the last `go mod download` before `needAt`, or
 * above the first step that needs it.
 */
function argEdit(doc: ParsedDockerfile, stage: Stage, needAt: number, movedText: string): Edit {
  const eol = doc.source.eol;
  const need = stage.instructions.find((i) => i.start === needAt) ?? stage.from;
  const after = lastDownloadBefore(doc, stage, needAt);
  const text = `${indentOf(doc, after ?? need)}${keyword(doc, 'ARG')} TARGETOS TARGETARCH${eol}${movedText}`;
  if (after) {
    const next = doc.source.lineStarts[after.endLine + 1];
    if (next === undefined) return { start: doc.source.text.length, end: doc.source.text.length, text: `${eol}${text.slice(0, -eol.length)}` };
    return { start: next, end: next, text };
  }
  const at = Math.max(attachedCommentsStart(doc, need), doc.directivesEnd);
  return { start: at, end: at, text };
}

function insertAt(at: number, text: string): Edit {
  return { start: at, end: at, text };
}

function describePins(pins: readonly Pinned[]): string {
  return [...new Set(pins.map((p) => `${p.name}=${p.value}`))].join(' ');
}
