/**
 * docker/dockerignore (catalogue G-03, seed point 3).
 *
 * Looks for: a stage that copies the whole build context (`COPY . .`, `ADD . /src`) while the
 * context's ignore file (`<Dockerfile>.dockerignore`, else `.dockerignore`) is missing or does not
 * exclude `.git`: every commit then changes the hash of that COPY and everything after it.
 * Checks: nothing the build reads becomes excluded — no COPY/ADD/bind-mount source of this or any
 * other Dockerfile at the context root, no RUN that calls git, no Go code that reads its VCS stamp
 * (debug.ReadBuildInfo), no `!` rule that re-includes one of the entries on purpose.
 * Writes: the ignore file, created or appended, with `.git` and the usual editor and OS files.
 */
import { type BuildContext, normalizePath } from '../../src/context/context.js';
import { dockerignoreMatcher, ignoreRules } from '../../src/context/dockerignore.js';
import { isDockerfileName } from '../../src/context/dockerfile-names.js';
import { goSourceFiles } from '../../src/ecosystems/go/go-sources.js';
import { copiesWholeContext, copySpec } from '../../src/engine/instructions.js';
import { mountsOf } from '../../src/engine/mounts.js';
import { type Instruction, type ParsedDockerfile, parseDockerfile } from '../../src/engine/parse.js';
import { runScript } from '../../src/shell/shell.js';
import { stageScripts } from '../../src/ecosystems/go/go.js';
import { readGoRun, readMake } from '../../src/ecosystems/go/go-runs.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';

/** Each entry with a path it must exclude (to tell whether the file already covers it). */
const ENTRIES: readonly { pattern: string; probe: string }[] = [
  { pattern: '.git', probe: '.git/HEAD' },
  { pattern: '**/.idea', probe: 'sub/.idea/workspace.xml' },
  { pattern: '**/.vscode', probe: 'sub/.vscode/settings.json' },
  { pattern: '**/*.swp', probe: 'sub/main.go.swp' },
  { pattern: '**/.DS_Store', probe: 'sub/.DS_Store' },
];

/** Build drivers and script runners whose insides we cannot see. */
const OPAQUE_DRIVERS = new Set(['make', 'mage', 'task', 'just', 'goreleaser']);
const SCRIPT_RUNNERS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

const HEADER = '# added by cachefix: VCS data and editor files change on every commit and would invalidate COPY . .';

export const dockerignore: Transform = {
  id: 'docker/dockerignore',
  title: 'Exclude .git and editor files from the build context with .dockerignore',
  rationale: '.git and editor files change on every commit, so excluding them keeps COPY . . cached when the sources did not change',
  safety: 'safe',
  preconditions: [
    'a stage copies the whole context and the ignore file does not exclude .git',
    'no COPY/ADD/bind-mount source of any Dockerfile at the context root becomes excluded',
    'no RUN calls git, and no Go code reads its VCS stamp (debug.ReadBuildInfo)',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    // What it looks for: a whole-context copy in a stage that runs go itself. Only there do the
    // guards below know everything that could read .git (other ecosystems' build scripts may).
    const wholeCopy = doc.stages
      .filter((stage) => stageScripts(doc, stage).goCommands.length > 0 || stage.instructions.some((i) => readGoRun(doc, stage, i, context.build).invocations.length > 0))
      .flatMap((stage) => stage.instructions)
      .find((i) => {
        const spec = copySpec(i);
        return spec !== null && copiesWholeContext(spec);
      });
    if (!wholeCopy) return out.result();
    const rules = ignoreRules(context.build, context.dockerfilePath);
    if (rules.ignores('.git/HEAD')) return out.result();

    // What it checks.
    if (rules.outside) return out.skip(wholeCopy, `the ignore file ${rules.file ?? ''} lies outside the build context; edit it by hand`), out.result();
    const missing = ENTRIES.filter((e) => !rules.ignores(e.probe));
    const file = rules.file ?? '.dockerignore';
    const existing = context.build.readFile(file);
    const reason =
      reIncluded(existing, missing.map((e) => e.pattern)) ??
      gitUser(doc, context.build) ??
      excludedSource(doc, context, missing.map((e) => e.pattern)) ??
      readsBuildInfo(context.build);
    if (reason) return out.skip(wholeCopy, reason), out.result();

    // What it writes.
    const eol = existing?.includes('\r\n') ? '\r\n' : '\n';
    const block = [HEADER, ...missing.map((e) => e.pattern)].join(eol) + eol;
    const text = existing === null ? block : `${existing}${separator(existing, eol)}${block}`;
    out.writeFile(wholeCopy, { path: file, text }, `${existing === null ? 'created' : 'appended to'} ${file}: ${missing.map((e) => e.pattern).join(' ')}`);
    return out.result();
  },
};

