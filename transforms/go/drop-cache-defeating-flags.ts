/**
 * go/drop-cache-defeating-flags (catalogue G-04d).
 *
 * Looks for: `go build`/`go install` of the main module with `-a` (any value) or `-installsuffix`
 * (`-installsuffix cgo`, `-installsuffix=cgo`, any value): the pre-Go-1.10 recipe for a static
 * binary, `CGO_ENABLED=0 go build -a -installsuffix cgo`. `-a` rebuilds every package, the standard
 * library included, on every build, so the build cache (and a cache mount of it) is never read.
 * `-installsuffix` only named the `pkg/` directory where that rebuilt standard library was installed.
 * Since Go 1.10 the build cache is keyed by CGO_ENABLED and the other settings, so neither is needed.
 * Checks: the stage has Go 1.10 or later (the golang image's tag, a `COPY --from=golang:X
 * /usr/local/go`, or a go.mod in the context, since modules need Go 1.11): with older Go, dropping `-a`
 * would link the precompiled cgo standard library into a binary meant to be static. And cgo is off
 * (CGO_ENABLED=0, or an Alpine golang image with Go 1.20+ and no C compiler): the build cache does
 * not see changes in the C libraries cgo uses, and `-a` is the documented way to rebuild against them.
 * Writes: the flags removed with their values, the line layout kept (a flag alone on a continuation
 * line takes its line with it). Reports, without editing: the flags set through GOFLAGS, and go builds
 * in RUNs it cannot read (heredoc, exec form).
 */
import type { Edit } from '../../src/engine/edits.js';
import { buildEnv } from '../../src/ecosystems/go/go-binary.js';
import { goflagsOf } from '../../src/ecosystems/go/go-flags.js';
import { type GoBuildCommand, goBuildCommands } from '../../src/ecosystems/go/go-build.js';
import { goAtLeast, installsCCompiler, stageToolchain } from '../../src/ecosystems/go/go-toolchain.js';
import type { Instruction, ParsedDockerfile } from '../../src/engine/parse.js';
import { removeTokenEdits } from '../../src/engine/removal.js';
import { runScript, type ShellWord } from '../../src/shell/shell.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { GO_MENTIONS } from '../../src/ecosystems/go/steps.js';

/** `-a` (unless set to false, as strconv.ParseBool reads it) and `-installsuffix`, with any value. */
function defeatsCache(flag: { readonly name: string; readonly value: string | null }): boolean {
  if (flag.name === '-installsuffix') return true;
  return flag.name === '-a' && !/^(0|f|F|false|FALSE|False)$/.test(flag.value ?? '');
}

