/**
 * Node's answers to the ecosystem-neutral patterns (src/patterns/dependency-steps.ts): which
 * commands install the dependencies or build, and which files they read. No build-reads oracle: a
 * Node build (a bundler, a framework) may read any file of the context.
 */
import type { DependencySteps } from '../../patterns/dependency-steps.js';
import type { ShellCommand } from '../../shell/shell.js';
import { nodeInstall } from './install-command.js';

/** Subcommands that install, per package manager; `undefined` stands for the bare command (`yarn`). */
const INSTALLS: Readonly<Record<string, readonly (string | undefined)[]>> = {
  npm: ['ci', 'install', 'i'],
  yarn: [undefined, 'install'],
  pnpm: ['install', 'i'],
  bun: ['install'],
};

/** The other commands nodeInstall reads as a package manager: `yarnpkg`, and the wrappers it looks through. */
const OTHER_INSTALLERS = new Set(['yarnpkg', 'corepack', 'npx', 'pnpx']);

function isDependencyStep(command: ShellCommand): boolean {
  const tool = (command.words[0]?.value ?? '').split('/').pop() ?? '';
  const installs = INSTALLS[tool];
  // asked of every command of a stage's RUNs: most are no package manager, and nodeInstall says so
  if (installs === undefined && !OTHER_INSTALLERS.has(tool)) return false;
  const words = command.words.map((w) => w.value);
  if (installs === undefined) return nodeInstall(words) !== null;
  // the first word that is not an option (`npm --no-audit ci`)
  const args = words.slice(1).filter((w) => !w.startsWith('-'));
  if (installs.includes(args[0])) return true;
  // the full reading: options with values (`npm --prefix web ci`), corepack and npx wrappers
  if (nodeInstall(words) !== null) return true;
  return tool !== 'bun' && args[0] === 'run' && args[1] === 'build';
}

/** Words a Dockerfile holds when this ecosystem's transforms can find something in it (npm, yarn, pnpm, bun (and npx, corepack) or next): the fixer's cheap first test (Transform.mentions). */
export const NODE_MENTIONS = /npm|npx|yarn|pnpm|pnpx|bun|corepack|next/i;

export const nodeSteps: DependencySteps = {
  ecosystem: 'node',
  mentions: NODE_MENTIONS,
  manifests: [
    'package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb',
    // the settings an install reads (src/ecosystems/node/install-inputs.ts)
    '.npmrc', '.yarnrc', '.yarnrc.yml', '.pnpmfile.cjs', 'pnpm-workspace.yaml', 'bunfig.toml',
  ],
  isDependencyStep,
};
