/**
 * Where a `go build`/`go install` writes its executable, which `COPY --from` takes it, and what a
 * Go command's environment says about a variable (prefix, `export`, `go env -w`, ENV, ARG). Shared by
 * the transforms that reason about the binary a Go stage hands to a runtime stage.
 */
import { type BuildContext, normalizePath } from '../../context/context.js';
import { runEnvironment } from '../../engine/env.js';
import type { GoBuildCommand } from './go-build.js';
import { parseGoMod } from './gomod.js';
import { copySpec, effectiveWorkdir, globMatches } from '../../engine/instructions.js';
import { type Instruction, type ParsedDockerfile, perStage, type Stage, stageLineage } from '../../engine/parse.js';
import { perInstruction, runScript, type ShellCommand, type ShellWord } from '../../shell/shell.js';
import { goSubcommand } from './go.js';

/** The stage a `COPY --from=<ref>` (or `FROM <ref>`) names: an alias, or a stage index. */
export function stageByReference(doc: ParsedDockerfile, ref: string): Stage | undefined {
  if (/^\d+$/.test(ref)) return doc.stages[Number(ref)];
  const name = ref.toLowerCase();
  return doc.stages.find((s) => s.name === name);
}

/** Stages whose filesystem starts from `stage`'s: `stage` itself and every stage built FROM it. */
export function descendantsOf(doc: ParsedDockerfile, stage: Stage): Stage[] {
  return doc.stages.filter((s) => stageLineage(doc, s).includes(stage));
}

/** Default values of the ARGs declared before the first FROM: what `FROM golang:${GO_VERSION}` sees. */
export function globalArgDefaults(doc: ParsedDockerfile): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const instruction of doc.instructions) {
    if (instruction.stage >= 0) break;
    if (instruction.keyword !== 'ARG') continue;
    for (const arg of instruction.args) {
      const eq = arg.value.indexOf('=');
      if (eq > 0) defaults.set(arg.value.slice(0, eq), arg.value.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2'));
    }
  }
  return defaults;
}

/** `golang:${GO_VERSION}-alpine` with the global ARG defaults filled in, or null when one is missing. */
export function resolveImage(doc: ParsedDockerfile, image: string): string | null {
  const defaults = globalArgDefaults(doc);
  let unresolved = false;
  const resolved = image.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (_m, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const value = defaults.get(braced ?? bare ?? '') ?? fallback;
    if (value === undefined) unresolved = true;
    return value ?? '';
  });
  return unresolved ? null : resolved;
}

/** A variable as one Go command sees it, and where it was set. `value` is null when not literal. */
export interface EnvSetting {
  readonly value: string | null;
  readonly where: 'prefix' | 'shell' | 'go env -w' | 'ENV' | 'ARG';
}

/**
 * Where `name` is set for a Go command: its own `NAME=v` prefix, an `export`/assignment earlier in
 * the same RUN, a `go env -w` earlier in the stage lineage, or an ENV/ARG of the lineage.
 */
export function goCommandEnv(doc: ParsedDockerfile, stage: Stage, run: Instruction, command: ShellCommand, name: string): EnvSetting | null {
  const prefix = command.assignments.find((a) => a.name === name);
  if (prefix) return { value: literal(prefix.value), where: 'prefix' };
  const earlier = shellSetters(doc, run).filter((c) => c.end <= command.start);
  for (const c of [...earlier].reverse()) {
    const assigned = c.assignments.find((a) => a.name === name);
    if (c.words.length === 0 && assigned) return { value: literal(assigned.value), where: 'shell' };
    if (['export', 'declare', 'typeset', 'readonly'].includes(c.words[0]?.value ?? '')) {
      const word = c.words.slice(1).find((w) => w.value === name || w.value.startsWith(`${name}=`));
      if (word) return { value: word.value.includes('=') ? literal(word.value.slice(name.length + 1)) : null, where: 'shell' };
    }
  }
  const goEnv = goEnvWrite(doc, stage, run, command, name);
  if (goEnv) return goEnv;
  const env = runEnvironment(doc, stage, run);
  if (env.vars.has(name)) return { value: env.vars.get(name) ?? null, where: 'ENV' };
  if (env.args.has(name)) return { value: null, where: 'ARG' };
  return null;
}

export function buildEnv(doc: ParsedDockerfile, build: GoBuildCommand, name: string): EnvSetting | null {
  return goCommandEnv(doc, build.stage, build.instruction, build.command, name);
}

/**
 * The commands of a RUN that can set a shell variable (`NAME=value` alone, `export`, `declare`...):
 * few, so that looking back from each go command of a long `&&` chain is not quadratic.
 */
