/** What the command line talks to: the process's streams, environment and directory, or a test's stand-ins. */
export interface Terminal {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<Buffer>;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}
