/**
 * RUN scripts that are one simple command of plain words (`go mod download`,
 * `CGO_ENABLED=0 go build -o /app/main .`), read without unbash: its first parse in a process costs
 * a hook run about half a millisecond, and such scripts are common. Anything a shell could read in
 * more than one way (quotes, escapes, expansions, operators, globs, comments, reserved words, line
 * breaks) is left to unbash. A property test holds this reading to unbash's.
 */

export interface SimpleWord {
  readonly text: string;
  /** Offsets in the script text. */
  readonly start: number;
  readonly end: number;
}

export interface SimpleAssignment extends SimpleWord {
  readonly name: string;
  readonly value: string;
}

export interface SimpleCommand {
  /** The command name and its arguments. */
  readonly words: readonly SimpleWord[];
  /** `NAME=value` words before the command name. */
  readonly assignments: readonly SimpleAssignment[];
}

/** Characters with no meaning to the shell in any position of a word. */
const PLAIN_WORD = /^[A-Za-z0-9_./:@%+,=-]+$/;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
/** `NAME+=value`: an appending assignment in front of a command (unbash reads it so, as bash does). */
const APPEND = /^[A-Za-z_][A-Za-z0-9_]*\+=/;
/** Words the shell reads as syntax in command position (and `in`, `do` and the like after it). */
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select', 'while', 'until', 'do', 'done', 'in', 'function', 'time', 'coproc']);

/** The script as one simple command of plain words, or null when unbash must read it. */
export function simpleCommand(script: string): SimpleCommand | null {
  const all: SimpleWord[] = [];
  for (const match of script.matchAll(/[^ \t]+/g)) {
    const text = match[0];
    if (!PLAIN_WORD.test(text) || RESERVED.has(text) || APPEND.test(text)) return null;
    const start = match.index ?? 0;
    all.push({ text, start, end: start + text.length });
  }
  let first = 0;
  const assignments: SimpleAssignment[] = [];
  for (; first < all.length; first++) {
    const word = all[first] as SimpleWord;
    const assignment = ASSIGNMENT.exec(word.text);
    if (assignment === null) break;
    assignments.push({ ...word, name: assignment[1] ?? '', value: assignment[2] ?? '' });
  }
  const words = all.slice(first);
  return words.length === 0 ? null : { words, assignments };
}
