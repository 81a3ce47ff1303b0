/**
 * Proof by real builds of the Rust rewrites, on buildah and on BuildKit, with the offline rust:1.63
 * image and sample-rust (a crate depending on a heavy crate of the local registry): the naive
 * Dockerfile and its rewrite both build and print the same line; after a source-only change the
 * rewrite's rebuild takes the dependency steps from the cache; after a change to the printed line
 * the image prints the new line (the binary it runs is the one just built, not the placeholder's).
 */
import { afterAll, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachefix } from '../helpers/cli.js';
import { describeWhen } from '../helpers/conditional.js';
import { commentChange, expectDependencyStepsCached, offlineBuilder, outputChange, type Sample, sampleBuilders, sampleRun, type SampleRun } from '../helpers/sample-builds.js';

const BUILD_TIMEOUT = 15 * 60 * 1000;

const sample: Sample = {
  name: 'rust',
  dir: join(offlineBuilder, 'sample-rust'),
  images: ['rust:1.63', 'debian:bookworm-slim'],
  source: 'src/main.rs',
  comment: (text) => `// ${text}`,
  printed: 'heavydep total',
  command: ['/app/target/release/sample-rust'],
  network: 'none',
};

/** The two-stage form: a slim runtime stage copies the binary out of the build stage's target/. */
const twoStage: Sample = { ...sample, command: ['/usr/local/bin/sample-rust'] };
const twoStageNaive = [
  'FROM rust:1.63 AS build',
  'WORKDIR /app',
  'COPY . .',
  'RUN cargo build --release',
  '',
  'FROM debian:bookworm-slim',
  'COPY --from=build /app/target/release/sample-rust /usr/local/bin/',
  'CMD ["sample-rust"]',
  '',
].join('\n');

const { builders, reason } = sampleBuilders(sample);
const naive = () => readFileSync(join(sample.dir, 'Dockerfile.naive'), 'utf8');
const runs: SampleRun[] = [];

afterAll(() => {
  for (const run of runs) run.cleanup();
});

