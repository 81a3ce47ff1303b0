/**
 * Docker's line continuations: an escape character followed only by blanks and a line break joins
 * the next line, and the blank and comment lines right after it are dropped from the instruction.
 */

/**
 * The first offset at or after `from` that Docker reads as part of the instruction: blanks,
 * continuations and the lines they drop are skipped.
 */
export function codeStart(text: string, escapeChar: string, from: number, limit: number): number {
  let i = from;
  for (;;) {
    while (i < limit && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= limit || text[i] !== escapeChar) return i;
    const end = nextBreak(text, i + 1, limit);
    if (end >= limit || !/^[ \t]*$/.test(text.slice(i + 1, end))) return i; // an escape, not a continuation
    i = afterBreak(text, end, limit);
    // dropped lines: blank ones and comments
    for (;;) {
      let k = i;
      while (k < limit && (text[k] === ' ' || text[k] === '\t')) k++;
      if (k < limit && text[k] === '#') i = afterBreak(text, nextBreak(text, k, limit), limit);
      else if (k < limit && (text[k] === '\n' || text[k] === '\r')) i = afterBreak(text, k, limit);
      else break;
    }
  }
}

/** The offset of the next line break at or after `from` (or `limit`). */
export function nextBreak(text: string, from: number, limit: number): number {
  let i = from;
  while (i < limit && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/** The offset just past the line break at `at` (CRLF counts as one). */
export function afterBreak(text: string, at: number, limit: number): number {
  if (text[at] === '\r' && text[at + 1] === '\n') return Math.min(at + 2, limit);
  if (at < limit) return at + 1;
  return at;
}
