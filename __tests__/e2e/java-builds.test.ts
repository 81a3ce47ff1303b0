/**
 * Proof by real builds of the Maven rewrites, on buildah and on BuildKit (host network: the Maven
 * repository of ../shared/tools/offline-builder/servers.sh listens on 127.0.0.1:8081), with the
 * offline maven:3.8-openjdk-17 and eclipse-temurin:17-jre images and sample-java: the naive
 * Dockerfile, the hand-fixed one and cachefix's rewrite build and print the same line; after a
 * source-only change the rewrite's rebuild takes the pom COPY and dependency:go-offline from the
 * cache; after a change to the printed line the image prints the new line (the jar the final stage
 * copies is the one just built).
 */
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachefix } from '../helpers/cli.js';
import { describeWhen } from '../helpers/conditional.js';
import { commentChange, expectDependencyStepsCached, offlineBuilder, outputChange, type Sample, sampleBuilders, sampleRun, type SampleRun } from '../helpers/sample-builds.js';

const BUILD_TIMEOUT = 20 * 60 * 1000;

const sample: Sample = {
  name: 'java',
  dir: join(offlineBuilder, 'sample-java'),
  images: ['maven:3.8-openjdk-17', 'eclipse-temurin:17-jre'],
  source: 'src/main/java/app/Main.java',
  comment: (text) => `// ${text}`,
  printed: 'heavydep total',
  command: ['java', '-cp', '/app/*', 'app.Main'],
  network: 'host',
};

const serving = spawnSync('bash', [join(offlineBuilder, 'servers.sh'), 'status'], { encoding: 'utf8' });
const { builders, reason } = serving.status === 0 ? sampleBuilders(sample) : { builders: [], reason: `the Maven repository is not served: run ${offlineBuilder}/servers.sh start (${serving.stdout.trim()})` };
const naive = () => readFileSync(join(sample.dir, 'Dockerfile.naive'), 'utf8');
const runs: SampleRun[] = [];

afterAll(() => {
  for (const run of runs) run.cleanup();
});

describeWhen(builders.length > 0, `no builder for the Java sample: ${reason}`)('Java (Maven), real builds', () => {
  test.each(builders.map((b) => [b.name, b] as const))('%s: naive and rewritten build the same program; a source change reuses the dependency step', (_name, builder) => {
    const run = sampleRun(sample, builder);
    runs.push(run);
    const original = run.build('naive', naive());
    const line = original.line();
    expect(line).toMatch(/^heavydep total -?\d+$/);

    const fix = cachefix(['--context', sample.dir, '-'], { cwd: sample.dir, input: naive() });
    expect(fix.status).toBe(0);
    expect(fix.stdout).toContain('COPY pom.xml ./\nRUN --mount=type=cache,target=/root/.m2 \\\n    mvn -B dependency:go-offline\nCOPY . .\n');
    const rewritten = run.build('rewritten', fix.stdout);
    expect(rewritten.line()).toBe(line);

    const again = rewritten.rebuild('rewritten-comment', commentChange(sample, `e2e ${Date.now()}`));
    expectDependencyStepsCached(fix.stdout, again.result);
    expect(again.line()).toBe(line);
    process.stdout.write(`java ${builder.name}: naive ${original.result.seconds.toFixed(1)} s, rewritten ${rewritten.result.seconds.toFixed(1)} s, rebuild after a source change ${again.result.seconds.toFixed(1)} s (${(again.result.seconds / original.result.seconds).toFixed(2)} of the naive build)\n`);

    const changed = again.rebuild('rewritten-output', outputChange(sample, 'changed'));
    expect(changed.line()).toBe(line.replace('heavydep total', 'heavydep total changed'));
  }, BUILD_TIMEOUT);
});
