/**
 * java/maven-cache-mount (issue 15 §5).
 *
 * Looks for: RUN steps that run Maven (`mvn`, `./mvnw`) with goals, without a cache mount of the
 * local repository. Such a step downloads every dependency and plugin again whenever it reruns.
 * Checks: the local repository is known (root's /root/.m2, or -Dmaven.repo.local) and the same for
 * every Maven step of the stage family (all or nothing: a step without the mount would not see what a
 * mounted one downloaded); the base image is an official one whose /root/.m2 is empty (a third-party
 * image may keep settings or a filled repository there, which the mount would hide); nothing earlier
 * puts files there and nothing later reads it (a `COPY --from` of ~/.m2, a RUN naming it); the image
 * does not run Maven itself (a dev image keeps its downloads); no offline build (`mvn -o`) relies on
 * an earlier step's downloads (the cache could be emptied while that step stays cached).
 * Writes: `--mount=type=cache,target=/root/.m2` (the whole directory: the Maven wrapper keeps its
 * distributions there too) on every Maven step of the family.
 */
import { runEnvironment } from '../../src/engine/env.js';
import { copyDestinationDir, copySpec } from '../../src/engine/instructions.js';
import { mountsOf } from '../../src/engine/mounts.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import { cacheMounts, laterReads, runUser } from '../../src/patterns/cache-mount.js';
import { runScript } from '../../src/shell/shell.js';
import { mavenCacheDir, type MavenCommand, mavenCommand, usesRepository } from '../../src/ecosystems/java/maven-command.js';
import { JAVA_MENTIONS } from '../../src/ecosystems/java/steps.js';

export const mavenCacheMount: Transform = {
  id: 'java/maven-cache-mount',
  mentions: JAVA_MENTIONS,
  title: "Mount Maven's local repository on the Maven steps of a stage",
  rationale: 'dependencies and plugins downloaded by earlier builds stay in a cache mount, so a rerun of a Maven step no longer downloads them all again',
  safety: 'safe',
  usesMounts: true,
  preconditions: [
    'the local repository is known (/root/.m2 for root, or -Dmaven.repo.local) and the same for every Maven step of the stage family, which all get the mount',
    'the base image is an official one with nothing in /root/.m2; nothing earlier writes there, nothing later (COPY --from, RUN, CMD) reads it',
    'no offline build (mvn -o) relies on what an earlier step downloaded',
  ],
  apply(doc) {
    const out = new ResultBuilder();
    const families = new Map<number, Stage[]>();
    for (const stage of doc.stages) {
      const root = stageLineage(doc, stage).at(-1)?.index ?? stage.index;
      families.set(root, [...(families.get(root) ?? []), stage]);
    }
    for (const stages of families.values()) rewriteFamily(doc, stages, out);
    return out.result();
  },
};

interface MavenRun {
  readonly stage: Stage;
  readonly run: Instruction;
  readonly maven: readonly MavenCommand[];
}

