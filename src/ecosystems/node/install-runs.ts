/**
 * The project installs a RUN performs, with the directory each runs in when a `cd` before it in the
 * same RUN moves there (`cd frontend && npm ci`).
 */
import type { Instruction, ParsedDockerfile } from '../../engine/parse.js';
import { runScript, type ShellCommand } from '../../shell/shell.js';
import { type NodeInstall, nodeInstall } from './install-command.js';

export interface InstallInRun {
  readonly command: ShellCommand;
  readonly install: NodeInstall;
  /** Index of the command among the RUN's commands. */
  readonly index: number;
  /** The directory of a `cd` earlier in the RUN (as written), or null. */
  readonly cd: string | null;
}

/** The installs of a RUN (none when the RUN cannot be read). */
export function installsInRun(doc: ParsedDockerfile, run: Instruction): InstallInRun[] {
  if (run.keyword !== 'RUN') return [];
  const script = runScript(doc, run);
  if (!script.parsed) return [];
  const found: InstallInRun[] = [];
  let cd: string | null = null;
  script.commands.forEach((command, index) => {
    const words = command.words.map((w) => w.value);
    if (words[0] === 'cd') cd = words[1] ?? null;
    const install = nodeInstall(words);
    if (install !== null) found.push({ command, install, index, cd });
  });
  return found;
}

/** Whether a RUN's text may name a Node package manager in a way the reader misses (JSON form, heredoc). */
export function mentionsInstall(doc: ParsedDockerfile, run: Instruction): boolean {
  return /\b(npm|yarn|pnpm|bun)\b/.test(doc.source.text.slice(run.argsStart, run.end));
}
