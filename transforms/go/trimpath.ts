/**
 * go/trimpath (catalogue G-04b, seed point 4).
 *
 * Looks for: `go build`/`go install` of the main module without `-trimpath`: none on the command line
 * (`-trimpath=false` counts as one: the author's choice) and none in GOFLAGS (prefix, `export`, `go
 * env -w`, ENV). Without it, Go puts the package directory into the cache key of every main-module
 * package and every module-cache dependency, so a build from another WORKDIR, or another Dockerfile
 * sharing the cache mount, recompiles them all; with it they are keyed by module path and version.
 * Checks, per build:
 *  - the stage has Go 1.13 or later, where -trimpath appeared: the golang image's tag (an untagged or
 *    `latest` one is the newest Go), a copied or downloaded Go, else the go.mod `go` line;
 *  - GOFLAGS has a known value (not a variable or a build argument, which could say -trimpath=false);
 *  - no `-toolexec` (the tool sees every compiler command and may rely on its paths), no plugin or
 *    shared-library build (the loading program must agree on -trimpath, and it may be built
 *    elsewhere), no debug build (`-gcflags` with `-N`/`-l`: Delve needs the real source paths);
 *  - the standard library can be rebuilt: with -trimpath, Go before 1.20 recompiles its precompiled
 *    standard library, whose cgo packages need gcc (golang:1.19-alpine fails: golang/go#37158,
 *    #50311). So: CGO_ENABLED=0, a Debian golang image, an installed C compiler, or Go 1.20+ (the
 *    image tag; for other images the go.mod `go` line).
 * and, for the whole file: every other command that compiles the same packages (`go test`, `go vet`,
 * `go run`, `make` in a golang stage, a go build it cannot edit) has -trimpath too. A compile with
 * and one without share no compiled package, so adding it to some of them would make the others
 * recompile every dependency.
 * Writes: ` -trimpath` right after `build`/`install`.
 */
import { type GoBuildCommand, addFlagEdit, goBuildCommands, parseFlags } from '../../src/ecosystems/go/go-build.js';
import { buildEnv, goCommandEnv, resolveImage } from '../../src/ecosystems/go/go-binary.js';
import { goflagsOf, isDebugBuild } from '../../src/ecosystems/go/go-flags.js';
import { goAtLeast, installsCCompiler, missingGoFeature, stageToolchain } from '../../src/ecosystems/go/go-toolchain.js';
import { type GoCommand, needsModule, isGolangImage, goSubcommand } from '../../src/ecosystems/go/go.js';
import { compareGoVersions, parseGoMod } from '../../src/ecosystems/go/gomod.js';
import { type Instruction, type ParsedDockerfile, stageLineage } from '../../src/engine/parse.js';
import { runScript } from '../../src/shell/shell.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { GO_MENTIONS } from '../../src/ecosystems/go/steps.js';

