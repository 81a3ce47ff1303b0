/**
 * The Node transforms on the shapes the examples show only once or not at all: bun, pnpm workspace
 * exclusions, a workspace the ignore file leaves out, zero-installs, a named lifecycle file that is
 * missing, a filtered install, an npm setting between the COPY and the install, and the default
 * pipeline on a naive file (manifest first, then the mount on the moved install; idempotent).
 */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { transforms } from '../../transforms/index.js';
import { nodeCacheMount } from '../../transforms/node/cache-mount.js';
import { nodeManifestFirst } from '../../transforms/node/manifest-first.js';

const APP = { 'package.json': '{"name":"app"}', 'package-lock.json': '{}', 'src/index.js': '' };

function fix(dockerfile: string, files: Record<string, string>, only = nodeManifestFirst) {
  const result = fixText(dockerfile, { transforms: [only], context: memoryContext(files), dockerfilePath: 'Dockerfile' });
  return { output: result.output, skips: result.skips.map((s) => s.reason) };
}

const naive = (install: string, from = 'node:20'): string => `FROM ${from}\nWORKDIR /app\nCOPY . .\n${install}\n`;

describe('node/manifest-first', () => {
  test('bun: bun.lock and bunfig.toml go first', () => {
    const files = { 'package.json': '{}', 'bun.lock': '{}', 'bunfig.toml': '', 'index.ts': '' };
    expect(fix(naive('RUN bun install --frozen-lockfile', 'oven/bun:1'), files).output).toBe(
      'FROM oven/bun:1\nWORKDIR /app\nCOPY package.json bun.lock bunfig.toml ./\nRUN bun install --frozen-lockfile\nCOPY . .\n',
    );
  });

  test('pnpm-workspace.yaml exclusions and a workspace the ignore file leaves out', () => {
    const files = {
      'package.json': '{}', 'pnpm-lock.yaml': '', 'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\n  - '!packages/legacy'\n  - 'docs'\n",
      'packages/a/package.json': '{}', 'packages/legacy/package.json': '{}', 'docs/package.json': '{}', '.dockerignore': 'docs\n',
    };
    expect(fix(naive('RUN pnpm install --frozen-lockfile'), files).output).toBe(
      'FROM node:20\nWORKDIR /app\nCOPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./\nCOPY packages/a/package.json ./packages/a/\nRUN pnpm install --frozen-lockfile\nCOPY . .\n',
    );
  });

  test('Yarn zero-installs: the committed cache is an input of the install', () => {
    const files = { 'package.json': '{"packageManager":"yarn@3.6.4"}', 'yarn.lock': '', '.yarnrc.yml': '', '.yarn/cache/a.zip': '', 'src/a.js': '' };
    expect(fix(naive('RUN yarn install --immutable'), files).output).toBe(
      'FROM node:20\nWORKDIR /app\nCOPY package.json yarn.lock .yarnrc.yml ./\nCOPY .yarn/cache ./.yarn/cache/\nRUN yarn install --immutable\nCOPY . .\n',
    );
  });

  test.each([
    ['a lifecycle file that is not in the context', { ...APP, 'package.json': '{"scripts":{"postinstall":"node tools/setup.js"}}' }, 'RUN npm ci', 'package.json: a lifecycle script reads tools/setup.js, which is not in the build context'],
    ['a workspace lifecycle script', { ...APP, 'package.json': '{"workspaces":["p/*"]}', 'p/x/package.json': '{"scripts":{"prepare":"tsc"}}' }, 'RUN npm ci', 'p/x/package.json: its "prepare" script runs tsc, which may read project files; the install would now run it before the sources are copied (copy what it needs above the install by hand, or install with --ignore-scripts)'],
    ['a filtered install', APP, 'RUN pnpm install --filter api', 'pnpm install --filter api installs selected workspaces only; copy their manifests by hand'],
    ['a link: dependency that leaves the context', { ...APP, 'package.json': '{"dependencies":{"x":"link:/opt/x"}}' }, 'RUN yarn', 'package.json depends on x at link:/opt/x, outside the build context'],
  ])('skips: %s', (_name, files, install, reason) => {
    const result = fix(naive(install), files);
    expect(result.output).toBe(naive(install));
    expect(result.skips).toEqual([reason]);
  });

  test('--ignore-scripts: lifecycle scripts do not run, so they do not matter', () => {
    const files = { ...APP, 'package.json': '{"scripts":{"prepare":"tsc"}}' };
    expect(fix(naive('RUN npm ci --ignore-scripts'), files).output).toContain('COPY package.json package-lock.json ./\nRUN npm ci --ignore-scripts\nCOPY . .\n');
  });

  test('an npm setting between the COPY and the install blocks the move', () => {
    const dockerfile = 'FROM node:20\nWORKDIR /app\nCOPY . .\nENV NPM_CONFIG_REGISTRY=https://r.example\nRUN npm ci\n';
    const result = fix(dockerfile, APP);
    expect(result.output).toBe(dockerfile);
    expect(result.skips[0]).toMatch(/ENV NPM_CONFIG_REGISTRY.*sits between the source COPY and npm ci/);
  });
});

