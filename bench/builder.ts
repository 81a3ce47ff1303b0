/**
 * The real image builders for end-to-end tests and benchmarks, set up offline by
 * ../shared/tools/offline-builder: buildah (setup.sh) and Docker Engine 20.10 with BuildKit
 * (docker.sh start), each with the local golang:1.19 image whose module proxy holds
 * example.com/heavydep (the fixtures need that proxy, so no other registry can serve them here).
 * Both keep their layer cache across runs: a test that wants a rebuild must make its change unique.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile, type ParsedDockerfile } from '../src/engine/parse.js';
import { sharedDir } from '../__tests__/helpers/paths.js';

export type BuilderName = 'buildah' | 'buildkit';

export interface BuildOptions {
  readonly context: string;
  readonly dockerfile: string;
  readonly tag: string;
  readonly noCache?: boolean;
  readonly target?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /**
   * `host` for builds whose RUN steps reach a package server on 127.0.0.1 (node's registry, the Maven
   * repository of servers.sh). BuildKit defaults to `none` (the engine has no bridge); buildah's chroot
   * isolation always uses the host network.
   */
  readonly network?: 'host' | 'none';
}

/** One step of a build as the builder reported it, placed in the Dockerfile. */
export interface BuildStep {
  /** Index of the stage in the Dockerfile. */
  readonly stage: number;
  /** Index of the instruction within its stage, as in the cache model's predictions (FROM, 0, is never a step here). */
  readonly index: number;
  /** The instruction as the builder printed it (BuildKit prints args expanded). */
  readonly text: string;
  readonly cached: boolean;
}

export interface BuildResult {
  readonly ok: boolean;
  readonly seconds: number;
  /** Everything the builder printed. */
  readonly log: string;
  /** What the steps' commands printed, one line each as they wrote it, without the builder's prefixes. */
  readonly output: string;
  readonly steps: readonly BuildStep[];
}

export interface Builder {
  readonly name: BuilderName;
  /**
   * Whether the builder makes a step (something it can cache) of an instruction with this keyword:
   * buildah makes one of every instruction, BuildKit only of those that touch the filesystem.
   */
  isStep(keyword: string): boolean;
  build(options: BuildOptions): BuildResult;
  /** Runs a command in a new container of the image (its entrypoint set aside) and returns its stdout. */
  run(tag: string, command: readonly string[]): string;
  remove(tag: string): void;
  /** Whether the builder has this image locally (the node and java suites need more than golang:1.19). */
  hasImage(image: string): boolean;
}

/** A builder this machine has, or why it does not have it. */
export type BuilderChoice = { readonly name: BuilderName; readonly builder: Builder; readonly reason: null } | { readonly name: BuilderName; readonly builder: null; readonly reason: string };

const OFFLINE_BUILDER = join(sharedDir, 'tools', 'offline-builder');
const BUILDAH_ENV = { ...process.env, STORAGE_DRIVER: process.env.STORAGE_DRIVER ?? 'overlay' };
/** The instructions BuildKit turns into steps; ENV, ARG, LABEL and the like only change the image config. */
const BUILDKIT_STEPS = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);

function sh(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
}

function timed(run: () => { status: number | null; stdout: string; stderr: string }): { ok: boolean; seconds: number; log: string } {
  const started = process.hrtime.bigint();
  const result = run();
  return { ok: result.status === 0, seconds: Number(process.hrtime.bigint() - started) / 1e9, log: result.stdout + result.stderr };
}

function buildFlags(options: BuildOptions): string[] {
  return [
    '-f',
    options.dockerfile,
    '-t',
    options.tag,
    ...(options.noCache ? ['--no-cache'] : []),
    ...(options.target ? ['--target', options.target] : []),
    ...Object.entries(options.buildArgs ?? {}).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]),
  ];
}

