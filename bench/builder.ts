/**
 * The real image builder for end-to-end tests and benchmarks: buildah, set up offline by
 * ../shared/tools/offline-builder/setup.sh with a local golang:1.19 image whose module proxy holds
 * example.com/heavydep (the fixtures need that proxy, so no other builder can run them here).
 */
import { spawnSync } from 'node:child_process';

export interface BuildResult {
  readonly ok: boolean;
  readonly seconds: number;
  /** Everything the builder printed. */
  readonly log: string;
}

export interface Builder {
  readonly name: string;
  build(options: { context: string; dockerfile: string; tag: string; noCache?: boolean }): BuildResult;
  /** Runs a command in a new container of the image and returns its stdout. */
  run(tag: string, command: readonly string[]): string;
  /** The steps (`RUN go build ...`) the builder took from its cache, in order. */
  cachedSteps(log: string): string[];
  /** The steps the builder executed, in order. */
  allSteps(log: string): string[];
  remove(tag: string): void;
}

const BUILDAH_ENV = { ...process.env, STORAGE_DRIVER: process.env.STORAGE_DRIVER ?? 'overlay' };

function sh(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
}

function buildah(): Builder | null {
  if (sh('buildah', ['--version']).status !== 0) return null;
  const images = sh('buildah', ['images', '--quiet', 'docker.io/library/golang:1.19'], BUILDAH_ENV);
  if (images.status !== 0 || images.stdout.trim() === '') return null;
  // `STEP 3/5: RUN go build` followed, when cached, by `--> Using cache <id>`
  const steps = (log: string) => {
    const found: { step: string; cached: boolean }[] = [];
    for (const line of log.split('\n')) {
      const step = /^\[?.*?STEP \d+\/\d+: (.*)$/.exec(line);
      if (step?.[1]) found.push({ step: step[1], cached: false });
      else if (line.startsWith('--> Using cache') && found.length > 0) found[found.length - 1] = { ...found[found.length - 1]!, cached: true };
    }
    return found;
  };
  return {
    name: 'buildah',
    build({ context, dockerfile, tag, noCache }) {
      const started = process.hrtime.bigint();
      const args = ['bud', '--isolation', 'chroot', '--layers', '-f', dockerfile, '-t', tag, ...(noCache ? ['--no-cache'] : []), context];
      const result = sh('buildah', args, BUILDAH_ENV);
      return { ok: result.status === 0, seconds: Number(process.hrtime.bigint() - started) / 1e9, log: result.stdout + result.stderr };
    },
    run(tag, command) {
      const container = sh('buildah', ['from', '--quiet', tag], BUILDAH_ENV).stdout.trim();
      try {
        const result = sh('buildah', ['run', '--isolation', 'chroot', container, '--', ...command], BUILDAH_ENV);
        if (result.status !== 0) throw new Error(`running ${command.join(' ')} in ${tag} failed: ${result.stderr}`);
        return result.stdout;
      } finally {
        sh('buildah', ['rm', container], BUILDAH_ENV);
      }
    },
    cachedSteps: (log) => steps(log).filter((s) => s.cached).map((s) => s.step),
    allSteps: (log) => steps(log).map((s) => s.step),
    remove(tag) {
      sh('buildah', ['rmi', '--force', tag], BUILDAH_ENV);
    },
  };
}

/** buildah with the offline images, or null. */
export function findBuilder(): Builder | null {
  return buildah();
}

export const NO_BUILDER_MESSAGE =
  'no image builder: run ../shared/tools/offline-builder/setup.sh (buildah with the offline golang:1.19 image and module proxy)';
