import { main } from './cli.js';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A reader that went away (`cachefix | head`) is not our failure: stop printing to it, finish the
 * work (the --write run still writes every file) and keep the exit code, instead of dying with an
 * EPIPE stack trace and exit 1, which means "would change" here.
 */
function printer(stream: NodeJS.WriteStream): (text: string) => void {
  let open = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    open = false;
  });
  return (text) => {
    if (open) stream.write(text);
  };
}

// argv[0] is node and argv[1] this script (yargs's hideBin, without loading yargs for a plain run);
// no top-level await: the bundle is CommonJS, for V8's code cache (src/launcher.ts)
void main(process.argv.slice(2), {
  stdout: printer(process.stdout),
  stderr: printer(process.stderr),
  readStdin,
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // a bug, not "would change" (exit 1): say so, with the stack for the report
    process.stderr.write(`cachefix: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