const shellSetters = perInstruction((doc, run): ShellCommand[] =>
  runScript(doc, run).commands.filter((c) => (c.words.length === 0 && c.assignments.length > 0) || ['export', 'declare', 'typeset', 'readonly'].includes(c.words[0]?.value ?? '')));

/** The `go env -w` commands of a RUN, found once per instruction. */
const goEnvWriters = perInstruction((doc, run): ShellCommand[] =>
  runScript(doc, run).commands.filter((c) => goSubcommand(c) === 'env' && c.words.some((w) => w.value === '-w')));

/** `go env -w NAME=value` writes Go's own config file, which every later go command reads. */
function goEnvWrite(doc: ParsedDockerfile, stage: Stage, run: Instruction, command: ShellCommand, name: string): EnvSetting | null {
  let found: EnvSetting | null = null;
  for (const { instruction, command: c } of lineageGoEnvWrites(doc, stage)) {
    if (instruction.start > run.start || (instruction === run && c.end > command.start)) continue;
    const word = c.words.find((w) => w.value.startsWith(`${name}=`));
    if (word) found = { value: literal(word.value.slice(name.length + 1)), where: 'go env -w' };
  }
  return found;
}

/** Every `go env -w` of a stage's lineage, in order, found once per parse and stage (asked per go command). */
const lineageGoEnvWrites = perStage((doc, stage): readonly { instruction: Instruction; command: ShellCommand }[] =>
  stageLineage(doc, stage).reverse().flatMap((s) => s.instructions)
    .filter((instruction) => instruction.keyword === 'RUN')
    .flatMap((instruction) => goEnvWriters(doc, instruction).map((command) => ({ instruction, command }))));

function literal(value: string): string | null {
  return /[$`]/.test(value) ? null : value;
}

/**
 * The directory a Go command runs in: the WORKDIR, then `cd` commands before it in the same RUN and
 * `go -C dir`. Null when a `cd` goes somewhere we cannot know.
 */
export function goCommandDir(doc: ParsedDockerfile, stage: Stage, run: Instruction, command: ShellCommand): string | null {
  let dir = effectiveWorkdir(doc, stage, run);
  for (const c of runScript(doc, run).commands) {
    if (c.end > command.start) break;
    const name = c.words[0]?.value;
    if (name === 'pushd' || name === 'popd') dir = null;
    if (name !== 'cd') continue;
    const target = c.words[1]?.value;
    dir = target === undefined || c.words.length > 2 || /[$`~]/.test(target) || target === '-' ? null : joinPath(dir, target);
  }
  const words = command.words.map((w) => w.value);
  for (let i = 1; i + 1 < words.length && words[i] === '-C'; i += 2) dir = joinPath(dir, words[i + 1] ?? '');
  return dir;
}

/** `base` joined with `path` (absolute paths win), normalized; null when `base` is needed but unknown. */
export function joinPath(base: string | null, path: string): string | null {
  if (path.startsWith('/')) return `/${normalizePath(path)}`;
  if (base === null) return null;
  return `/${normalizePath(`${base}/${path}`)}`;
}

/** What a `go build`/`go install` writes: executables, and directories that hold executables of unknown name. */
export interface GoOutputs {
  readonly files: readonly string[];
  readonly dirs: readonly string[];
}

/** Go's DefaultExecName: the last element of an import path, skipping a `/vN` major-version suffix. */
export function executableName(importPath: string): string {
  const parts = importPath.split('/').filter((p) => p !== '');
  const last = parts[parts.length - 1] ?? '';
  return /^v[1-9]\d*$/.test(last) && parts.length > 1 ? parts[parts.length - 2] ?? last : last;
}

/** The words after the flags of a go build: the packages or .go files. */
export function buildTargets(build: GoBuildCommand): ShellWord[] {
  const start = build.command.words.indexOf(build.subcommandWord);
  const flagWords = new Set(build.flags.flatMap((f) => f.words));
  return build.command.words.slice(start + 1).filter((w) => !flagWords.has(w) && w.value !== '--');
}

/**
 * Where the executables of a go build/install end up (absolute paths), following Go's rules:
 * `-o file` or `-o dir/`; without -o, the package's name in the current directory (build) or in
 * GOBIN / $GOPATH/bin (install). Null when it cannot be worked out (variables, unknown directories).
 */
