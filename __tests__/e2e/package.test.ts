/**
 * The npm package as a user gets it: `npm pack`, installed into an empty project; the tarball holds
 * only the built code, its types and the docs; `npx cachefix` and `import { fixText }` work.
 */
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../helpers/paths.js';

const work = mkdtempSync(join(tmpdir(), 'cachefix-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const run = (command: string, args: string[], cwd: string, input = '') =>
  spawnSync(command, args, { cwd, input, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });

test('npm pack holds only dist, types and docs; the installed package runs as a CLI and a library', () => {
  const pack = run('npm', ['pack', '--pack-destination', work], projectRoot);
  expect(pack.status).toBe(0);
  const tarball = join(work, pack.stdout.trim().split('\n').pop() ?? '');
  expect(existsSync(tarball)).toBe(true);

  const files = run('tar', ['tzf', tarball], work).stdout.trim().split('\n');
  const unexpected = files.filter((f) => !/^package\/(dist\/(src|transforms)\/.+\.(c?js|d\.ts)|dist\/src\/cachefix\.cjs\.map|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/.test(f));
  expect(unexpected).toEqual([]);
  expect(files).toContain('package/dist/src/index.d.ts');
  // the minified CLI's map, for readable stacks in internal error reports (src/cli/stack-map.ts)
  expect(files).toContain('package/dist/src/cachefix.cjs.map');

  const app = join(work, 'app');
  expect(run('mkdir', ['-p', app], work).status).toBe(0);
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true, "type": "module" }\n');
  const install = run('npm', ['install', tarball], app);
  expect(install.stderr).not.toMatch(/npm error/);
  expect(install.status).toBe(0);

  const version = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  expect(run('npx', ['cachefix', '--version'], app).stdout.trim()).toBe(version.version);
  writeFileSync(join(app, 'go.mod'), 'module example.com/app\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n');
  const rewritten = run('npx', ['cachefix', '--only', 'go/mod-download-first', '-'], app, 'FROM golang:1.19\nCOPY . .\nRUN go build .\n');
  expect(rewritten.stdout).toBe('FROM golang:1.19\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN go build .\n');

  writeFileSync(join(app, 'use.js'), [
    "import { fixText, memoryContext, transforms } from 'dockerfile-cachefix';",
    "const { output, changes } = fixText('FROM golang:1.19\\nCOPY . .\\nRUN go build .\\n', { transforms, context: memoryContext({ 'go.mod': 'module x\\n\\nrequire example.com/dep v1.0.0\\n' }) });",
    'console.log(JSON.stringify({ split: output.includes("COPY go.mod ./"), changes: changes.length > 0 }));',
  ].join('\n'));
  expect(run('node', ['use.js'], app).stdout.trim()).toBe('{"split":true,"changes":true}');
  const pkg = JSON.parse(readFileSync(join(app, 'node_modules', 'dockerfile-cachefix', 'package.json'), 'utf8')) as { types: string };
  expect(existsSync(join(app, 'node_modules', 'dockerfile-cachefix', pkg.types))).toBe(true);
}, 5 * 60 * 1000);
