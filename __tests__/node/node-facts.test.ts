/** Node facts: install commands, package.json, package manager detection, workspaces, lifecycle scripts, caches. */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { parseDockerfile } from '../../src/engine/parse.js';
import { cacheDir, type CacheSettings, rcValue } from '../../src/ecosystems/node/caches.js';
import { nodeInstall } from '../../src/ecosystems/node/install-command.js';
import { installInputs } from '../../src/ecosystems/node/install-inputs.js';
import { installsInRun } from '../../src/ecosystems/node/install-runs.js';
import { lifecycleNeeds } from '../../src/ecosystems/node/lifecycle.js';
import { readPackageJson } from '../../src/ecosystems/node/package-json.js';
import { projectManager } from '../../src/ecosystems/node/package-manager.js';
import { readPnpmWorkspace } from '../../src/ecosystems/node/pnpm-workspace.js';
import { resolveWorkspaces } from '../../src/ecosystems/node/workspaces.js';

const words = (line: string): string[] => line.split(' ');

describe('project installs', () => {
  test.each([
    ['npm ci', 'npm', 'ci', true],
    ['npm install', 'npm', 'install', false],
    ['npm i --omit=dev', 'npm', 'i', false],
    ['npm --prefix web ci', 'npm', 'ci', true],
    ['npm install --omit dev --no-audit', 'npm', 'install', false],
    ['yarn', 'yarn', '', false],
    ['yarn install --frozen-lockfile', 'yarn', 'install', true],
    ['yarn --immutable', 'yarn', '', true],
    ['pnpm install --frozen-lockfile', 'pnpm', 'install', true],
    ['pnpm i --prod', 'pnpm', 'i', false],
    ['bun install --frozen-lockfile', 'bun', 'install', true],
    ['/usr/local/bin/npm ci', 'npm', 'ci', true],
    ['corepack pnpm install', 'pnpm', 'install', false],
    ['npx pnpm@9 install', 'pnpm', 'install', false],
  ])('%s installs the project with %s %s (frozen %s)', (line, manager, subcommand, frozen) => {
    const install = nodeInstall(words(line));
    expect(install).toMatchObject({ manager, subcommand, frozen });
  });

  test.each([
    'npm install lodash', 'npm i -g pnpm', 'npm install --global yarn', 'npm run build', 'npm test',
    'yarn add react', 'yarn build', 'yarn run build', 'pnpm add react', 'pnpm run build', 'pnpm install -g x',
    'bun add x', 'bun install zod', 'bun run build', 'node index.js', 'npm', 'yarn --version',
  ])('%s is not a project install', (line) => {
    expect(nodeInstall(words(line))).toBeNull();
  });

  test('flags: production, dir, filtered', () => {
    expect(nodeInstall(words('npm ci --omit dev'))).toMatchObject({ production: true, dir: null });
    expect(nodeInstall(words('npm ci --omit=optional'))).toMatchObject({ production: false });
    expect(nodeInstall(words('yarn install --production --cwd web'))).toMatchObject({ production: true, dir: 'web' });
    expect(nodeInstall(words('pnpm --filter api install'))).toMatchObject({ filtered: true });
    expect(nodeInstall(words('npm ci -w packages/a'))).toMatchObject({ filtered: true });
  });

  test('the installs of a RUN, with the cd before them', () => {
    const doc = parseDockerfile('FROM node:20\nRUN apt-get update && cd web && npm ci --omit=dev && npm run build\n');
    const run = doc.stages[0]?.instructions.find((i) => i.keyword === 'RUN');
    if (!run) throw new Error('no RUN');
    const found = installsInRun(doc, run);
    expect(found.map((f) => [f.install.manager, f.index, f.cd])).toEqual([['npm', 2, 'web']]);
  });
});

describe('package.json', () => {
  test('workspaces, lifecycle scripts, local dependencies, packageManager, patches', () => {
    const pkg = readPackageJson(JSON.stringify({
      name: 'app',
      workspaces: { packages: ['packages/*'] },
      scripts: { build: 'tsc', postinstall: 'patch-package', prepare: 'husky install' },
      dependencies: { a: '1.0.0', lib: 'file:../lib', b: 'link:./vendor/b', c: 'portal:./c', d: 'workspace:*' },
      packageManager: 'pnpm@9.15.0+sha512.abc',
      pnpm: { patchedDependencies: { 'x@1.0.0': 'patches/x@1.0.0.patch' } },
    }));
    expect(pkg).toEqual({
      name: 'app',
      workspaces: ['packages/*'],
      lifecycle: [{ name: 'postinstall', script: 'patch-package' }, { name: 'prepare', script: 'husky install' }],
      scripts: { build: 'tsc', postinstall: 'patch-package', prepare: 'husky install' },
      localDependencies: [
        { name: 'lib', spec: 'file:../lib', path: '../lib' },
        { name: 'b', spec: 'link:./vendor/b', path: './vendor/b' },
        { name: 'c', spec: 'portal:./c', path: './c' },
      ],
      packageManager: 'pnpm@9.15.0+sha512.abc',
      patchFiles: ['patches/x@1.0.0.patch'],
      hasBin: false,
    });
    expect(readPackageJson('{"bin":{"x":"cli.js"}}')?.hasBin).toBe(true);
    expect(readPackageJson('{"bin":"cli.js"}')?.hasBin).toBe(true);
  });

  test('an array of workspaces, and text that is not a package.json', () => {
    expect(readPackageJson('\uFEFF{"workspaces":["apps/*","libs/*"]}')?.workspaces).toEqual(['apps/*', 'libs/*']);
    expect(readPackageJson('not json')).toBeNull();
    expect(readPackageJson('[]')).toBeNull();
  });
});

