/** rust/cache-mount: the target directory is mounted only when nothing outside the step needs it; each skip with its exact reason. */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { rustCacheMount } from '../../transforms/rust/cache-mount.js';

const CONTEXT = memoryContext({ 'Cargo.toml': '[package]\nname = "server"\nversion = "0.1.0"\n', 'src/main.rs': 'fn main() {}\n' });

function fix(dockerfile: string) {
  const result = fixText(dockerfile, { transforms: [rustCacheMount], context: CONTEXT });
  return { output: result.output, skips: result.skips.map((s) => `${s.line}: ${s.reason}`) };
}

const REGISTRY = '--mount=type=cache,target=/usr/local/cargo/registry \\\n    --mount=type=cache,target=/usr/local/cargo/git \\\n    ';

describe('the target directory', () => {
  test('a later stage copies the binary out of target/: the build copies it out of the mount, the COPY reads it there', () => {
    const result = fix('FROM rust:1.79 AS build\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nFROM debian\nCOPY --from=build /app/target/release/server /bin/\n');
    expect(result.output).toBe(`FROM rust:1.79 AS build\nWORKDIR /app\nCOPY . .\nRUN ${REGISTRY}--mount=type=cache,target=/app/target,id=server-target \\\n    cargo build --release && mkdir -p /cargo-out/release && cp target/release/server /cargo-out/release/\nFROM debian\nCOPY --from=build /cargo-out/release/server /bin/\n`);
    expect(result.skips).toEqual([]);
    expect(fixText(result.output, { transforms: [rustCacheMount], context: CONTEXT }).output).toBe(result.output);
  });

  test('copy-out: --profile, CARGO_BUILD_TARGET, several bins and sources, COPY flags kept', () => {
    const bins = memoryContext({ 'Cargo.toml': '[package]\nname = "server"\nversion = "0.1.0"\n[[bin]]\nname = "cli"\npath = "src/cli.rs"\n', 'src/main.rs': 'fn main() {}\n' });
    const out = (text: string) => fixText(text, { transforms: [rustCacheMount], context: bins }).output;
    const profile = out('FROM rust:1.79 AS build\nWORKDIR /app\nCOPY . .\nRUN cargo build --profile dist\nFROM debian\nCOPY --from=build --chmod=755 /app/target/dist/server /app/target/dist/cli /usr/local/bin/\n');
    expect(profile).toContain('cargo build --profile dist && mkdir -p /cargo-out/dist && cp target/dist/server target/dist/cli /cargo-out/dist/\n');
    expect(profile).toContain('COPY --from=build --chmod=755 /cargo-out/dist/server /cargo-out/dist/cli /usr/local/bin/\n');
    const triple = out('FROM rust:1.79 AS build\nENV CARGO_BUILD_TARGET=aarch64-unknown-linux-gnu\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nFROM debian\nCOPY --from=build /app/target/aarch64-unknown-linux-gnu/release/server /bin/\n');
    expect(triple).toContain('cp target/aarch64-unknown-linux-gnu/release/server /cargo-out/aarch64-unknown-linux-gnu/release/\n');
    expect(triple).toContain('COPY --from=build /cargo-out/aarch64-unknown-linux-gnu/release/server /bin/\n');
  });

  test('cargo-chef on the rust image: the cook step keeps target/, and the skip names it, not the install of cargo-chef', () => {
    const text = [
      'FROM rust:1.79 AS chef', 'RUN cargo install cargo-chef --locked', 'WORKDIR /app',
      'FROM chef AS planner', 'COPY . .', 'RUN cargo chef prepare --recipe-path recipe.json',
      'FROM chef AS builder', 'COPY --from=planner /app/recipe.json recipe.json', 'RUN cargo chef cook --release --recipe-path recipe.json',
      'COPY . .', 'RUN cargo build --release --bin server',
      'FROM debian', 'COPY --from=builder /app/target/release/server /usr/local/bin/', '',
    ].join('\n');
    const result = fix(text);
    expect(result.output).not.toContain('/cargo-out');
    expect(result.output.match(/--mount=type=cache,target=\/usr\/local\/cargo\/registry/g)).toHaveLength(4);
    expect(result.skips).toContain('11: the target directory keeps no cache mount: "COPY --from=builder /app/target/release/server /usr/local/b…" reads it, and a mounted one would be empty there; the artifacts are not copied out of a mount because the cargo step on line 9 built into it before, and a mount would hide that build');
  });

  test('copy-out is one change: an ignore comment on the COPY drops the mount and the copy with it', () => {
    const text = 'FROM rust:1.79 AS build\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nFROM debian\n# cachefix-ignore rust/cache-mount\nCOPY --from=build /app/target/release/server /bin/\n';
    const result = fixText(text, { transforms: [rustCacheMount], context: CONTEXT });
    expect(result.output).not.toContain('/cargo-out');
    expect(result.output).not.toContain('target=/app/target');
  });

  test('copy-out in a workspace: the mount is named after the -p package, and only its binaries are copied out', () => {
    const workspace = memoryContext({
      'Cargo.toml': '[workspace]\nmembers = ["a", "b"]\n',
      'a/Cargo.toml': '[package]\nname = "a"\nversion = "0.1.0"\n', 'a/src/main.rs': 'fn main() {}\n',
      'b/Cargo.toml': '[package]\nname = "b"\nversion = "0.1.0"\n', 'b/src/main.rs': 'fn main() {}\n',
    });
    const run = (copied: string) => fixText(`FROM rust:1.79 AS build\nWORKDIR /w\nCOPY . .\nRUN cargo build --release -p a\nFROM debian\nCOPY --from=build /w/target/release/${copied} /bin/\n`, { transforms: [rustCacheMount], context: workspace });
    expect(run('a').output).toContain('--mount=type=cache,target=/w/target,id=a-target \\\n    cargo build --release -p a && mkdir -p /cargo-out/release && cp target/release/a /cargo-out/release/\n');
    expect(run('b').skips.map((s) => s.reason)).toEqual(['the target directory keeps no cache mount: "COPY --from=build /w/target/release/b /bin/" copies b, which is not a binary the step builds (Cargo.toml\'s package and [[bin]] names of a): a stale copy could stay in the cache']);
  });

  test('copy-out skips: a bin the build does not make, a later cargo step, a non-root user, ||, a profile mismatch', () => {
    const head = 'FROM rust:1.79 AS build\nWORKDIR /app\nCOPY . .\n';
    const tail = 'FROM debian\nCOPY --from=build /app/target/release/server /bin/\n';
    expect(fix(`${head}RUN cargo build --release --bin other\n${tail}`).skips[0]).toContain('copies server, which the step\'s cargo build (--bin other) does not build');
    expect(fix(`${head}RUN cargo build --release\nRUN cargo test --release\n${tail}`).skips[0]).toContain('copying the artifacts out in this step would miss the cargo step on line 5');
    expect(fix(`FROM rust:1.79 AS build\nRUN useradd -u 1000 -m rust\nUSER rust\nENV CARGO_HOME=/home/rust/.cargo\nWORKDIR /home/rust/app\nCOPY . .\nRUN cargo build --release\nFROM debian\nCOPY --from=build /home/rust/app/target/release/server /bin/\n`).skips.join('\n')).toContain('USER rust may not create /cargo-out');
    expect(fix(`${head}RUN test -f x || cargo build --release\n${tail}`).skips[0]).toContain('follows || or a pipe');
    expect(fix(`${head}RUN cargo build\n${tail}`).skips[0]).toContain('not a file the step\'s cargo build puts directly in its target/debug directory');
    expect(fix(`${head}RUN cargo build --release\nFROM debian\nCOPY --from=build ["/app/target/release/server", "/bin/"]\n`).skips[0]).toContain('JSON form');
    expect(fix(`FROM rust:1.79 AS build\nARG CARGO_BUILD_TARGET\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n${tail}`).skips[0]).toContain('CARGO_BUILD_TARGET may be set for the build (ARG or ENV)');
    expect(fix(`${head}RUN cargo build --release\nFROM debian\nRUN --mount=from=build,source=/app/target,target=/t cp /t/release/server /bin/\n${tail}`).skips[0]).toContain('"RUN --mount=from=build,source=/app/target,target=/t cp /t/r…" reads it');
    expect(fix(`${head}RUN cargo build --release && cp target/release/server /bin/\nFROM debian\nRUN --mount=from=build,source=/app,target=/a cp /a/target/release/server /bin/\n`).output).not.toContain('target=/app/target');
    // a pattern elsewhere in the stage is not a reader of target/
    expect(fix(`${head}RUN cargo build --release\nFROM debian\nCOPY --from=build /app/static/* /srv/\nCOPY --from=build /app/target/release/server /bin/\n`).output).toContain('COPY --from=build /app/static/* /srv/\nCOPY --from=build /cargo-out/release/server /bin/\n');
  });

  test('a COPY --from of the whole work directory, a wildcard, the CMD and a later RUN read it too', () => {
    const head = 'FROM rust:1.79 AS build\nWORKDIR /app\nCOPY . .\nRUN cargo build --release && cp target/release/server /bin/\n';
    expect(fix(`${head}FROM debian\nCOPY --from=build /app /app\n`).skips[0]).toContain('"COPY --from=build /app /app" reads it');
    expect(fix(`${head}FROM debian\nCOPY --from=build /app/target/*/server /bin/\n`).skips[0]).toContain('(a pattern or variable), which cannot be pointed at a copied-out file');
    expect(fix(`${head}CMD ["./target/release/server"]\n`).skips[0]).toContain('CMD ["./target/release/server"]');
    expect(fix(`${head}RUN strip target/release/server\n`).skips[0]).toContain('RUN strip target/release/server');
  });

  test('the step copies its binary out and nothing reads target/ later: a mount of its own, with the crate in its id', () => {
    const result = fix('FROM rust:1.79 AS build\nWORKDIR /app\nCOPY . .\nRUN cargo build --release && cp target/release/server /usr/local/bin/\nFROM debian\nCOPY --from=build /usr/local/bin/server /bin/\n');
    expect(result.output).toContain(`RUN ${REGISTRY.replace('    --mount=type=cache,target=/usr/local/cargo/git \\\n', '    --mount=type=cache,target=/usr/local/cargo/git \\\n    --mount=type=cache,target=/app/target,id=server-target \\\n')}cargo build --release`);
    expect(result.skips).toEqual([]);
  });

  test('cargo install --path . copies the binary out itself; --target-dir and CARGO_TARGET_DIR are followed', () => {
    expect(fix('FROM rust:1.79\nWORKDIR /app\nCOPY . .\nRUN cargo install --path .\n').output).toContain('target=/app/target,id=server-target');
    expect(fix('FROM rust:1.79\nWORKDIR /app\nCOPY . .\nRUN cargo build --release --target-dir /out && cp /out/release/server /bin/\n').output).toContain('target=/out,id=server-target');
    expect(fix('FROM rust:1.79\nWORKDIR /app\nENV CARGO_TARGET_DIR=/t\nCOPY . .\nRUN cargo build && mv /t/debug/server /bin/\n').output).toContain('target=/t,id=server-target');
  });

  test('an earlier build into the same directory (a dependency layer) keeps it out of a mount', () => {
    const result = fix('FROM rust:1.79\nWORKDIR /app\nCOPY Cargo.toml ./\nRUN mkdir src && echo "fn main(){}" > src/main.rs && cargo build --release\nCOPY . .\nRUN cargo build --release && cp target/release/server /bin/\n');
    expect(result.skips).toEqual([
      '4: the target directory keeps no cache mount: "RUN --mount=type=cache,target=/usr/local/cargo/registry --m…" reads it, and a mounted one would be empty there',
      '6: the target directory keeps no cache mount: the cargo step on line 4 built into it before, and a mount would hide that build',
    ]);
  });
});

