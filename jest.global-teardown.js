/** Removes the code-cache directory jest.global-setup.js made for the tests' CLIs. */
import { rmSync } from 'node:fs';

export default function teardown() {
  const dir = process.env.XDG_CACHE_HOME;
  if (dir?.includes('cachefix-test-cache-')) rmSync(dir, { recursive: true, force: true });
}