/** A `!.git`-style exception in the existing file means the user wants that path in the context. */
function reIncluded(existing: string | null, patterns: readonly string[]): string | null {
  const exceptions = (existing ?? '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l.startsWith('!'));
  for (const exception of exceptions) {
    const path = normalizePath(exception.slice(1));
    if (dockerignoreMatcher(patterns).ignores(path) || patterns.includes(path)) return `the ignore file re-includes ${path} with ${exception}`;
  }
  return null;
}

/**
 * A RUN that calls git needs .git in the context; scripts and drivers often do (version stamps). A
 * Makefile we can read says for itself whether a recipe or `$(shell …)` calls git.
 */
function gitUser(doc: ParsedDockerfile, build: BuildContext): string | null {
  for (const run of doc.instructions.filter((i) => i.keyword === 'RUN')) {
    const script = runScript(doc, run);
    if (!script.parsed) {
      if (/(^|[\s;&|(])(git|make)\s/.test(doc.source.text.slice(run.argsStart, run.end))) {
        return `the RUN on line ${run.line + 1} may call git, which reads .git from the context`;
      }
      continue;
    }
    for (const command of script.commands) {
      const name = command.words[0]?.value ?? '';
      if (name === 'git') return `the RUN on line ${run.line + 1} calls git, which reads .git from the context`;
      const stage = doc.stages[run.stage];
      const make = name === 'make' && stage ? readMake(doc, stage, run, command, build) : null;
      if (make && make.unreadable === null) {
        if (make.git !== null) return `the RUN on line ${run.line + 1} ${make.git}, which reads .git from the context`;
        continue;
      }
      const runsScript = SCRIPT_RUNNERS.has(name) && command.words.length > 1 && !command.words[1]?.value.startsWith('-');
      if (OPAQUE_DRIVERS.has(name) || name.includes('/') || runsScript) {
        return `the RUN on line ${run.line + 1} runs ${name}, which may read .git (version stamps)`;
      }
    }
  }
  return null;
}

/** A source that one of the Dockerfiles at the context root reads and the new rules would exclude. */
function excludedSource(doc: ParsedDockerfile, context: TransformContext, patterns: readonly string[]): string | null {
  let rules: ReturnType<typeof dockerignoreMatcher> | null = null;
  const literals = patternLiterals(patterns);
  const others = (context.build.list('') ?? [])
    .filter((e) => !e.directory && isDockerfileName(e.name) && e.name !== context.dockerfilePath)
    .map((e) => ({ name: e.name, text: context.build.readFile(e.name) }))
    .filter((d): d is { name: string; text: string } => d.text !== null && mayMention(d.text, literals));
  for (const { name, parsed } of [{ name: 'this Dockerfile', parsed: doc }, ...others.map((o) => ({ name: o.name, parsed: parseDockerfile(o.text) }))]) {
    for (const source of sourcesOf(parsed)) {
      const path = normalizePath(source.path);
      // most paths (go.mod, ., src/) hold no pattern's literal: no need to build the matcher for them
      if (path === '' || !holdsOneOf(path, literals)) continue;
      rules ??= dockerignoreMatcher(patterns);
      if (!(rules.ignores(path) || patterns.some((p) => path.startsWith(p)))) continue;
      return `${name} reads ${source.path} (line ${source.instruction.line + 1}), which the new entries would exclude`;
    }
  }
  return null;
}

/**
 * The literal part of each pattern's last segment (`.git`, `.swp` of `*.swp`), lower-cased: a path
 * the pattern matches holds it. An empty one (`*`) means any path may match.
 */
function patternLiterals(patterns: readonly string[]): string[] {
  return patterns.map((pattern) => {
    const last = pattern.split('/').filter((part) => part !== '').at(-1) ?? '';
    return last.split(/[*?[\]{}!\\]+/).reduce((a, b) => (b.length > a.length ? b : a), '').toLowerCase();
  });
}

/**
 * Whether a Dockerfile's text may name a path the patterns of `literals` exclude, without parsing it
 * (a directory of Dockerfiles would otherwise parse each one for each fix). Comment lines, quotes,
 * escape characters and blanks can split a path as written, so they are taken out of the text first,
 * and a JSON `\u` escape could spell anything. The answer errs towards yes.
 */
function mayMention(text: string, literals: readonly string[]): boolean {
  // comment lines go first: inside a continuation Docker drops them, joining what was around them
  return text.includes('\\u') || holdsOneOf(text.replace(/^[ \t]*#.*$/gm, '').replace(/["'`\\\s]/g, ''), literals);
}

/** Whether `text` holds, case-blind, one of `literals` (see patternLiterals). */
function holdsOneOf(text: string, literals: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return literals.some((literal) => literal === '' || lower.includes(literal));
}

function sourcesOf(doc: ParsedDockerfile): { path: string; instruction: Instruction }[] {
  const sources: { path: string; instruction: Instruction }[] = [];
  for (const instruction of doc.instructions) {
    const spec = copySpec(instruction);
    if (spec && spec.from === null) sources.push(...spec.sources.map((path) => ({ path, instruction })));
    for (const mount of mountsOf(instruction)) {
      const source = mount.flag.options.find((o) => o.name === 'source' || o.name === 'src')?.value;
      const from = mount.flag.options.find((o) => o.name === 'from');
      if (mount.type === 'bind' && !from) sources.push({ path: source ?? '.', instruction });
    }
  }
  return sources;
}

/** Go ≥ 1.18 stamps the VCS revision from .git; code that reads it would see it vanish. */
function readsBuildInfo(build: BuildContext): string | null {
  const files = goSourceFiles(build);
  if (files === null) return 'the context has too many Go files to check whether the code reads its VCS stamp';
  for (const path of files) {
    if (build.readFile(path)?.includes('ReadBuildInfo')) {
      return `${path} reads its build info (debug.ReadBuildInfo): without .git the binary loses its vcs.revision stamp`;
    }
  }
  return null;
}

/**
 * What goes between an existing ignore file and the appended block: one blank line after its last
 * entry, none when the file is empty or holds only blank lines, or already ends with a blank line.
 */
function separator(existing: string, eol: string): string {
  if (/^\s*$/.test(existing) || /\n[ \t]*\r?\n$/.test(existing)) return '';
  return existing.endsWith('\n') ? eol : `${eol}${eol}`;
}