/** A go build/install with one of the flags, in text we cannot parse (heredoc body, exec form). */
const DEFEATING_TEXT = /(^|[\s;&|(`"'])go["',\s]+(build|install)\b[^;&|\n]*?[\s"',](-a|--?installsuffix)(?=[\s"',=]|$)/m;

export const dropCacheDefeatingFlags: Transform = {
  id: 'go/drop-cache-defeating-flags',
  mentions: GO_MENTIONS,
  title: 'Drop go build -a and -installsuffix, which defeat the build cache',
  rationale:
    'without -a, go build reuses the compiled packages in its build cache instead of recompiling every dependency and the standard library each time (-installsuffix was only -a\'s companion)',
  safety: 'safe',
  preconditions: [
    'the stage has Go 1.10 or later: a golang image tag, a COPY of /usr/local/go from one, or a go.mod in the context',
    'cgo is off: CGO_ENABLED=0, or an Alpine golang image with Go 1.20+ and no C compiler',
    'the flags are on the go build command line itself (not in GOFLAGS or a variable)',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    // one change per RUN, however many builds it has
    const byRun = new Map<Instruction, { edits: Edit[]; removed: string[] }>();
    for (const build of goBuildCommands(doc)) {
      const removal = rewriteBuild(doc, build, context, out);
      if (!removal) continue;
      const run = byRun.get(build.instruction) ?? { edits: [], removed: [] };
      run.edits.push(...removal.edits);
      run.removed.push(...removal.removed.filter((r) => !run.removed.includes(r)));
      byRun.set(build.instruction, run);
    }
    for (const [instruction, run] of byRun) out.change(instruction, run.edits, `removed ${run.removed.join(' and ')}`);
    for (const run of unreadableRuns(doc)) {
      out.skip(run.instruction, `cannot read the RUN (${run.reason}) to remove its ${run.flag}`);
    }
    return out.result();
  },
};

/** The edits removing the flags from one build (skips go to `out`), or null when there is nothing to remove. */
function rewriteBuild(doc: ParsedDockerfile, build: GoBuildCommand, context: TransformContext, out: ResultBuilder): { edits: Edit[]; removed: string[] } | null {
  // What it looks for.
  const found = build.flags.filter(defeatsCache);
  const goflags = goflagsOf(doc, build);
  const inGoflags = 'flags' in goflags ? goflags.flags.find(defeatsCache) : undefined;
  // a flag on the command line overrides the same flag in GOFLAGS
  if ('flags' in goflags && inGoflags && !build.flags.some((f) => f.name === inGoflags.name)) {
    out.skip(build.instruction, `${goflags.where ?? 'GOFLAGS'} sets ${inGoflags.name}, which makes every build recompile everything: remove it there`);
  }
  if (found.length === 0) return null;

  // What it checks: only Go 1.10+ builds CGO_ENABLED=0 variants of the standard library by itself,
  // and the cache cannot see C libraries, which -a works around for cgo builds.
  const problem = oldGoProblem(doc, build, context) ?? cgoProblem(doc, build);
  if (problem) {
    out.skip(build.instruction, problem);
    return null;
  }

  // What it writes: flag words next to each other on one line go as one token; words on separate
  // lines go one by one, so a comment line between them stays.
  const words = build.command.words;
  const removed = new Set(found.flatMap((f) => f.words));
  const sameLine = (a: ShellWord, b: ShellWord) => /^[ \t]*$/.test(doc.source.text.slice(a.end, b.start));
  const edits: Edit[] = [];
  for (let i = 0; i < words.length; i++) {
    if (!removed.has(words[i]!)) continue;
    let j = i;
    while (j + 1 < words.length && removed.has(words[j + 1]!) && sameLine(words[j]!, words[j + 1]!)) j++;
    const span = { start: words[i]!.start, end: words[j]!.end };
    edits.push(...removeTokenEdits(doc, span, words[i - 1] ?? null, words[j + 1] ?? null));
    i = j;
  }
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  if (sorted.some((e, k) => k > 0 && e.start < sorted[k - 1]!.end)) {
    out.skip(build.instruction, 'cannot remove the flags without touching the lines around them; remove them by hand');
    return null;
  }
  return { edits, removed: found.map((f) => f.words.map((w) => w.text).join(' ')) };
}

/** Why the stage's Go may predate the build cache (Go 1.10), or null when it does not. */
function oldGoProblem(doc: ParsedDockerfile, build: GoBuildCommand, context: TransformContext): string | null {
  const toolchain = stageToolchain(doc, build.stage, build.instruction);
  if ('reason' in toolchain) return `${toolchain.reason}, so whether its Go is older than 1.10, where -a was needed for a static binary`;
  const recent = goAtLeast(toolchain, '1.10');
  if (recent === false) {
    return `${toolchain.image} has Go ${toolchain.goVersion ?? '?'}: before Go 1.10 there is no build cache, and -a is what rebuilds the standard library for CGO_ENABLED=0`;
  }
  // a go.mod means module mode, which needs Go 1.11
  if (recent === null && !context.build.exists('go.mod')) {
    return `cannot tell which Go ${toolchain.image} has: before Go 1.10, -a is what rebuilt the standard library for CGO_ENABLED=0 (pass --context if the build's go.mod is elsewhere)`;
  }
  return null;
}

/**
 * Why -a may be on purpose: with cgo on, "the build cache does not detect changes to C libraries
 * imported with cgo" and -a is the documented way to rebuild against updated ones (`go help cache`).
 * cgo is off with CGO_ENABLED=0, or by itself on an Alpine golang image with Go 1.20+ and no C compiler.
 */
function cgoProblem(doc: ParsedDockerfile, build: GoBuildCommand): string | null {
  const cgo = buildEnv(doc, build, 'CGO_ENABLED');
  if (cgo?.value === '0') return null;
  const toolchain = stageToolchain(doc, build.stage, build.instruction);
  const known = 'reason' in toolchain ? null : toolchain;
  const compiler = installsCCompiler(doc, build.stage, build.instruction);
  if (cgo === null && known?.golang && known.variant === 'alpine' && goAtLeast(known, '1.20') && !compiler) return null;
  // say why cgo is on, in the same terms as go/trimpath's skip of the same build
  let on = 'cgo may be on (CGO_ENABLED is not 0)';
  if (cgo !== null) on = cgo.value === null ? 'cgo may be on (the value of CGO_ENABLED is not literal)' : `cgo is on (CGO_ENABLED=${cgo.value})`;
  else if (known?.golang && known.variant === 'alpine' && !compiler && goAtLeast(known, '1.20') === false) {
    on = `cgo is on: ${known.image} has Go ${known.goVersion ?? '?'}, which turns it on by default even without a C compiler (CGO_ENABLED is not set)`;
  } else if (compiler || (known?.golang && known.variant === 'debian')) on = 'cgo is on: the stage has a C compiler and CGO_ENABLED is not set';
  return `${on}, and Go's build cache does not notice changes to the C libraries cgo uses: -a is the documented way to rebuild against them (set CGO_ENABLED=0 if the binary needs no cgo)`;
}

interface UnreadableRun {
  readonly instruction: Instruction;
  readonly reason: string;
  readonly flag: string;
}

/** RUNs the shell parser cannot read (heredoc, exec form) whose text runs go build with one of the flags. */
function unreadableRuns(doc: ParsedDockerfile): UnreadableRun[] {
  const found: UnreadableRun[] = [];
  for (const instruction of doc.instructions) {
    if (instruction.keyword !== 'RUN' || instruction.onbuild) continue;
    const script = runScript(doc, instruction);
    if (script.parsed) continue;
    const text = instruction.jsonForm
      ? instruction.jsonValues.join(' ')
      : doc.source.text.slice(instruction.argsStart, instruction.end).replace(/[\\`][ \t]*\r?\n/g, ' ');
    const match = DEFEATING_TEXT.exec(text);
    if (match) found.push({ instruction, reason: script.reason ?? 'unparsed', flag: match[3]?.replace(/^--/, '-') ?? '-a' });
  }
  return found;
}
