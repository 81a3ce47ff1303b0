/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP during `--write` take effect between two files, never in
 * the middle of writing one, so an interrupted run leaves no temporary file and no half-written
 * fix (a Dockerfile rewritten but its .dockerignore not). SIGKILL cannot be deferred; the atomic
 * write covers it.
 */

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface Interrupts {
  /** The first deferred signal received so far, if any. */
  received(): NodeJS.Signals | null;
  /** Stops deferring; a signal received meanwhile is raised again, with its usual effect. */
  release(): Promise<void>;
}

export function deferInterrupts(): Interrupts {
  let received: NodeJS.Signals | null = null;
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of SIGNALS) {
    // a program using the library that handles the signal itself keeps doing so
    if (process.listenerCount(signal) > 0) continue;
    const handler = (): void => {
      received ??= signal;
    };
    process.on(signal, handler);
    handlers.set(signal, handler);
  }
  return {
    received: () => received,
    release: async () => {
      // a signal that came during the last file reaches its handler only after a turn or two of the event loop
      await nextTurn();
      await nextTurn();
      for (const [signal, handler] of handlers) process.off(signal, handler);
      if (received === null || !handlers.has(received)) return;
      // output to a pipe may still be queued, and dying by the signal would drop it
      await Promise.race([Promise.all([drained(process.stdout), drained(process.stderr)]), sleep(DRAIN_MS)]);
      // with no handler left, the signal has its default effect: the process ends as killed by it
      process.kill(process.pid, received);
    },
  };
}

/** How long a stopped run waits for a reader that does not read before it goes anyway. */
const DRAIN_MS = 2000;

function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Lets the event loop run once: deferred signals are handled at these points. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
