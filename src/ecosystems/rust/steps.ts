/**
 * Rust's answers to the ecosystem-neutral patterns (src/patterns/dependency-steps.ts): cargo builds
 * and installs read Cargo.toml and Cargo.lock. No build-reads oracle: a build script (build.rs) or
 * `include_str!` may read any file of the context.
 */
import type { DependencySteps } from '../../patterns/dependency-steps.js';
import type { ShellCommand } from '../../shell/shell.js';

function isDependencyStep(command: ShellCommand): boolean {
  const words = command.words.map((w) => w.value);
  if ((words[0] ?? '').split('/').pop() !== 'cargo') return false;
  // `cargo +nightly build`: the toolchain comes first
  const sub = words.slice(1).find((w) => !w.startsWith('-') && !w.startsWith('+'));
  return sub === 'build' || sub === 'install';
}

export const rustSteps: DependencySteps = {
  ecosystem: 'rust',
  manifests: ['Cargo.toml', 'Cargo.lock'],
  isDependencyStep,
};
