/**
 * rust/deps-first (issue 15 §2).
 *
 * Looks for: a stage that copies the whole context (`COPY . .`) and then runs `cargo build`. Every
 * source change then recompiles every dependency.
 * Checks: the build runs where the context's Cargo.toml lands; a single crate (not a workspace: those
 * need cargo-chef), with Cargo.lock, no build script, no path dependencies, no targets declared at
 * other paths ([[bin]] with a path, [lib] path, [[example]]/[[test]]/[[bench]], src/bin/), no
 * target/ directory in the context (it would be copied over the dependency build); the cargo command
 * stands where `touch … && ` can go before it; nothing between the COPY and the build could change it.
 * Writes: above the source COPY, `COPY Cargo.toml Cargo.lock ./` and
 * `RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && <the cargo build> && rm -rf src`
 * (an empty `src/lib.rs` for a library); before the original build, `touch src/main.rs && `: cargo
 * compares modification times, and real sources older than the placeholder's build would otherwise
 * leave the placeholder's empty program in place of the crate.
 */
import type { Edit } from '../../src/engine/edits.js';
import { type Instruction, type ParsedDockerfile, type Stage } from '../../src/engine/parse.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { contextFile, copiesBefore, manifestFirst, wholeContextCopy } from '../../src/patterns/manifest-first.js';
import { joinedByAnd, runScript, type ShellCommand } from '../../src/shell/shell.js';
import { type CargoCommand, cargoCommand } from '../../src/ecosystems/rust/cargo-command.js';
import { buildScript, parseCargoManifest } from '../../src/ecosystems/rust/cargo-manifest.js';
import { RUST_MENTIONS } from '../../src/ecosystems/rust/steps.js';

export const rustDepsFirst: Transform = {
  id: 'rust/deps-first',
  mentions: RUST_MENTIONS,
  title: 'Build the dependencies from Cargo.toml and Cargo.lock with a placeholder crate before copying the sources',
  rationale: 'the compiled dependencies become a layer of their own, rebuilt only when Cargo.toml or Cargo.lock changes, instead of recompiling them with every source change',
  safety: 'safe',
  preconditions: [
    'a single crate at the build directory with Cargo.lock; no workspace (use cargo-chef), build script, path dependency, or target declared at another path',
    'no target/ directory in the build context; the cargo build can be prefixed with touch',
    'nothing between the source COPY and the build could change it (ENV, ARG, USER, a RUN touching the manifests or sources)',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) rewriteStage(doc, context, stage, out);
    return out.result();
  },
};

const CARGO_ENV = /^(CARGO_\w*|RUSTFLAGS|RUSTDOCFLAGS|RUSTC\w*|RUSTUP_\w*|CC|CXX|CFLAGS|PKG_CONFIG\w*)$/;
const CARGO_FILES = /Cargo\.(toml|lock)|\.cargo\b|build\.rs|\bsrc\b|rust-toolchain/;

