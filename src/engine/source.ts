/** Facts about a Dockerfile's raw text that edits must respect: line endings, BOM, line starts. */
export interface SourceText {
  readonly text: string;
  /** The file's dominant line ending; new lines are written with it. */
  readonly eol: '\n' | '\r\n';
  readonly hasBom: boolean;
  /** Offset of the first character of each line (line 0 starts at 0). */
  readonly lineStarts: readonly number[];
}

export function sourceText(text: string): SourceText {
  const lineStarts = [0];
  let crlf = 0;
  let lf = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStarts.push(i + 1);
      if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
      else lf++;
    } else if (c === 13 && text.charCodeAt(i + 1) !== 10) {
      // a lone CR ends a line for dockerfile-ast (LSP rules), so it must for us too
      lineStarts.push(i + 1);
    }
  }
  return { text, eol: crlf > lf ? '\r\n' : '\n', hasBom: text.charCodeAt(0) === 0xfeff, lineStarts };
}

/** Zero-based line of an offset. */
export function lineOf(src: SourceText, offset: number): number {
  let lo = 0;
  let hi = src.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((src.lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function offsetOf(src: SourceText, pos: { line: number; character: number }): number {
  const start = src.lineStarts[pos.line];
  if (start === undefined) return src.text.length;
  return Math.min(start + pos.character, src.text.length);
}

/** Offset of the start of the line holding `offset`. */
export function lineStartAt(src: SourceText, offset: number): number {
  return src.lineStarts[lineOf(src, offset)] ?? 0;
}

/** Offset just past the line break that ends the line holding `offset` (or the end of the text). */
export function nextLineStartAt(src: SourceText, offset: number): number {
  return src.lineStarts[lineOf(src, offset) + 1] ?? src.text.length;
}

/** The text of a line without its line break. */
export function lineText(src: SourceText, line: number): string {
  return src.text.slice(src.lineStarts[line] ?? src.text.length, lineEnd(src, line));
}

/** The offset where a line's text ends, before its line break. */
export function lineEnd(src: SourceText, line: number): number {
  const start = src.lineStarts[line] ?? src.text.length;
  let end = src.lineStarts[line + 1] ?? src.text.length;
  // `\n`, `\r\n` or a lone `\r`, read without a pattern: asked for every line of every parse
  if (end > start && src.text.charCodeAt(end - 1) === 10) end--;
  if (end > start && src.text.charCodeAt(end - 1) === 13) end--;
  return end;
}