/** Subcommands that compile the main module's packages and their dependencies besides build/install. */
const OTHER_COMPILES = new Set(['test', 'vet', 'run']);
/** Build drivers that, in a golang-based stage, almost always compile Go. */
const GO_DRIVERS = new Set(['make', 'mage']);
/** A Go command in a RUN we cannot parse (heredoc, exec form), with the rest of its line. */
const GO_COMMAND_TEXT = /(^|[\s;&|("'`[])go["',\s]+(build|install|test|vet|run)\b([^\n;&|]*)/g;
const TRIMPATH = /(^|[\s"',])--?trimpath(?=[\s"',=]|$)/;

export const trimpath: Transform = {
  id: 'go/trimpath',
  mentions: GO_MENTIONS,
  title: 'Add -trimpath to go build so cached packages do not depend on the directory',
  rationale:
    'with -trimpath the build cache keys packages by module path and version instead of by directory, so a build from another WORKDIR or Dockerfile sharing the cache reuses them (and the binary no longer embeds build paths)',
  safety: 'safe',
  preconditions: [
    'Go 1.13 or later: the golang image tag, a Go the stage installs, or else the go.mod go line',
    'GOFLAGS is literal; no -toolexec, plugin or shared-library build, or debug build (-gcflags -N -l)',
    'the standard library can be rebuilt: CGO_ENABLED=0, a C compiler, or Go 1.20 or later',
    'every go test/vet/run, make in a golang stage, and unreadable go build in the file has -trimpath too',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    // What it looks for.
    const builds = goBuildCommands(doc).filter((b) => !hasTrimpath(doc, b));
    const unreadable = unreadableBuilds(doc);
    for (const run of unreadable) out.skip(run.instruction, `cannot read the RUN (${run.reason}) to add -trimpath to its go build`);

    // What it checks: each build on its own, then the other compiles sharing the packages.
    const goMod = context.build.readFile('go.mod');
    const tooOld = new Map(builds.map((b) => [b, missingGoFeature(doc, b.stage, b.instruction, goMod, '1.13', '-trimpath')]));
    const problems = new Map(builds.map((b) => [b, tooOld.get(b) ?? buildProblem(doc, b, context)]));
    for (const [build, problem] of problems) if (problem) out.skip(build.instruction, problem);
    // a build on a Go without -trimpath shares no compiled package with a newer Go's anyway
    const byRun = new Map<Instruction, GoBuildCommand[]>();
    for (const build of builds.filter((b) => !problems.get(b))) byRun.set(build.instruction, [...(byRun.get(build.instruction) ?? []), build]);
    // the whole-file reading is only needed when some build could get the flag
    if (byRun.size === 0) return out.result();
    const blocked = builds.find((b) => problems.get(b) && !tooOld.get(b));
    const other = otherCompileWithout(doc);
    const unreadableBuild = unreadable[0];
    const unshared = 'with -trimpath here only, the two would share no compiled package';
    const sharing = other
      ? `${other.what} in ${instructionSnippet(doc, other.instruction)} ${other.driver ? 'may compile' : 'compiles'} the same packages without -trimpath; ${unshared} (set ENV GOFLAGS=-trimpath to cover every go command instead)`
      : blocked
        ? `the go build in ${instructionSnippet(doc, blocked.instruction)} cannot get -trimpath (see its skip); ${unshared}`
        : unreadableBuild
          ? `the go build in ${instructionSnippet(doc, unreadableBuild.instruction)} cannot get -trimpath; ${unshared}`
          : null;

    // What it writes: one change per RUN, ` -trimpath` after each build's subcommand.
    for (const [instruction, runBuilds] of byRun) {
      if (sharing) out.skip(instruction, sharing);
      else out.change(instruction, runBuilds.map((b) => addFlagEdit(b, '-trimpath')));
    }
    return out.result();
  },
};

/** -trimpath on the command line (any value: `-trimpath=false` is a choice) or in GOFLAGS. */
function hasTrimpath(doc: ParsedDockerfile, build: GoBuildCommand): boolean {
  const goflags = goflagsOf(doc, build);
  return build.flags.some((f) => f.name === '-trimpath') || ('flags' in goflags && goflags.flags.some((f) => f.name === '-trimpath'));
}

/** Why this build must not get -trimpath, or null. */
function buildProblem(doc: ParsedDockerfile, build: GoBuildCommand, context: TransformContext): string | null {
  const goflags = goflagsOf(doc, build);
  if ('unknown' in goflags) return `cannot tell whether ${goflags.unknown} sets -trimpath (its value is not literal)`;
  const flags = [...build.flags, ...goflags.flags];
  if (flags.some((f) => f.name === '-toolexec')) {
    return '-toolexec hands every compiler command to a tool, which may rely on the paths -trimpath rewrites';
  }
  const buildmode = flags.find((f) => f.name === '-buildmode' && (f.value === 'plugin' || f.value === 'shared'));
  if (buildmode || flags.some((f) => f.name === '-linkshared')) {
    return `${buildmode ? `-buildmode=${buildmode.value ?? ''}` : '-linkshared'}: the program and the libraries it loads must all be built with or all without -trimpath, and some may be built elsewhere`;
  }
  if (isDebugBuild(flags)) return 'a debug build (-gcflags with -N or -l) is for a debugger, which needs the real source paths';
  return stdRebuildProblem(doc, build, context);
}

/**
 * With -trimpath, Go before 1.20 cannot use its precompiled standard library and rebuilds it; with
 * cgo on, runtime/cgo and net then need a C compiler, which golang:*-alpine images do not have.
 */
function stdRebuildProblem(doc: ParsedDockerfile, build: GoBuildCommand, context: TransformContext): string | null {
  if (buildEnv(doc, build, 'CGO_ENABLED')?.value === '0') return null;
  const toolchain = stageToolchain(doc, build.stage, build.instruction);
  const why = 'with -trimpath, Go before 1.20 recompiles its standard library, whose cgo packages need gcc (set CGO_ENABLED=0 to allow it)';
  if ('reason' in toolchain) return `${toolchain.reason}: ${why}`;
  if (toolchain.golang && toolchain.variant === 'debian') return null;
  if (goAtLeast(toolchain, '1.20') || installsCCompiler(doc, build.stage, build.instruction)) return null;
  if (toolchain.goVersion !== null) return `${toolchain.image} has Go ${toolchain.goVersion} and no C compiler: ${why}`;
  // another image: its Go is at least what the module asks for, as far as anyone builds it that way
  const go = parseGoMod(context.build.readFile('go.mod') ?? '').go;
  if (go !== null && compareGoVersions(go, '1.20') >= 0) return null;
  return `cannot tell whether ${toolchain.image} has Go 1.20 or later or a C compiler: ${why}`;
}

interface OtherCompile {
  readonly instruction: Instruction;
  /** `go test`, `make`: for the message. */
  readonly what: string;
  /** A build driver (make), which probably runs go build. */
  readonly driver: boolean;
}

/** The first command of the file, other than the editable builds, that compiles Go without -trimpath. */
function otherCompileWithout(doc: ParsedDockerfile): OtherCompile | null {
  for (const stage of doc.stages) {
    const golangBased = isGolangImage(resolveImage(doc, stageLineage(doc, stage).at(-1)?.image ?? '') ?? '');
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== 'RUN' || instruction.onbuild) continue;
      const script = runScript(doc, instruction);
      if (!script.parsed) {
        const compile = goCommandsInText(runText(doc, instruction)).find((c) => !c.trimpath);
        if (compile) return { instruction, what: `go ${compile.subcommand}`, driver: false };
        continue;
      }
      for (const command of script.commands) {
        const subcommand = goSubcommand(command);
        const go: GoCommand | null = subcommand ? { instruction, command, subcommand } : null;
        const compiles = go !== null && OTHER_COMPILES.has(go.subcommand) && needsModule(go);
        const driver = command.words[0]?.value ?? '';
        const drives = golangBased && GO_DRIVERS.has(driver);
        // GOFLAGS is looked up only for the commands that compile: most commands of a RUN do not
        if (!compiles && !drives) continue;
        const goflags = goCommandEnv(doc, stage, instruction, command, 'GOFLAGS');
        if (goflags?.value && TRIMPATH.test(goflags.value)) continue;
        if (go && compiles) {
          const at = command.words.findIndex((w, i) => i > 0 && w.value === go.subcommand);
          if (!parseFlags(command.words.slice(at + 1)).some((f) => f.name === '-trimpath')) return { instruction, what: `go ${go.subcommand}`, driver: false };
        }
        if (drives) return { instruction, what: driver, driver: true };
      }
    }
  }
  return null;
}

/** RUNs we cannot parse (heredoc, exec form) that run go build or go install without -trimpath. */
function unreadableBuilds(doc: ParsedDockerfile): { instruction: Instruction; reason: string }[] {
  return doc.instructions
    .filter((i) => i.keyword === 'RUN' && !i.onbuild)
    .map((instruction) => ({ instruction, script: runScript(doc, instruction) }))
    .filter(({ instruction, script }) => !script.parsed && goCommandsInText(runText(doc, instruction)).some((c) => !c.trimpath && (c.subcommand === 'build' || c.subcommand === 'install')))
    .map(({ instruction, script }) => ({ instruction, reason: script.reason ?? 'unparsed' }));
}

/**
 * The compiling Go commands a text mentions, except `go install/run pkg@version` (another module);
 * `trimpath` when the command or something before it (an `export GOFLAGS=-trimpath`) says -trimpath.
 */
function goCommandsInText(text: string): { subcommand: string; trimpath: boolean }[] {
  return [...text.matchAll(GO_COMMAND_TEXT)]
    .map((m) => ({ subcommand: m[2] ?? '', rest: m[3] ?? '', before: text.slice(0, m.index) }))
    .filter((c) => !((c.subcommand === 'install' || c.subcommand === 'run') && /\S@/.test(c.rest)))
    .map((c) => ({ subcommand: c.subcommand, trimpath: TRIMPATH.test(c.rest) || /GOFLAGS=[^\n]*-trimpath/.test(c.before) }));
}

/** The text of a RUN for pattern matching: exec-form values joined, continuations joined. */
function runText(doc: ParsedDockerfile, instruction: Instruction): string {
  if (instruction.jsonForm) return instruction.jsonValues.join(' ');
  return doc.source.text.slice(instruction.argsStart, instruction.end).replace(/[\\`][ \t]*\r?\n/g, ' ');
}
