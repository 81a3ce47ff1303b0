/** Meta-tests over the registry (typescript-eslint style): every transform is registered, named and documented. */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { transforms } from '../transforms/index.js';
import { examples } from './helpers/examples.js';
import { projectRoot } from './helpers/paths.js';

const transformsDir = join(projectRoot, 'transforms');
const transformFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return transformFiles(path);
    // index.ts lists the transforms, ecosystems.ts the ecosystems the neutral ones ask
    const registries = [join(transformsDir, 'index.ts'), join(transformsDir, 'ecosystems.ts')];
    return name.endsWith('.ts') && !registries.includes(path) ? [relative(transformsDir, path).replace(/\.ts$/, '')] : [];
  });

describe('registry', () => {
  test('ids are unique, <ecosystem>/<kebab-case>, and each id is its file path under transforms/', () => {
    const ids = transforms.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+\/[a-z0-9]+(-[a-z0-9]+)*$/);
    expect([...ids].sort()).toEqual(transformFiles(transformsDir).sort());
  });
  test.each(transforms.map((t) => [t.id, t] as const))('%s is documented', (id, t) => {
    expect(t.title.length).toBeGreaterThan(10);
    expect(t.title).not.toMatch(/\.$/);
    expect(t.rationale.length).toBeGreaterThan(20);
    expect(['safe', 'unsafe']).toContain(t.safety);
    expect(readFileSync(join(transformsDir, `${id}.ts`), 'utf8')).toMatch(/^\/\*\*/);
    expect(readFileSync(join(projectRoot, 'README.md'), 'utf8')).toContain(`\`${id}\``);
    expect(readFileSync(join(projectRoot, 'CHANGELOG.md'), 'utf8')).toContain(`\`${id}\``);
  });
  test.each(transforms.map((t) => [t.id] as const))('%s has examples that change something and examples that skip', (id) => {
    const mine = examples().filter((e) => e.transform === id);
    const changing = mine.filter((e) => readFileSync(join(e.dir, 'Dockerfile'), 'utf8') !== readFileSync(join(e.dir, 'Dockerfile.expected'), 'utf8') || existsSync(join(e.dir, 'expected-context')));
    expect(changing.length).toBeGreaterThan(0);
    expect(changing.length).toBeLessThan(mine.length);
  });
});
