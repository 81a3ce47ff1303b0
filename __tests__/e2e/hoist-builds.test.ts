/**
 * Proof by real builds of docker/hoist-independent-run outside Go, on buildah and on BuildKit (the
 * Docker engine of ../shared/tools/offline-builder/docker.sh): a Node stage and a Python stage that
 * copy the whole context, then install a Debian package, then install their dependencies. The rewrite
 * (the apt-get step above `COPY . .`) builds an image that behaves the same; after a change to a
 * source file, the original downloads the package again and the rewrite takes the step from the cache.
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

interface Builder {
  readonly name: string;
  has(image: string): boolean;
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

function buildah(): Builder | null {
  if (sh('buildah', ['--version']).status !== 0) return null;
  return {
    name: 'buildah',
    has: (image) => sh('buildah', ['images', '--quiet', image]).stdout.trim() !== '',
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

/** The running Docker engine with BuildKit (never started or stopped here); host network for the mirror and the npm registry. */
function buildkit(): Builder | null {
  const exports = sh('bash', [join(sharedDir, 'tools', 'offline-builder', 'docker.sh'), 'env']);
  if (exports.status !== 0) return null;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [, name, value] of exports.stdout.matchAll(/(\w+)=(\S+)/g)) if (name && value) env[name] = value;
  const docker = env.DOCKER ?? 'docker';
  if (sh(docker, ['version'], env).status !== 0) return null;
  return {
    name: 'BuildKit',
    has: (image) => sh(docker, ['image', 'inspect', image], env).status === 0,
    build: (dir, tag) => checked(sh(docker, ['build', '--progress=plain', '--network', 'host', '-t', tag, dir], env), `docker build ${dir}`),
    run: (tag, script) => checked(sh(docker, ['run', '--rm', '--network', 'none', tag, 'sh', '-c', script], env), `${script} in ${tag}`),
    remove: (tag) => void sh(docker, ['rmi', '--force', tag], env),
  };
}

/** The packages apt downloaded (`Get:4 http://... bookworm/main amd64 tree amd64 2.1.0-1 [52.5 kB]`), not the index files. */
function downloadedPackages(log: string): string[] {
  return [...log.matchAll(/Get:\d+ \S+ \S+ \S+ (\S+) \S+ \S+ \[/g)].map((m) => m[1] ?? '');
}

/** Each run's steps are new to the layer cache (an earlier run may have built the same text). */
const RUN_ID = `${process.pid}-${Date.now()}`;
const APT = 'RUN apt-get update && apt-get install -y --no-install-recommends tree && rm -rf /var/lib/apt/lists/*';

const stages = {
  node: {
    image: 'node:20',
    files: {
      'package.json': '{\n  "name": "app",\n  "version": "1.0.0",\n  "private": true\n}\n',
      'package-lock.json': '{\n  "name": "app",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n    "": {\n      "name": "app",\n      "version": "1.0.0"\n    }\n  }\n}\n',
      'index.js': "console.log('hello from node');\n",
    },
    install: 'RUN npm ci --no-audit --no-fund',
    cmd: 'node index.js',
    source: 'index.js',
  },
  python: {
    image: 'python:3.11',
    files: { 'requirements.txt': '# no third-party packages\n', 'app.py': "print('hello from python')\n" },
    install: 'RUN pip install --no-cache-dir --no-index -r requirements.txt',
    cmd: 'python app.py',
    source: 'app.py',
  },
} as const;

const builders = [buildah(), buildkit()].filter((b): b is Builder => b !== null);
const cases = builders.flatMap((b) => Object.entries(stages).filter(([, s]) => b.has(s.image)).map(([eco, s]) => [b.name, eco, b, s] as const));
const work = mkdtempSync(join(tmpdir(), 'cachefix-hoist-'));
const tags: { builder: Builder; tag: string }[] = [];

afterAll(() => {
  for (const { builder, tag } of tags) builder.remove(tag);
  rmSync(work, { recursive: true, force: true });
});

describeWhen(cases.length > 0, 'no builder with node:20 or python:3.11: run ../shared/tools/offline-builder/setup.sh node python and docker.sh start')('docker/hoist-independent-run, real builds', () => {
  test.each(cases)('%s, %s: the apt-get step moves above COPY . ., the image behaves the same, and a source change no longer downloads the package', (builderName, eco, builder, stage) => {
    const name = `${builderName}-${eco}`.toLowerCase();
    const before = `FROM ${stage.image}\nENV CACHEFIX_E2E_RUN=${RUN_ID}\nWORKDIR /app\nCOPY . .\n${APT}\n${stage.install}\nCMD ${JSON.stringify(stage.cmd.split(' '))}\n`;
    const fixed = cachefix(['--only', 'docker/hoist-independent-run', '-'], { cwd: work, input: before });
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toBe(before.replace(`COPY . .\n${APT}\n`, `${APT}\nCOPY . .\n`));

    const context = (what: string, dockerfile: string) => {
      const dir = join(work, `${name}-${what}`);
      mkdirSync(dir, { recursive: true });
      for (const [file, text] of Object.entries(stage.files)) writeFileSync(join(dir, file), text);
      writeFileSync(join(dir, 'Dockerfile'), dockerfile);
      return dir;
    };
    const build = (dir: string, tag: string) => {
      tags.push({ builder, tag: `hoist-e2e-${name}-${tag}` });
      return builder.build(dir, `hoist-e2e-${name}-${tag}`);
    };
    const original = context('original', before);
    const rewritten = context('rewritten', fixed.stdout);
    expect(downloadedPackages(build(original, 'original'))).toContain('tree');
    build(rewritten, 'rewritten');
    const facts = `${stage.cmd}; tree --version; dpkg -l | grep -c '^ii'; ls -A /var/lib/apt/lists | wc -l; ls /app`;
    const originalFacts = builder.run(`hoist-e2e-${name}-original`, facts);
    expect(originalFacts).toContain('hello from');
    expect(builder.run(`hoist-e2e-${name}-rewritten`, facts)).toBe(originalFacts);

    // a source change: the original installs the package again, the rewrite takes it from the cache
    for (const dir of [original, rewritten]) writeFileSync(join(dir, stage.source), `${stage.files[stage.source as keyof typeof stage.files]}${eco === 'node' ? '//' : '#'} changed\n`);
    expect(downloadedPackages(build(original, 'original-2'))).toContain('tree');
    expect(downloadedPackages(build(rewritten, 'rewritten-2'))).toEqual([]);
    expect(builder.run(`hoist-e2e-${name}-rewritten-2`, facts)).toBe(builder.run(`hoist-e2e-${name}-original-2`, facts));
  }, BUILD_TIMEOUT);
});
