/**
 * go/mod-download-first (catalogue G-01, seed points 1 and 5).
 *
 * Looks for: a Go stage that copies the whole build context (`COPY . .`, `COPY . /src`, `ADD . .`)
 * before its first Go command, with no earlier copy of go.mod.
 * Checks: the manifests the download needs are in the context and not ignored: go.mod (and go.sum
 * when present), the go.mod of every local `replace` target, and for a workspace go.work (go.work.sum
 * when present) with every used module's go.mod/go.sum; no vendor/modules.txt; nothing between the
 * source COPY and the Go command that the download could depend on.
 * Writes: `COPY go.mod go.sum <dest>` (go.mod alone when there is no go.sum; one COPY per module
 * directory) and `RUN go mod download` just before the source COPY, or moves an existing download.
 * Measured with Go 1.19: `go mod download` at a workspace root with only these files downloads every
 * external module; a module without go.sum is copied alone because `COPY go.mod go.sum` fails.
 */
import { normalizePath } from '../../src/context/context.js';
import { ignoreRules } from '../../src/context/dockerignore.js';
import { type GoCommand, invocationNeedsModule, needsModule, type StageScripts, stageScripts, mentionsGoCommand } from '../../src/ecosystems/go/go.js';
import { readGoRun } from '../../src/ecosystems/go/go-runs.js';
import { parseGoMod, parseGoWork } from '../../src/ecosystems/go/gomod.js';
import { copiesFile, copiesWholeContext, copySpec, declaredNames, effectiveWorkdir } from '../../src/engine/instructions.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import { lineOf } from '../../src/engine/source.js';
import { joinedByAnd } from '../../src/shell/shell.js';
import { moveAbove, pasteAbove } from '../../src/engine/moves.js';
import { indentOf, keyword } from '../../src/engine/style.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';

const CARRIED_COPY_FLAGS = new Set(['chown', 'chmod', 'link']);
/** Variables that change where or how modules are fetched; the download must see the same values. */
const DOWNLOAD_ENV = /^(GO\w*|GIT_\w+|SSH_\w+|HOME|PATH|NETRC|https?_proxy|no_proxy|all_proxy)$/i;
/** Go variables that only shape compilation (target, cache, runtime), never module fetching. */
const BUILD_ONLY_GO_ENV = /^(GOOS|GOARCH|GOARM|GOAMD64|GO386|GOMIPS|GOMIPS64|GOPPC64|GORISCV64|GOWASM|GOCACHE|GOEXPERIMENT|GOGC|GODEBUG|GOMAXPROCS|GOTRACEBACK)$/;
/** Commands that may precede `go` in a RUN without preparing anything the download needs. */
const HARMLESS_BEFORE_GO = new Set(['cd', 'set', 'echo', 'true', 'ls', 'pwd', 'mkdir', 'go']);
/** Instructions that cannot change what `go mod download` does when they sit between COPY and download. */
const NEUTRAL_KEYWORDS = new Set(['COPY', 'ADD', 'LABEL', 'EXPOSE', 'MAINTAINER', 'STOPSIGNAL', 'HEALTHCHECK', 'VOLUME', 'CMD', 'ENTRYPOINT']);

export const modDownloadFirst: Transform = {
  id: 'go/mod-download-first',
  title: 'Copy go.mod and go.sum and download modules before copying the sources',
  rationale:
    'the module download now depends only on go.mod and go.sum, so a source change no longer re-downloads every module',
  safety: 'safe',
  preconditions: [
    'go.mod exists at the context path the COPY maps (or go.work with its modules), and .dockerignore does not exclude it',
    'go.sum and go.work.sum are copied only if they exist (and are not ignored)',
    'local replace targets and workspace modules lie inside the context and have a go.mod; no vendor/modules.txt',
    'no RUN, USER, or ENV/ARG of Go, git or proxy settings between the source COPY and the first Go command',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) rewriteStage(doc, stage, context, out);
    return out.result();
  },
};

function rewriteStage(doc: ParsedDockerfile, stage: Stage, context: TransformContext, out: ResultBuilder): void {
  // What it looks for: the first Go command that reads the module, and a whole-context copy before it.
  const { scripts, goCommands } = stageScripts(doc, stage);
  const firstGo = goCommands.find(needsModule);
  const sourceCopy = stage.instructions.find((i) => isWholeContextCopy(i) && (!firstGo || i.start < firstGo.instruction.start));
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
  const plan = manifestPlan(context);
  if ('reason' in plan) return skip(plan.reason);
  const blocker = stage.instructions.find((i) => i.start > sourceCopy.start && i.start < goLimit && blocksDownload(i));
  if (blocker) {
    return skip(`${describe(doc, blocker)} sits between the source COPY and the first Go command; the download might need it (move it above the COPY first)`);
  }
  const fetchSetting = goRunFetchSetting(doc, stage, scripts, sourceCopy);
  if (fetchSetting) return skip(fetchSetting);

  // What it writes.
  const destDir = directoryForm(spec.dest);
  const workdir = effectiveWorkdir(doc, stage, sourceCopy);
  const downloadDir = destDir === './' || (workdir !== null && `/${normalizePath(destDir)}` === workdir) ? null : destDir.replace(/\/$/, '');
  const existingDownloads = goCommands.filter((g) => g.subcommand === 'mod download' && g.instruction.start > sourceCopy.start);
  const existing = existingDownloads.length > 0 && !indirectGo ? movableDownload(doc, stage, scripts, sourceCopy, firstGo, downloadDir) : null;
  const tolerant = existing ? undefined : existingDownloads.find((g) => !inStrictChain(doc, scripts, g));
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

  if (existing) {
    // the manifest COPY goes in first, at the same offset, then the moved download
    out.change(sourceCopy, [{ start: at, end: at, text: copyLine }, ...moveAbove(doc, existing, at)], `moved the go mod download from line ${existing.line + 1} above the source COPY`);
    return;
  }
  const cd = downloadDir === null ? '' : `cd ${downloadDir} && `;
  const runLine = `${indent}${keyword(doc, 'RUN')} ${cd}go mod download${eol}`;
  out.change(sourceCopy, [{ start: at, end: at, text: copyLine + runLine }], `added COPY ${manifests} and RUN ${cd}go mod download`);
}

