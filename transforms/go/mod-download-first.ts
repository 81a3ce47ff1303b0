/**
 * go/mod-download-first (catalogue G-01, seed points 1 and 5).
 *
 * Looks for: a Go stage that copies the whole build context (`COPY . .`, `COPY . /src`, `ADD . .`)
 * before its first Go command, with no earlier copy of go.mod.
 * Checks: the Go commands run in module mode (Go 1.11+, GO111MODULE not off, and not Go 1.11/1.12
 * inside $GOPATH/src without GO111MODULE=on, where `go mod download` fails); the manifests the download needs are in the context and not ignored: go.mod (and go.sum
 * when present), the go.mod of every local `replace` target, and for a workspace go.work (go.work.sum
 * when present) with every used module's go.mod/go.sum; some module requires another; no
 * vendor/modules.txt; nothing between the source COPY and the Go command that the download could
 * depend on (a RUN of file commands that name no manifest or fetch setting cannot).
 * Writes: `COPY go.mod go.sum <dest>` (go.mod alone when there is no go.sum; one COPY per module
 * directory) and `RUN go mod download` just before the source COPY, or moves an existing download-only
 * RUN there (with `cd <dest> &&` when WORKDIR put it in the module directory after the COPY).
 * Measured with Go 1.19: `go mod download` at a workspace root with only these files downloads every
 * external module; a module without go.sum is copied alone because `COPY go.mod go.sum` fails.
 */
import { ignoreRules } from '../../src/context/dockerignore.js';
import { type GoCommand, goSubcommand, invocationNeedsModule, needsModule, type StageScripts, stageScripts, mentionsGoCommand } from '../../src/ecosystems/go/go.js';
import { readGoRun } from '../../src/ecosystems/go/go-runs.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { parseGoMod, parseGoWork } from '../../src/ecosystems/go/gomod.js';
import { goCommandDir, goCommandEnv } from '../../src/ecosystems/go/go-binary.js';
import { gopathModeReason } from '../../src/ecosystems/go/go-toolchain.js';
import { copiesFile, copyDestinationDir, copySpec, declaredNames, effectiveWorkdir, resolvePath } from '../../src/engine/instructions.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import type { Edit } from '../../src/engine/edits.js';
import { lineOf } from '../../src/engine/source.js';
import { joinedByAnd, logicalBody } from '../../src/shell/shell.js';
import { moveAbove, pasteAbove } from '../../src/engine/moves.js';
import { removeChainedCommandEdits } from '../../src/engine/removal.js';
import { indentOf, instructionBlock, keyword } from '../../src/engine/style.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { CARRIED_COPY_FLAGS, directoryForm, FILE_COMMANDS, insideContext, unusableDestination, wholeContextCopy } from '../../src/patterns/manifest-first.js';
import { GO_MENTIONS } from '../../src/ecosystems/go/steps.js';

/** Variables that change where or how modules are fetched; the download must see the same values. */
const DOWNLOAD_ENV = /^(GO\w*|GIT_\w+|SSH_\w+|HOME|PATH|NETRC|https?_proxy|no_proxy|all_proxy)$/i;
/** Go variables that only shape compilation (target, cache, runtime), never module fetching. */
const BUILD_ONLY_GO_ENV = /^(GOOS|GOARCH|GOARM|GOAMD64|GO386|GOMIPS|GOMIPS64|GOPPC64|GORISCV64|GOWASM|GOCACHE|GOEXPERIMENT|GOGC|GODEBUG|GOMAXPROCS|GOTRACEBACK)$/;
/** Commands that may precede `go` in a RUN without preparing anything the download needs. */
const HARMLESS_BEFORE_GO = new Set(['cd', 'set', 'echo', 'true', 'ls', 'pwd', 'mkdir', 'go']);
/** Files and settings that decide what `go mod download` fetches and how: a RUN naming one might change them. */
const FETCH_FILES = /go\.(mod|sum|work)|\*\.(mod|sum)|\bvendor\b|netrc|gitconfig|\.ssh\b|\.config\/go|\bGO[A-Z]+\b|\bGIT_|proxy|ca-cert|ssl/i;
/** Instructions that cannot change what `go mod download` does when they sit between COPY and download. */
const NEUTRAL_KEYWORDS = new Set(['COPY', 'ADD', 'LABEL', 'EXPOSE', 'MAINTAINER', 'STOPSIGNAL', 'HEALTHCHECK', 'VOLUME', 'CMD', 'ENTRYPOINT']);

