/** Colour decisions need a terminal, which a spawned process lacks: drive main() with a fake one. */
import { expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/cli.js';

async function diffOutput(tty: boolean, env: Record<string, string>, args: string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cachefix-colour-'));
  try {
    writeFileSync(join(dir, 'go.mod'), 'module x\n\nrequire example.com/dep v1.0.0\n');
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

test('a progress line on a terminal stderr for long runs, cleared at the end; none in a pipe', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cachefix-progress-'));
  try {
    for (let i = 0; i < 25; i++) writeFileSync(join(dir, `s${String(i).padStart(2, '0')}.Dockerfile`), 'FROM debian\nRUN echo hi\n');
    const run = async (stderrIsTTY: boolean) => {
      let stderr = '';
      await main(['.'], { stdout: () => undefined, stderr: (t) => { stderr += t; }, readStdin: async () => Buffer.alloc(0), stdoutIsTTY: false, stderrIsTTY, env: {}, cwd: dir });
      return stderr;
    };
    const tty = await run(true);
    expect(tty).toContain('\r\u001b[K[1/25] s00.Dockerfile');
    expect(tty).toContain('[25/25] s24.Dockerfile\r\u001b[Kcachefix: 25 files checked');
    expect(await run(false)).toBe('cachefix: 25 files checked, 0 would change (0 fixes, 0 skipped)\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
