/**
 * The dependency rule (.dependency-cruiser.cjs, CONTRIBUTING.md): the project's own tree keeps it, and
 * a wrong arrow planted in a tree of the same layout is reported under the rule it breaks.
 */
import { afterAll, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { projectRoot } from './helpers/paths.js';

const config = createRequire(import.meta.url)(join(projectRoot, '.dependency-cruiser.cjs')) as IConfiguration;

async function violations(baseDir: string, tsConfig: string): Promise<string[]> {
  const result = await cruise(['src', 'transforms'], {
    ruleSet: { forbidden: config.forbidden },
    validate: true,
    baseDir,
    tsPreCompilationDeps: true,
    exclude: { path: '^(node_modules|dist)' },
    doNotFollow: { path: 'node_modules' },
  }, {}, { tsConfig: { fileName: tsConfig } });
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

test('the project keeps the dependency rule', async () => {
  expect(await violations(projectRoot, join(projectRoot, 'tsconfig.json'))).toEqual([]);
}, 60_000);

const planted = mkdtempSync(join(tmpdir(), 'cachefix-deps-'));
afterAll(() => rmSync(planted, { recursive: true, force: true }));

test('a planted wrong import fails under the rule it breaks', async () => {
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
    'package.json': JSON.stringify({ type: 'module' }),
    // the engine reaching up into a transform and an ecosystem
    'src/engine/fixer.ts': "import { t } from '../../transforms/go/trimpath.js';\nimport { g } from '../ecosystems/go/go.js';\nexport const f = [t, g];\n",
    'transforms/go/trimpath.ts': "export const t = 1;\n",
    // one ecosystem using another's knowledge
    'src/ecosystems/go/go.ts': "import { n } from '../node/npm.js';\nexport const g = n;\n",
    'src/ecosystems/node/npm.ts': "export const n = 1;\n",
    // a transform doing file I/O through the driver
    'transforms/node/cache-mount.ts': "import { run } from '../../src/driver/run.js';\nexport const c = run;\n",
    'src/driver/run.ts': "export const run = 1;\n",
    // the shared pattern mechanics reaching into one ecosystem's facts
    'src/patterns/cache-mount.ts': "import { n } from '../ecosystems/node/npm.js';\nexport const m = n;\n",
    // a cycle
    'src/shell/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
    'src/shell/b.ts': "import { a } from './a.js';\nexport const b = a;\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(planted, path)), { recursive: true });
    writeFileSync(join(planted, path), text);
  }
  expect(await violations(planted, join(planted, 'tsconfig.json'))).toEqual([
    'core-knows-no-ecosystem: src/engine/fixer.ts -> src/ecosystems/go/go.ts',
    'core-knows-no-ecosystem: src/engine/fixer.ts -> transforms/go/trimpath.ts',
    'ecosystem-stays-in-its-lane: src/ecosystems/go/go.ts -> src/ecosystems/node/npm.ts',
    'no-circular: src/shell/a.ts -> src/shell/b.ts',
    'patterns-know-no-ecosystem: src/patterns/cache-mount.ts -> src/ecosystems/node/npm.ts',
    'transforms-are-pure: transforms/node/cache-mount.ts -> src/driver/run.ts',
  ]);
}, 60_000);