describeWhen(builders.length > 0, `no builder for the Rust sample: ${reason}`)('Rust, real builds', () => {
  test.each(builders.map((b) => [b.name, b] as const))('%s: naive and rewritten build the same program; a source change reuses the dependency build', (_name, builder) => {
    const run = sampleRun(sample, builder);
    runs.push(run);
    const original = run.build('naive', naive());
    const line = original.line();
    expect(line).toMatch(/^heavydep total \d+$/);

    // cachefix's rewrite of the naive Dockerfile, with the sample as its context
    const fix = cachefix(['--context', sample.dir, '-'], { cwd: sample.dir, input: naive() });
    expect(fix.status).toBe(0);
    expect(fix.stdout).toContain("COPY Cargo.toml Cargo.lock ./\nRUN --mount=type=cache,target=/usr/local/cargo/registry \\\n    --mount=type=cache,target=/usr/local/cargo/git \\\n    mkdir -p src && echo 'fn main() {}' > src/main.rs && cargo build --release && rm -rf src\nCOPY . .\n");
    // CMD runs the binary from target/: the target directory must stay in the image
    expect(fix.stdout).not.toContain('target=/app/target');
    const rewritten = run.build('rewritten', fix.stdout);
    expect(rewritten.line()).toBe(line);

    const again = rewritten.rebuild('rewritten-comment', commentChange(sample, `e2e ${Date.now()}`));
    expectDependencyStepsCached(fix.stdout, again.result);
    expect(again.line()).toBe(line);
    process.stdout.write(`rust ${builder.name}: naive ${original.result.seconds.toFixed(1)} s, rewritten ${rewritten.result.seconds.toFixed(1)} s, rebuild after a source change ${again.result.seconds.toFixed(1)} s (${(again.result.seconds / original.result.seconds).toFixed(2)} of the naive build)\n`);

    // the binary the image runs is the crate just built, not the placeholder's empty program
    const changed = again.rebuild('rewritten-output', outputChange(sample, 'changed'));
    expect(changed.line()).toBe(line.replace('heavydep total', 'heavydep total changed'));
  }, BUILD_TIMEOUT);

  /** Multi-stage: the build step copies the binary out of target/ itself, the runtime stage takes it from there. */
  const multiStage = () => [
    'FROM rust:1.63 AS build',
    'WORKDIR /app',
    'COPY . .',
    'RUN cargo build --release && cp target/release/sample-rust /usr/local/bin/sample-rust',
    '',
    'FROM debian:bookworm-slim',
    'COPY --from=build /usr/local/bin/sample-rust /app/target/release/sample-rust',
    'CMD ["/app/target/release/sample-rust"]',
    '',
  ].join('\n');

  test.each(builders.map((b) => [b.name, b] as const))('%s: a step that copies its binary out itself gets a target mount of its own; a source change still shows', (_name, builder) => {
    const run = sampleRun(sample, builder);
    runs.push(run);
    const fix = cachefix(['--only', 'rust/cache-mount', '--context', sample.dir, '-'], { cwd: sample.dir, input: multiStage() });
    expect(fix.status).toBe(0);
    expect(fix.stdout).toContain('--mount=type=cache,target=/app/target,id=sample-rust-target');
    expect(fix.stdout).not.toContain('/cargo-out');
    const mounted = run.build('copied-out', fix.stdout);
    const line = mounted.line();
    expect(line).toMatch(/^heavydep total \d+$/);
    const changed = mounted.rebuild('copied-out-output', outputChange(sample, 'mounted'));
    expect(changed.line()).toBe(line.replace('heavydep total', 'heavydep total mounted'));
    process.stdout.write(`rust ${builder.name}: target mounted, first build ${mounted.result.seconds.toFixed(1)} s, after a source change ${changed.result.seconds.toFixed(1)} s\n`);
  }, BUILD_TIMEOUT);

  test.each(builders.map((b) => [b.name, b] as const))('%s: the runtime stage copies target/release/<bin>: the build copies it out of a mounted target/, the COPY reads it there, a source change recompiles only the crate', (_name, builder) => {
    const run = sampleRun(twoStage, builder);
    runs.push(run);
    const original = run.build('two-stage-naive', twoStageNaive);
    const line = original.line();
    expect(line).toMatch(/^heavydep total \d+$/);
    expect(original.result.log).toContain('Compiling heavydep');

    const fix = cachefix(['--only', 'rust/cache-mount', '--context', sample.dir, '-'], { cwd: sample.dir, input: twoStageNaive });
    expect(fix.status).toBe(0);
    expect(fix.stdout).toBe(twoStageNaive
      .replace('RUN cargo build --release\n', 'RUN --mount=type=cache,target=/usr/local/cargo/registry \\\n    --mount=type=cache,target=/usr/local/cargo/git \\\n    --mount=type=cache,target=/app/target,id=sample-rust-target \\\n    cargo build --release && mkdir -p /cargo-out/release && cp target/release/sample-rust /cargo-out/release/\n')
      .replace('COPY --from=build /app/target/release/sample-rust /usr/local/bin/', 'COPY --from=build /cargo-out/release/sample-rust /usr/local/bin/'));
    const rewritten = run.build('two-stage-rewritten', fix.stdout);
    expect(rewritten.line()).toBe(line);

    // a change to the printed line: the image runs the binary just built, and the heavy crate comes from the mounted target/
    const changed = rewritten.rebuild('two-stage-output', outputChange(sample, 'copied out'));
    expect(changed.line()).toBe(line.replace('heavydep total', 'heavydep total copied out'));
    expect(changed.result.log).toContain('Compiling sample-rust');
    expect(changed.result.log).not.toContain('Compiling heavydep');
    process.stdout.write(`rust ${builder.name} two-stage: naive ${original.result.seconds.toFixed(1)} s, rewritten ${rewritten.result.seconds.toFixed(1)} s, rebuild after a source change ${changed.result.seconds.toFixed(1)} s (${(changed.result.seconds / original.result.seconds).toFixed(2)} of the naive build)\n`);
  }, BUILD_TIMEOUT);
});
