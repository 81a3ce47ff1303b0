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

  /** Multi-stage: the runtime stage copies the binary, from target/ (the danger case) or from where the build step put it. */
  const multiStage = (copyOut: boolean) => [
    'FROM rust:1.63 AS build',
    'WORKDIR /app',
    'COPY . .',
    copyOut ? 'RUN cargo build --release && cp target/release/sample-rust /usr/local/bin/sample-rust' : 'RUN cargo build --release',
    '',
    'FROM debian:bookworm-slim',
    `COPY --from=build ${copyOut ? '/usr/local/bin/sample-rust' : '/app/target/release/sample-rust'} /app/target/release/sample-rust`,
    'CMD ["/app/target/release/sample-rust"]',
    '',
  ].join('\n');

  test.each(builders.map((b) => [b.name, b] as const))('%s: rust/cache-mount never hides a binary a later stage copies; a mounted target directory still yields the new binary', (_name, builder) => {
    const run = sampleRun(sample, builder);
    runs.push(run);
    const only = (dockerfile: string) => {
      const fix = cachefix(['--only', 'rust/cache-mount', '--context', sample.dir, '-'], { cwd: sample.dir, input: dockerfile });
      expect(fix.status).toBe(0);
      return fix;
    };

    // the runtime stage copies target/release/sample-rust: the target directory must stay in the image
    const danger = only(multiStage(false));
    expect(danger.stdout).toContain('--mount=type=cache,target=/usr/local/cargo/registry');
    expect(danger.stdout).not.toContain('target=/app/target');
    expect(danger.stderr).toContain('the target directory keeps no cache mount: "COPY --from=build /app/target/release/sample-rust');
    const kept = run.build('from-target', danger.stdout);
    const line = kept.line();
    expect(line).toMatch(/^heavydep total \d+$/);

    // the step copies its binary out itself: target/ gets a mount of its own, and a source change still shows
    const copied = only(multiStage(true));
    expect(copied.stdout).toContain('--mount=type=cache,target=/app/target,id=sample-rust-target');
    const mounted = run.build('copied-out', copied.stdout);
    expect(mounted.line()).toBe(line);
    const changed = mounted.rebuild('copied-out-output', outputChange(sample, 'mounted'));
    expect(changed.line()).toBe(line.replace('heavydep total', 'heavydep total mounted'));
    process.stdout.write(`rust ${builder.name}: target mounted, first build ${mounted.result.seconds.toFixed(1)} s, after a source change ${changed.result.seconds.toFixed(1)} s\n`);
  }, BUILD_TIMEOUT);
});