describe('package manager of a project', () => {
  test('lockfiles, packageManager, Yarn Berry and zero-installs', () => {
    const ctx = memoryContext({
      'package.json': '{}', 'yarn.lock': '', 'package-lock.json': '{}', '.yarnrc.yml': 'nodeLinker: pnp',
      '.yarn/releases/yarn-4.1.0.cjs': '', '.yarn/cache/lodash-npm-4.17.21-6382451519-eb835a2e51.zip': '',
    });
    expect(projectManager(ctx, '', 'yarn', null)).toEqual({
      lockfiles: ['yarn.lock'], otherLockfiles: ['package-lock.json'], pinned: null, pinnedVersion: null, berry: true, zeroInstalls: true,
    });
    expect(projectManager(memoryContext({ 'web/yarn.lock': '' }), 'web', 'yarn', 'yarn@1.22.22')).toMatchObject({ lockfiles: ['web/yarn.lock'], berry: false, pinned: 'yarn', pinnedVersion: '1.22.22' });
    expect(projectManager(memoryContext({ 'yarn.lock': '' }), '', 'yarn', 'yarn@3.6.0')).toMatchObject({ berry: true, zeroInstalls: false });
    expect(projectManager(memoryContext({ 'bun.lockb': '' }), '', 'bun', null).lockfiles).toEqual(['bun.lockb']);
  });

  test('the inputs of an install: manifest, lockfile, configuration, patches', () => {
    const ctx = memoryContext({
      'package.json': '{}', 'pnpm-lock.yaml': '', 'pnpm-workspace.yaml': '', '.npmrc': '', '.pnpmfile.cjs': '',
      'patches/x.patch': '', 'src/index.js': '', 'yarn.lock': '',
    });
    expect(installInputs(ctx, '', 'pnpm')).toEqual({ paths: ['package.json', 'pnpm-lock.yaml', '.npmrc', '.pnpmfile.cjs', 'pnpm-workspace.yaml', 'patches'], locked: true });
    expect(installInputs(ctx, '', 'npm')).toEqual({ paths: ['package.json', '.npmrc', 'patches'], locked: false });
    const yarn = memoryContext({ 'app/package.json': '{}', 'app/yarn.lock': '', 'app/.yarnrc.yml': '', 'app/.yarn/releases/y.cjs': '', 'app/.yarn/cache/a.zip': '', 'app/scripts/setup.js': '' });
    expect(installInputs(yarn, 'app', 'yarn', { zeroInstalls: true, extra: ['./scripts/setup.js', 'missing.js'] }).paths).toEqual([
      'app/package.json', 'app/yarn.lock', 'app/.yarnrc.yml', 'app/.yarn/releases', 'app/scripts/setup.js', 'app/.yarn/cache',
    ]);
  });
});

describe('workspaces', () => {
  const ctx = memoryContext({
    'package.json': '{}', 'packages/a/package.json': '{}', 'packages/b/package.json': '{}', 'packages/b/src/x.js': '',
    'packages/docs/README.md': '', 'apps/web/package.json': '{}', 'apps/web/node_modules/z/package.json': '{}',
    'tools/deep/nested/pkg/package.json': '{}',
  });
  test('globs are matched against the context, negations honoured, node_modules never entered', () => {
    expect(resolveWorkspaces(ctx, '', ['packages/*', 'apps/**', '!packages/b'])).toEqual({ dirs: ['apps/web', 'packages/a'] });
    expect(resolveWorkspaces(ctx, '', ['tools/**'])).toEqual({ dirs: ['tools/deep/nested/pkg'] });
    expect(resolveWorkspaces(ctx, '', ['./packages/a'])).toEqual({ dirs: ['packages/a'] });
  });
  test('a pattern outside the project cannot be followed', () => {
    expect(resolveWorkspaces(ctx, 'apps', ['../packages/*'])).toEqual({ reason: 'the workspace pattern "../packages/*" lies outside the project' });
  });
  test('pnpm-workspace.yaml', () => {
    expect(readPnpmWorkspace("packages:\n  - 'packages/*'\n  - '!**/test/**'\nstoreDir: /pnpm/store\npatchedDependencies:\n  x@1: patches/x.patch\n")).toEqual({
      packages: ['packages/*', '!**/test/**'], storeDir: '/pnpm/store', patchFiles: ['patches/x.patch'],
    });
    expect(readPnpmWorkspace('')).toEqual({ packages: [], storeDir: null, patchFiles: [] });
    expect(readPnpmWorkspace('- a\n')).toBeNull();
    expect(readPnpmWorkspace('packages: [a\n')).toBeNull();
  });
});