describe('skips', () => {
  test('CARGO_HOME of an unknown image, ARG CARGO_HOME, a non-root user', () => {
    expect(fix('FROM lukemathwalker/cargo-chef:latest\nRUN cargo build\n').skips).toEqual(['2: cannot tell where cargo keeps its registry in lukemathwalker/cargo-chef:latest (set ENV CARGO_HOME, or use the rust image)']);
    expect(fix('FROM rust\nARG CARGO_HOME\nRUN cargo build\n').skips).toEqual(['3: ARG CARGO_HOME may change where cargo keeps its registry']);
    expect(fix('FROM rust\nUSER app\nRUN cargo build\n').skips[0]).toMatch(/^3: I cannot tell the uid and home of USER app/);
  });

  test('all or nothing: an unreadable cargo step leaves every cargo step of the family', () => {
    expect(fix('FROM rust AS a\nRUN cargo fetch\nFROM a\nRUN ["cargo", "build"]\n').skips).toEqual([
      '2: a cargo step cannot be read (RUN is in exec (JSON) form): "RUN ["cargo", "build"]"; mount cargo\'s caches on every cargo step by hand, or on none',
      '4: a cargo step cannot be read (RUN is in exec (JSON) form): "RUN ["cargo", "build"]"; mount cargo\'s caches on every cargo step by hand, or on none',
    ]);
  });

  test('an offline build after a download step', () => {
    expect(fix('FROM rust\nRUN cargo fetch\nRUN cargo build --offline\n').skips[0]).toBe('2: "RUN cargo build --offline" builds offline from what an earlier step downloaded: with the downloads in a cache mount it would fail whenever the cache is emptied while that step stays cached');
  });

  test('a step already mounting the registry is left alone (idempotence)', () => {
    const once = fix('FROM rust:1.79\nRUN cargo build\n').output;
    expect(fix(once).output).toBe(once);
  });
});

test('cargo install of a registry crate builds elsewhere: the target directory gets no mount', () => {
  const result = fix('FROM rust:1.79\nWORKDIR /app\nRUN cargo install cargo-chef --locked\n');
  expect(result.output).not.toContain('/app/target');
  expect(result.skips).toEqual(['3: the target directory keeps no cache mount: cargo install of a published crate builds in a temporary directory, not in target/']);
});
