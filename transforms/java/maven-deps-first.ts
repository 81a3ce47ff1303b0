/**
 * java/maven-deps-first (issue 15 §4).
 *
 * Looks for: a stage that copies the whole context (`COPY . .`) and then builds with Maven
 * (`mvn package`, `./mvnw verify`...). Every source change then reruns the build from an empty local
 * repository: every dependency and plugin is downloaded again.
 * Checks: the build reads a pom.xml present in the context, with every module of the reactor (and
 * parents inside the context); no module depends on another one (`dependency:go-offline` cannot
 * resolve a sibling that is not built yet); the build does not run offline; for the wrapper, `mvnw`
 * and `.mvn/` are there; nothing between the COPY and the build could change what it resolves (the
 * shared manifest-first checks, with Maven's settings, options and files).
 * Writes: above the source COPY, `COPY pom.xml ./` (one COPY per directory holding a module's pom,
 * `.mvn/` when present, and `mvnw` for the wrapper) and `RUN mvn <the build's options> dependency:go-offline`;
 * the original build stays where it is and now finds its dependencies in the local repository.
 */

import { type Instruction, type ParsedDockerfile, type Stage } from '../../src/engine/parse.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { copiesBefore, contextFile, type ManifestCopy, manifestFirst, wholeContextCopy } from '../../src/patterns/manifest-first.js';
import { runScript } from '../../src/shell/shell.js';
import { type MavenCommand, mavenCommand, pomOf, usesRepository } from '../../src/ecosystems/java/maven-command.js';
import { reactorPoms } from '../../src/ecosystems/java/pom.js';
import { JAVA_MENTIONS } from '../../src/ecosystems/java/steps.js';

export const mavenDepsFirst: Transform = {
  id: 'java/maven-deps-first',
  mentions: JAVA_MENTIONS,
  title: 'Copy the pom.xml files and resolve dependencies before copying the sources',
  rationale: 'the dependency download becomes a layer of its own, rebuilt only when a pom.xml changes, instead of rerunning with every source change',
  safety: 'safe',
  preconditions: [
    'the build reads a pom.xml of the context; every module pom (and a parent inside the context) is there, and no module depends on another one',
    'the build does not run offline; for ./mvnw, mvnw and .mvn/ are in the context',
    'nothing between the source COPY and the build could change what Maven resolves (ENV, ARG, USER, a RUN touching poms or settings)',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) rewriteStage(doc, context, stage, out);
    return out.result();
  },
};

/** Variables that change what Maven resolves or where it keeps it. */
const MAVEN_ENV = /^(MAVEN_OPTS|MAVEN_ARGS|MAVEN_CONFIG|MAVEN_HOME|JAVA_HOME|JAVA_TOOL_OPTIONS|HOME|M2_HOME)$/;
/** Files a RUN between the COPY and the build may change that decide what Maven resolves. */
const MAVEN_FILES = /pom\.xml|\.mvn\b|mvnw|settings(-security)?\.xml|\.m2\b|toolchains\.xml/;

