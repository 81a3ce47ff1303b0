/**
 * The CLIs the tests start keep V8's code cache (src/cli/launcher.ts) in a directory of their own, not in
 * the user's ~/.cache: a cache is made by the first runs of a version, and the tests' odd runs (bad
 * files, --only, errors) would leave the user's own runs of that version slower.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup() {
  process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'cachefix-test-cache-'));
}
