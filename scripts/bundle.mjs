/**
 * Bundles the `cachefix` command (src/bin.ts) into dist/src/bin.js with esbuild, after tsc has
 * compiled the library (dist/src/index.js and its .d.ts stay tsc's, module per file). A pre-commit
 * hook starts the CLI on every commit, and one file loads much faster than a hundred modules
 * resolved one by one; what a plain run does not need (yargs for help and errors, `explain`) is
 * split into chunks loaded on demand. `npm run build` runs this; bench/startup measures the result.
 *   node scripts/bundle.mjs [--outdir DIR]   (DIR: where tsc wrote, default dist; the bin goes to DIR/src)
 */
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--outdir');
const outdir = join(resolve(at > 0 ? process.argv[at + 1] : join(root, 'dist')), 'src');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: { bin: 'src/bin.ts' },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // yargs (help and errors only) finds its message translations next to its own files: it stays
  // in node_modules and is imported from there, as before bundling
  external: ['yargs', 'yargs/*'],
  // CommonJS dependencies call require() for Node built-ins, and write-file-atomic reads __filename
  banner: {
    js: [
      "import { createRequire as __cachefixCreateRequire } from 'node:module';",
      "import { fileURLToPath as __cachefixFileURLToPath } from 'node:url';",
      'const require = __cachefixCreateRequire(import.meta.url);',
      'const __cachefixFilename = __cachefixFileURLToPath(import.meta.url);',
    ].join('\n'),
  },
  define: {
    __filename: '__cachefixFilename',
    // a chunk's location says nothing about where package.json is (src/version.ts)
    CACHEFIX_BUNDLED_VERSION: JSON.stringify(version),
  },
  allowOverwrite: true,
  metafile: true,
  logLevel: 'warning',
});

// chunk names carry a content hash: drop earlier builds' chunks, which nothing imports any more
// (afterwards, not before: tests running the CLI while `npm pack` rebuilds keep finding theirs)
const written = new Set(Object.keys(metafile.outputs).map((path) => basename(path)));
for (const name of readdirSync(join(outdir, 'chunks'))) {
  if (!written.has(name)) rmSync(join(outdir, 'chunks', name));
}
