/**
 * docker/move-unrelated-copy (catalogue G-10, seed point 5; was go/move-unrelated-copy).
 *
 * Only an ecosystem that can tell what its build reads takes part: its DependencySteps offers a
 * build-reads oracle (src/patterns/dependency-steps.ts). Go does (the Go build reads Go and cgo
 * sources, module files, and what go:embed, go:generate, #cgo and GOFLAGS name); Node, Python,
 * Rust and Java offer none, since their builds may read any file, so this never fires in their stages.
 *
 * Looks for: in a stage whose ecosystem has an oracle, a COPY from the build context of files the
 * build does not read (`.env`, YAML/TOML/JSON/INI/conf files, asset directories such as static/ or
 * templates/) placed after the dependency download (`go mod download`) and before the first build.
 * Checks: every source resolves in the build context (a glob in its last segment included) to such
 * files, and a directory holds no build input (for Go: .go, cgo sources, .syso, .pgo, go.mod); the
 * oracle finds no reason the build reads them (a `//go:embed` pattern matching a copied file, at its
 * context path or at its place in the image; a `//go:generate` or `#cgo` line or GOFLAGS naming it);
 * every RUN up to the last build is a plain script of commands the oracle lets through (go
 * build/install/vet) and harmless commands that neither name the files nor write where they go;
 * no WORKDIR is crossed, and no crossed COPY writes the same paths.
 * Writes: the COPY, as whole lines with the comments above it, moved right after the last go build
 * RUN of the stage. The files are still in the image; only the build no longer waits for them.
 */
import type { BuildContext } from '../../src/context/context.js';
import { normalizePath } from '../../src/context/context.js';
import { copyWrites, imagePath, isSameOrInside, pathsOverlap } from '../../src/engine/image-paths.js';
import { copiesWholeContext, copySpec, effectiveWorkdir, globMatches } from '../../src/engine/instructions.js';
import { describeInstruction, moveBelow } from '../../src/engine/moves.js';
import type { Instruction, ParsedDockerfile, Stage } from '../../src/engine/parse.js';
import { type BuildReads, type CopiedFile, mentionsName, type UnrelatedFiles } from '../../src/patterns/dependency-steps.js';
import { plainRun } from '../../src/shell/plain-shell.js';
import { logicalBody } from '../../src/shell/shell.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import { dependencySteps } from '../ecosystems.js';

/** Configuration files by name: never compiled (an oracle still checks that nothing embeds or names them). */
const CONFIG_FILE = /^(\.env(\..+)?|.+\.(env|ya?ml|toml|json|ini|conf|cfg|properties))$/i;
/** Directories that usually hold run-time assets; their contents are still checked. */
const ASSET_DIRS = new Set([
  'assets', 'static', 'templates', 'public', 'web', 'www', 'config', 'configs', 'conf', 'migrations',
  'i18n', 'locales', 'translations', 'docs', 'resources', 'views', 'ui',
]);
const MAX_FILES = 2000;
/** The oracles of the ecosystems that can tell what their build reads; the others offer none. */
const ORACLES: readonly { readonly reads: BuildReads; readonly mentions: RegExp | undefined }[] = dependencySteps.flatMap((e) => (e.buildReads ? [{ reads: e.buildReads, mentions: e.mentions }] : []));
const HARMLESS = new Set(['cd', 'set', 'export', 'true', ':', 'echo', 'printf', 'mkdir', 'ls', 'pwd']);
/** Instructions a COPY without variables may move across. */
const NEUTRAL_KEYWORDS = new Set(['ENV', 'ARG', 'LABEL', 'EXPOSE', 'MAINTAINER', 'STOPSIGNAL', 'HEALTHCHECK', 'CMD', 'ENTRYPOINT', 'ONBUILD', 'USER', 'SHELL', 'VOLUME']);