export const modDownloadFirst: Transform = {
  id: 'go/mod-download-first',
  mentions: GO_MENTIONS,
  title: 'Copy go.mod and go.sum and download modules before copying the sources',
  rationale:
    'the module download now depends only on go.mod and go.sum, so a source change no longer re-downloads every module',
  safety: 'safe',
  preconditions: [
    'the Go commands run in module mode: Go 1.11+, GO111MODULE not off, not Go 1.11/1.12 inside $GOPATH/src without GO111MODULE=on',
    'go.mod exists at the context path the COPY maps (or go.work with its modules), and .dockerignore does not exclude it',
    'go.sum and go.work.sum are copied only if they exist (and are not ignored)',
    'local replace targets and workspace modules lie inside the context and have a go.mod; no vendor/modules.txt',
    'no USER, ENV/ARG of Go, git or proxy settings, or RUN other than file commands that leave go.mod, go.sum and fetch settings alone, between the source COPY and the first Go command',
    'at least one module requires another (otherwise there is nothing to download)',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) rewriteStage(doc, stage, context, out);
    return out.result();
  },
};

function rewriteStage(doc: ParsedDockerfile, stage: Stage, context: TransformContext, out: ResultBuilder): void {
  // What it looks for: the first Go command that reads the module, and a whole-context copy before it.
  // (A stage that copies no whole context is left before its RUNs are read.)
  if (!wholeContextCopy(stage)) return;
  const { scripts, goCommands } = stageScripts(doc, stage);
  const firstGo = goCommands.find(needsModule);
  const sourceCopy = wholeContextCopy(stage, firstGo?.instruction.start);
  if (!sourceCopy) return;
  // Go run through make, a script or a wrapper (`exec go build`) counts as the first Go command too
  const indirectGo = stage.instructions.find((i) => {
    if (i.keyword !== 'RUN' || i.start <= sourceCopy.start || i.start >= (firstGo?.instruction.start ?? Number.POSITIVE_INFINITY)) return false;
    const reading = readGoRun(doc, stage, i, context.build);
    return reading.unreadable !== null || reading.invocations.some(invocationNeedsModule);
  });
  const goLimit = indirectGo?.start ?? firstGo?.instruction.start ?? Number.POSITIVE_INFINITY;
  const opaqueGo = stage.instructions.find(
    (i) => i.keyword === 'RUN' && i.start > sourceCopy.start && i.start <= goLimit && scripts.get(i)?.parsed === false && mentionsGoCommand(doc, i),
  );
  if (!firstGo && !opaqueGo && !indirectGo) return;
  if (copiesGoModBefore(doc, stage, sourceCopy)) return;
  const spec = copySpec(sourceCopy);
  if (!spec) return;

  // What it checks.
  const skip = (reason: string) => out.skip(sourceCopy, reason);
  if (opaqueGo) return skip(`the Go command on line ${opaqueGo.line + 1} is in a RUN I cannot read (${scripts.get(opaqueGo)?.reason ?? 'opaque'})`);
  const gopathMode = firstGo ? gopathModeOf(doc, stage, firstGo, context) : null;
  if (gopathMode) return skip(`${gopathMode}, where go mod download fails`);
  const indirect = indirectGo ? readGoRun(doc, stage, indirectGo, context.build) : null;
  if (indirectGo && indirect?.unreadable) return skip(`the RUN on line ${indirectGo.line + 1} ${indirect.unreadable}`);
  const indirectSetting = [...(indirect?.invocations.flatMap((g) => g.assignments).map((a) => a.name) ?? []), ...(indirect?.settings ?? [])].find((name) => DOWNLOAD_ENV.test(name) && !BUILD_ONLY_GO_ENV.test(name));
  if (indirectGo && indirectSetting) return skip(`the Go RUN on line ${indirectGo.line + 1} sets ${indirectSetting} for go, which a separate download would not have`);
  const modulesFrom = modulesCopiedIn(doc, stage, sourceCopy);
  if (modulesFrom) return skip(`the stage takes its modules from elsewhere (${describe(doc, modulesFrom)} copies into the module cache)`);
  const unknownFlag = sourceCopy.flags.find((f) => !CARRIED_COPY_FLAGS.has(f.name));
  if (unknownFlag) return skip(`the source ${sourceCopy.keyword} has --${unknownFlag.name}, which the manifest COPY could not reproduce`);
  const destProblem = unusableDestination(spec.dest);
  if (destProblem) return skip(destProblem);
  const init = context.build.exists('go.mod') ? undefined : goCommands.find((g) => g.subcommand === 'mod init');
  if (init) return skip(`the Dockerfile makes go.mod itself (${instructionSnippet(doc, init.instruction)}), so there is none to copy before the sources`);
  const plan = manifestPlan(context);
  if ('reason' in plan) return skip(plan.reason);
  if (!plan.requires) return skip('go.mod requires no modules, so there is nothing to download before the sources');
  for (const between of stage.instructions.filter((i) => i.start > sourceCopy.start && i.start < goLimit)) {
    const blocker = downloadBlocker(doc, between, scripts);
    if (blocker) return skip(goBlockerReason(doc, between, scripts) ?? blocker);
  }
  const fetchSetting = goRunFetchSetting(doc, stage, scripts, sourceCopy);
  if (fetchSetting) return skip(fetchSetting);

  // What it writes.
  const destDir = directoryForm(spec.dest);
  const workdir = effectiveWorkdir(doc, stage, sourceCopy);
  const moduleDir = copyDestinationDir(doc, stage, sourceCopy);
  const downloadDir = destDir === './' || (workdir !== null && moduleDir === workdir) ? null : destDir.replace(/\/$/, '');
  const cd = downloadDir === null ? '' : `cd ${downloadDir} && `;
  const existingDownloads = goCommands.filter((g) => g.subcommand === 'mod download' && g.instruction.start > sourceCopy.start);
  // Go reached through make, a script or a wrapper: an existing download is not moved past it
  const move = firstGo && !indirectGo ? movableDownload(doc, stage, scripts, firstGo, { workdir, moduleDir, cd }, context) : null;
  if (move && 'reason' in move) return skip(move.reason);
  const chained = move || !firstGo || indirectGo ? null : chainedDownload(doc, stage, scripts, firstGo, moduleDir);
  const tolerant = move ? undefined : existingDownloads.find((g) => g.instruction !== chained?.run && !inStrictChain(doc, scripts, g));
  if (tolerant) {
    return skip(`the go mod download on line ${tolerant.instruction.line + 1} is not a plain && step (||, if, a subshell or another directory), so a second, strict download could fail where it is tolerated`);
  }
  const eol = doc.source.eol;
  const indent = indentOf(doc, sourceCopy);
  const at = pasteAbove(doc, sourceCopy);
  const copyFlags = sourceCopy.flags.map((f) => doc.source.text.slice(f.start, f.end)).join(' ');
  const copyLine = plan.copies
    .map((c) => `${indent}${[keyword(doc, 'COPY'), copyFlags, ...c.files, c.dir === '' ? destDir : `${destDir}${c.dir}/`].filter(Boolean).join(' ')}${eol}`)
    .join('');
  const manifests = plan.copies.flatMap((c) => c.files).join(' ');

  if (move) {
    // the manifest COPY goes in first, at the same offset, then the moved download
    const [paste, ...cut] = moveAbove(doc, move.run, at);
    const edits = [{ start: at, end: at, text: copyLine }, ...(paste ? withPrefix(doc, move.run, [paste, ...cut], move.prefix, scripts) : [])];
    out.change(sourceCopy, edits, `moved the go mod download from line ${move.run.line + 1} above the source COPY`);
    return;
  }
  const download = `${cd}${chained?.commands ?? 'go mod download'}`;
  const runLine = `${indent}${keyword(doc, 'RUN')} ${download}${eol}`;
  const detail = chained ? `moved ${chained.commands} from the && chain on line ${chained.run.line + 1} into RUN ${download} above the source COPY` : `added COPY ${manifests} and RUN ${download}`;
  out.change(sourceCopy, [{ start: at, end: at, text: copyLine + runLine }, ...(chained?.edits ?? [])], detail);
}

