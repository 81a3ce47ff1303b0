/**
 * Real builds of a compiled sample of ../shared/tools/offline-builder (sample-rust, sample-java) on
 * each builder, for the Rust and Java e2e suites: a Dockerfile variant builds, its image prints the
 * sample's line; a source-only change rebuilds with every step before the source COPY taken from the
 * cache; a change to the printed line shows up in the image (the artifact the final stage copies is
 * the one just built, not a placeholder's or a stale cache's).
 */
import { expect } from '@jest/globals';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Builder, type BuildResult, builderChoices } from '../../bench/builder.js';
import { parseDockerfile } from '../../src/engine/parse.js';
import { sharedDir } from './paths.js';

export interface Sample {
  readonly name: string;
  readonly dir: string;
  /** The images the sample's Dockerfiles are built FROM. */
  readonly images: readonly string[];
  /** The source file a change goes into, and how a comment is written in it. */
  readonly source: string;
  readonly comment: (text: string) => string;
  /** The literal in the source that the printed line starts with. */
  readonly printed: string;
  /** What the image runs to print its line. */
  readonly command: readonly string[];
  readonly network: 'none' | 'host';
}

export const offlineBuilder = join(sharedDir, 'tools', 'offline-builder');

/** The builders that have every image the sample needs, or the reason none does. */
export function sampleBuilders(sample: Sample): { builders: Builder[]; reason: string } {
  const reasons: string[] = [];
  const builders: Builder[] = [];
  for (const choice of builderChoices()) {
    if (choice.builder === null) {
      reasons.push(`${choice.name}: ${choice.reason}`);
      continue;
    }
    const missing = sample.images.find((image) => !hasImage(choice.builder, image));
    if (missing) reasons.push(`${choice.name} has no ${missing} image: run ${offlineBuilder}/setup.sh ${sample.name} (and docker.sh start)`);
    else builders.push(choice.builder);
  }
  return { builders, reason: reasons.join('; ') };
}

function hasImage(builder: Builder, image: string): boolean {
  try {
    builder.run(image, ['true']);
    return true;
  } catch {
    return false;
  }
}

export interface SampleRun {
  readonly work: string;
  /** Builds `dockerfile` in a fresh copy of the sample; `mutate` edits the copy first. */
  build(label: string, dockerfile: string): BuiltSample;
  cleanup(): void;
}

export interface BuiltSample {
  readonly result: BuildResult;
  readonly tag: string;
  readonly context: string;
  /** The line the image prints. */
  line(): string;
  /** Rebuilds after `change` edits the context. */
  rebuild(label: string, change: (context: string) => void): BuiltSample;
}

const RUN_ID = `${process.pid}-${Date.now()}`;

export function sampleRun(sample: Sample, builder: Builder): SampleRun {
  const work = mkdtempSync(join(tmpdir(), `cachefix-${sample.name}-`));
  const tags: string[] = [];
  const buildIn = (context: string, label: string): BuiltSample => {
    const tag = `cachefix-e2e-${sample.name}-${builder.name}-${label}`.toLowerCase();
    tags.push(tag);
    const result = builder.build({ context, dockerfile: join(context, 'Dockerfile'), tag, network: sample.network });
    if (!result.ok) throw new Error(`${builder.name} build of ${label} failed:\n${result.log.slice(-4000)}`);
    return {
      result,
      tag,
      context,
      line: () => {
        // buildah 1.28's chroot isolation here sometimes loses a piped stdout: ask again
        for (let attempt = 0; attempt < 3; attempt++) {
          const out = builder.run(tag, sample.command).trim();
          if (out !== '') return out;
        }
        return '';
      },
      rebuild: (next, change) => {
        change(context);
        return buildIn(context, next);
      },
    };
  };
  return {
    work,
    build(label, dockerfile) {
      const context = join(work, label);
      cpSync(sample.dir, context, { recursive: true, filter: (src) => !/Dockerfile\.(naive|fixed)$/.test(src) });
      writeFileSync(join(context, 'Dockerfile'), dockerfile);
      // new to every run, so a whole-context COPY is never taken from an earlier run's cache
      writeFileSync(join(context, '.e2e-run'), `${RUN_ID}\n`);
      return buildIn(context, label);
    },
    cleanup() {
      for (const tag of tags) builder.remove(tag);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** A comment-only change to the source: the program and its output stay the same. */
export function commentChange(sample: Sample, text: string): (context: string) => void {
  return (context) => appendFileSync(join(context, sample.source), `\n${sample.comment(text)}\n`);
}

/** A change to what the program prints: `<printed>` becomes `<printed> <suffix>`. */
export function outputChange(sample: Sample, suffix: string): (context: string) => void {
  return (context) => {
    const path = join(context, sample.source);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(sample.printed)) throw new Error(`${sample.source} has no ${sample.printed}`);
    writeFileSync(path, text.replace(sample.printed, `${sample.printed} ${suffix}`));
  };
}

/**
 * After a source-only change: every step of the build stage before its whole-context COPY came from
 * the cache, the COPY and what follows did not. Returns the steps that ran, for messages.
 */
export function expectDependencyStepsCached(dockerfile: string, rebuild: BuildResult): void {
  const doc = parseDockerfile(dockerfile);
  const source = doc.instructions.find((i) => /^(COPY|ADD)$/.test(i.keyword) && i.flags.every((f) => f.name !== 'from') && i.args[0]?.value === '.');
  if (!source) throw new Error('the Dockerfile has no COPY . of the sources');
  const stage = doc.stages[source.stage]!;
  const at = stage.instructions.indexOf(source);
  const before = rebuild.steps.filter((s) => s.stage === stage.index && s.index < at);
  const after = rebuild.steps.filter((s) => s.stage === stage.index && s.index >= at);
  expect(before.length).toBeGreaterThan(0);
  expect(before.filter((s) => !s.cached).map((s) => s.text)).toEqual([]);
  expect(after.find((s) => s.index === at)?.cached).toBe(false);
}