function buildah(): BuilderChoice {
  const name = 'buildah';
  if (sh('buildah', ['--version']).status !== 0) return { name, builder: null, reason: 'buildah is not installed: run ../shared/tools/offline-builder/setup.sh' };
  const images = sh('buildah', ['images', '--quiet', 'docker.io/library/golang:1.19'], BUILDAH_ENV);
  if (images.status !== 0 || images.stdout.trim() === '') return { name, builder: null, reason: 'buildah has no offline golang:1.19 image: run ../shared/tools/offline-builder/setup.sh' };
  return {
    name,
    reason: null,
    builder: {
      name,
      isStep: () => true,
      build(options) {
        const result = timed(() => sh('buildah', ['bud', '--isolation', 'chroot', '--layers', '--pull-never', ...buildFlags(options), options.context], BUILDAH_ENV));
        return { ...result, output: result.log, steps: buildahSteps(result.log) };
      },
      run(tag, command) {
        const from = sh('buildah', ['from', '--quiet', '--pull-never', tag], BUILDAH_ENV);
        const container = from.stdout.trim();
        if (from.status !== 0 || container === '') throw new Error(`buildah from ${tag} failed: ${from.stderr}`);
        try {
          const result = sh('buildah', ['run', '--isolation', 'chroot', container, '--', ...command], BUILDAH_ENV);
          if (result.status !== 0) throw new Error(`running ${command.join(' ')} in ${tag} failed: ${result.stderr}`);
          return result.stdout;
        } finally {
          sh('buildah', ['rm', container], BUILDAH_ENV);
        }
      },
      remove(tag) {
        sh('buildah', ['rmi', '--force', tag], BUILDAH_ENV);
      },
      hasImage: (image) => sh('buildah', ['images', '--quiet', image], BUILDAH_ENV).stdout.trim() !== '',
    },
  };
}

/**
 * buildah's steps: `[2/3] STEP 4/6: RUN go build` (the stage prefix only in multi-stage files), resolved
 * by `--> Using cache <id>` (then `--> <id>`) or by `--> <id>` alone when it ran. A stage built on
 * demand by `COPY --from` prints its steps before the outer step's result, so a result resolves the
 * latest unresolved step.
 */
export function buildahSteps(log: string): BuildStep[] {
  const steps: { stage: number; index: number; text: string; cached: boolean | null }[] = [];
  const open: number[] = [];
  let skipNext = false;
  for (const line of log.split('\n')) {
    const step = /^(?:\[(\d+)\/\d+\] )?STEP (\d+)\/\d+: (.*)$/.exec(line);
    if (step) {
      // FROM prints no result line of its own, and is not a step the model keys
      if (step[2] === '1') continue;
      steps.push({ stage: Number(step[1] ?? '1') - 1, index: Number(step[2]) - 1, text: step[3] ?? '', cached: null });
      open.push(steps.length - 1);
      continue;
    }
    if (!line.startsWith('--> ')) continue;
    if (skipNext) {
      skipNext = false;
      continue;
    }
    const cached = line.startsWith('--> Using cache');
    skipNext = cached;
    const resolved = open.pop();
    if (resolved !== undefined) steps[resolved] = { ...steps[resolved]!, cached };
  }
  return steps.filter((s) => s.cached !== null).map((s) => ({ stage: s.stage, index: s.index, text: s.text, cached: s.cached === true }));
}

/** The environment `docker.sh env` prints, or why there is none. */
function dockerEnv(): NodeJS.ProcessEnv | string {
  const script = join(OFFLINE_BUILDER, 'docker.sh');
  const result = sh('bash', [script, 'env']);
  if (result.error || result.status !== 0) return `no Docker engine: run \`eval "$(bash ${script} start)"\` (${(result.stderr || String(result.error ?? '')).trim()})`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [, name, value] of result.stdout.matchAll(/\b([A-Z_]+)=(\S+)/g)) if (name !== undefined) env[name] = value;
  if (!env.DOCKER_HOST || !env.DOCKER) return `docker.sh env printed no DOCKER_HOST and DOCKER: ${result.stdout.trim()}`;
  return env;
}

