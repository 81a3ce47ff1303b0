/**
 * Proof by real builds of docker/apt-cache-mount, on buildah and on BuildKit (the Docker engine of
 * ../shared/tools/offline-builder/docker.sh): a Dockerfile installing packages with apt-get from this
 * machine's Debian mirror, and its rewrite, both build; the images hold the same packages (`dpkg -l`),
 * no package lists, no downloaded packages, and the same docker-clean hook. After a package is added
 * to the list, the rewrite's rebuild downloads that package only (apt's `Get:` lines), where the
 * original downloads every package again.
 */
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachefix } from '../helpers/cli.js';
import { describeWhen } from '../helpers/conditional.js';
import { sharedDir } from '../helpers/paths.js';

const BUILD_TIMEOUT = 10 * 60 * 1000;
const BASE = 'debian:bookworm-slim';

interface AptBuilder {
  readonly name: string;
  /** Builds `dir/Dockerfile`; the log, or an error with it. */
  build(dir: string, tag: string): string;
  run(tag: string, script: string): string;
  remove(tag: string): void;
}

function sh(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
}

function checked(result: ReturnType<typeof sh>, what: string): string {
  if (result.status !== 0) throw new Error(`${what} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout + result.stderr;
}

function buildah(): AptBuilder | null {
  if (sh('buildah', ['--version']).status !== 0) return null;
  if (sh('buildah', ['images', '--quiet', BASE]).stdout.trim() === '') return null;
  return {
    name: 'buildah',
    build: (dir, tag) => checked(sh('buildah', ['bud', '--isolation', 'chroot', '--layers', '--pull-never', '-t', tag, dir]), `buildah bud ${dir}`),
    run(tag, script) {
      const container = checked(sh('buildah', ['from', '--quiet', '--pull-never', tag]), 'buildah from').trim();
      // through a file: buildah 1.28's chroot isolation here sometimes loses the end of a piped stdout
      const out = mkdtempSync(join(work, 'out-'));
      try {
        checked(sh('buildah', ['run', '--isolation', 'chroot', '-v', `${out}:/cachefix-out`, container, '--', 'sh', '-c', `(${script}) > /cachefix-out/stdout`]), `${script} in ${tag}`);
        return readFileSync(join(out, 'stdout'), 'utf8');
      } finally {
        sh('buildah', ['rm', container]);
        rmSync(out, { recursive: true, force: true });
      }
    },
    remove: (tag) => void sh('buildah', ['rmi', '--force', tag]),
  };
}

/** The running Docker engine with BuildKit (never started or stopped here). */
function buildkit(): AptBuilder | null {
  const script = join(sharedDir, 'tools', 'offline-builder', 'docker.sh');
  const exports = sh('bash', [script, 'env']);
  if (exports.status !== 0) return null;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [, name, value] of exports.stdout.matchAll(/(\w+)=(\S+)/g)) if (name && value) env[name] = value;
  const docker = env.DOCKER ?? 'docker';
  if (sh(docker, ['image', 'inspect', BASE], env).status !== 0) return null;
  return {
    name: 'BuildKit',
    build: (dir, tag) => checked(sh(docker, ['build', '--progress=plain', '--network', 'host', '-t', tag, dir], env), `docker build ${dir}`),
    run: (tag, script) => checked(sh(docker, ['run', '--rm', '--network', 'none', tag, 'sh', '-c', script], env), `${script} in ${tag}`),
    remove: (tag) => void sh(docker, ['rmi', '--force', tag], env),
  };
}

/** The packages apt downloaded (`Get:4 http://... bookworm/main amd64 tree amd64 2.1.0-1 [52.5 kB]`), not the index files. */
function downloadedPackages(log: string): string[] {
  return [...log.matchAll(/Get:\d+ \S+ \S+ \S+ (\S+) \S+ \S+ \[/g)].map((m) => m[1] ?? '');
}

/**
 * Each run's steps are new to the layer cache (an earlier run may have built the same text), through
 * an ENV rather than --no-cache: BuildKit 20.10's --no-cache also starts every cache mount empty.
 */
const FROM = `FROM ${BASE}\nENV CACHEFIX_E2E_RUN=${process.pid}-${Date.now()}\n`;

/** Two ways people write it: one && chain ending in the rm, and the official images' `set -eux` statements. */
const styles = {
  'and-chain': (packages: string) =>
    `${FROM}RUN apt-get update \\\n && apt-get install -y --no-install-recommends ${packages} \\\n && rm -rf /var/lib/apt/lists/*\nCMD ["jq", "--version"]\n`,
  'set-e': (packages: string) =>
    `${FROM}RUN set -eux; \\\n    apt-get update; \\\n    apt-get install -y --no-install-recommends ${packages}; \\\n    apt-get clean; \\\n    rm -rf /var/lib/apt/lists/* /tmp/*\nCMD ["jq", "--version"]\n`,
};

const builders = [buildah(), buildkit()].filter((b): b is AptBuilder => b !== null);
const work = mkdtempSync(join(tmpdir(), 'cachefix-apt-'));
const tags: { builder: AptBuilder; tag: string }[] = [];

afterAll(() => {
  for (const { builder, tag } of tags) builder.remove(tag);
  rmSync(work, { recursive: true, force: true });
});

describeWhen(builders.length > 0, `no builder with ${BASE}: run ../shared/tools/offline-builder/setup.sh (buildah) and docker.sh start (BuildKit)`)('docker/apt-cache-mount, real builds', () => {
  test.each(builders.flatMap((b) => Object.entries(styles).map(([style, install]) => [b.name, style, b, install] as const)))(
    '%s, %s: the rewrite builds the same image without lists, and a new package is the only download',
    (builderName, style, builder, install) => {
      const name = `${builderName}-${style}`;
      const dir = (what: string, dockerfile: string) => {
        const path = join(work, `${name}-${what}`);
        mkdirSync(path, { recursive: true });
        writeFileSync(join(path, 'Dockerfile'), dockerfile);
        return path;
      };
      const build = (what: string, dockerfile: string) => {
        const tag = `apt-e2e-${name.toLowerCase()}-${what}`;
        tags.push({ builder, tag });
        return { tag, log: builder.build(dir(what, dockerfile), tag) };
      };
      const rewrite = (dockerfile: string) => {
        const result = cachefix(['--only', 'docker/apt-cache-mount', '-'], { cwd: work, input: dockerfile });
        expect(result.status).toBe(0);
        return result.stdout;
      };

      const before = install('jq');
      const fixed = rewrite(before);
      expect(fixed).toContain('--mount=type=cache,target=/var/cache/apt,sharing=locked');
      expect(fixed).toContain('--mount=type=cache,target=/var/lib/apt/lists,sharing=locked');
      expect(fixed).not.toContain('/var/lib/apt/lists/*');
      expect(fixed).not.toContain('apt-get clean');

      // the cache may be warm from other builds: forget the package that will be added
      build('forget', `${FROM}RUN --mount=type=cache,target=/var/cache/apt,sharing=locked rm -f /var/cache/apt/archives/tree_*.deb && echo forgot tree for ${name}\n`);

      const original = build('original', before);
      const rewritten = build('rewritten', fixed);
      const facts = 'dpkg -l; echo lists: $(ls -A /var/lib/apt/lists); echo debs: $(ls /var/cache/apt/archives 2>/dev/null | grep -c deb); md5sum /etc/apt/apt.conf.d/docker-clean; apt-mark showauto';
      const originalFacts = builder.run(original.tag, facts);
      expect(originalFacts).toContain('lists:\n');
      expect(builder.run(rewritten.tag, facts)).toBe(originalFacts);
      expect(builder.run(rewritten.tag, 'jq --version')).toContain('jq-');

      // a package joins the list: the rewrite downloads it alone, the original everything again
      const after = install('jq tree');
      const originalAgain = build('original-2', after);
      const rewrittenAgain = build('rewritten-2', rewrite(after));
      expect(downloadedPackages(originalAgain.log)).toEqual(expect.arrayContaining(['jq', 'tree']));
      expect(downloadedPackages(rewrittenAgain.log)).toEqual(['tree']);
      // the lists came from the cache mount: no package index was downloaded again
      expect(rewrittenAgain.log).not.toMatch(/Get:\d+ \S+ \S+ \S+ Packages/);
      expect(builder.run(rewrittenAgain.tag, facts)).toBe(builder.run(originalAgain.tag, facts));
      expect(builder.run(rewrittenAgain.tag, 'tree --version')).toContain('tree v');
    },
    BUILD_TIMEOUT,
  );
});