function rewriteStage(doc: ParsedDockerfile, context: TransformContext, stage: Stage, out: ResultBuilder): void {
  // What it looks for: the first cargo build after a whole-context COPY.
  const build = firstBuild(doc, stage);
  if (!build) return;
  const sourceCopy = wholeContextCopy(stage, build.run.start);
  if (!sourceCopy) return;
  if (copiesBefore(doc, stage, sourceCopy, (source) => /(^|\/)Cargo\.toml$/.test(source))) return;
  const { run, cargo, previous } = build;
  const skip = (reason: string) => out.skip(run, reason);

  // What it checks: a crate a placeholder can stand for.
  if (cargo.manifestPath !== null) return skip('the build names --manifest-path; only a crate at the build directory is handled');
  if (contextFile(context, 'Cargo.toml') !== 'present') return skip('Cargo.toml is not at the root of the build context (or is excluded by .dockerignore)');
  if (contextFile(context, 'Cargo.lock') !== 'present') return skip('Cargo.lock is not in the build context: the dependency build could resolve other versions than the full build');
  const manifest = parseCargoManifest(context.build.readFile('Cargo.toml') ?? '');
  if ('error' in manifest) return skip(`Cargo.toml cannot be read (${manifest.error})`);
  if (manifest.workspaceMembers !== null) return skip('Cargo.toml is a workspace: build its dependencies with cargo-chef (see the README)');
  if (manifest.packageName === null) return skip('Cargo.toml has no [package]');
  const script = buildScript(context.build, { dir: '', manifest });
  if (script !== null) return skip(`the crate has a build script (${script}), which the dependency build would need`);
  if (manifest.pathDependencies.length > 0) return skip(`the crate has path dependencies (${manifest.pathDependencies.join(', ')}), which the dependency build would need`);
  const text = context.build.readFile('Cargo.toml') ?? '';
  if (/^\s*\[\[?(bin|lib|example|test|bench)\]?\]/m.test(text)) return skip('Cargo.toml declares its own targets ([[bin]], [lib], [[example]]...), which a placeholder src/main.rs would not stand for');
  if (context.build.exists('src/bin')) return skip('the crate has binaries under src/bin/, which a placeholder would not stand for');
  const main = contextFile(context, 'src/main.rs') === 'present';
  const lib = contextFile(context, 'src/lib.rs') === 'present';
  if (!main && !lib) return skip('the crate has neither src/main.rs nor src/lib.rs');
  if (cargo.bins.some((b) => b !== manifest.packageName)) return skip(`the build asks for --bin ${cargo.bins.join(', ')}, which a placeholder would not stand for`);
  if (contextFile(context, 'target') === 'present') return skip('the build context holds a target/ directory, which COPY . would put over the dependency build: add target/ to .dockerignore');
  if (previous !== null && !joinedByAnd(doc, previous.end, cargo.command.start)) return skip('the cargo build does not start an && chain, so touching the sources before it could change what runs');

  // What it writes.
  const sources = [...(main ? ['src/main.rs'] : []), ...(lib ? ['src/lib.rs'] : [])];
  const placeholder = [main ? "echo 'fn main() {}' > src/main.rs" : null, lib ? 'touch src/lib.rs' : null].filter(Boolean).join(' && ');
  const cargoText = doc.source.text.slice(cargo.command.start, cargo.command.end);
  if (/[\r\n]/.test(cargoText) || cargoText.includes(doc.escapeChar)) return skip('the cargo command spans lines; split it by hand');
  const result = manifestFirst(doc, {
    stage,
    sourceCopy,
    firstUse: run,
    copies: [{ dir: '', files: ['Cargo.toml', 'Cargo.lock'] }],
    step: { add: `mkdir -p src && ${placeholder} && ${cargoText} && rm -rf src` },
    env: CARGO_ENV,
    files: CARGO_FILES,
    what: 'the cargo build',
  });
  if ('reason' in result) return skip(result.reason);
  const touch: Edit = { start: cargo.command.start, end: cargo.command.start, text: `touch ${sources.join(' ')} && ` };
  out.change(sourceCopy, [...result.edits, touch], `${result.detail}; the build touches ${sources.join(' ')} so cargo rebuilds the crate from its real sources`);
}

function firstBuild(doc: ParsedDockerfile, stage: Stage): { run: Instruction; cargo: CargoCommand; previous: ShellCommand | null } | null {
  for (const run of stage.instructions) {
    if (run.keyword !== 'RUN' || run.onbuild) continue;
    const commands = runScript(doc, run).commands;
    for (const [i, command] of commands.entries()) {
      const cargo = cargoCommand(command);
      if (cargo && ['build', 'install', 'run', 'test', 'fetch', 'chef'].includes(cargo.subcommand)) {
        // a `cd` before it moves the build away from where the source COPY puts Cargo.toml
        if (commands.slice(0, i).some((c) => ['cd', 'pushd'].includes(c.words[0]?.value ?? ''))) return null;
        return cargo.subcommand === 'build' ? { run, cargo, previous: commands[i - 1] ?? null } : null;
      }
    }
  }
  return null;
}
