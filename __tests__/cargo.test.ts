import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../src/context/context.js';
import { parseDockerfile } from '../src/engine/parse.js';
import { runEnvironment } from '../src/engine/env.js';
import { artifactDirs, cargoCommand, cargoDownloadDirs, cargoHome } from '../src/ecosystems/rust/cargo-command.js';
import { buildScript, cargoCrates, crateBinaries, parseCargoManifest } from '../src/ecosystems/rust/cargo-manifest.js';
import { runScript } from '../src/shell/shell.js';

function cargoIn(dockerfile: string) {
  const doc = parseDockerfile(dockerfile);
  const stage = doc.stages.at(-1)!;
  const run = stage.instructions.filter((i) => i.keyword === 'RUN').at(-1)!;
  const commands = runScript(doc, run).commands;
  return { cargo: commands.map(cargoCommand).filter((c) => c !== null), env: runEnvironment(doc, stage, run) };
}

describe('Cargo.toml', () => {
  test('package, [[bin]], autobins, build script, path dependencies of every kind', () => {
    const manifest = parseCargoManifest([
      '[package]', 'name = "my-app"', 'build = "gen.rs"', '',
      '[[bin]]', 'name = "tool"', 'path = "tools/tool.rs"', '',
      '[dependencies]', 'serde = "1"', 'core = { path = "../core" }', '',
      '[build-dependencies]', 'gen = { path = "gen" }', '',
      "[target.'cfg(unix)'.dependencies]", 'nix = { path = "vendor/nix" }', '',
      '[patch.crates-io]', 'log = { path = "patches/log" }',
    ].join('\n'));
    expect(manifest).toEqual({
      packageName: 'my-app', bins: ['tool'], autobins: true, lib: false, workspaceMembers: null, workspaceExclude: [], build: 'gen.rs',
      pathDependencies: ['../core', 'gen', 'vendor/nix', 'patches/log'],
    });
    expect(parseCargoManifest('[package]\nname = "x"\nbuild = false\nautobins = false\n[lib]\n')).toMatchObject({ build: false, autobins: false, lib: true });
    expect(parseCargoManifest('[package\nname=')).toHaveProperty('error');
  });

  test('binaries: [[bin]], src/main.rs as the package name (hyphens kept), src/bin files and directories', () => {
    const context = memoryContext({
      'Cargo.toml': '[package]\nname = "my-app"\n[[bin]]\nname = "extra"\npath = "x.rs"\n',
      'src/main.rs': '', 'src/bin/cli.rs': '', 'src/bin/daemon/main.rs': '', 'src/bin/helpers/util.rs': '',
    });
    const crates = cargoCrates(context, '');
    if ('reason' in crates) throw new Error(crates.reason);
    expect(crateBinaries(context, crates[0]!)).toEqual(['extra', 'my-app', 'cli', 'daemon']);
    const noAuto = memoryContext({ 'Cargo.toml': '[package]\nname = "a"\nautobins = false\n', 'src/main.rs': '' });
    const c = cargoCrates(noAuto, '');
    if ('reason' in c) throw new Error(c.reason);
    expect(crateBinaries(noAuto, c[0]!)).toEqual([]);
  });

  test('workspace members with globs and excludes; a missing member manifest is a reason', () => {
    const context = memoryContext({
      'Cargo.toml': '[workspace]\nmembers = ["crates/*", "server"]\nexclude = ["crates/old"]\n',
      'crates/a/Cargo.toml': '[package]\nname = "a"\n', 'crates/b/Cargo.toml': '[package]\nname = "b"\n', 'crates/b/build.rs': '',
      'crates/old/Cargo.toml': '[package]\nname = "old"\n', 'crates/notes/README.md': '',
      'server/Cargo.toml': '[package]\nname = "server"\n', 'server/src/main.rs': '',
    });
    const crates = cargoCrates(context, '');
    if ('reason' in crates) throw new Error(crates.reason);
    expect(crates.map((c) => c.dir)).toEqual(['', 'crates/a', 'crates/b', 'server']);
    expect(crates.flatMap((c) => crateBinaries(context, c))).toEqual(['server']);
    expect(crates.map((c) => buildScript(context, c))).toEqual([null, null, 'crates/b/build.rs', null]);
    expect(cargoCrates(memoryContext({ 'Cargo.toml': '[workspace]\nmembers = ["x"]\n' }), '')).toEqual([{ dir: '', manifest: expect.anything() }]);
    expect(cargoCrates(memoryContext({}), 'app')).toEqual({ reason: 'app/Cargo.toml is not in the build context' });
  });
});

