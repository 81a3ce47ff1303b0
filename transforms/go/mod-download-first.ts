/**
 * go/mod-download-first (catalogue G-01, seed points 1 and 5).
 *
 * Looks for: a Go stage that copies the whole build context (`COPY . .`, `COPY . /src`, `ADD . .`)
 * before its first Go command, with no earlier copy of go.mod.
 * Checks: go.mod is in the context and not ignored; no go.work, no vendor/modules.txt, no local
 * `replace`; nothing between the source COPY and the Go command that the download could depend on.
 * Writes: `COPY go.mod go.sum <dest>` (go.mod alone when there is no go.sum) and
 * `RUN go mod download` just before the source COPY, or moves an existing download there.
 */
import { normalizePath } from '../../src/context.js';
import { ignoreRules } from '../../src/dockerignore.js';
import { type GoCommand, needsModule, type StageScripts, stageScripts } from '../../src/go.js';
import { parseGoMod } from '../../src/gomod.js';
import { copiesFile, copiesWholeContext, copySpec, declaredNames, effectiveWorkdir } from '../../src/instructions.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/parse.js';
import { lineOf } from '../../src/source.js';
import { attachedCommentsStart, indentOf, instructionBlock, keyword } from '../../src/style.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/transform.js';

const CARRIED_COPY_FLAGS = new Set(['chown', 'chmod', 'link']);
/** Variables that change where or how modules are fetched; the download must see the same values. */
const DOWNLOAD_ENV = /^(GO\w*|GIT_\w+|SSH_\w+|HOME|PATH|NETRC|https?_proxy|no_proxy|all_proxy)$/i;
/** Go variables that only shape compilation (target, cache, runtime), never module fetching. */
const BUILD_ONLY_GO_ENV = /^(GOOS|GOARCH|GOARM|GOAMD64|GO386|GOMIPS|GOMIPS64|GOPPC64|GORISCV64|GOWASM|GOCACHE|GOEXPERIMENT|GOGC|GODEBUG|GOMAXPROCS|GOTRACEBACK)$/;
/** Instructions that cannot change what `go mod download` does when they sit between COPY and download. */
const NEUTRAL_KEYWORDS = new Set(['COPY', 'ADD', 'LABEL', 'EXPOSE', 'MAINTAINER', 'STOPSIGNAL', 'HEALTHCHECK', 'VOLUME', 'CMD', 'ENTRYPOINT']);

