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
import type { BuildContext } from '../../src/context/context.js';
import { ignoreRules } from '../../src/context/dockerignore.js';
import { goSourceFiles } from '../../src/ecosystems/go/go-sources.js';
import { copiesWholeContext, copySpec } from '../../src/engine/instructions.js';
import type { ParsedDockerfile } from '../../src/engine/parse.js';
import { ignoreEntries, type IgnoreEntry } from '../../src/patterns/ignore-entries.js';
import { runScript } from '../../src/shell/shell.js';
import { stageScripts } from '../../src/ecosystems/go/go.js';
import { readGoRun, readMake } from '../../src/ecosystems/go/go-runs.js';
import { GO_MENTIONS } from '../../src/ecosystems/go/steps.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';

/** Each entry with a path it must exclude (to tell whether the file already covers it). */
const ENTRIES: readonly IgnoreEntry[] = [
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
  // it looks only at stages that run go (see apply)
  mentions: GO_MENTIONS,
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
    // (the cheap test first: whether the stage copies the whole context, then whether it runs go)
    const wholeCopy = doc.stages
      .map((stage) => ({ stage, copy: stage.instructions.find((i) => {
        const spec = copySpec(i);
        return spec !== null && copiesWholeContext(spec);
      }) }))
      .find(({ stage, copy }) => copy !== undefined &&
        (stageScripts(doc, stage).goCommands.length > 0 || stage.instructions.some((i) => readGoRun(doc, stage, i, context.build).invocations.length > 0)))?.copy;
    if (!wholeCopy) return out.result();
    // the editor entries ride along with .git: a file that already excludes .git is left as it is
    if (ignoreRules(context.build, context.dockerfilePath).ignores('.git/HEAD')) return out.result();

    // What it checks, and what it writes.
    const written = ignoreEntries(doc, context, ENTRIES, HEADER, () => gitUser(doc, context.build) ?? readsBuildInfo(context.build));
    if (written === null) return out.result();
    if ('reason' in written) return out.skip(wholeCopy, written.reason), out.result();
    out.writeFile(wholeCopy, written.file, `${written.created ? 'created' : 'appended to'} ${written.file.path}: ${written.added.join(' ')}`);
    return out.result();
  },
};

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