/**
 * A move's edits with `prefix` (`cd /app && `) put before the moved RUN's first command. The cut is
 * split there too, so each removed piece is still text the paste holds.
 */
function withPrefix(doc: ParsedDockerfile, run: Instruction, [paste, ...cut]: Edit[], prefix: string, scripts: StageScripts['scripts']): Edit[] {
  if (prefix === '' || !paste) return paste ? [paste, ...cut] : cut;
  const at = scripts.get(run)?.commands[0]?.start ?? run.argsStart;
  const offset = at - instructionBlock(doc, run).start;
  const text = paste.text.slice(0, offset) + prefix + paste.text.slice(offset);
  return [{ ...paste, text }, ...cut.flatMap((e) => (e.start < at && at < e.end ? [{ ...e, end: at }, { ...e, start: at }] : [e]))];
}

/** Why the stage's first Go command may run in GOPATH mode (old Go, GO111MODULE), or null. */
function gopathModeOf(doc: ParsedDockerfile, stage: Stage, go: GoCommand, context: TransformContext): string | null {
  const dir = goCommandDir(doc, stage, go.instruction, go.command);
  const go111module = goCommandEnv(doc, stage, go.instruction, go.command, 'GO111MODULE')?.value ?? null;
  return gopathModeReason(doc, stage, go.instruction, dir, context.build.readFile('go.mod'), go111module);
}