function rewriteFamily(doc: ParsedDockerfile, stages: readonly Stage[], out: ResultBuilder): void {
  // What it looks for: the Maven steps of the family.
  const runs: MavenRun[] = [];
  for (const stage of stages) {
    for (const run of stage.instructions) {
      if (run.keyword !== 'RUN' || run.onbuild) continue;
      const script = runScript(doc, run);
      if (!script.parsed) {
        if (/\b(mvn|mvnw)\b/.test(doc.source.text.slice(run.argsStart, run.end))) {
          return skipAll(mavenRuns(doc, stages), `a Maven step cannot be read (${script.reason ?? 'unknown'}): ${instructionSnippet(doc, run)}; mount the local repository on every Maven step by hand, or on none`, out);
        }
        continue;
      }
      const maven = script.commands.map(mavenCommand).filter((m): m is MavenCommand => m !== null && usesRepository(m));
      if (maven.length > 0) runs.push({ stage, run, maven });
    }
  }
  if (runs.length === 0) return;
  const all = runs.map((r) => r.run);

  // What it checks.
  const dirs = new Set<string>();
  for (const { stage, run, maven } of runs) {
    const env = runEnvironment(doc, stage, run);
    for (const m of maven) {
      const dir = mavenCacheDir(m, env);
      if (typeof dir !== 'string') return skipAll(all, dir.reason, out);
      dirs.add(dir);
    }
  }
  if (dirs.size > 1) return skipAll(all, `the Maven steps use different local repositories (${[...dirs].join(', ')})`, out);
  const dir = [...dirs][0] ?? '';
  const first = runs[0]!;
  const env = runEnvironment(doc, first.stage, first.run);
  if (!env.knownImage) {
    return skipAll(all, `cannot confirm that ${env.baseImage || 'the base image'} keeps nothing in ${dir} (settings, a filled repository) that a cache mount would hide; the official maven images keep it empty`, out);
  }
  const last = runs.at(-1)!;
  const writer = earlierWriter(doc, last.stage, last.run, dir, new Set(all));
  if (writer) return skipAll(all, `${instructionSnippet(doc, writer)} puts files in ${dir}, which a cache mount would hide`, out);
  for (const r of runs) {
    const reader = laterReads(doc, r.stage, r.run, dir);
    if (reader && !runs.some((m) => m.run === reader)) return skipAll(all, `${instructionSnippet(doc, reader)} reads ${dir}, which a cache mount would leave empty`, out);
  }
  const runsMaven = stages.flatMap((s) => s.instructions).find((i) => (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && /\bmvnw?\b/.test(doc.source.text.slice(i.argsStart, i.end)));
  if (runsMaven) return skipAll(all, `${instructionSnippet(doc, runsMaven)} runs Maven in the image, which keeps its downloads in ${dir}`, out);
  const offline = runs.slice(1).find((r) => r.maven.some((m) => m.offline));
  if (offline) {
    return skipAll(all, `${instructionSnippet(doc, offline.run)} builds offline from what an earlier step downloaded: with the repository in a cache mount it would fail whenever the cache is emptied while that step stays cached (drop -o to mount it)`, out);
  }

  // What it writes.
  for (const { stage, run } of runs) {
    const user = runUser(doc, stage, run);
    if ('reason' in user) return skipAll(all, user.reason, out);
  }
  for (const { stage, run } of runs) {
    const user = runUser(doc, stage, run);
    if ('reason' in user) continue;
    const mounted = cacheMounts(doc, stage, run, [{ target: dir }], user);
    if ('reason' in mounted) {
      out.skip(run, mounted.reason);
      continue;
    }
    if (mounted.added.length > 0) out.change(run, mounted.edits, `added a cache mount for ${dir}`);
  }
}

function mavenRuns(doc: ParsedDockerfile, stages: readonly Stage[]): Instruction[] {
  return stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN' && /\bmvnw?\b/.test(doc.source.text.slice(i.argsStart, i.end)));
}

/** Skips every step that has no cache mount of a Maven repository yet (one that has is already done). */
function skipAll(runs: readonly Instruction[], reason: string, out: ResultBuilder): void {
  for (const run of runs) if (!mountsOf(run).some((m) => m.type === 'cache' && /\.m2(\/|$)|repository/.test(m.target))) out.skip(run, reason);
}

/** An instruction of the lineage before `run` that writes into `dir`: a COPY/ADD there, a RUN naming it. */
function earlierWriter(doc: ParsedDockerfile, stage: Stage, run: Instruction, dir: string, maven: ReadonlySet<Instruction>): Instruction | null {
  for (const s of stageLineage(doc, stage).reverse()) {
    for (const i of s.instructions) {
      if (s === stage && i.start >= run.start) return null;
      if (maven.has(i)) continue;
      if (copySpec(i) !== null) {
        const dest = copyDestinationDir(doc, s, i);
        if (dest !== null && (dest === dir || dest.startsWith(`${dir}/`))) return i;
      } else if (i.keyword === 'RUN' && (doc.source.text.slice(i.argsStart, i.end).includes(dir) || /~\/\.m2|\$HOME\/\.m2/.test(doc.source.text.slice(i.argsStart, i.end)))) return i;
    }
  }
  return null;
}