function rewriteStage(doc: ParsedDockerfile, context: TransformContext, stage: Stage, out: ResultBuilder): void {
  // What it looks for: the first Maven build after a whole-context COPY.
  const build = firstBuild(doc, stage);
  if (!build) return;
  const sourceCopy = wholeContextCopy(stage, build.run.start);
  if (!sourceCopy) return;
  if (copiesBefore(doc, stage, sourceCopy, (source) => /(^|\/)pom\.xml$/.test(source))) return;
  const { run, maven } = build;
  const skip = (reason: string) => out.skip(run, reason);

  // What it checks.
  if (maven.offline) return skip('the build runs offline (-o): it relies on a repository filled elsewhere');
  if (maven.dynamic) return skip('the Maven command uses a variable, so the resolution step could not repeat it exactly');
  if (maven.file !== null && maven.file.startsWith('/')) return skip(`the build reads ${maven.file}, an absolute path`);
  const pomPath = pomOf(maven).replace(/^\.\//, '');
  const state = contextFile(context, pomPath);
  if (state !== 'present') return skip(`${pomPath} is ${state === 'ignored' ? 'excluded by .dockerignore' : 'not in the build context'}`);
  const poms = reactorPoms(context.build, pomPath);
  if ('reason' in poms) return skip(poms.reason);
  const ignored = poms.find((p) => contextFile(context, p.path) !== 'present');
  if (ignored) return skip(`${ignored.path} is excluded by .dockerignore`);
  const modules = new Set(poms.map((p) => p.pom.artifactId).filter((a): a is string => a !== null));
  const sibling = poms.find((p) => p.pom.uses.some((a) => modules.has(a) && a !== p.pom.artifactId));
  if (sibling) {
    const used = sibling.pom.uses.find((a) => modules.has(a)) ?? '';
    return skip(`${sibling.path} uses ${used}, another module of the build: dependency:go-offline cannot resolve a module that is not built yet`);
  }
  const files = poms.map((p) => p.path);
  // a settings file of the context (`-s settings.xml`): the resolution step reads it too
  if (maven.settings !== null && !maven.settings.startsWith('/')) {
    const settings = maven.settings.replace(/^\.\//, '');
    if (contextFile(context, settings) !== 'present') return skip(`the build reads the settings file ${maven.settings}, which is not in the build context`);
    files.push(settings);
  }
  if (maven.tool === 'mvnw') {
    if (contextFile(context, 'mvnw') !== 'present') return skip('the build runs ./mvnw, which is not in the build context (or is excluded by .dockerignore)');
    files.push('mvnw');
  }
  // .mvn/ (maven.config, jvm.config, extensions.xml, the wrapper's properties) is read by mvn and mvnw alike
  const dotMvn = filesUnder(context, '.mvn');
  if (maven.tool === 'mvnw' && !dotMvn.some((f) => f.startsWith('.mvn/wrapper/'))) return skip('the build runs ./mvnw, but .mvn/wrapper is not in the build context');
  files.push(...dotMvn);

  // What it writes: the poms (and the wrapper) by directory, then the resolution step.
  const step = resolutionStep(doc, maven);
  const result = manifestFirst(doc, {
    stage,
    sourceCopy,
    firstUse: run,
    copies: byDirectory(files),
    step: { add: step },
    env: MAVEN_ENV,
    files: MAVEN_FILES,
    what: 'the Maven build',
  });
  if ('reason' in result) return skip(result.reason);
  out.change(sourceCopy, result.edits, result.detail);
}

function firstBuild(doc: ParsedDockerfile, stage: Stage): { run: Instruction; maven: MavenCommand } | null {
  for (const run of stage.instructions) {
    if (run.keyword !== 'RUN' || run.onbuild) continue;
    const commands = runScript(doc, run).commands;
    const at = commands.findIndex((c) => {
      const m = mavenCommand(c);
      return m !== null && usesRepository(m);
    });
    const maven = at < 0 ? null : mavenCommand(commands[at]!);
    // a `cd` before it moves the build away from where the source COPY puts pom.xml
    if (maven && commands.slice(0, at).some((c) => ['cd', 'pushd'].includes(c.words[0]?.value ?? ''))) return null;
    if (maven) return { run, maven };
  }
  return null;
}

/** `mvn <options of the build> dependency:go-offline`: the same tool, pom, settings, profiles and properties, without its goals. */
function resolutionStep(doc: ParsedDockerfile, maven: MavenCommand): string {
  const words = maven.command.words;
  const start = words.findIndex((w) => /mvnw?$/.test(w.value));
  const kept = words.slice(start).filter((w, i) => i === 0 || !maven.goals.includes(w.value) || isOptionValue(words.slice(start), i));
  return [...kept.map((w) => doc.source.text.slice(w.start, w.end)), 'dependency:go-offline'].join(' ');
}

/** Whether word `i` is the value of the option before it (`-pl core`, `-P prod`), not a goal. */
function isOptionValue(words: readonly { value: string }[], i: number): boolean {
  return ['-f', '--file', '-s', '--settings', '-gs', '--global-settings', '-pl', '--projects', '-P', '--activate-profiles', '-T', '--threads', '-D', '--define', '-rf', '-l', '-t', '-b'].includes(words[i - 1]?.value ?? '');
}

/** Every file under `dir` that the build context sends. */
function filesUnder(context: TransformContext, dir: string): string[] {
  const files: string[] = [];
  const walk = (at: string): void => {
    for (const entry of context.build.list(at) ?? []) {
      const path = `${at}/${entry.name}`;
      if (entry.directory) walk(path);
      else if (contextFile(context, path) === 'present') files.push(path);
    }
  };
  walk(dir);
  return files;
}

/** The files grouped by directory, one COPY each, in the order first seen. */
function byDirectory(files: readonly string[]): ManifestCopy[] {
  const dirs = new Map<string, string[]>();
  for (const file of files) {
    const i = file.lastIndexOf('/');
    const dir = i < 0 ? '' : file.slice(0, i);
    dirs.set(dir, [...(dirs.get(dir) ?? []), file]);
  }
  return [...dirs].map(([dir, list]) => ({ dir, files: list }));
}