/** A COPY --from into the module cache: the stage's modules come from another stage or image. */
function modulesCopiedIn(doc: ParsedDockerfile, stage: Stage, before: Instruction): Instruction | null {
  for (const s of stageLineage(doc, stage)) {
    for (const i of s.instructions) {
      if (s === stage && i.start >= before.start) break;
      const spec = copySpec(i);
      if (spec?.from && /\/pkg\/mod\/?$|^\/go\/pkg\/?$/.test(spec.dest)) return i;
    }
  }
  return null;
}

/**
 * A setting the Go RUNs use to fetch modules that a plain `RUN go mod download` would not have:
 * secret/ssh mounts, --network, env prefixes like GOPROXY=..., or commands run before `go`.
 */
function goRunFetchSetting(doc: ParsedDockerfile, stage: Stage, scripts: StageScripts['scripts'], sourceCopy: Instruction): string | null {
  for (const run of stage.instructions.filter((i) => i.keyword === 'RUN' && i.start > sourceCopy.start)) {
    const commands = scripts.get(run)?.commands ?? [];
    const goIndex = commands.findIndex((c) => c.words[0]?.value === 'go');
    if (goIndex < 0) continue;
    const line = run.line + 1;
    const flag = run.flags.find((f) => f.name === 'network' || (f.name === 'mount' && f.options.some((o) => o.name === 'type' && (o.value === 'secret' || o.value === 'ssh'))));
    if (flag) return `the Go RUN on line ${line} uses ${doc.source.text.slice(flag.start, flag.end)}, which a separate download would not have`;
    const prefix = commands.flatMap((c) => c.words[0]?.value === 'go' ? c.assignments : []).find((a) => DOWNLOAD_ENV.test(a.name) && !BUILD_ONLY_GO_ENV.test(a.name));
    if (prefix) return `the Go RUN on line ${line} sets ${prefix.name} for go, which a separate download would not have`;
    const before = commands.slice(0, goIndex).find((c) => !HARMLESS_BEFORE_GO.has(c.words[0]?.value ?? ''));
    if (before) return `the Go RUN on line ${line} runs ${before.words[0]?.value ?? 'something'} before go, which the download might need`;
  }
  return null;
}

/** An earlier COPY of go.mod in this stage or a stage it is built FROM: already split. */
function copiesGoModBefore(doc: ParsedDockerfile, stage: Stage, before: Instruction): boolean {
  return stageLineage(doc, stage).some((s) =>
    s.instructions.some((i) => (s !== stage || i.start < before.start) && copiesGoMod(i)),
  );
}

function copiesGoMod(instruction: Instruction): boolean {
  const spec = copySpec(instruction);
  if (spec && (copiesFile(spec, 'go.mod') || copiesFile(spec, 'go.work'))) return true;
  // docker-init style: the download reads go.mod through a bind mount
  return instruction.flags.some((f) => f.name === 'mount' && f.options.some((o) => o.name === 'source' && /(^|\/)go\.mod$/.test(o.value)));
}

/** The files one COPY brings to `<dest>/<dir>/`: a module's manifests, context-relative. */
interface ManifestCopy {
  /** '' for the context root. */
  readonly dir: string;
  readonly files: readonly string[];
}