export function goBuildOutputs(doc: ParsedDockerfile, build: GoBuildCommand, context: BuildContext): GoOutputs | null {
  const dir = goCommandDir(doc, build.stage, build.instruction, build.command);
  const targets = buildTargets(build).map((w) => w.value);
  if (targets.some((t) => /[$`*]/.test(t))) return null;
  const name = executableFor(doc, build, context, dir, targets);
  const several = name === 'several';
  const output = build.flags.find((f) => f.name === '-o')?.value;

  if (build.subcommand === 'install') {
    const gobin = buildEnv(doc, build, 'GOBIN');
    const gopath = buildEnv(doc, build, 'GOPATH');
    const binDir = gobin ? gobin.value : gopath?.value ? `${gopath.value.split(':')[0] ?? ''}/bin` : null;
    if (!binDir || !binDir.startsWith('/')) return null;
    const bin = `/${normalizePath(binDir)}`;
    // a cross-compiling install writes to $GOPATH/bin/<goos>_<goarch>/: only the directory is certain
    const cross = buildEnv(doc, build, 'GOOS') !== null || buildEnv(doc, build, 'GOARCH') !== null;
    if (name === null || several || cross) return { files: [], dirs: [bin] };
    return { files: [`${bin}/${name}`], dirs: [] };
  }

  if (output !== undefined && output !== null) {
    if (/[$`]/.test(output)) return null;
    const path = joinPath(dir, output);
    if (path === null) return null;
    if (/[/\\]$/.test(output) || several) return name === null || several ? { files: [], dirs: [path] } : { files: [`${path}/${name}`], dirs: [] };
    // `-o /app` writes /app/<name> when /app is an existing directory (a WORKDIR, say)
    return { files: name === null ? [path] : [path, `${path}/${name}`], dirs: [] };
  }
  if (several) return { files: [], dirs: [] }; // several packages without -o: go build discards the results
  if (name === null || dir === null) return null;
  return { files: [joinPath(dir, name) ?? ''], dirs: [] };
}

/** The executable's name for the targets, `several` for more than one package, null when unknown. */
function executableFor(doc: ParsedDockerfile, build: GoBuildCommand, context: BuildContext, dir: string | null, targets: readonly string[]): string | null | 'several' {
  if (targets.length > 0 && targets.every((t) => t.endsWith('.go'))) return (targets[0]?.split('/').pop() ?? '').replace(/\.go$/, '') || null;
  if (targets.length > 1 || targets.some((t) => t.includes('...'))) return 'several';
  const target = targets[0] ?? '.';
  if (!target.startsWith('.') && !target.startsWith('/')) return executableName(target);
  const packageDir = joinPath(dir, target);
  if (packageDir === null) return null;
  // a module root is named after its module path; any other directory after itself
  const contextDir = contextDirectoryOf(doc, build, context, packageDir);
  if (contextDir === null) return null;
  const goMod = context.readFile(contextDir === '' ? 'go.mod' : `${contextDir}/go.mod`);
  if (goMod !== null) {
    const module = parseGoMod(goMod).module;
    return module ? executableName(module) : null;
  }
  return packageDir === '/' ? null : executableName(packageDir);
}

/**
 * The build-context directory that a COPY/ADD put at `path` in the build's stage lineage (the last
 * such copy wins), or null when the sources did not come from the context that way.
 */
function contextDirectoryOf(doc: ParsedDockerfile, build: GoBuildCommand, context: BuildContext, path: string): string | null {
  let found: string | null = null;
  for (const s of stageLineage(doc, build.stage).reverse()) {
    for (const instruction of s.instructions) {
      if (s === build.stage && instruction.start >= build.instruction.start) break;
      const spec = copySpec(instruction);
      if (!spec || spec.from !== null || spec.sources.length !== 1) continue;
      const source = spec.sources[0] ?? '';
      if (/[*?[$]/.test(source) || /[$]/.test(spec.dest) || context.list(normalizePath(source)) === null) continue;
      const dest = joinPath(effectiveWorkdir(doc, s, instruction), spec.dest);
      if (dest === null) continue;
      const relative = path === dest ? '' : path.startsWith(`${dest === '/' ? '' : dest}/`) ? path.slice(dest === '/' ? 1 : dest.length + 1) : null;
      if (relative === null) continue;
      found = normalizePath(`${normalizePath(source)}/${relative}`);
    }
  }
  return found;
}

/**
 * Whether copying `source` (a `COPY --from` source: relative to the stage's root, globs allowed)
 * takes one of the outputs: the file itself, a directory above it, or a path inside an output directory.
 */
export function copyTakes(source: string, outputs: GoOutputs): boolean {
  const s = `/${normalizePath(source)}`;
  const under = (path: string, dir: string) => dir === '/' || path === dir || path.startsWith(`${dir}/`);
  const globUnder = (path: string) => {
    const parts = path.split('/');
    for (let i = parts.length; i > 1; i--) if (globMatches(s, parts.slice(0, i).join('/'))) return true;
    return false;
  };
  return outputs.files.some((f) => under(f, s) || globUnder(f)) || outputs.dirs.some((d) => under(d, s) || under(s, d) || globUnder(d));
}
