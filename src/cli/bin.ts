import { fstatSync, readFileSync, statSync, writeSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { main } from './cli.js';
import { originalStack } from './stack-map.js';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Output straight to the file descriptor: process.stdout and process.stderr load Node's stream, net
 * and tty modules, a few milliseconds of every hook run. A descriptor someone made non-blocking can
 * refuse a write (EAGAIN): from then on the stream takes the rest, in order.
 * A reader that went away (`cachefix | head`) is not our failure: stop printing to it, finish the
 * work (the --write run still writes every file) and keep the exit code, instead of dying with an
 * EPIPE stack trace and exit 1, which means "would change" here.
 */
function printer(fd: 1 | 2, stream: () => NodeJS.WriteStream): (text: string) => void {
  let mode: 'direct' | 'stream' | 'closed' = 'direct';
  const toStream = (data: Uint8Array | string): void => {
    if (mode !== 'stream') {
      mode = 'stream';
      stream().on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        mode = 'closed';
      });
    }
    stream().write(data);
  };
  return (text) => {
    if (mode === 'closed') return;
    if (mode === 'stream') return toStream(text);
    let rest = Buffer.from(text);
    try {
      while (rest.length > 0) rest = rest.subarray(writeSync(fd, rest));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') mode = 'closed';
      else if (code === 'EAGAIN') toStream(rest);
      else throw error;
    }
  };
}

/** isatty without the tty module (see printer): a character device that is not /dev/null. */
function isTerminal(fd: 1 | 2): boolean {
  if (process.platform === 'win32') return (fd === 1 ? process.stdout : process.stderr).isTTY === true;
  try {
    const info = fstatSync(fd);
    return info.isCharacterDevice() && info.rdev !== statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/** The working directory, or null when it was removed (relative paths then mean nothing). */
function workingDirectory(): string | null {
  try {
    return process.cwd();
  } catch {
    return null;
  }
}

const cwd = workingDirectory();
const stderr = printer(2, () => process.stderr);
if (cwd === null) {
  // exit 2, not Node's 1 for an uncaught error, which --check uses for "would change"
  stderr('cachefix: the current directory no longer exists\n');
  process.exitCode = 2;
} else {
  run(cwd);
}

// argv[0] is node and argv[1] this script (yargs's hideBin, without loading yargs for a plain run);
// no top-level await: the bundle is CommonJS, for V8's code cache (src/cli/launcher.ts)
function run(cwd: string): void {
  void main(process.argv.slice(2), {
    stdout: printer(1, () => process.stdout),
    stderr,
    readStdin,
    stdoutIsTTY: isTerminal(1),
    stderrIsTTY: isTerminal(2),
    env: process.env,
    cwd,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // a bug, not "would change" (exit 1): say so, with the stack for the report
      process.stderr.write(`cachefix: internal error: ${error instanceof Error ? readableStack(error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

/** The stack in source positions, through the bundle's source map (scripts/bundle.mjs writes it beside it). */
function readableStack(stack: string): string {
  try {
    const bundle = fileURLToPath(import.meta.url);
    const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    return originalStack(stack, bundle, (line, column) => map.findEntry(line, column));
  } catch {
    return stack; // no map (a hand-made copy of the bundle): the minified positions still say something
  }
}