/** What the download needs from the context (and whether any module requires another), or why it cannot be known or copied. */
function manifestPlan(context: TransformContext): { copies: ManifestCopy[]; requires: boolean } | { reason: string } {
  const build = context.build;
  const ignored = ignoreRules(build, context.dockerfilePath);
  const present = (path: string) => build.exists(path) && !ignored.ignores(path);
  if (build.exists('vendor/modules.txt')) return { reason: 'the module is vendored (vendor/modules.txt): the build needs no download' };

  const workspace = build.readFile('go.work');
  const moduleDirs: string[] = [];
  const rootFiles: string[] = [];
  const replaces: { from: string; to: string; base: string }[] = [];
  if (workspace !== null) {
    if (ignored.ignores('go.work')) return { reason: `${ignored.file ?? '.dockerignore'} excludes go.work` };
    rootFiles.push('go.work', ...(present('go.work.sum') ? ['go.work.sum'] : []));
    const work = parseGoWork(workspace);
    for (const use of work.uses) {
      const dir = insideContext(use);
      if (dir === null) return { reason: `go.work uses ${use}, outside the build context` };
      moduleDirs.push(dir);
    }
    replaces.push(...work.replaces.filter((r) => r.local).map((r) => ({ ...r, base: '' })));
  } else {
    if (!build.exists('go.mod')) {
      return { reason: `no go.mod at the root of the build context (${build.description}); pass --context if the build runs elsewhere` };
    }
    moduleDirs.push('');
  }

  const copies: ManifestCopy[] = [];
  let requires = false;
  const addModule = (dir: string, what: string): string | null => {
    const goMod = dir === '' ? 'go.mod' : `${dir}/go.mod`;
    if (!build.exists(goMod)) return `${what} has no go.mod`;
    if (ignored.ignores(goMod)) return `${ignored.file ?? '.dockerignore'} excludes ${goMod}`;
    const goSum = dir === '' ? 'go.sum' : `${dir}/go.sum`;
    const files = [goMod, ...(present(goSum) ? [goSum] : [])];
    const existing = copies.find((c) => c.dir === dir);
    if (!existing) copies.push({ dir, files });
    return null;
  };
  for (const dir of moduleDirs) {
    const problem = addModule(dir, dir === '' ? 'the context root' : `the workspace module ${dir}`);
    if (problem) return { reason: problem };
    const goMod = parseGoMod(build.readFile(dir === '' ? 'go.mod' : `${dir}/go.mod`) ?? '');
    requires ||= goMod.requires.length > 0;
    replaces.push(...goMod.replaces.filter((r) => r.local).map((r) => ({ ...r, base: dir })));
  }
  for (const replace of replaces) {
    const target = insideContext(replace.base === '' ? replace.to : `${replace.base}/${replace.to}`);
    if (target === null) return { reason: `go.mod replaces ${replace.from} with ${replace.to}, outside the build context` };
    if (copies.some((c) => c.dir === target)) continue;
    const problem = addModule(target, `the replacement ${replace.to}`);
    if (problem) return { reason: problem };
    // Go reads only the replacement's go.mod; its go.sum plays no part in the main module's build
    const added = copies[copies.length - 1];
    if (added) copies[copies.length - 1] = { dir: added.dir, files: added.files.slice(0, 1) };
  }
  const root = copies.find((c) => c.dir === '');
  const ordered = [{ dir: '', files: [...rootFiles, ...(root?.files ?? [])] }, ...copies.filter((c) => c.dir !== '')];
  return { copies: ordered.filter((c) => c.files.length > 0), requires };
}

/**
 * Why an instruction between the source COPY and the first Go command could make a download placed
 * above the COPY differ from the one the build does, or null. A RUN that only works on files that
 * decide nothing about fetching (`cp -r /ui /src/ui`) cannot; others may need the sources, so the
 * advice names both ways out: move it up, or split by hand.
 */