describe('lifecycle scripts', () => {
  test.each([
    ['node scripts/postinstall.js', { files: ['scripts/postinstall.js'] }],
    ['patch-package', { files: ['patches'] }],
    ['patch-package --patch-dir fixes', { files: ['fixes'] }],
    ['./setup.sh && echo done', { files: ['setup.sh'] }],
    ['npx only-allow pnpm', { files: [] }],
    ['node -e "console.log(1)"', { files: [] }],
    ['npm run gen', { files: ['gen.js'] }],
    ['husky install', { files: [], gitHooks: true }],
    ['husky', { files: [], gitHooks: true }],
    ['git config core.hooksPath .githooks', { reason: 'its "prepare" script runs git, which reads .git' }],
    ['lefthook install', { reason: 'its "prepare" script runs lefthook, which reads .git' }],
    ['tsc -p .', { reason: 'its "prepare" script runs tsc, which may read project files' }],
    ['npm run missing', { reason: 'its "prepare" script runs "missing", which package.json does not define' }],
  ])('%s', (script, needs) => {
    expect(lifecycleNeeds([{ name: 'prepare', script }], { gen: 'node gen.js' })).toEqual(needs);
  });
});

describe('cache directories', () => {
  const base: CacheSettings = { root: true, home: '/root', env: new Map(), npmrc: null, yarnrc: null, pnpmStoreDir: null };
  test('defaults for root and for the node user', () => {
    expect(cacheDir('npm', base)).toEqual({ dir: '/root/.npm' });
    expect(cacheDir('yarn', base)).toEqual({ dir: '/usr/local/share/.cache/yarn' });
    expect(cacheDir('pnpm', base)).toEqual({ dir: '/root/.local/share/pnpm/store' });
    expect(cacheDir('bun', base)).toEqual({ dir: '/root/.bun/install/cache' });
    const node = { ...base, root: false, home: '/home/node' };
    expect(cacheDir('npm', node)).toEqual({ dir: '/home/node/.npm' });
    expect(cacheDir('yarn', node)).toEqual({ dir: '/home/node/.cache/yarn' });
  });
  test('environment and rc files move them', () => {
    expect(cacheDir('npm', { ...base, env: new Map([['NPM_CONFIG_CACHE', '/cache/npm/']]) })).toEqual({ dir: '/cache/npm' });
    expect(cacheDir('npm', { ...base, npmrc: 'registry=x\ncache = ~/.cache/npm\n' })).toEqual({ dir: '/root/.cache/npm' });
    expect(cacheDir('npm', { ...base, npmrc: 'cache=.npm-cache' })).toEqual({ reason: 'the cache setting of .npmrc (.npm-cache) is a relative path' });
    expect(cacheDir('npm', { ...base, env: new Map([['npm_config_cache', null]]) })).toEqual({ reason: 'npm_config_cache is set to a value I cannot resolve' });
    expect(cacheDir('yarn', { ...base, env: new Map([['YARN_CACHE_FOLDER', '/tmp/yarn']]) })).toEqual({ dir: '/tmp/yarn' });
    expect(cacheDir('yarn', { ...base, yarnrc: 'cache-folder "/y/cache"\n' })).toEqual({ dir: '/y/cache' });
    expect(cacheDir('pnpm', { ...base, env: new Map([['PNPM_HOME', '/pnpm']]) })).toEqual({ dir: '/pnpm/store' });
    expect(cacheDir('pnpm', { ...base, npmrc: 'store-dir=/s' })).toEqual({ dir: '/s' });
    expect(cacheDir('pnpm', { ...base, pnpmStoreDir: '/w' })).toEqual({ dir: '/w' });
    expect(cacheDir('bun', { ...base, env: new Map([['BUN_INSTALL', '/bun']]) })).toEqual({ dir: '/bun/install/cache' });
  });
  test('rc values', () => {
    expect(rcValue('a=1\na=2', 'a')).toBe('2');
    expect(rcValue(null, 'a')).toBeNull();
  });
});

describe('the neutral patterns see the same installs', () => {
  test('options with values and corepack wrappers are dependency steps', async () => {
    const { nodeSteps } = await import('../../src/ecosystems/node/steps.js');
    const step = (line: string): boolean => {
      const doc = parseDockerfile(`FROM node:20\nRUN ${line}\n`);
      const run = doc.stages[0]?.instructions.find((i) => i.keyword === 'RUN');
      if (!run) throw new Error('no RUN');
      return installsInRun(doc, run).length > 0 && nodeSteps.isDependencyStep(installsInRun(doc, run)[0]!.command);
    };
    expect(step('npm --prefix web ci')).toBe(true);
    expect(step('corepack pnpm install --frozen-lockfile')).toBe(true);
    expect(nodeSteps.manifests).toContain('.npmrc');
  });
});
