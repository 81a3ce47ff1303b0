/**
 * node/dockerignore (issue 13, transform 3).
 *
 * Looks for: a stage that installs Node packages (npm, Yarn, pnpm, bun) and copies the whole build
 * context, with an ignore file that lets the host's `node_modules` (or `.git`, the package managers'
 * logs, a local pnpm store) into it.
 * Checks: the shared checks of src/patterns/ignore-entries.ts (the ignore file lies in the context, no
 * `!` rule re-includes an entry, no COPY/ADD/bind-mount source of a Dockerfile at the context root
 * becomes excluded); `.git` stays when a RUN calls git or runs a script, or a package.json script or
 * dependency deals with git (version stamps); `node_modules` stays when a stage copies the whole
 * context and runs Node without installing (it may use the host's packages on purpose).
 * Writes: `**\/node_modules`, `.git`, `npm-debug.log*`, `yarn-debug.log*`, `yarn-error.log*` and
 * `.pnpm-store` (the ones not already excluded) under a comment saying why.
 */
import type { BuildContext } from '../../src/context/context.js';
import { ignoreRules } from '../../src/context/dockerignore.js';
import { cacheUser } from '../../src/ecosystems/node/install-command.js';
import { readPackageJson } from '../../src/ecosystems/node/package-json.js';
import type { Instruction, ParsedDockerfile, Stage } from '../../src/engine/parse.js';
import { stageLineage } from '../../src/engine/parse.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import { ignoreEntries, type IgnoreEntry } from '../../src/patterns/ignore-entries.js';
import { wholeContextCopy } from '../../src/patterns/manifest-first.js';
import { runScript } from '../../src/shell/shell.js';
import { NODE_MENTIONS } from '../../src/ecosystems/node/steps.js';

const NODE_MODULES: IgnoreEntry = { pattern: '**/node_modules', probe: 'node_modules/.package-lock.json' };
const GIT: IgnoreEntry = { pattern: '.git', probe: '.git/HEAD' };
const LOGS: readonly IgnoreEntry[] = [
  { pattern: 'npm-debug.log*', probe: 'npm-debug.log' },
  { pattern: 'yarn-debug.log*', probe: 'yarn-debug.log' },
  { pattern: 'yarn-error.log*', probe: 'yarn-error.log' },
  { pattern: '.pnpm-store', probe: '.pnpm-store/v3/files' },
];
const SCRIPT_RUNNERS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'make']);

const HEADER = "# added by cachefix: the host's node_modules, package manager logs and .git change on every local install or commit and would invalidate COPY . .";

export const nodeDockerignore: Transform = {
  id: 'node/dockerignore',
  mentions: NODE_MENTIONS,
  title: 'Exclude node_modules, package manager logs and .git from the build context with .dockerignore',
  rationale: "the host's node_modules, logs and .git change on every local install or commit, so excluding them keeps COPY . . cached when the sources did not change",
  safety: 'safe',
  preconditions: [
    'a stage installs Node packages and copies the whole context, and the ignore file lets node_modules, .git, logs or .pnpm-store in',
    'no COPY/ADD/bind-mount source of any Dockerfile at the context root becomes excluded; no ! rule re-includes an entry',
    '.git stays when a RUN calls git or a script, or package.json scripts or dependencies deal with git',
    'node_modules stays when a stage copies the whole context and runs Node without installing',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    // What it looks for: a whole-context copy in a stage that installs Node packages.
    const stages = doc.stages.filter((s) => installs(doc, s));
    const wholeCopy = stages.map((s) => wholeContextCopy(s)).find((c): c is Instruction => c !== null);
    if (!wholeCopy) return out.result();

    // What it checks: which entries the build may need after all.
    const entries: IgnoreEntry[] = [];
    const hostModules = usesHostModules(doc);
    if (hostModules === null) entries.push(NODE_MODULES);
    const git = gitReader(doc, context.build);
    if (git === null) entries.push(GIT);
    entries.push(...LOGS);
    // an entry left out is said on every run while the ignore file lets it in
    const rules = ignoreRules(context.build, context.dockerfilePath);
    if (hostModules !== null && !rules.ignores(NODE_MODULES.probe)) out.skip(wholeCopy, `node_modules stays in the context: ${hostModules}`);
    if (git !== null && !rules.ignores(GIT.probe)) out.skip(wholeCopy, `.git stays in the context: ${git}`);
    const written = ignoreEntries(doc, context, entries, HEADER);
    if (written === null) return out.result();
    if ('reason' in written) return out.skip(wholeCopy, written.reason), out.result();

    // What it writes: the ignore file.
    out.writeFile(wholeCopy, written.file, `${written.created ? 'created' : 'appended to'} ${written.file.path}: ${written.added.join(' ')}`);
    return out.result();
  },
};

function installs(doc: ParsedDockerfile, stage: Stage): boolean {
  return stage.instructions.some((i) => i.keyword === 'RUN' && runScript(doc, i).commands.some((c) => cacheUser(c.words.map((w) => w.value)) !== null));
}

/** A stage that copies the whole context and runs Node with no install in its lineage: it may ship the host's node_modules. */
function usesHostModules(doc: ParsedDockerfile): string | null {
  for (const stage of doc.stages) {
    const copy = wholeContextCopy(stage);
    if (!copy || stageLineage(doc, stage).some((s) => installs(doc, s))) continue;
    const runsNode = stage.instructions.some((i) => i.start > copy.start && /\b(node|npm|npx|yarn|pnpm|bun)\b/.test(doc.source.text.slice(i.argsStart, i.end)));
    if (runsNode) return `the stage that copies the whole context on line ${copy.line + 1} runs Node without installing packages (it may use the host's)`;
  }
  return null;
}

/** Why the build may read .git: a RUN calling git or a script, a package.json script or dependency about git. */
function gitReader(doc: ParsedDockerfile, build: BuildContext): string | null {
  for (const run of doc.instructions.filter((i) => i.keyword === 'RUN')) {
    const script = runScript(doc, run);
    if (!script.parsed) {
      if (/(^|[\s;&|(])git\s/.test(doc.source.text.slice(run.argsStart, run.end))) return `the RUN on line ${run.line + 1} may call git`;
      continue;
    }
    for (const command of script.commands) {
      const name = command.words[0]?.value ?? '';
      if (name === 'git') return `the RUN on line ${run.line + 1} calls git`;
      if (name.includes('/') || (SCRIPT_RUNNERS.has(name) && command.words.length > 1 && !(command.words[1]?.value ?? '').startsWith('-'))) {
        return `the RUN on line ${run.line + 1} runs ${command.words.map((w) => w.value).slice(0, 2).join(' ')}, which may read .git (version stamps)`;
      }
    }
  }
  const text = build.readFile('package.json');
  const pkg = text === null ? null : readPackageJson(text);
  if (pkg) {
    const script = Object.entries(pkg.scripts).find(([, body]) => /\bgit\b|git-/.test(body) && !/^\s*husky(\s+install)?\s*$/.test(body));
    if (script) return `the "${script[0]}" script of package.json uses git`;
    const data = JSON.parse(text ?? '{}') as Record<string, unknown>;
    for (const field of ['dependencies', 'devDependencies']) {
      const deps = data[field];
      const name = deps && typeof deps === 'object' ? Object.keys(deps).find((d) => /git/i.test(d) && d !== 'husky') : undefined;
      if (name) return `package.json depends on ${name}, which may read .git`;
    }
  }
  return null;
}