export const modDownloadFirst: Transform = {
  id: 'go/mod-download-first',
  title: 'Copy go.mod and go.sum and download modules before copying the sources',
  rationale:
    'the module download now depends only on go.mod and go.sum, so a source change no longer re-downloads every module',
  safety: 'safe',
  preconditions: [
    'go.mod exists at the context path the COPY maps, and .dockerignore does not exclude it',
    'go.sum is copied only if it exists (and is not ignored)',
    'no go.work, no vendor/modules.txt, no replace directive to a local path',
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
  if (!firstGo) return;
  const sourceCopy = stage.instructions.find(
    (i) => i.start < firstGo.instruction.start && isWholeContextCopy(i),
  );
  if (!sourceCopy || copiesGoModBefore(doc, stage, sourceCopy)) return;
  const spec = copySpec(sourceCopy);
  if (!spec) return;

  // What it checks.
  const unknownFlag = sourceCopy.flags.find((f) => !CARRIED_COPY_FLAGS.has(f.name));
  if (unknownFlag) return out.skip(sourceCopy, `the source COPY has --${unknownFlag.name}, which the manifest COPY could not reproduce`);
  if (spec.dest.includes('$')) return out.skip(sourceCopy, `the COPY destination ${spec.dest} uses a variable`);
  const reason = contextProblem(context);
  if (reason) return out.skip(sourceCopy, reason);
  const blocker = stage.instructions.find((i) => i.start > sourceCopy.start && i.start < firstGo.instruction.start && blocksDownload(i));
  if (blocker) {
    return out.skip(sourceCopy, `${describe(doc, blocker)} sits between the source COPY and the first Go command; the download might need it (move it above the COPY first)`);
  }

  // What it writes.
  const ignored = ignoreRules(context.build, context.dockerfilePath);
  const manifests = context.build.exists('go.sum') && !ignored.ignores('go.sum') ? 'go.mod go.sum' : 'go.mod';
  const destDir = directoryForm(spec.dest);
  const workdir = effectiveWorkdir(doc, stage, sourceCopy);
  const downloadDir = destDir === './' || (workdir !== null && `/${normalizePath(destDir)}` === workdir) ? null : destDir.replace(/\/$/, '');
  const eol = doc.source.eol;
  const indent = indentOf(doc, sourceCopy);
  const at = Math.max(attachedCommentsStart(doc, sourceCopy), doc.directivesEnd);
  const copyFlags = sourceCopy.flags.map((f) => doc.source.text.slice(f.start, f.end)).join(' ');
  const copyLine = `${indent}${[keyword(doc, 'COPY'), copyFlags, manifests, destDir].filter(Boolean).join(' ')}${eol}`;

  const existing = downloadDir === null ? movableDownload(stage, scripts, sourceCopy, firstGo) : null;
  if (existing) {
    const block = instructionBlock(doc, existing);
    let moved = doc.source.text.slice(block.start, block.end);
    let removeStart = block.start;
    if (!moved.endsWith('\n')) {
      // the download was the last line of a file without a final newline: keep it that way
      moved += eol;
      removeStart = Math.max(block.start - eol.length, 0);
    }
    out.change(sourceCopy, [
      { start: at, end: at, text: copyLine + moved },
      { start: removeStart, end: block.end, text: '' },
    ], `moved the go mod download from line ${existing.line + 1} above the source COPY`);
    return;
  }
  const cd = downloadDir === null ? '' : `cd ${shellQuote(downloadDir)} && `;
  const runLine = `${indent}${keyword(doc, 'RUN')} ${cd}go mod download${eol}`;
  out.change(sourceCopy, [{ start: at, end: at, text: copyLine + runLine }], `added COPY ${manifests} ${destDir} and RUN ${cd}go mod download`);
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
  if (spec && copiesFile(spec, 'go.mod')) return true;
  // docker-init style: the download reads go.mod through a bind mount
  return instruction.flags.some((f) => f.name === 'mount' && f.options.some((o) => o.name === 'source' && /(^|\/)go\.mod$/.test(o.value)));
}

function contextProblem(context: TransformContext): string | null {
  const build = context.build;
  if (!build.exists('go.mod')) {
    return `no go.mod at the root of the build context (${build.description}); pass --context if the build runs elsewhere`;
  }
  const ignored = ignoreRules(build, context.dockerfilePath);
  if (ignored.ignores('go.mod')) return `${ignored.file ?? '.dockerignore'} excludes go.mod`;
  if (build.exists('go.work')) return 'the context has a go.work workspace; copying one go.mod would not be enough';
  if (build.exists('vendor/modules.txt')) return 'the module is vendored (vendor/modules.txt): the build needs no download';
  const goMod = parseGoMod(build.readFile('go.mod') ?? '');
  const local = goMod.replaces.find((r) => r.local);
  if (local) return `go.mod replaces ${local.from} with the local path ${local.to}, which the download would need too`;
  return null;
}

function blocksDownload(instruction: Instruction): boolean {
  if (NEUTRAL_KEYWORDS.has(instruction.keyword) || instruction.keyword === 'WORKDIR') return false;
  if (instruction.keyword === 'ENV' || instruction.keyword === 'ARG') {
    return declaredNames(instruction).some((name) => DOWNLOAD_ENV.test(name) && !BUILD_ONLY_GO_ENV.test(name));
  }
  return true; // RUN, USER, SHELL, ONBUILD, unknown
}

/**
 * The existing `RUN go mod download` right after the source COPY, if moving it up keeps its meaning:
 * it only downloads (and verifies), and only neutral instructions (no WORKDIR) lie in between.
 */
function movableDownload(stage: Stage, scripts: StageScripts['scripts'], sourceCopy: Instruction, firstGo: GoCommand): Instruction | null {
  if (firstGo.subcommand !== 'mod download') return null;
  const run = firstGo.instruction;
  const commands = scripts.get(run)?.commands ?? [];
  const onlyDownloads = commands.length > 0 && commands.every((c) => c.words[0]?.value === 'go' && c.words[1]?.value === 'mod' && ['download', 'verify'].includes(c.words[2]?.value ?? ''));
  if (!onlyDownloads) return null;
  const between = stage.instructions.filter((i) => i.start > sourceCopy.start && i.start < run.start);
  return between.every((i) => NEUTRAL_KEYWORDS.has(i.keyword)) ? run : null;
}

/** A COPY of several files needs a destination ending in `/`. */
function directoryForm(dest: string): string {
  if (dest === '.' || dest === './') return './';
  return dest.endsWith('/') ? dest : `${dest}/`;
}

function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

function describe(doc: ParsedDockerfile, instruction: Instruction): string {
  return `the ${instruction.keyword} on line ${lineOf(doc.source, instruction.start) + 1}`;
}
