/**
 * Bundles the `cachefix` command with esbuild, after tsc has compiled the library (dist/src/index.js
 * and its .d.ts stay tsc's, a module per file). A pre-commit hook starts the CLI on every commit, and
 * one file loads much faster than a hundred modules resolved one by one:
 *   dist/src/cachefix.cjs  the whole CLI (src/cli/bin.ts), CommonJS so that V8 can cache its compiled code
 *   dist/src/bin.cjs       the executable (src/cli/launcher.ts): runs cachefix.cjs from that code cache
 * `npm run build` runs this; bench/startup measures the result.
 *   node scripts/bundle.mjs [--outdir DIR]   (DIR: where tsc wrote, default dist; output goes to DIR/src)
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--outdir');
const outdir = join(resolve(at > 0 ? process.argv[at + 1] : join(root, 'dist')), 'src');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** Node's CommonJS wrapper (require('node:module').wrapper[0]); the launcher checks the bundle starts with it. */
const MODULE_WRAPPER = '(function (exports, require, module, __filename, __dirname) { ';

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  allowOverwrite: true,
  logLevel: 'warning',
  // no `module` condition: packages that ship ES modules beside CommonJS (vscode-languageserver-types,
  // which dockerfile-ast require()s from each of its files) then come as CommonJS, not as an ES module
  // namespace copied property by property into every file that requires it
  conditions: [],
};

/**
 * Source patches, each checked: a dependency upgrade that changes the patched text fails the build
 * instead of quietly losing the patch.
 *  - lilconfig reads `fs.promises` when it loads, which loads Node's fs/promises, readline and watcher
 *    modules (about a millisecond of every run) for its async API, which cachefix does not use.
 *  - Its sync search asks for each config name in each directory up to the root with accessSync,
 *    which throws (an Error with a stack) for each one missing: tens per run. existsSync answers the
 *    same (false for any failure) without throwing.
 */
const LILCONFIG = /[\\/]node_modules[\\/]lilconfig[\\/]src[\\/]index\.js$/;
const patches = [
  {
    file: LILCONFIG,
    from: 'const fsReadFileAsync = fs.promises.readFile;',
    to: 'const fsReadFileAsync = (...args) => fs.promises.readFile(...args);',
  },
  {
    file: LILCONFIG,
    from: 'try {\n\t\t\t\t\t\tfs.accessSync(filepath);\n\t\t\t\t\t} catch {\n\t\t\t\t\t\tcontinue;\n\t\t\t\t\t}',
    to: 'if (!fs.existsSync(filepath)) continue;',
  },
];
const patchPlugin = {
  name: 'cachefix-patches',
  setup(build) {
    const files = [...new Set(patches.map((p) => p.file))];
    for (const file of files) {
      build.onLoad({ filter: file }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        for (const patch of patches.filter((p) => p.file === file)) {
          if (text.split(patch.from).length !== 2) throw new Error(`${args.path}: no longer holds \`${patch.from}\` exactly once: update scripts/bundle.mjs`);
          text = text.replace(patch.from, patch.to);
        }
        return { contents: text, loader: 'js' };
      });
    }
  },
};

/**
 * Parsers that only some ecosystems need (pom.xml, Cargo.toml, pnpm-workspace.yaml and .yarnrc.yml)
 * are loaded on first use, not at start-up: a run over Go Dockerfiles never evaluates them. Our
 * modules' imports of them resolve to a stand-in whose exports load the package when first called
 * (esbuild wraps a `require`d module so that it runs then). Each entry lists the names our code
 * imports; the stand-in of a class constructs the real one.
 */
const LAZY_PACKAGES = {
  'fast-xml-parser': { classes: ['XMLParser'], objects: { XMLValidator: ['validate'] }, functions: [] },
  'smol-toml': { classes: [], objects: {}, functions: ['parse'] },
  yaml: { classes: [], objects: {}, functions: ['parse'] },
};
const lazyPackagesPlugin = {
  name: 'cachefix-lazy-packages',
  setup(build) {
    const names = Object.keys(LAZY_PACKAGES).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => (args.namespace === 'lazy' ? undefined : { path: args.path, namespace: 'lazy' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      const spec = LAZY_PACKAGES[args.path];
      const load = `let loaded;\nconst load = () => (loaded ??= require(${JSON.stringify(args.path)}));\n`;
      const classes = spec.classes.map((c) => `export function ${c}(...args) { return new (load().${c})(...args); }\n`);
      const functions = spec.functions.map((f) => `export function ${f}(...args) { return load().${f}(...args); }\n`);
      const objects = Object.entries(spec.objects).map(([o, methods]) => `export const ${o} = { ${methods.map((m) => `${m}: (...args) => load().${o}.${m}(...args)`).join(', ')} };\n`);
      return { contents: load + [...classes, ...functions, ...objects].join(''), loader: 'js', resolveDir: root };
    });
  },
};

await build({
  ...common,
  entryPoints: ['src/cli/bin.ts'],
  outfile: join(outdir, 'cachefix.cjs'),
  // Minified (under two thirds of the size) and pure ASCII, so the launcher reads it as Latin-1 into a
  // one-byte string: a smaller file is read, hashed and deserialized from V8's code cache faster.
  // An internal error's stack is read back through the source map beside it (src/cli/stack-map.ts).
  minify: true,
  sourcemap: 'external',
  sourcesContent: false,
  charset: 'ascii',
  // yargs (help and errors only) is ESM and finds its message translations next to its own files:
  // it stays in node_modules, imported on demand
  external: ['yargs', 'yargs/*'],
  plugins: [patchPlugin, lazyPackagesPlugin],
  // The file is the function src/cli/launcher.ts runs, written out: the launcher then hands V8 the text
  // as read, instead of a copy with Node's module wrapper around it. First in it the directive
  // (esbuild puts its own "use strict" after the banner, where it would not count).
  banner: { js: `${MODULE_WRAPPER}'use strict';\nvar __cachefixMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };` },
  footer: { js: '\n})' },
  define: {
    'import.meta.url': '__cachefixMeta.url',
    // the bundle's location says nothing about where package.json is (src/driver/version.ts)
    CACHEFIX_BUNDLED_VERSION: JSON.stringify(version),
  },
});

if (/[^\x00-\x7f]/.test(readFileSync(join(outdir, 'cachefix.cjs'), 'latin1'))) {
  throw new Error('dist/src/cachefix.cjs is not ASCII: src/cli/launcher.ts reads it as Latin-1');
}

// the launcher keys V8's code cache by the bundle's content: V8 itself checks only its length
const bundleHash = createHash('sha256').update(readFileSync(join(outdir, 'cachefix.cjs'))).digest('hex');
await build({
  ...common,
  entryPoints: ['src/cli/launcher.ts'],
  outfile: join(outdir, 'bin.cjs'),
  banner: { js: '#!/usr/bin/env node' },
  define: { CACHEFIX_BUNDLE_HASH: JSON.stringify(bundleHash), CACHEFIX_MODULE_WRAPPER: JSON.stringify(MODULE_WRAPPER) },
});

// what earlier builds wrote and nothing runs any more: the ESM bundle with its chunks
for (const stale of ['bin.js', 'bin.d.ts', 'chunks']) rmSync(join(outdir, stale), { recursive: true, force: true });