describe('cargo commands', () => {
  test('build with --release, --target, --bin, --locked, --target-dir; aliases and toolchains', () => {
    const { cargo } = cargoIn('FROM rust:1.63\nRUN cargo +nightly b --release --target x86_64-unknown-linux-musl --bin app --locked --target-dir=/out && cargo install --path . --root /usr/local\n');
    expect(cargo.map(({ command: _c, ...rest }) => rest)).toEqual([
      { subcommand: 'build', profileDir: 'release', targets: ['x86_64-unknown-linux-musl'], bins: ['app'], packages: [], locked: true, offline: false, targetDir: '/out', manifestPath: null, installPath: null, installRoot: null, dynamic: false },
      { subcommand: 'install', profileDir: 'release', targets: [], bins: [], packages: [], locked: false, offline: false, targetDir: null, manifestPath: null, installPath: '.', installRoot: '/usr/local', dynamic: false },
    ]);
    expect(artifactDirs(cargo[0]!, '/out')).toEqual(['/out/x86_64-unknown-linux-musl/release']);
  });

  test('profiles: default debug, custom profile directories, CARGO_TARGET_DIR given to the command, expansions', () => {
    const dirs = (run: string) => cargoIn(`FROM rust\nRUN ${run}\n`).cargo.map((c) => [c.profileDir, c.targetDir, c.dynamic, c.packages]);
    expect(dirs('cargo build')).toEqual([['debug', null, false, []]]);
    expect(dirs('CARGO_TARGET_DIR=/t cargo build --profile dist -p api')).toEqual([['dist', '/t', false, ['api']]]);
    expect(dirs('cargo build --profile "$PROFILE"')).toEqual([['$PROFILE', null, true, []]]);
    expect(dirs('cargo chef cook --release --recipe-path recipe.json')).toEqual([['release', null, false, []]]);
    expect(dirs('echo cargo build')).toEqual([]);
  });

  test('CARGO_HOME: the rust image, ENV, $HOME/.cargo for root, reasons otherwise', () => {
    const home = (dockerfile: string) => cargoHome(cargoIn(`${dockerfile}\nRUN cargo build\n`).env);
    expect(home('FROM rust:1.63')).toBe('/usr/local/cargo');
    expect(home('FROM rust:1.89.0-slim-trixie\nENV CARGO_HOME="/root/.cargo"')).toBe('/root/.cargo');
    expect(home('FROM golang:1.22\nENV HOME=/root')).toBe('/root/.cargo');
    expect(home('FROM debian')).toEqual({ reason: 'cannot tell where cargo keeps its registry in debian (set ENV CARGO_HOME, or use the rust image)' });
    expect(home('FROM golang:1.22')).toBe('/root/.cargo');
    expect(home('FROM rust\nARG CARGO_HOME')).toEqual({ reason: 'ARG CARGO_HOME may change where cargo keeps its registry' });
    expect(home('FROM debian\nENV HOME=/home/u\nUSER u')).toEqual({ reason: 'USER u: set ENV CARGO_HOME so the cache mounts have a known place' });
    expect(cargoDownloadDirs('/usr/local/cargo')).toEqual(['/usr/local/cargo/registry', '/usr/local/cargo/git']);
  });
});
