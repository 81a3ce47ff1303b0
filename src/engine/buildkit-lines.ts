/**
 * Where BuildKit starts each instruction, checked against dockerfile-ast. The two join continued
 * lines differently in corners (an escape followed by blanks, a comment line right after
 * `RUN \`), and a rewrite planned on
 * dockerfile-ast's reading of such a file can break it for Docker: a RUN cut short and moved keeps
 * its dangling escape, which then swallows the next instruction. Pure.
 */
import type { ParsedDockerfile } from './parse.js';
import { lineEnd, lineOf, lineText, type SourceText } from './source.js';

/**
 * The first zero-based line where BuildKit and dockerfile-ast disagree on whether an instruction
 * starts there, or null when they agree on every line. Heredoc bodies are found as BuildKit finds
 * them (buildkitHeredocs): a `<<` inside quotes is no heredoc for it, though it is for dockerfile-ast,
 * which then swallows the rest of the file. A comment line inside a continuation
 * with the escape character in it (not just at its end) counts too: dockerfile-ast then misreads
 * the rest of the instruction (`COPY \⏎# C:\go⏎  --from=b /a /b` has no flags and one argument, `g`).
 */
export function instructionStartDisagreement(doc: ParsedDockerfile): number | null {
  const { lineStarts, text } = doc.source;
  const line = (i: number): string => lineText(doc.source, i);
  const byStartLine = new Map(doc.instructions.map((instruction) => [instruction.line, instruction]));

  const seen = new Set<number>();
  let i = lineOf(doc.source, doc.directivesEnd);
  while (i < lineStarts.length) {
    if (droppedLine(doc.source, i)) {
      i++;
      continue;
    }
    const instruction = byStartLine.get(i);
    if (instruction === undefined) return i;
    seen.add(i);
    const extent = logicalLine(doc.source, doc.escapeChar, i, false);
    if (extent.escapeInComment !== null) return extent.escapeInComment;
    let last = extent.last;
    // the joined line keeps a subset of the characters: without a `<` in them it opens no heredoc
    const lt = text.indexOf('<', lineStarts[i]);
    const joined = lt >= 0 && lt < (lineStarts[last + 1] ?? text.length) ? logicalLine(doc.source, doc.escapeChar, i).text : '';
    if (joined.includes('<<') && HEREDOC_KEYWORDS.has((/^\s*(\S+)/.exec(joined)?.[1] ?? '').toUpperCase())) {
      for (const heredoc of buildkitHeredocs(joined, doc.escapeChar)) {
        let end = last + 1;
        while (end < lineStarts.length && !heredoc.ends(line(end))) end++;
        if (end >= lineStarts.length) return i; // unterminated: BuildKit refuses the file
        last = end;
      }
    }
    i = last + 1;
  }
  for (const line of byStartLine.keys()) if (!seen.has(line)) return line;
  return null;
}

/** A line Docker drops inside a continuation: blank, or a comment. Read in place: asked for every line of every parse. */
export function droppedLine(source: SourceText, line: number): boolean {
  const { text } = source;
  const end = lineEnd(source, line);
  let k = source.lineStarts[line] ?? text.length;
  while (k < end && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
  return k >= end || text[k] === '#';
}

/** Whether a line ends with the escape character, blanks after it allowed, read in place. */
export function continuedLine(source: SourceText, line: number, escapeChar: string): boolean {
  const { text } = source;
  const start = source.lineStarts[line] ?? text.length;
  let end = lineEnd(source, line);
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return end > start && text[end - 1] === escapeChar;
}

/**
 * The instruction starting on line `first` as BuildKit joins it: a line ending in the escape
 * (blanks after it allowed) goes on past comment and blank lines. Also where a comment line inside
 * it holds the escape character (see escapeInside), which dockerfile-ast misreads. Without `join`,
 * only where it ends (the text is left empty).
 */
export function logicalLine(source: SourceText, escapeChar: string, first: number, join = true): { text: string; last: number; escapeInComment: number | null } {
  const count = source.lineStarts.length;
  let last = first;
  let text = join ? lineText(source, first) : '';
  let escapeInComment: number | null = null;
  while (continuedLine(source, last, escapeChar) && last + 1 < count) {
    last++;
    while (last + 1 < count && droppedLine(source, last)) {
      if (escapeInComment === null && escapeInside(lineText(source, last), escapeChar)) escapeInComment = last;
      last++;
    }
    if (join) text = withoutTrailingBlanks(text).slice(0, -1) + lineText(source, last);
  }
  return { text, last, escapeInComment };
}

/**
 * `line` without the spaces and tabs at its end. A loop, not `replace(/[ \t]+$/, '')`: the fixer
 * asks it for every line of every parse, and the pattern tries a match at each blank of the line.
 */
export function withoutTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
  return end === line.length ? line : line.slice(0, end);
}

/** The escape character somewhere in a line other than at its end (`# C:\go`, not `# deps \`). */
function escapeInside(line: string, escapeChar: string): boolean {
  const end = withoutTrailingBlanks(line);
  return (end.endsWith(escapeChar) ? end.slice(0, -1) : end).includes(escapeChar);
}

/** The instructions BuildKit looks for heredocs in (canContainHeredoc). */
export const HEREDOC_KEYWORDS: ReadonlySet<string> = new Set(['RUN', 'COPY', 'ADD']);

export interface BuildkitHeredoc {
  readonly name: string;
  /** Whether a line ends this heredoc: its name, alone (after leading tabs, with `<<-`). */
  readonly ends: (line: string) => boolean;
}

/**
 * The heredocs BuildKit opens on an instruction's logical line (continuations joined): words, split
 * the shell's way with quotes and escapes kept (one quoted string is one word), that are
 * `<<NAME`, `<<-NAME`, `<<"NAME"` or `2<<NAME` whole (BuildKit's `^(\d*)<<(-?)([^<]*)$`).
 * `python -c "print(1 <<3)"` and `echo \<<EOF` open none.
 */
export function buildkitHeredocs(line: string, escapeChar: string): BuildkitHeredoc[] {
  const heredocs: BuildkitHeredoc[] = [];
  for (const word of shellWords(line, escapeChar)) {
    const match = /^\d*<<(-?)([^<]*)$/.exec(word);
    if (!match || match[2] === '' || match[2] === undefined) continue;
    const name = match[2].replace(/^(["'])(.*)\1$/, '$2');
    const chomp = match[1] === '-';
    heredocs.push({ name, ends: (text) => (chomp ? text.replace(/^\t+/, '') : text) === name });
  }
  return heredocs;
}

/** Blank-separated words; quoted parts and escaped characters stay in their word, as written. */
function shellWords(line: string, escapeChar: string): string[] {
  const words: string[] = [];
  let word = '';
  let started = false;
  for (let k = 0; k < line.length; k++) {
    const c = line[k] ?? '';
    if (c === ' ' || c === '\t') {
      if (started) words.push(word);
      word = '';
      started = false;
      continue;
    }
    started = true;
    if (c === escapeChar) {
      word += c + (line[k + 1] ?? '');
      k++;
    } else if (c === "'" || c === '"') {
      // to the closing quote; inside double quotes the escape still escapes
      let end = k + 1;
      while (end < line.length && line[end] !== c) end += c === '"' && line[end] === escapeChar ? 2 : 1;
      word += line.slice(k, end + 1);
      k = end;
    } else word += c;
  }
  if (started) words.push(word);
  return words;
}