function downloadBlocker(doc: ParsedDockerfile, instruction: Instruction, scripts: StageScripts['scripts']): string | null {
  if (NEUTRAL_KEYWORDS.has(instruction.keyword) || instruction.keyword === 'WORKDIR') return null;
  const moveFirst = `${instructionSnippet(doc, instruction)} sits between the source COPY and the first Go command; the download might need it (move it above the COPY first)`;
  if (instruction.keyword === 'ENV' || instruction.keyword === 'ARG') {
    return declaredNames(instruction).some((name) => DOWNLOAD_ENV.test(name) && !BUILD_ONLY_GO_ENV.test(name)) ? moveFirst : null;
  }
  if (instruction.keyword !== 'RUN') return moveFirst; // USER, SHELL, ONBUILD, unknown
  const script = scripts.get(instruction);
  const other = script?.parsed ? script.commands.find((c) => !FILE_COMMANDS.has(c.words[0]?.value ?? '')) : undefined;
  const named = FETCH_FILES.exec(logicalBody(doc, instruction).text)?.[0];
  if (script?.parsed && !other && named === undefined) return null;
  const what = !script?.parsed ? 'cannot be read' : other ? `runs ${other.words[0]?.value ?? 'a command'}` : `names ${named ?? ''}`;
  return `${instructionSnippet(doc, instruction)} ${what} after the source COPY and might change go.mod, go.sum or how go fetches modules: move it above the COPY, or, if it needs the sources and changes none of these, copy go.mod and go.sum and run go mod download above the COPY by hand`;
}

/** Where the download must run: the WORKDIR at the source COPY, the module directory, the `cd` a new download needs. */
interface DownloadPlace {
  readonly workdir: string | null;
  readonly moduleDir: string | null;
  readonly cd: string;
}

/**
 * The existing download-only RUN (`[cd DIR &&] go mod download [&& go mod verify]`, joined by `&&`)
 * that is the stage's first Go command, and the `cd` it needs once it runs above the source COPY:
 * it must download the module the COPY brings, from wherever WORKDIR or its own `cd` put it (a
 * subdirectory of the module without a go.mod of its own is the same module). Null when the first Go
 * command is not such a RUN (a new download is added instead); a reason when it is one but cannot move.
 */
