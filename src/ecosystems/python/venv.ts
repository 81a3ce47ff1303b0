/**
 * Virtual environments in Dockerfiles: a RUN creating one (`python -m venv /opt/venv`, `virtualenv`,
 * `uv venv`), and where an installer puts packages (`--target`, `--prefix`, a project `.venv`). A
 * rewrite that installs before the source COPY must not let that COPY land on them: a `.venv` in the
 * context copied over the image's would replace what was installed.
 */
import type { ShellCommand } from '../../shell/shell.js';

const PYTHON_NAME = /^(?:.*\/)?python(?:3(?:\.\d+)?)?$/;

/** The directory a command creates a virtual environment in, as written, or null. */
export function createdVenv(command: ShellCommand): string | null {
  const words = command.words.map((w) => w.value);
  const name = words[0] ?? '';
  let args: string[] | null = null;
  if (PYTHON_NAME.test(name)) {
    const m = words.indexOf('-m');
    if (m > 0 && (words[m + 1] === 'venv' || words[m + 1] === 'virtualenv')) args = words.slice(m + 2);
  } else if (/^(?:.*\/)?virtualenv$/.test(name)) args = words.slice(1);
  else if (/^(?:.*\/)?uv$/.test(name) && words[1] === 'venv') return words.slice(2).find((w) => !w.startsWith('-')) ?? '.venv';
  if (args === null) return null;
  // `--prompt x` is the one common option with a value
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    if (word === '--prompt' || word === '-p' || word === '--python') i++;
    else if (!word.startsWith('-')) return word;
  }
  return null;
}

/** The virtual environment a PATH puts first (`/opt/venv/bin:$PATH` → `/opt/venv`), or null. */
export function venvOnPath(path: string | null | undefined): string | null {
  const first = (path ?? '').split(':')[0] ?? '';
  const match = /^(\/.+)\/bin\/?$/.exec(first);
  return match && !/^\/(usr|usr\/local|bin|sbin|usr\/sbin|usr\/local\/sbin)$/.test(match[1] ?? '') ? (match[1] ?? null) : null;
}
