/** Colour decisions need a terminal, which a spawned process lacks: drive main() with a fake one. */
import { expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli.js';

async function diffOutput(tty: boolean, env: Record<string, string>, args: string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cachefix-colour-'));
  try {
    writeFileSync(join(dir, 'go.mod'), 'module x\n');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM golang:1.19\nCOPY . .\nRUN go build .\n');
    let stdout = '';
    await main(['-q', ...args], { stdout: (t) => { stdout += t; }, stderr: () => undefined, readStdin: async () => Buffer.alloc(0), stdoutIsTTY: tty, env, cwd: dir });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('colour on a terminal, none in a pipe, none with NO_COLOR, and the flags override both', async () => {
  expect(await diffOutput(true, {})).toContain('\u001b[32m+COPY go.mod ./');
  expect(await diffOutput(false, {})).not.toContain('\u001b[');
  expect(await diffOutput(true, { NO_COLOR: '1' })).not.toContain('\u001b[');
  expect(await diffOutput(true, {}, ['--no-color'])).not.toContain('\u001b[');
  expect(await diffOutput(false, { NO_COLOR: '1' }, ['--color'])).toContain('\u001b[');
});