export const moveUnrelatedCopy: Transform = {
  id: 'docker/move-unrelated-copy',
  formerIds: ['go/move-unrelated-copy'],
  title: 'Move COPY of files the build does not read after the build',
  rationale: 'the files are now copied after go build, so changing them no longer re-runs the build',
  safety: 'safe',
  preconditions: [
    'the stage\'s ecosystem can tell what its build reads (Go; not Node, Python, Rust or Java, whose builds may read any file)',
    'the sources resolve in the build context to configuration files or asset directories without Go build inputs',
    'no //go:embed pattern matches them and no //go:generate or #cgo line names them',
    'the RUNs up to the last build only compile (go build/install/vet) and do not name the files or write where they go',
    'no WORKDIR in between, and no COPY in between writes the same paths',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    const oracles = ORACLES.filter((o) => o.mentions === undefined || o.mentions.test(doc.source.text));
    for (const stage of doc.stages) {
      for (const oracle of oracles) rewriteStage(doc, stage, context.build, oracle.reads, out);
    }
    return out.result();
  },
};

function rewriteStage(doc: ParsedDockerfile, stage: Stage, build: BuildContext, oracle: BuildReads, out: ResultBuilder): void {
  // What it looks for: COPYs between the dependency download and the first build, as the oracle sees them.
  const stageBuild = oracle.stageBuild(doc, stage);
  const firstBuild = stageBuild?.builds[0];
  const lastBuild = stageBuild?.builds.at(-1);
  if (!stageBuild || !firstBuild || !lastBuild) return;
  const download = stageBuild.after;
  const candidates = stage.instructions.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && i.start > download.start && i.start < firstBuild.start);

  // What it checks.
  const moving: Instruction[] = [];
  for (const copy of candidates) {
    const unrelated = unrelatedCopy(doc, stage, copy, build, oracle);
    if (unrelated === null) continue;
    if ('reason' in unrelated) {
      out.skip(copy, unrelated.reason);
      continue;
    }
    const problem = oracle.readsFiles(doc, stage, copy, unrelated, build) ??
      crossingProblem(doc, stage, build, oracle, copy, lastBuild, unrelated);
    if (problem !== null) {
      out.skip(copy, problem);
      continue;
    }
    moving.push(copy);
  }

  // What it writes: each COPY cut and pasted, in order, after the last build.
  for (const copy of moving) out.change(copy, moveBelow(doc, copy, lastBuild), `moved after the ${describeInstruction(doc, lastBuild)}`);
}

/**
 * What a COPY of configuration or assets brings; null when it is not such a COPY (a source copy, a
 * copy from a stage or a URL), or why it cannot be shown to be one.
 */