describe('node/cache-mount', () => {
  test('a numeric USER with ENV HOME gets its uid, and npm_config_cache moves the mount', () => {
    const dockerfile = 'FROM node:20\nENV HOME=/home/app npm_config_cache=/home/app/.npm-cache\nUSER 1001\nRUN npm ci\n';
    expect(fix(dockerfile, APP, nodeCacheMount).output).toBe(
      'FROM node:20\nENV HOME=/home/app npm_config_cache=/home/app/.npm-cache\nUSER 1001\nRUN --mount=type=cache,target=/home/app/.npm-cache,uid=1001,gid=1001 \\\n    npm ci\n',
    );
  });
});

describe('the default pipeline', () => {
  test('manifest first, the mount on the moved install, the ignore file; a second run changes nothing', () => {
    const files = { ...APP, '.dockerignore': '.git\n' };
    const safe = transforms.filter((t) => t.safety === 'safe');
    const first = fixText(naive('RUN npm ci'), { transforms: safe, context: memoryContext(files), dockerfilePath: 'Dockerfile' });
    expect(first.output).toBe('FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN --mount=type=cache,target=/root/.npm \\\n    npm ci\nCOPY . .\n');
    expect(first.files.map((f) => f.after)).toEqual([
      ".git\n\n# added by cachefix: the host's node_modules, package manager logs and .git change on every local install or commit and would invalidate COPY . .\n**/node_modules\nnpm-debug.log*\nyarn-debug.log*\nyarn-error.log*\n.pnpm-store\n",
    ]);
    const second = fixText(first.output, { transforms: safe, context: memoryContext({ ...files, '.dockerignore': first.files[0]?.after ?? '' }), dockerfilePath: 'Dockerfile' });
    expect(second.changes).toEqual([]);
  });
});

describe('node/manifest-first and the variables .npmrc reads', () => {
  test('an ARG that .npmrc reads (${GITHUB_TOKEN}) between the COPY and the install keeps the install below it', () => {
    const files = { ...APP, '.npmrc': '//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}\n' };
    const dockerfile = 'FROM node:20\nWORKDIR /app\nCOPY . .\nARG GITHUB_TOKEN\nRUN npm ci\n';
    const result = fix(dockerfile, files);
    expect(result.output).toBe(dockerfile);
    expect(result.skips[0]).toMatch(/ARG GITHUB_TOKEN.*sits between the source COPY and npm ci/);
  });
});

describe('node/manifest-first and the paths Yarn settings name', () => {
  test("Yarn classic's offline mirror goes first with .yarnrc", () => {
    const files = { 'package.json': '{}', 'yarn.lock': '', '.yarnrc': 'yarn-offline-mirror "./npm-packages-offline-cache"\n', 'npm-packages-offline-cache/a-1.0.0.tgz': '', 'src/a.js': '' };
    expect(fix(naive('RUN yarn install --offline'), files).output).toBe(
      'FROM node:20\nWORKDIR /app\nCOPY package.json yarn.lock .yarnrc ./\nCOPY npm-packages-offline-cache ./npm-packages-offline-cache/\nRUN yarn install --offline\nCOPY . .\n',
    );
  });
});