function buildkit(): BuilderChoice {
  const name = 'buildkit';
  const env = dockerEnv();
  if (typeof env === 'string') return { name, builder: null, reason: env };
  const docker = env.DOCKER ?? 'docker';
  if (sh(docker, ['image', 'inspect', 'golang:1.19'], env).status !== 0) return { name, builder: null, reason: 'the Docker engine has no golang:1.19 image: run ../shared/tools/offline-builder/docker.sh start' };
  const dockerEnvOf = { ...env, DOCKER_BUILDKIT: '1' };
  return {
    name,
    reason: null,
    builder: {
      name,
      isStep: (keyword) => BUILDKIT_STEPS.has(keyword.toUpperCase()),
      build(options) {
        // the engine has no bridge network; Go's fixtures need none (their module proxy is in the image)
        const result = timed(() => sh(docker, ['build', '--network', options.network ?? 'none', '--progress', 'plain', ...buildFlags(options), options.context], dockerEnvOf));
        const doc = parseDockerfile(readFileSync(options.dockerfile, 'utf8'));
        return { ...result, output: buildkitOutput(result.log), steps: buildkitSteps(result.log, doc) };
      },
      run(tag, command) {
        const [entrypoint, ...args] = command;
        if (entrypoint === undefined) throw new Error('run: no command');
        const result = sh(docker, ['run', '--rm', '--network', 'none', '--entrypoint', entrypoint, tag, ...args], dockerEnvOf);
        if (result.status !== 0) throw new Error(`running ${command.join(' ')} in ${tag} failed: ${result.stderr}`);
        return result.stdout;
      },
      remove(tag) {
        sh(docker, ['rmi', '--force', tag], dockerEnvOf);
      },
      hasImage: (image) => sh(docker, ['image', 'inspect', image], dockerEnvOf).status === 0,
    },
  };
}

/**
 * BuildKit's steps from `--progress plain`: vertices are numbered in the order they start (`#7`), each
 * introduced by `#7 [build 3/5] COPY . .` and printed again, interleaved, whenever it reports
 * (`#7 CACHED`, `#7 DONE 0.1s`, `#7 1.234 <output>`). The label is the stage's name, `stage-N` for an
 * unnamed one, nothing in a one-stage file; `[internal] ...` and `exporting` vertices are not steps.
 * A stage's count runs over its FROM (when its base is an image) and its filesystem instructions, so
 * `k/n` is the (k - (n - those instructions))-th of them. Identical vertices (the same FROM in two
 * stages, or in a build running beside this one) are printed once, under the first one's label.
 */
export function buildkitSteps(log: string, doc: ParsedDockerfile): BuildStep[] {
  const vertices = new Map<string, { stage: number; index: number; text: string; cached: boolean }>();
  for (const line of log.split('\n')) {
    const header = /^#(\d+) \[(?:(?:\S+ )*?(\S+) )?(\d+)\/(\d+)\] (.*)$/.exec(line);
    if (header) {
      const [, id = '', label, k, n, text = ''] = header;
      // FROM is no step the model keys, and its vertex is shared with any build of the same image, under that build's label
      if (vertices.has(id) || text.startsWith('FROM ')) continue;
      const stage = label === undefined ? doc.stages[0] : (doc.stages.find((s) => s.name === label.toLowerCase()) ?? doc.stages[Number(/^stage-(\d+)$/.exec(label)?.[1] ?? NaN)]);
      if (stage === undefined) throw new Error(`BuildKit step of an unknown stage: ${line}`);
      const steps = stage.instructions.filter((i) => i !== stage.from && BUILDKIT_STEPS.has(i.keyword));
      const offset = Number(n) - steps.length; // 1 when the stage's FROM is counted
      if (offset !== 0 && offset !== 1) throw new Error(`BuildKit counts ${n} steps where stage ${stage.index} of the Dockerfile has ${steps.length}: ${line}`);
      const instruction = steps[Number(k) - offset - 1];
      if (instruction === undefined) throw new Error(`BuildKit step ${k}/${n} does not fit stage ${stage.index} of the Dockerfile: ${line}`);
      vertices.set(id, { stage: stage.index, index: stage.instructions.indexOf(instruction), text, cached: false });
      continue;
    }
    const cached = /^#(\d+) CACHED$/.exec(line);
    const vertex = cached ? vertices.get(cached[1] ?? '') : undefined;
    if (vertex) vertex.cached = true;
  }
  return [...vertices.values()];
}

/** What BuildKit's steps printed: `#8 12.345 example.com/heavydep` is `example.com/heavydep`. */
function buildkitOutput(log: string): string {
  return log
    .split('\n')
    .flatMap((line) => /^#\d+ \d+\.\d+ (.*)$/.exec(line)?.[1] ?? [])
    .join('\n');
}

/** Every builder the tests and benchmarks know, each available or with the reason it is not. */
export function builderChoices(): BuilderChoice[] {
  return [buildah(), buildkit()];
}
