/**
 * go/move-unrelated-copy (catalogue G-10, seed point 5).
 *
 * Looks for: in a Go stage, a COPY from the build context of files the Go build does not read
 * (`.env`, YAML/TOML/JSON/INI/conf files, asset directories such as static/ or templates/) placed
 * after `go mod download` and before the first `go build`/`go install`.
 * Checks: every source resolves in the build context (a glob in its last segment included) to such
 * files, and a directory holds no Go build input (.go, cgo sources, .syso, .pgo, go.mod); no
 * `//go:embed` pattern matches a copied file, at its context path or at its place in the image, and
 * no `//go:generate` or `#cgo` line, nor a GOFLAGS ENV/ARG, names it; every RUN up to the last build is a plain script of
 * go build/install/vet and harmless commands that neither names the files nor writes where they go;
 * no WORKDIR is crossed, and no crossed COPY writes the same paths.
 * Writes: the COPY, as whole lines with the comments above it, moved right after the last go build
 * RUN of the stage. The files are still in the image; only the build no longer waits for them.
 */
import type { BuildContext } from '../../src/context/context.js';
import { normalizePath } from '../../src/context/context.js';
import { runEnvironment } from '../../src/engine/env.js';
import { type GoCommand, needsModule, stageScripts, goSubcommand, mentionsGoCommand } from '../../src/ecosystems/go/go.js';
import { parseFlags } from '../../src/ecosystems/go/go-build.js';
import { goSourceFiles } from '../../src/ecosystems/go/go-sources.js';
import { parseGoMod } from '../../src/ecosystems/go/gomod.js';
import { copyWrites, imagePath, isSameOrInside, pathsOverlap } from '../../src/engine/image-paths.js';
import { copiesWholeContext, copySpec, declaredNames, effectiveWorkdir, globMatches } from '../../src/engine/instructions.js';
import { describeInstruction, moveBelow } from '../../src/engine/moves.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import { plainRun } from '../../src/shell/plain-shell.js';
import { logicalBody } from '../../src/shell/shell.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';

/** Configuration files by name: never compiled by `go build`. */
const CONFIG_FILE = /^(\.env(\..+)?|.+\.(env|ya?ml|toml|json|ini|conf|cfg|properties))$/i;
/** Directories that usually hold run-time assets; their contents are still checked. */
const ASSET_DIRS = new Set([
  'assets', 'static', 'templates', 'public', 'web', 'www', 'config', 'configs', 'conf', 'migrations',
  'i18n', 'locales', 'translations', 'docs', 'resources', 'views', 'ui',
]);
/** Files `go build` reads besides embedded ones: Go, cgo, assembly and SWIG sources, .syso objects, PGO profiles, module files. */
const GO_INPUT = /\.(go|c|h|s|S|sx|cc|cpp|cxx|hh|hpp|hxx|m|f|F|for|f90|swig|swigcxx|syso|pgo)$|^go\.(mod|sum|work)$/;
const MAX_FILES = 2000;
const BUILD_SUBCOMMANDS = new Set(['build', 'install']);
/** Go subcommands that compile or download but run no code of the module, so they cannot read a config file. */
const CROSSABLE_GO = new Set(['build', 'install', 'vet', 'mod download', 'mod verify', 'version', 'env']);
const HARMLESS = new Set(['cd', 'set', 'export', 'true', ':', 'echo', 'printf', 'mkdir', 'ls', 'pwd']);
/** Instructions a COPY without variables may move across. */
const NEUTRAL_KEYWORDS = new Set(['ENV', 'ARG', 'LABEL', 'EXPOSE', 'MAINTAINER', 'STOPSIGNAL', 'HEALTHCHECK', 'CMD', 'ENTRYPOINT', 'ONBUILD', 'USER', 'SHELL', 'VOLUME']);