function movableDownload(
  doc: ParsedDockerfile,
  stage: Stage,
  scripts: StageScripts['scripts'],
  firstGo: GoCommand,
  place: DownloadPlace,
  context: TransformContext,
): { run: Instruction; prefix: string } | { reason: string } | null {
  if (firstGo.subcommand !== 'mod download') return null;
  const run = firstGo.instruction;
  const commands = scripts.get(run)?.commands ?? [];
  const [first, ...rest] = commands;
  if (!first) return null;
  const cdTarget = first.words[0]?.value === 'cd' && first.words.length === 2 ? first.words[1]?.value ?? null : null;
  const downloads = cdTarget !== null ? rest : commands;
  const onlyDownloads = downloads.length > 0 && downloads.every((c) => c.assignments.length === 0 && c.words[0]?.value === 'go' && c.words[1]?.value === 'mod' && ['download', 'verify'].includes(c.words[2]?.value ?? ''));
  if (!onlyDownloads || !commands.every((c, i) => i === 0 || joinedByAnd(doc, commands[i - 1]!.end, c.start))) return null;

  const quoted = instructionSnippet(doc, run);
  if (commands.some((c) => c.words.some((w) => w.text.includes('$') || w.text.includes('`')))) {
    return { reason: `${quoted} uses a variable, which may not be set above the source COPY; move it there by hand` };
  }
  const lastLine = doc.source.text.slice(doc.source.lineStarts[run.endLine] ?? run.start, run.end);
  if (doc.commentLines.has(run.endLine) || /[\\`]\s*$/.test(lastLine)) {
    return { reason: `${quoted} ends in a continuation, which would swallow the line after it once moved; move it above the source COPY by hand` };
  }
  const base = effectiveWorkdir(doc, stage, run);
  const runsIn = cdTarget === null ? base : resolvePath(base, cdTarget);
  if (runsIn === null || place.moduleDir === null) {
    return { reason: `I cannot tell in which directory ${quoted} runs (a variable or an unknown WORKDIR); move it above the source COPY by hand` };
  }
  if (!sameModule(runsIn, place.moduleDir, context)) {
    return { reason: `${quoted} runs in ${runsIn}, not in the module the source COPY puts in ${place.moduleDir}` };
  }
  if (cdTarget === null) return { run, prefix: place.workdir === place.moduleDir ? '' : place.cd };
  if (resolvePath(place.workdir, cdTarget) === place.moduleDir) return { run, prefix: '' };
  return { reason: `${quoted} changes to ${cdTarget}, which is not the module directory above the source COPY; move it there by hand` };
}

/** `dir` is `moduleDir` or a directory inside it that belongs to the same module (no go.mod or go.work on the way). */
function sameModule(dir: string, moduleDir: string, context: TransformContext): boolean {
  if (dir === moduleDir) return true;
  const prefix = moduleDir === '/' ? '/' : `${moduleDir}/`;
  if (!dir.startsWith(prefix)) return false;
  const parts = dir.slice(prefix.length).split('/');
  return parts.every((_, i) => {
    const sub = parts.slice(0, i + 1).join('/');
    return !context.build.exists(`${sub}/go.mod`) && !context.build.exists(`${sub}/go.work`);
  });
}

/**
 * The `go mod download` (with `&& go mod verify`, flags) that a RUN's `&&` chain runs before its
 * other commands, in the module directory (by WORKDIR or a leading `cd`): it leaves the chain and
 * becomes the new download above the source COPY, so the build downloads once. Null when the chain
 * has another shape, or the text spans lines or uses variables (a new download is added instead).
 */
function chainedDownload(
  doc: ParsedDockerfile,
  stage: Stage,
  scripts: StageScripts['scripts'],
  firstGo: GoCommand,
  moduleDir: string | null,
): { run: Instruction; commands: string; edits: Edit[] } | null {
  if (firstGo.subcommand !== 'mod download' || moduleDir === null) return null;
  const run = firstGo.instruction;
  const commands = scripts.get(run)?.commands ?? [];
  if (!commands.every((c, i) => i === 0 || joinedByAnd(doc, commands[i - 1]!.end, c.start))) return null;
  const cd = commands[0]?.words[0]?.value === 'cd' && commands[0].words.length === 2 ? commands[0] : null;
  const base = effectiveWorkdir(doc, stage, run);
  if ((cd ? resolvePath(base, cd.words[1]?.value ?? '') : base) !== moduleDir) return null;
  const rest = commands.slice(cd ? 1 : 0);
  const isDownload = (c: (typeof rest)[number]) => c.assignments.length === 0 && c.words[0]?.value === 'go' && c.words[1]?.value === 'mod' && ['download', 'verify'].includes(c.words[2]?.value ?? '');
  const count = rest.findIndex((c) => !isDownload(c));
  if (count <= 0 || rest[0] !== firstGo.command) return null;
  const text = doc.source.text.slice(rest[0].start, rest[count - 1]!.end);
  if (/[\r\n$`\\]/.test(text)) return null;
  const span = { start: rest[0].start, end: rest[count - 1]!.end };
  return { run, commands: text, edits: removeChainedCommandEdits(doc, span, cd, rest[count] ?? null) };
}

/**
 * A download whose failure fails the RUN, in the stage's directory: every command of the RUN is
 * joined by `&&` and none is a `cd`. Adding our own download before it then changes nothing but speed.
 */
function inStrictChain(doc: ParsedDockerfile, scripts: StageScripts['scripts'], download: GoCommand): boolean {
  const commands = scripts.get(download.instruction)?.commands ?? [];
  return commands.every((c, i) => c.words[0]?.value !== 'cd' && (i === 0 || joinedByAnd(doc, commands[i - 1]!.end, c.start)));
}

/**
 * Why an instruction between the source COPY and the first Go command that reads the module keeps the
 * download where it is. A RUN that itself runs go is named as such: `go clean -modcache` would throw
 * away the modules a download above the COPY fetched.
 */
/** A blocking RUN that empties the module cache: a download moved above it would be thrown away. */
function goBlockerReason(doc: ParsedDockerfile, blocker: Instruction, scripts: StageScripts['scripts']): string | null {
  const commands = scripts.get(blocker)?.commands ?? [];
  if (!commands.some((c) => goSubcommand(c) === 'clean' && c.words.some((w) => /^--?modcache$/.test(w.value)))) return null;
  return `${instructionSnippet(doc, blocker)} empties the module cache after the source COPY, so a download moved above the COPY would be thrown away (drop the go clean first)`;
}

function describe(doc: ParsedDockerfile, instruction: Instruction): string {
  return `the ${instruction.keyword} on line ${lineOf(doc.source, instruction.start) + 1}`;
}
