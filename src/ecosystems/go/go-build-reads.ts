/**
 * What a Go build reads, for docker/move-unrelated-copy: the stage's build runs between
 * `go mod download` and the last `go build`/`go install`; `go build` reads Go, cgo, assembly and SWIG
 * sources, .syso objects, PGO profiles and module files, the files a `//go:embed` pattern matches,
 * and whatever a `//go:generate` or `#cgo` line or GOFLAGS names. Nothing else of the context.
 */
import type { BuildContext } from '../../context/context.js';
import { normalizePath } from '../../context/context.js';
import { runEnvironment } from '../../engine/env.js';
import { imagePath, isSameOrInside, pathsOverlap } from '../../engine/image-paths.js';
import { copiesWholeContext, copySpec, declaredNames, effectiveWorkdir, globMatches } from '../../engine/instructions.js';
import { describeInstruction } from '../../engine/moves.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../engine/parse.js';
import { type BuildReads, mentionsName, type UnrelatedFiles } from '../../patterns/dependency-steps.js';
import { type GoCommand, goSubcommand, mentionsGoCommand, needsModule, stageScripts } from './go.js';
import { parseFlags } from './go-build.js';
import { goSourceFiles } from './go-sources.js';
import { parseGoMod } from './gomod.js';

/** Files `go build` reads besides embedded ones: Go, cgo, assembly and SWIG sources, .syso objects, PGO profiles, module files. */
const GO_INPUT = /\.(go|c|h|s|S|sx|cc|cpp|cxx|hh|hpp|hxx|m|f|F|for|f90|swig|swigcxx|syso|pgo)$|^go\.(mod|sum|work)$/;
const BUILD_SUBCOMMANDS = new Set(['build', 'install']);
/** Go subcommands that compile or download but run no code of the module, so they cannot read a config file. */
const CROSSABLE_GO = new Set(['build', 'install', 'vet', 'mod download', 'mod verify', 'version', 'env']);

export const goBuildReads: BuildReads = {
  stageBuild(doc, stage) {
    const { scripts, goCommands } = stageScripts(doc, stage);
    const download = goCommands.find((g) => g.subcommand === 'mod download')?.instruction;
    if (!download) return null;
    const isBuild = (i: Instruction) =>
      i.keyword === 'RUN' && i.start > download.start &&
      (goCommands.some((g) => g.instruction === i && BUILD_SUBCOMMANDS.has(g.subcommand) && needsModule(g)) || (scripts.get(i)?.parsed === false && mentionsGoCommand(doc, i)));
    const builds = stage.instructions.filter(isBuild);
    return builds.length === 0 ? null : { after: download, builds };
  },
  buildInput: (name) => (GO_INPUT.test(name) ? 'a Go build input' : null),
  readsFiles(doc, stage, copy, files, build) {
    const directives = goDirectives(build);
    if ('reason' in directives) return directives.reason;
    return readByGo(doc, stage, copy, files, directives);
  },
  crossCommand(doc, stage, run, command, cwd, files, build) {
    if (command.words[0]?.value !== 'go') return undefined;
    const where = `the ${describeInstruction(doc, run)}`;
    const sub = goSubcommand(command);
    if (sub === null || !CROSSABLE_GO.has(sub)) return `${where} runs go ${sub ?? ''}, which may read ${files.label}`.replace(' ,', ',');
    const { goCommands } = stageScripts(doc, stage);
    const output = buildOutput(doc, stage, build, run, goCommands.find((g) => g.instruction === run && g.command.start === command.start), cwd);
    if (typeof output === 'object' && output !== null) return output.reason;
    const overlap = output === null ? undefined : files.writes.find((w) => pathsOverlap(w, output));
    if (overlap !== undefined) return `${where} writes ${output ?? ''}, where the COPY puts ${overlap}`;
    return null;
  },
};

/** The `//go:embed` patterns (context-relative) and the `//go:generate` and `#cgo` lines of the context's Go files. */
interface GoDirectives {
  readonly embeds: readonly { readonly file: string; readonly pattern: string; readonly written: string }[];
  readonly lines: readonly { readonly file: string; readonly kind: string; readonly text: string }[];
}

/** Read once per context view: every COPY of every pass asks, and a view's files never change. */
function goDirectives(build: BuildContext): GoDirectives | { reason: string } {
  let found = directivesByContext.get(build);
  if (found === undefined) directivesByContext.set(build, (found = readDirectives(build)));
  return found;
}

const directivesByContext = new WeakMap<BuildContext, GoDirectives | { reason: string }>();

function readDirectives(build: BuildContext): GoDirectives | { reason: string } {
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
function readByGo(doc: ParsedDockerfile, stage: Stage, copy: Instruction, unrelated: UnrelatedFiles, directives: GoDirectives): string | null {
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
    const name = unrelated.names.find((n) => mentionsName(line.text, n));
    if (name !== undefined) return `${line.kind} in ${line.file} names ${name}`;
  }
  // GOFLAGS=-overlay=... or -modfile=... makes every build read a file
  for (const s of stageLineage(doc, stage)) {
    for (const i of s.instructions) {
      if ((i.keyword !== 'ENV' && i.keyword !== 'ARG') || !declaredNames(i).includes('GOFLAGS')) continue;
      const name = unrelated.names.find((n) => mentionsName(doc.source.text.slice(i.argsStart, i.end), n));
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
