/**
 * Rust's answers to the ecosystem-neutral patterns (src/patterns/dependency-steps.ts): cargo builds
 * and installs read Cargo.toml and Cargo.lock. No build-reads oracle: a build script (build.rs) or
 * `include_str!` may read any file of the context.
 */
import type { DependencySteps } from '../../patterns/dependency-steps.js';
import type { ShellCommand } from '../../shell/shell.js';
import { cargoCommand } from './cargo-command.js';

/** `cargo build`/`install` as cargo-command.ts reads them: aliases (`cargo b`), toolchains, global options, xx-cargo. */
function isDependencyStep(command: ShellCommand): boolean {
  const sub = cargoCommand(command)?.subcommand;
  return sub === 'build' || sub === 'install';
}

/** Words a Dockerfile holds when this ecosystem's transforms can find something in it (cargo): the fixer's cheap first test (Transform.mentions). */
export const RUST_MENTIONS = /cargo/i;

export const rustSteps: DependencySteps = {
  ecosystem: 'rust',
  mentions: RUST_MENTIONS,
  manifests: ['Cargo.toml', 'Cargo.lock'],
  isDependencyStep,
};
