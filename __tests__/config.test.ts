/** Configuration files, found from the Dockerfile's directory upwards; CLI flags win. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachefix } from './helpers/cli.js';

const NAIVE = 'FROM golang:1.19\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/main .\n';
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'cachefix-config-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function app(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/app\n\ngo 1.19\n');
  writeFileSync(join(dir, 'go.sum'), '');
  writeFileSync(join(dir, 'Dockerfile'), NAIVE);
  return join(dir, 'Dockerfile');
}

describe('configuration', () => {
  test('.cachefixrc.json at the repository root switches transforms on and off, and --only still wins', () => {
    const file = app(join(work, 'svc'));
    writeFileSync(join(work, '.cachefixrc.json'), JSON.stringify({ transforms: { 'go/trimpath': false, 'go/strip-symbols': true }, mounts: false }));
    cachefix(['--write', '-q', 'svc'], { cwd: work });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('go build -ldflags="-s -w" -o /app/main .');
    expect(text).not.toContain('-trimpath');
    expect(text).not.toContain('--mount');
    writeFileSync(file, NAIVE);
    cachefix(['--write', '-q', '--only', 'go/trimpath', 'svc'], { cwd: work });
    expect(readFileSync(file, 'utf8')).toBe(NAIVE.replace('go build', 'go build -trimpath'));
  });
  test('a "cachefix" key in package.json, overrides per path, and --print-config', () => {
    app(join(work, 'legacy', 'old'));
    app(join(work, 'new'));
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'x', cachefix: { unsafe: true, overrides: [{ files: ['legacy/**'], unsafe: false, transforms: { 'go/mod-download-first': false } }] } }));
    const legacy = JSON.parse(cachefix(['--print-config', 'legacy/old/Dockerfile'], { cwd: work }).stdout) as { configFile: string; transforms: string[]; unsafe: boolean };
    expect(legacy.configFile).toBe(join(work, 'package.json'));
    expect(legacy.unsafe).toBe(false);
    expect(legacy.transforms).not.toContain('go/mod-download-first');
    expect(legacy.transforms).not.toContain('go/strip-symbols');
    const fresh = JSON.parse(cachefix(['--print-config', 'new/Dockerfile'], { cwd: work }).stdout) as { transforms: string[] };
    expect(fresh.transforms).toContain('go/strip-symbols');
    expect(fresh.transforms).toContain('go/mod-download-first');
  });
  test('exclude and include globs, relative to the config file', () => {
    app(join(work, 'third_party', 'x'));
    app(join(work, 'svc'));
    writeFileSync(join(work, 'svc', 'build.df'), NAIVE);
    writeFileSync(join(work, 'cachefix.config.json'), JSON.stringify({ exclude: ['third_party/**'], include: ['**/*.df'] }));
    const result = cachefix(['--check', '.'], { cwd: work });
    expect(result.stdout).toContain('+++ b/svc/Dockerfile');
    expect(result.stdout).toContain('+++ b/svc/build.df');
    expect(result.stdout).not.toContain('third_party');
  });
  test('an invalid file: exit 2 with path: key: what is wrong, and nothing written', () => {
    const file = app(join(work, 'svc'));
    writeFileSync(join(work, '.cachefixrc'), JSON.stringify({ transforms: { 'go/nope': true } }));
    const result = cachefix(['--write', 'svc'], { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${join(work, '.cachefixrc')}: transforms.go/nope: unknown transform id (see cachefix --list)`);
    expect(readFileSync(file, 'utf8')).toBe(NAIVE);
    writeFileSync(join(work, '.cachefixrc'), JSON.stringify({ mounts: 'no', colour: true }));
    expect(cachefix(['--print-config', 'svc/Dockerfile'], { cwd: work }).stderr).toContain(': colour: unknown key');
    writeFileSync(join(work, '.cachefixrc'), JSON.stringify({ mounts: 'no' }));
    expect(cachefix(['svc'], { cwd: work }).stderr).toContain(': mounts: must be true or false');
  });
  test('cachefix.config.mjs is loaded as a module', () => {
    app(join(work, 'svc'));
    writeFileSync(join(work, 'cachefix.config.mjs'), "export default { transforms: { 'go/build-cache-mount': false } };\n");
    const settings = JSON.parse(cachefix(['--print-config', 'svc/Dockerfile'], { cwd: work }).stdout) as { transforms: string[] };
    expect(settings.transforms).not.toContain('go/build-cache-mount');
    expect(settings.transforms).toContain('go/trimpath');
  });
  test('a module config with top-level await cannot be loaded (require): exit 2 naming the file, in one line', () => {
    const file = app(join(work, 'svc'));
    writeFileSync(join(work, 'cachefix.config.mjs'), 'await Promise.resolve();\nexport default {};\n');
    const result = cachefix(['--write', 'svc'], { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^svc: ${join(work, 'cachefix.config.mjs')}: cannot be read: require\\(\\) cannot be used on an ESM graph with top-level await\\.[^\\n]*\\n`));
    expect(readFileSync(file, 'utf8')).toBe(NAIVE);
  });
  test.each(['package.json', '.cachefixrc', '.cachefixrc.json', 'cachefix.config.json'])('a %s that is not JSON: exit 2 naming the file, in one line', (name) => {
    const file = app(join(work, 'svc'));
    writeFileSync(join(work, name), '{ "cachefix": ');
    const result = cachefix(['--write', 'svc'], { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^svc: ${join(work, name).replace(/\./g, '\\.')}: cannot be read: [^\n]*JSON[^\n]*\n`));
    expect(readFileSync(file, 'utf8')).toBe(NAIVE);
  });
  test('a package.json with a byte-order mark is read, with its "cachefix" key', () => {
    app(join(work, 'svc'));
    writeFileSync(join(work, 'package.json'), `\uFEFF${JSON.stringify({ name: 'x', cachefix: { transforms: { 'go/trimpath': false } } })}`);
    const settings = JSON.parse(cachefix(['--print-config', 'svc/Dockerfile'], { cwd: work }).stdout) as { transforms: string[] };
    expect(settings.transforms).not.toContain('go/trimpath');
    expect(settings.transforms).toContain('go/build-cache-mount');
  });
});
