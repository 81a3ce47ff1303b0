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
  return tokenDeletions(doc, token, previous, next).flatMap((edit) => keepingComments(doc, edit));
}

function tokenDeletions(doc: ParsedDockerfile, token: Span, previous: Span | null, next: Span | null): Edit[] {
  const text = doc.source.text;
  const before = previous ? gapBetween(doc, previous.end, token.start) : null;
  const after = next ? gapBetween(doc, token.end, next.start) : null;
  if (previous && before?.kind === 'blanks') return [{ start: previous.end, end: token.end, text: '' }];
  if (next && after?.kind === 'blanks') return [{ start: token.start, end: next.start, text: '' }];

  const lineStart = lineStartAt(doc.source, token.start);
  const startsLine = /^[ \t]*$/.test(text.slice(lineStart, token.start)) && lineStart > 0;
  const continuation = new RegExp(`^[ \\t]*${escapeRegex(doc.escapeChar)}[ \\t]*(\\r?\\n)`).exec(text.slice(token.end));
  // the whole line, unless the next line starts without a blank: it could then join the text before
  // it (`ENV\⏎  A=1 \⏎B=2` must not become `ENV\⏎B=2`, which Docker reads as ENVB=2)
  const wholeLineEnd = continuation ? token.end + continuation[0].length : -1;
  if (startsLine && continuation && /^[ \t]/.test(text.slice(wholeLineEnd, wholeLineEnd + 1))) return [{ start: lineStart, end: wholeLineEnd, text: '' }];
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
 * the one after it when there is a next command, else the one before it. Comment lines inside the
 * deleted text survive (see keepingComments).
 */
export function removeChainedCommandEdits(doc: ParsedDockerfile, command: Span, previous: Span | null, next: Span | null): Edit[] {
  if (next) return keepingComments(doc, { start: command.start, end: next.start, text: '' });
  return keepingComments(doc, { start: previous ? previous.end : command.start, end: command.end, text: '' });
}

/**
 * A deletion inside an instruction, split so that the comment lines Docker drops inside continuations
 * in it survive, byte for byte. In the middle of an instruction they stay where they are, with one
 * continuation before them (a code line left holding only a continuation goes); at its end, where
 * no continuation may be left dangling, they follow the instruction as plain comment lines:
 *   `a && \⏎  # why⏎  go clean -cache && \⏎  b` → `a && \⏎  # why⏎  b`
 *   `a && \⏎  # why⏎  go clean -cache` → `a⏎  # why`
 */
function keepingComments(doc: ParsedDockerfile, edit: Edit): Edit[] {
  const runs = commentRuns(doc, edit.start, edit.end);
  if (edit.text !== '' || runs.length === 0) return [edit];
  const text = doc.source.text;
  const instruction = doc.instructions.find((i) => i.start <= edit.start && edit.end <= i.end);
  if (!instruction || codeStart(text, doc.escapeChar, edit.end, instruction.end) >= instruction.end) {
    const eol = doc.source.eol;
    return [{ ...edit, text: runs.flatMap((r) => r.comments).map((c) => `${eol}${c}`).join('') }];
  }
  const first = runs[0]!;
  const last = runs[runs.length - 1]!;
  const edits: Edit[] = [];
  const lineStart = lineStartAt(doc.source, edit.start);
  // the first code line: deleted whole when nothing of it would remain but the continuation
  if (lineStart > instruction.start && /^[ \t]*$/.test(text.slice(lineStart, edit.start))) edits.push({ start: lineStart, end: first.linesStart, text: '' });
  else edits.push({ start: edit.start, end: first.escape, text: '' });
  // code lines between comment lines go whole, continuation included: the previous one carries on
  for (let k = 1; k < runs.length; k++) edits.push({ start: runs[k - 1]!.end, end: runs[k]!.linesStart, text: '' });
  // the line the deletion ends on keeps its indentation
  const endLineStart = lineStartAt(doc.source, edit.end);
  let start = last.end;
  if (endLineStart <= last.end || !/^[ \t]*$/.test(text.slice(endLineStart, edit.end))) while (text[start] === ' ' || text[start] === '\t') start++;
  const end = endLineStart > last.end && /^[ \t]*$/.test(text.slice(endLineStart, edit.end)) ? endLineStart : edit.end;
  edits.push({ start, end, text: '' });
  return edits.filter((e) => e.end > e.start);
}

/** A continuation in [from, to) followed by dropped lines, at least one a comment, all inside [from, to). */
interface CommentRun {
  /** Offset of the escape character. */
  readonly escape: number;
  /** Offset just past its line break: the first dropped line. */
  readonly linesStart: number;
  /** Offset just past the last dropped line's line break. */
  readonly end: number;
  /** The comment lines, without their line breaks. */
  readonly comments: readonly string[];
}

function commentRuns(doc: ParsedDockerfile, from: number, to: number): CommentRun[] {
  const text = doc.source.text;
  const runs: CommentRun[] = [];
  for (let i = from; i < to; i++) {
    if (text[i] !== doc.escapeChar) continue;
    let j = i + 1;
    while (j < to && (text[j] === ' ' || text[j] === '\t')) j++;
    if (j >= to || (text[j] !== '\n' && text[j] !== '\r')) continue;
    const linesStart = afterBreak(text, j, to);
    const comments: string[] = [];
    let k = linesStart;
    for (;;) {
      let m = k;
      while (m < to && (text[m] === ' ' || text[m] === '\t')) m++;
      if (m >= to || (text[m] !== '#' && text[m] !== '\n' && text[m] !== '\r')) break;
      const lineEnd = nextBreak(text, m, to);
      if (lineEnd >= to) break; // the line runs past the deletion: not wholly inside it
      if (text[m] === '#') comments.push(text.slice(k, lineEnd));
      k = afterBreak(text, lineEnd, to);
    }
    if (comments.length > 0) runs.push({ escape: i, linesStart, end: k, comments });
    i = k - 1;
  }
  return runs;
}

/**
 * Deletes an instruction with the comment lines attached above it. A file without a final line break
 * keeps having none; when blank lines surround the instruction, one of them goes too.
 */
export function removeInstructionEdit(doc: ParsedDockerfile, instruction: Instruction): Edit {
  return removeInstructionsEdits(doc, [instruction])[0]!;
}

/**
 * Deletes several instructions, one edit each (in the order given), as removeInstructionEdit does.
 * Instructions whose blocks touch are one removal for the blank-line rule: removing `COPY go.mod ./`
 * and the `RUN go mod download` under it, between two blank lines, leaves one blank line, not two.
 */
export function removeInstructionsEdits(doc: ParsedDockerfile, instructions: readonly Instruction[]): Edit[] {
  const text = doc.source.text;
  const sorted = [...instructions].sort((a, b) => a.start - b.start);
  const edits = new Map<Instruction, Edit>(sorted.map((i) => [i, { ...instructionBlock(doc, i), text: '' }]));
  for (let first = 0; first < sorted.length; ) {
    let last = first;
    while (last + 1 < sorted.length && edits.get(sorted[last]!)!.end === edits.get(sorted[last + 1]!)!.start) last++;
    const head = sorted[first]!;
    const tail = sorted[last]!;
    const start = edits.get(head)!.start;
    const end = edits.get(tail)!.end;
    if (!/[\r\n]$/.test(text.slice(start, end))) {
      // the last line of a file without a final line break: take the line break before it instead
      if (start > 0 && text[start - 1] === '\n') edits.set(head, { ...edits.get(head)!, start: start - (text[start - 2] === '\r' ? 2 : 1) });
    } else {
      const previousLineStart = start > 0 ? lineStartAt(doc.source, start - 1) : -1;
      const blankBefore = previousLineStart < 0 || /^[ \t]*\r?\n$/.test(text.slice(previousLineStart, start));
      const following = /^[ \t]*(\r?\n)/.exec(text.slice(end));
      if (blankBefore && following) edits.set(tail, { ...edits.get(tail)!, end: end + following[0].length });
    }
    first = last + 1;
  }
  return instructions.map((i) => edits.get(i)!);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