export const moveUnrelatedCopy: Transform = {
  id: 'go/move-unrelated-copy',
  title: 'Move COPY of files the Go build does not read after the build',
  rationale: 'the files are now copied after go build, so changing them no longer re-runs the build',
  safety: 'safe',
  preconditions: [
    'the sources resolve in the build context to configuration files or asset directories without Go build inputs',
    'no //go:embed pattern matches them and no //go:generate or #cgo line names them',
    'the RUNs up to the last build only compile (go build/install/vet) and do not name the files or write where they go',
    'no WORKDIR in between, and no COPY in between writes the same paths',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    const sources = lazy(() => goDirectives(context.build));
    for (const stage of doc.stages) rewriteStage(doc, stage, context, sources, out);
    return out.result();
  },
};

/** One file the COPY brings: where it is in the context and where it may land in the image. */
interface CopiedFile {
  readonly context: string;
  readonly image: readonly string[];
}

interface UnrelatedCopy {
  readonly files: readonly CopiedFile[];
  /** Every image path the COPY writes (files, and a destination directory it may create). */
  readonly writes: readonly string[];
  /** Names a RUN or a Go directive would use to refer to the files. */
  readonly names: readonly string[];
  /** How messages call it: its first source. */
  readonly label: string;
}

function rewriteStage(doc: ParsedDockerfile, stage: Stage, context: TransformContext, directives: () => GoDirectives | { reason: string }, out: ResultBuilder): void {
  // What it looks for: COPYs between the module download and the first build.
  const { scripts, goCommands } = stageScripts(doc, stage);
  const download = goCommands.find((g) => g.subcommand === 'mod download')?.instruction;
  if (!download) return;
  const isBuild = (i: Instruction) =>
    i.keyword === 'RUN' && i.start > download.start &&
    (goCommands.some((g) => g.instruction === i && BUILD_SUBCOMMANDS.has(g.subcommand) && needsModule(g)) || (scripts.get(i)?.parsed === false && mentionsGoCommand(doc, i)));
  const builds = stage.instructions.filter(isBuild);
  const firstBuild = builds[0];
  const lastBuild = builds.at(-1);
  if (!firstBuild || !lastBuild) return;
  const candidates = stage.instructions.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && i.start > download.start && i.start < firstBuild.start);

  // What it checks.
  const moving: Instruction[] = [];
  for (const copy of candidates) {
    const unrelated = unrelatedCopy(doc, stage, copy, context.build);
    if (unrelated === null) continue;
    if ('reason' in unrelated) {
      out.skip(copy, unrelated.reason);
      continue;
    }
    const found = directives();
    if ('reason' in found) {
      out.skip(copy, found.reason);
      continue;
    }
    const problem = readByGo(doc, stage, copy, unrelated, found) ??
      crossingProblem(doc, stage, context.build, goCommands, copy, lastBuild, unrelated);
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
function unrelatedCopy(doc: ParsedDockerfile, stage: Stage, copy: Instruction, build: BuildContext): UnrelatedCopy | { reason: string } | null {
  const spec = copySpec(copy);
  if (!spec || spec.from !== null || copiesWholeContext(spec)) return null;
  if (spec.sources.some((s) => /:\/\/|^git@/.test(s))) return null;
  const segments = (path: string) => normalizePath(path).split('/');
  const baseName = (path: string) => segments(path).pop() ?? '';
  // an asset directory, or a glob inside one (`static/*`), or a configuration file by name
  const inAssetDir = (source: string) => /[*?[]/.test(baseName(source)) && ASSET_DIRS.has(segments(source).at(-2) ?? '');
  const looksUnrelated = (source: string) => CONFIG_FILE.test(baseName(source)) || ASSET_DIRS.has(baseName(source)) || inAssetDir(source);
  const names = spec.sources.map(baseName);
  if (!spec.sources.some(looksUnrelated) || names.some((n) => GO_INPUT.test(n))) return null;
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
        if (GO_INPUT.test(name) || !(CONFIG_FILE.test(name) || inAssetDir(source))) {
          return { reason: resolved.glob ? `${source} also matches ${top}, which the build may read` : `${top} is a file the build may read, not a directory of assets` };
        }
        const image = intoDirectory || resolved.glob ? [join(dest, name)] : [dest, join(dest, name)];
        files.push({ context: top, image });
        image.forEach((p) => writes.add(p));
        continue;
      }
      const inside = walk(build, top);
      if (inside === null) return { reason: `${top}/ has more than ${MAX_FILES} files to check` };
      const input = inside.find((f) => GO_INPUT.test(f.split('/').pop() ?? ''));
      if (input) return { reason: `${top}/ holds ${input}, a Go build input` };
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

/** The `//go:embed` patterns (context-relative) and the `//go:generate` and `#cgo` lines of the context's Go files. */
interface GoDirectives {
  readonly embeds: readonly { readonly file: string; readonly pattern: string; readonly written: string }[];
  readonly lines: readonly { readonly file: string; readonly kind: string; readonly text: string }[];
}

function goDirectives(build: BuildContext): GoDirectives | { reason: string } {
  const files = goSourceFiles(build);
  if (files === null) return { reason: 'the build context has too many Go files to check their //go:embed patterns' };
  const embeds: { file: string; pattern: string; written: string }[] = [];
  const lines: { file: string; kind: string; text: string }[] = [];
  for (const file of files) {
    const text = build.readFile(file);
    if (text === null) return { reason: `cannot read ${file} to check its //go:embed patterns` };
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    for (const match of text.matchAll(/^[ \t]*\/\/go:embed[ \t]+(.*)$/gm)) {
      for (const token of (match[1] ?? '').matchAll(/"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)/g)) {
        const written = token[1] ?? token[2] ?? token[3] ?? '';
        const pattern = written.replace(/^all:/, '');
        embeds.push({ file, pattern: normalizePath(dir === '' ? pattern : `${dir}/${pattern}`), written });
      }
    }
    for (const match of text.matchAll(/^[ \t]*\/\/go:generate[ \t]+(.*)$/gm)) lines.push({ file, kind: '//go:generate', text: match[1] ?? '' });
    for (const match of text.matchAll(/#cgo[ \t]+(.*)$/gm)) lines.push({ file, kind: '#cgo', text: match[1] ?? '' });
  }
  return { embeds, lines };
}

/** Why the build could read the copied files: an embed pattern matches one, or a directive names one. */
function readByGo(doc: ParsedDockerfile, stage: Stage, copy: Instruction, unrelated: UnrelatedCopy, directives: GoDirectives): string | null {
  // the image side: the files' paths relative to where the sources are (WORKDIR, or a COPY . <dir>)
  const roots = new Set<string>();
  const workdir = effectiveWorkdir(doc, stage, copy);
  if (workdir !== null) roots.add(workdir);
  for (const i of stage.instructions) {
    const spec = copySpec(i);
    if (spec && copiesWholeContext(spec)) {
      const dest = imagePath(effectiveWorkdir(doc, stage, i), spec.dest);
      if (dest !== null) roots.add(dest);
    }
  }
  for (const file of unrelated.files) {
    const relatives = [file.context];
    for (const image of file.image) {
      for (const root of roots) if (isSameOrInside(image, root) && image !== root) relatives.push(image.slice(root === '/' ? 1 : root.length + 1));
    }
    for (const embed of directives.embeds) {
      if (relatives.some((path) => embedMatches(embed.pattern, path))) {
        return `${file.context} is embedded in the binary by //go:embed ${embed.written} in ${embed.file}`;
      }
    }
  }
  for (const line of directives.lines) {
    const name = unrelated.names.find((n) => mentions(line.text, n));
    if (name !== undefined) return `${line.kind} in ${line.file} names ${name}`;
  }
  // GOFLAGS=-overlay=... or -modfile=... makes every build read a file
  for (const s of stageLineage(doc, stage)) {
    for (const i of s.instructions) {
      if ((i.keyword !== 'ENV' && i.keyword !== 'ARG') || !declaredNames(i).includes('GOFLAGS')) continue;
      const name = unrelated.names.find((n) => mentions(doc.source.text.slice(i.argsStart, i.end), n));
      if (name !== undefined) return `the ${describeInstruction(doc, i)} names ${name}`;
    }
  }
  return null;
}

/** Go's embed rule: a pattern names a file, or a directory whose files it embeds; each segment is a path.Match. */
function embedMatches(pattern: string, path: string): boolean {
  const p = pattern.split('/').filter(Boolean);
  const x = path.split('/').filter(Boolean);
  if (p.length === 0 || p.length > x.length) return false;
  return p.every((segment, i) => globMatches(segment, x[i] ?? ''));
}

function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_-])`).test(text);
}

/** Why the COPY cannot move past everything up to the last build, or null. */
function crossingProblem(
  doc: ParsedDockerfile,
  stage: Stage,
  build: BuildContext,
  goCommands: readonly GoCommand[],
  copy: Instruction,
  lastBuild: Instruction,
  unrelated: UnrelatedCopy,
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
    const named = unrelated.names.find((n) => mentions(body, n));
    if (named !== undefined) return `${where} names ${named}`;
    let cwd = effectiveWorkdir(doc, stage, instruction);
    for (const command of plain.commands) {
      const name = command.words[0]?.value ?? '';
      const sub = goSubcommand(command);
      if (name === 'go') {
        if (sub === null || !CROSSABLE_GO.has(sub)) return `${where} runs go ${sub ?? ''}, which may read ${what}`.replace(' ,', ',');
        const output = buildOutput(doc, stage, build, instruction, goCommands.find((g) => g.instruction === instruction && g.command.start === command.start), cwd);
        if (typeof output === 'object' && output !== null) return output.reason;
        const overlap = output === null ? undefined : unrelated.writes.find((w) => pathsOverlap(w, output));
        if (overlap !== undefined) return `${where} writes ${output ?? ''}, where the COPY puts ${overlap}`;
        continue;
      }
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

/**
 * Where a go build/install writes its binary: null when it writes none (several packages) or the
 * command is not a build; a reason when it cannot be told.
 */
function buildOutput(
  doc: ParsedDockerfile,
  stage: Stage,
  build: BuildContext,
  run: Instruction,
  go: GoCommand | undefined,
  cwd: string | null,
): string | null | { reason: string } {
  if (!go || !BUILD_SUBCOMMANDS.has(go.subcommand)) return null;
  const words = go.command.words;
  const index = words.findIndex((w, i) => i > 0 && w.value === go.subcommand);
  const flags = parseFlags(words.slice(index + 1));
  const args = words.slice(index + 1 + flags.reduce((n, f) => n + f.words.length, 0)).map((w) => w.value);
  const where = `the ${describeInstruction(doc, run)}`;
  if (go.subcommand === 'install') {
    const env = runEnvironment(doc, stage, run);
    // a null value is set to something unknown: no falling back to the default
    const gopath = env.vars.get('GOPATH');
    const gobin = env.vars.has('GOBIN') ? env.vars.get('GOBIN') : gopath === null ? null : `${(gopath ?? '/go').split(':')[0] ?? ''}/bin`;
    if (gobin === null || gobin === undefined || !gobin.startsWith('/')) return { reason: `cannot tell where ${where} installs its binary` };
    return imagePath(null, gobin);
  }
  const output = flags.find((f) => f.name === '-o')?.value;
  if (output !== undefined && output !== null) {
    const path = imagePath(cwd, output);
    return path ?? { reason: `cannot tell where ${where} writes its binary` };
  }
  if (args.length > 1 || args.some((a) => a.includes('...'))) return null;
  // the default binary is named after the package directory, or the module for `.`
  const target = args[0] ?? '.';
  const module = parseGoMod(build.readFile('go.mod') ?? '').module;
  const name = normalizePath(target) === '' ? module?.split('/').filter((s) => !/^v\d+$/.test(s)).pop() : normalizePath(target).split('/').pop();
  const path = name === undefined || name === '' ? null : imagePath(cwd, name);
  return path ?? { reason: `cannot tell where ${where} writes its binary` };
}

/** What both COPYs write, when the order between them matters; null when it does not. */
function sameWrites(doc: ParsedDockerfile, stage: Stage, build: BuildContext, copy: Instruction, other: Instruction, unrelated: UnrelatedCopy): string | null {
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

function lazy<T>(compute: () => T): () => T {
  let value: { v: T } | null = null;
  return () => (value ??= { v: compute() }).v;
}