/** Why a COPY destination cannot be reused in a generated shell-form COPY and `cd`, or null. */
function unusableDestination(dest: string): string | null {
  if (dest.includes('$')) return `the COPY destination ${dest} uses a variable`;
  if (/[\\]|^[A-Za-z]:/.test(dest)) return `the COPY destination ${dest} is a Windows path`;
  if (/[\s"'`]/.test(dest)) return `the COPY destination ${JSON.stringify(dest)} has blanks or quotes`;
  return null;
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

function isWholeContextCopy(instruction: Instruction): boolean {
  const spec = copySpec(instruction);
  return spec !== null && copiesWholeContext(spec);
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

/** What the download needs from the context, or why it cannot be known or copied. */
function manifestPlan(context: TransformContext): { copies: ManifestCopy[] } | { reason: string } {
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
  return { copies: ordered.filter((c) => c.files.length > 0) };
}

/** A context-relative directory, or null when the path leaves the context (`../x`, `/abs`). */
function insideContext(path: string): string | null {
  if (/^[/\\]|^[A-Za-z]:/.test(path)) return null;
  const parts: string[] = [];
  for (const part of path.split(/[/\\]/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

function blocksDownload(instruction: Instruction): boolean {
  if (NEUTRAL_KEYWORDS.has(instruction.keyword) || instruction.keyword === 'WORKDIR') return false;
  if (instruction.keyword === 'ENV' || instruction.keyword === 'ARG') {
    return declaredNames(instruction).some((name) => DOWNLOAD_ENV.test(name) && !BUILD_ONLY_GO_ENV.test(name));
  }
  return true; // RUN, USER, SHELL, ONBUILD, unknown
}

/**
 * The existing `RUN go mod download` after the source COPY, if moving it up keeps its meaning: it
 * only downloads and verifies (after an optional `cd` to the destination), joined by `&&`; only
 * neutral instructions lie in between; and it does not end in a continuation into a comment, which
 * would swallow the line after it once moved.
 */
function movableDownload(
  doc: ParsedDockerfile,
  stage: Stage,
  scripts: StageScripts['scripts'],
  sourceCopy: Instruction,
  firstGo: GoCommand | undefined,
  downloadDir: string | null,
): Instruction | null {
  if (firstGo?.subcommand !== 'mod download') return null;
  const run = firstGo.instruction;
  const commands = scripts.get(run)?.commands ?? [];
  const [first, ...rest] = commands;
  if (!first) return null;
  const cdTarget = first.words[0]?.value === 'cd' && first.words.length === 2 ? first.words[1]?.value ?? null : null;
  const downloads = cdTarget !== null ? rest : commands;
  if (cdTarget !== null ? `/${normalizePath(cdTarget)}` !== `/${normalizePath(downloadDir ?? '')}` || downloadDir === null : downloadDir !== null) return null;
  const onlyDownloads = downloads.length > 0 && downloads.every((c) => c.words[0]?.value === 'go' && c.words[1]?.value === 'mod' && ['download', 'verify'].includes(c.words[2]?.value ?? ''));
  if (!onlyDownloads) return null;
  if (!commands.every((c, i) => i === 0 || joinedByAnd(doc, commands[i - 1]!.end, c.start))) return null;
  const lastLine = doc.source.text.slice(doc.source.lineStarts[run.endLine] ?? run.start, run.end);
  if (doc.commentLines.has(run.endLine) || /[\\`]\s*$/.test(lastLine)) return null;
  const between = stage.instructions.filter((i) => i.start > sourceCopy.start && i.start < run.start);
  return between.every((i) => NEUTRAL_KEYWORDS.has(i.keyword)) ? run : null;
}

/**
 * A download whose failure fails the RUN, in the stage's directory: every command of the RUN is
 * joined by `&&` and none is a `cd`. Adding our own download before it then changes nothing but speed.
 */
function inStrictChain(doc: ParsedDockerfile, scripts: StageScripts['scripts'], download: GoCommand): boolean {
  const commands = scripts.get(download.instruction)?.commands ?? [];
  return commands.every((c, i) => c.words[0]?.value !== 'cd' && (i === 0 || joinedByAnd(doc, commands[i - 1]!.end, c.start)));
}

/** A COPY of several files needs a destination ending in `/`. */
function directoryForm(dest: string): string {
  if (dest === '.' || dest === './') return './';
  return dest.endsWith('/') ? dest : `${dest}/`;
}

function describe(doc: ParsedDockerfile, instruction: Instruction): string {
  return `the ${instruction.keyword} on line ${lineOf(doc.source, instruction.start) + 1}`;
}