function unrelatedCopy(doc: ParsedDockerfile, stage: Stage, copy: Instruction, build: BuildContext, oracle: BuildReads): UnrelatedFiles | { reason: string } | null {
  const spec = copySpec(copy);
  if (!spec || spec.from !== null || copiesWholeContext(spec)) return null;
  if (spec.sources.some((s) => /:\/\/|^git@/.test(s))) return null;
  const segments = (path: string) => normalizePath(path).split('/');
  const baseName = (path: string) => segments(path).pop() ?? '';
  // an asset directory, or a glob inside one (`static/*`), or a configuration file by name
  const inAssetDir = (source: string) => /[*?[]/.test(baseName(source)) && ASSET_DIRS.has(segments(source).at(-2) ?? '');
  const looksUnrelated = (source: string) => CONFIG_FILE.test(baseName(source)) || ASSET_DIRS.has(baseName(source)) || inAssetDir(source);
  const names = spec.sources.map(baseName);
  if (!spec.sources.some(looksUnrelated) || names.some((n) => oracle.buildInput(n) !== null)) return null;
  const label = spec.sources[0] ?? '';
  if (/\$/.test(doc.source.text.slice(copy.argsStart, copy.end))) return { reason: `the ${copy.keyword} uses a variable` };
  const other = spec.sources.find((s) => !looksUnrelated(s));
  if (other !== undefined) return { reason: `it also copies ${other}, which the build may read` };

  const workdir = effectiveWorkdir(doc, stage, copy);
  const dest = imagePath(workdir, spec.dest);
  if (dest === null) return { reason: `cannot tell where ${spec.dest} is in the image` };
  const intoDirectory = spec.sources.length > 1 || /[/\\]$/.test(spec.dest) || spec.dest === '.';
  const files: CopiedFile[] = [];
  const writes = new Set<string>();
  const allNames = new Set(names.filter((n) => !/[*?[]/.test(n)));
  for (const source of spec.sources) {
    const resolved = resolveSource(source, build);
    if ('reason' in resolved) return resolved;
    for (const top of resolved.paths) {
      const name = top.split('/').pop() ?? '';
      allNames.add(name);
      const listing = build.list(top);
      if (listing === null) {
        if (oracle.buildInput(name) !== null || !(CONFIG_FILE.test(name) || inAssetDir(source))) {
          return { reason: resolved.glob ? `${source} also matches ${top}, which the build may read` : `${top} is a file the build may read, not a directory of assets` };
        }
        const image = intoDirectory || resolved.glob ? [join(dest, name)] : [dest, join(dest, name)];
        files.push({ context: top, image });
        image.forEach((p) => writes.add(p));
        continue;
      }
      const inside = walk(build, top);
      if (inside === null) return { reason: `${top}/ has more than ${MAX_FILES} files to check` };
      for (const file of inside) {
        const input = oracle.buildInput(file.split('/').pop() ?? '');
        if (input !== null) return { reason: `${top}/ holds ${file}, ${input}` };
      }
      // a directory's contents land in the destination
      for (const file of inside) {
        const image = [join(dest, file.slice(top.length + 1))];
        files.push({ context: file, image });
        image.forEach((p) => writes.add(p));
      }
      if (workdir === null || dest !== workdir) writes.add(dest);
    }
  }
  if (!intoDirectory && files.length === 1) allNames.add(baseName(spec.dest));
  return { files, writes: [...writes], names: [...allNames].filter((n) => n !== ''), label };
}

/** A COPY source as context paths: itself, or the entries a glob in its last segment matches. */
function resolveSource(source: string, build: BuildContext): { paths: string[]; glob: boolean } | { reason: string } {
  const path = normalizePath(source);
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash);
  const name = path.slice(slash + 1);
  if (/[*?[\\]/.test(dir)) return { reason: `cannot resolve the glob ${source} (a wildcard in a directory)` };
  if (!/[*?[]/.test(name)) {
    return build.exists(path) ? { paths: [path], glob: false } : { reason: `${source} is not in the build context (${build.description}); pass --context if the build runs elsewhere` };
  }
  const entries = build.list(dir);
  if (entries === null) return { reason: `cannot resolve the glob ${source}: ${dir || 'the context root'} is not in the build context` };
  const matches = entries.filter((e) => globMatches(name, e.name)).map((e) => (dir === '' ? e.name : `${dir}/${e.name}`));
  if (matches.length === 0) return { reason: `${source} matches nothing in the build context` };
  return { paths: matches.sort(), glob: true };
}

/** Every file under a context directory, or null past MAX_FILES. */
function walk(build: BuildContext, dir: string): string[] | null {
  const files: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop() ?? '';
    for (const entry of build.list(current) ?? []) {
      const path = `${current}/${entry.name}`;
      if (entry.directory) pending.push(path);
      else files.push(path);
      if (files.length + pending.length > MAX_FILES) return null;
    }
  }
  return files.sort();
}

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Why the COPY cannot move past everything up to the last build, or null. */
function crossingProblem(
  doc: ParsedDockerfile,
  stage: Stage,
  build: BuildContext,
  oracle: BuildReads,
  copy: Instruction,
  lastBuild: Instruction,
  unrelated: UnrelatedFiles,
): string | null {
  const what = unrelated.label;
  for (const instruction of stage.instructions.filter((i) => i.start > copy.start && i.start <= lastBuild.start)) {
    const where = `the ${describeInstruction(doc, instruction)}`;
    if (NEUTRAL_KEYWORDS.has(instruction.keyword)) continue;
    if (instruction.keyword === 'COPY' || instruction.keyword === 'ADD') {
      const problem = sameWrites(doc, stage, build, copy, instruction, unrelated);
      if (problem !== null) return `${where} may also write ${problem}, so the order of the two copies matters`;
      continue;
    }
    if (instruction.keyword !== 'RUN') return `moving it would cross ${where}`;
    const plain = plainRun(doc, instruction);
    if ('reason' in plain) return `cannot check ${where}: it ${plain.reason}`;
    // the flags too: a `--mount=...,source=config.yaml` reads it
    const body = `${instruction.flags.map((f) => doc.source.text.slice(f.start, f.end)).join(' ')} ${logicalBody(doc, instruction).text}`;
    const named = unrelated.names.find((n) => mentionsName(body, n));
    if (named !== undefined) return `${where} names ${named}`;
    let cwd = effectiveWorkdir(doc, stage, instruction);
    for (const command of plain.commands) {
      const name = command.words[0]?.value ?? '';
      // the ecosystem's own commands (go build, go vet): the oracle knows what they read and write
      const verdict = oracle.crossCommand(doc, stage, instruction, command, cwd, unrelated, build);
      if (typeof verdict === 'string') return verdict;
      if (verdict === null) continue;
      if (!HARMLESS.has(name)) return `${where} runs ${name}, which may read ${what}`;
      if (name === 'cd') cwd = imagePath(cwd, command.words[1]?.value ?? '/root');
      if (name === 'mkdir') {
        for (const word of command.words.slice(1).filter((w) => !w.value.startsWith('-'))) {
          const path = imagePath(cwd, word.value);
          if (path === null || unrelated.writes.some((w) => pathsOverlap(w, path))) return `${where} creates ${word.text}, where the COPY may write`;
        }
      }
    }
    for (const target of plain.redirects) {
      const path = imagePath(cwd, target);
      if (path === null || unrelated.writes.some((w) => pathsOverlap(w, path))) return `${where} writes ${target}, where the COPY may write`;
    }
  }
  return null;
}

/** What both COPYs write, when the order between them matters; null when it does not. */
function sameWrites(doc: ParsedDockerfile, stage: Stage, build: BuildContext, copy: Instruction, other: Instruction, unrelated: UnrelatedFiles): string | null {
  const writes = copyWrites(doc, stage, other, build);
  if (writes === null) return 'paths I cannot tell';
  const otherSpec = copySpec(other);
  for (const write of unrelated.writes) {
    const overlap = writes.find((w) => pathsOverlap(write, w));
    if (overlap === undefined) continue;
    // `COPY . .` writes the same file only if the context has it; then it must be the same file, copied the same way
    if (otherSpec && copiesWholeContext(otherSpec) && isSameOrInside(write, overlap) && write !== overlap) {
      const relative = write.slice(overlap === '/' ? 1 : overlap.length + 1);
      if (!build.exists(relative)) continue;
      const sameFlags = flagsText(doc, copy) === flagsText(doc, other);
      // the directory the COPY creates, which the whole-context copy creates from the same context directory
      if (build.list(relative) !== null && sameFlags && unrelated.files.some((f) => f.context.startsWith(`${relative}/`))) continue;
      const file = unrelated.files.find((f) => f.image.includes(write));
      if (file?.context === relative && sameFlags) continue;
    }
    return write;
  }
  return null;
}

function flagsText(doc: ParsedDockerfile, instruction: Instruction): string {
  return instruction.flags.map((f) => doc.source.text.slice(f.start, f.end)).join(' ');
}
