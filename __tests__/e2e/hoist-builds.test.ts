/**
 * Proof by real builds of docker/hoist-independent-run outside Go, on buildah and on BuildKit (the
 * Docker engine of ../shared/tools/offline-builder/docker.sh): a Node stage and a Python stage that
 * copy the whole context, then install a Debian package, then install their dependencies. The rewrite
 * (the apt-get step above `COPY . .`) builds an image that behaves the same; after a change to a
 * source file, the original downloads the package again and the rewrite takes the step from the cache.
 */
import { afterAll, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Builder, builderChoices } from '../../bench/builder.js';
import { cachefix } from '../helpers/cli.js';
import { describeWhen } from '../helpers/conditional.js';

const BUILD_TIMEOUT = 10 * 60 * 1000;

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

const choices = builderChoices();
const builders = choices.flatMap((c) => (c.builder ? [c.builder] : []));
const cases = builders.flatMap((b) => Object.entries(stages).map(([eco, s]) => [b.name, eco, b, s] as const));
const work = mkdtempSync(join(tmpdir(), 'cachefix-hoist-'));
const tags: { builder: Builder; tag: string }[] = [];

afterAll(() => {
  for (const { builder, tag } of tags) builder.remove(tag);
  rmSync(work, { recursive: true, force: true });
});

describeWhen(cases.length > 0, choices.map((c) => c.reason).join('; '))('docker/hoist-independent-run, real builds', () => {
  test.each(cases)('%s, %s: the apt-get step moves above COPY . ., the image behaves the same, and a source change no longer downloads the package', (builderName, eco, builder, stage) => {
    const name = `${builderName}-${eco}`.toLowerCase();
    const before = `FROM ${stage.image}\nENV CACHEFIX_E2E_RUN=${RUN_ID}\nWORKDIR /app\nCOPY . .\n${APT}\n${stage.install}\nCMD ${JSON.stringify(stage.cmd.split(' '))}\n`;
    const fixed = cachefix(['--only', 'docker/hoist-independent-run', '-'], { cwd: work, input: before });
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toBe(before.replace(`COPY . .\n${APT}\n`, `${APT}\nCOPY . .\n`));

    const facts = `${stage.cmd}; tree --version; dpkg -l | grep -c '^ii'; ls -A /var/lib/apt/lists | wc -l; ls /app`;
    const context = (what: string, dockerfile: string) => {
      const dir = join(work, `${name}-${what}`);
      mkdirSync(dir, { recursive: true });
      for (const [file, text] of Object.entries(stage.files)) writeFileSync(join(dir, file), text);
      writeFileSync(join(dir, 'Dockerfile'), dockerfile);
      return dir;
    };
    const build = (dir: string, tag: string) => {
      tags.push({ builder, tag: `hoist-e2e-${name}-${tag}` });
      // host network: the Debian mirror (and npm's registry) of servers.sh listen on 127.0.0.1
      const result = builder.build({ context: dir, dockerfile: join(dir, 'Dockerfile'), tag: `hoist-e2e-${name}-${tag}`, network: 'host' });
      if (!result.ok) throw new Error(`building ${dir} failed:\n${result.log}`);
      return result.log;
    };
    const run = (tag: string) => builder.run(`hoist-e2e-${name}-${tag}`, ['sh', '-c', facts]);
    const original = context('original', before);
    const rewritten = context('rewritten', fixed.stdout);
    expect(downloadedPackages(build(original, 'original'))).toContain('tree');
    build(rewritten, 'rewritten');
    const originalFacts = run('original');
    expect(originalFacts).toContain('hello from');
    expect(run('rewritten')).toBe(originalFacts);

    // a source change: the original installs the package again, the rewrite takes it from the cache
    for (const dir of [original, rewritten]) writeFileSync(join(dir, stage.source), `${stage.files[stage.source as keyof typeof stage.files]}${eco === 'node' ? '//' : '#'} changed\n`);
    expect(downloadedPackages(build(original, 'original-2'))).toContain('tree');
    expect(downloadedPackages(build(rewritten, 'rewritten-2'))).toEqual([]);
    expect(run('rewritten-2')).toBe(run('original-2'));
  }, BUILD_TIMEOUT);
});
