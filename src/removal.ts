/**
 * Edits that delete one token of an instruction (a flag, a command word, an ENV pair), one command of
 * an `&&` chain, or a whole instruction, while the rest keeps its layout: no line is left holding only
 * a continuation, no continuation is left dangling into the next instruction, and comment lines inside
 * a continuation survive (Docker drops them from the instruction, so they may move out of it).
 */
import { afterBreak, codeStart, nextBreak } from './continuations.js';
import type { Edit } from './edits.js';
import type { Instruction, ParsedDockerfile } from './parse.js';
import { lineStartAt } from './source.js';
import { instructionBlock } from './style.js';

/** A half-open source range [start, end). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** What lies between two tokens: blanks on one line, or blanks, continuations and dropped lines. */
interface Gap {
  readonly kind: 'blanks' | 'continued' | 'other';
  /** Comment lines inside the gap (without their line breaks), which Docker drops from the instruction. */
  readonly comments: readonly string[];
}

function gapBetween(doc: ParsedDockerfile, from: number, to: number): Gap {
  const text = doc.source.text;
  const esc = doc.escapeChar;
  const comments: string[] = [];
  let i = from;
  let continued = false;
  const skipBlanks = () => {
    while (i < to && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  for (;;) {
    skipBlanks();
    if (i >= to) return { kind: continued ? 'continued' : 'blanks', comments };
    if (text[i] !== esc) return { kind: 'other', comments };
    let j = i + 1;
    while (j < to && (text[j] === ' ' || text[j] === '\t')) j++;
    if (text[j] === '\r' && text[j + 1] === '\n') j += 2;
    else if (text[j] === '\n') j += 1;
    else return { kind: 'other', comments };
    continued = true;
    i = j;
    // the lines Docker drops inside a continuation: blank ones and comments
    for (;;) {
      let k = i;
      while (k < to && (text[k] === ' ' || text[k] === '\t')) k++;
      if (k >= to) break;
      if (text[k] === '#') {
        const lineEnd = nextBreak(text, k, to);
        comments.push(text.slice(i, lineEnd));
        i = afterBreak(text, lineEnd, to);
      } else if (text[k] === '\n' || text[k] === '\r') {
        i = afterBreak(text, k, to);
      } else break;
    }
  }
}

/**
 * Deletes `token` from an instruction whose neighbouring tokens are `previous` and `next` (null when
 * the token is the first after the keyword, or the last). In order of preference:
 *   `A TOKEN B` → `A B`; a token alone on a continuation line → that whole line;
 *   `KW TOKEN \⏎  B` → `KW B`; `A \⏎  TOKEN` → `A` (comment lines in between stay where they are).
 */
export function removeTokenEdits(doc: ParsedDockerfile, token: Span, previous: Span | null, next: Span | null): Edit[] {
  const text = doc.source.text;
  const before = previous ? gapBetween(doc, previous.end, token.start) : null;
  const after = next ? gapBetween(doc, token.end, next.start) : null;
  if (previous && before?.kind === 'blanks') return [{ start: previous.end, end: token.end, text: '' }];
  if (next && after?.kind === 'blanks') return [{ start: token.start, end: next.start, text: '' }];

  const lineStart = lineStartAt(doc.source, token.start);
  const startsLine = /^[ \t]*$/.test(text.slice(lineStart, token.start)) && lineStart > 0;
  const continuation = new RegExp(`^[ \\t]*${escapeRegex(doc.escapeChar)}[ \\t]*(\\r?\\n)`).exec(text.slice(token.end));
  if (startsLine && continuation) return [{ start: lineStart, end: token.end + continuation[0].length, text: '' }];
  if (next && after?.kind === 'continued' && after.comments.length === 0) return [{ start: token.start, end: next.start, text: '' }];

  if (previous && before?.kind === 'continued') {
    if (before.comments.length === 0) return [{ start: previous.end, end: token.end, text: '' }];
    const restOfLine = text.slice(token.end, nextBreak(text, token.end, text.length));
    if (startsLine && /^[ \t]*$/.test(restOfLine)) {
      // end the instruction at `previous` (drop its continuation) and drop the token's own line,
      // so the comment lines in between stay as they are, now outside the instruction
      const escapeAt = text.indexOf(doc.escapeChar, previous.end);
      const breakBefore = lineStart - (text[lineStart - 2] === '\r' ? 2 : 1);
      return [
        { start: previous.end, end: escapeAt + 1, text: '' },
        { start: breakBefore, end: token.end, text: '' },
      ];
    }
  }
  let end = token.end;
  while (text[end] === ' ' || text[end] === '\t') end++;
  return [{ start: token.start, end, text: '' }];
}

/**
 * Deletes one command of a chain joined by `&&` (`previous && command && next`), with one `&&`:
 * the one after it when there is a next command, else the one before it.
 */
export function removeChainedCommandEdit(doc: ParsedDockerfile, command: Span, previous: Span | null, next: Span | null): Edit {
  const text = doc.source.text;
  if (next) {
    const afterAnd = codeStart(doc.source.text, doc.escapeChar, command.end, next.start) + 2;
    const rest = gapBetween(doc, afterAnd, next.start);
    if (rest.comments.length === 0) return { start: command.start, end: next.start, text: '' };
    let end = afterAnd;
    while (text[end] === ' ' || text[end] === '\t') end++;
    return { start: command.start, end, text: '' };
  }
  if (!previous) return { start: command.start, end: command.end, text: '' };
  const and = codeStart(doc.source.text, doc.escapeChar, previous.end, command.start);
  const comments = [...commentsIn(doc, previous.end, and), ...commentsIn(doc, and + 2, command.start)];
  const eol = doc.source.eol;
  return { start: previous.end, end: command.end, text: comments.map((c) => `${eol}${c}`).join('') };
}

function commentsIn(doc: ParsedDockerfile, from: number, to: number): readonly string[] {
  return gapBetween(doc, from, to).comments;
}

/**
 * Deletes an instruction with the comment lines attached above it. A file without a final line break
 * keeps having none; when blank lines surround the instruction, one of them goes too.
 */
export function removeInstructionEdit(doc: ParsedDockerfile, instruction: Instruction): Edit {
  const text = doc.source.text;
  const block = instructionBlock(doc, instruction);
  let { start, end } = block;
  if (!/[\r\n]$/.test(text.slice(start, end))) {
    // the last line of a file without a final line break: take the line break before it instead
    if (start > 0 && text[start - 1] === '\n') start -= text[start - 2] === '\r' ? 2 : 1;
    return { start, end, text: '' };
  }
  const blankLine = /^[ \t]*(\r?\n)/;
  const previousLineStart = start > 0 ? lineStartAt(doc.source, start - 1) : -1;
  const blankBefore = previousLineStart < 0 || /^[ \t]*\r?\n$/.test(text.slice(previousLineStart, start));
  const following = blankLine.exec(text.slice(end));
  if (blankBefore && following) end += following[0].length;
  return { start, end, text: '' };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
