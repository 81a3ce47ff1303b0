/**
 * The parse of a Dockerfile after edits, made from the parse before them: only the instructions the
 * edits touch are parsed again, and the rest are moved by what the edits added or removed. The fix
 * loop parses after every transform that changes the text, and dockerfile-ast's parse of a whole
 * file is most of what a small fix costs (a pre-commit hook pays it on every commit).
 *
 * Whenever the piece could read differently from the whole file (heredocs, lone carriage returns,
 * an escape before a blank, an edit at the parser directives, a line continuation at either end of
 * the piece, a comment where a directive could be read), the whole file is parsed instead. Tests
 * hold every reparse to the full parse.
 */
import { DockerfileParser } from 'dockerfile-ast';
import type { Edit } from './edits.js';
import { buildStages, type Instruction, type ParsedDockerfile, parseDockerfile, readInstructions } from './parse.js';
import { continuedLine, droppedLine } from './buildkit-lines.js';
import { lineOf, lineStartAt, type SourceText, sourceText } from './source.js';

/** The parse of `text`, which is `previous`'s text with `edits` (in its coordinates) applied. */
export function reparseDockerfile(previous: ParsedDockerfile, edits: readonly Edit[], text: string): ParsedDockerfile {
  return reparsedPiece(previous, edits, text) ?? parseDockerfile(text);
}

/** A reparse of the edited piece alone, or null when that could differ from a full parse (exported for tests). */
export function reparsedPiece(previous: ParsedDockerfile, edits: readonly Edit[], text: string): ParsedDockerfile | null {
  const old = previous.source;
  const all = previous.instructions;
  if (edits.length === 0 || !pieceable(old.text, previous.escapeChar) || !pieceable(text, previous.escapeChar)) return null;
  const lo = Math.min(...edits.map((e) => e.start));
  const hi = Math.max(...edits.map((e) => e.end));
  // at the directives' end an edit can still change them (a directive on the last line, a BOM)
  if (lo <= previous.directivesEnd) return null;

  // The piece: whole lines, from the first instruction the edits reach to the start of the line of
  // the first one after them, so that the lines between instructions go with it.
  let first = all.findIndex((i) => i.end >= lo);
  if (first < 0) first = all.length;
  let start = Math.min(lineStartAt(old, lo), first < all.length ? lineStartAt(old, all[first]?.start ?? 0) : Infinity);
  while (first > 0 && (all[first - 1]?.endLine ?? -1) >= lineOf(old, start)) {
    first--;
    start = lineStartAt(old, all[first]?.start ?? 0);
  }
  start = Math.max(start, previous.directivesEnd);
  let after = first;
  while (after < all.length && (all[after]?.start ?? 0) <= hi) after++;
  while (after < all.length && lineStartAt(old, all[after]?.start ?? 0) < hi) after++;
  const end = after < all.length ? lineStartAt(old, all[after]?.start ?? 0) : old.text.length;

  const delta = edits.reduce((sum, e) => sum + e.text.length - (e.end - e.start), 0);
  const source = sourceText(text);
  const piece = text.slice(start, end + delta);
  // the line after the piece must start where it ends (an edit may have taken the line break)
  if (end < old.text.length && text[end + delta - 1] !== '\n') return null;
  if (!closedAtBothEnds(source, start, end + delta, previous.escapeChar)) return null;
  if (/^\s*#/.test(piece)) return null; // a comment first could be read as a parser directive

  // Parsed behind the file's own directives (for the escape character), then moved into place.
  const prefix = text.slice(0, previous.directivesEnd);
  const pieceSource = sourceText(prefix + piece);
  const ast = DockerfileParser.parse(pieceSource.text);
  const fromsBefore = all.slice(0, first).filter((i) => i.keyword === 'FROM').length;
  const parsed = readInstructions(pieceSource, ast, previous.escapeChar, fromsBefore);
  if (parsed.instructions.some((i) => i.start < prefix.length)) return null;

  const offsetShift = start - prefix.length;
  const lineShift = lineOf(source, start) - lineOf(pieceSource, prefix.length);
  const moved = parsed.instructions.map((i) => moveInstruction(i, offsetShift, lineShift, 0));
  const oldEndLine = lineOf(old, end);
  const lineDelta = lineOf(source, end + delta) - oldEndLine;
  const fromDelta = moved.filter((i) => i.keyword === 'FROM').length - all.slice(first, after).filter((i) => i.keyword === 'FROM').length;
  const instructions = [
    ...all.slice(0, first),
    ...moved,
    ...all.slice(after).map((i) => moveInstruction(i, delta, lineDelta, fromDelta)),
  ];

  const oldStartLine = lineOf(old, start);
  const commentLines = new Set<number>();
  for (const line of previous.commentLines) if (line < oldStartLine) commentLines.add(line);
  const prefixLines = lineOf(pieceSource, prefix.length);
  for (const line of parsed.commentLines) if (line >= prefixLines) commentLines.add(line + lineShift);
  for (const line of previous.commentLines) if (line >= oldEndLine && end < old.text.length) commentLines.add(line + lineDelta);

  return {
    source,
    escapeChar: previous.escapeChar,
    directives: previous.directives,
    directivesEnd: previous.directivesEnd,
    instructions,
    stages: buildStages(instructions),
    commentLines,
  };
}

/**
 * Whether a file's text can be read in pieces at all. Not with `<<` anywhere (a heredoc, also under
 * ONBUILD, reaches over lines the piece may not hold), a carriage return alone (dockerfile-ast ends a
 * line there, and an edit can join it to the next), or the escape character before a blank or `#`
 * (dockerfile-ast continues a line that starts so inside a continuation, wherever it ends).
 */
function pieceable(text: string, escapeChar: '\\' | '`'): boolean {
  // each text is asked twice in a row: as the new text of one reparse and the old of the next
  if (lastPieceable?.text !== text || lastPieceable.escapeChar !== escapeChar) {
    lastPieceable = { text, escapeChar, answer: !text.includes('<<') && !/\r(?!\n)/.test(text) && !ESCAPE_BEFORE_BLANK[escapeChar].test(text) };
  }
  return lastPieceable.answer;
}
let lastPieceable: { readonly text: string; readonly escapeChar: string; readonly answer: boolean } | null = null;
const ESCAPE_BEFORE_BLANK = { '\\': /\\[ \t#]/, '`': /`[ \t#]/ };

/**
 * Neither end of the piece [start, end) of the new text is inside a line continuation: the last code
 * line before it, and the last code line in it, do not end with the escape character (Docker joins
 * such a line with the next code line, past comment and blank lines).
 */
function closedAtBothEnds(source: SourceText, start: number, end: number, escapeChar: string): boolean {
  const continues = (from: number, to: number): boolean => {
    for (let line = to; line >= from; line--) {
      if (droppedLine(source, line)) continue;
      return continuedLine(source, line, escapeChar);
    }
    return false;
  };
  const startLine = lineOf(source, start);
  if (startLine > 0 && continues(0, startLine - 1)) return false;
  // the piece ends at a line start (or the end of the text): its last line is the one before
  const lastLine = end >= source.text.length ? source.lineStarts.length - 1 : lineOf(source, end) - 1;
  return !continues(startLine, lastLine);
}

function moveInstruction(instruction: Instruction, offset: number, lines: number, stages: number): Instruction {
  if (offset === 0 && lines === 0 && stages === 0) return instruction;
  // written out field by field, as toInstruction builds them: a spread copy gets another hidden class
  // from V8, and code reading instructions would then meet two kinds of them
  return {
    keyword: instruction.keyword,
    rawKeyword: instruction.rawKeyword,
    start: instruction.start + offset,
    end: instruction.end + offset,
    keywordEnd: instruction.keywordEnd + offset,
    line: instruction.line + lines,
    endLine: instruction.endLine + lines,
    flags: offset === 0 ? instruction.flags : instruction.flags.map((f) => ({ name: f.name, value: f.value, start: f.start + offset, end: f.end + offset, options: f.options })),
    args: offset === 0 ? instruction.args : instruction.args.map((a) => ({ value: a.value, start: a.start + offset, end: a.end + offset })),
    argsStart: instruction.argsStart + offset,
    jsonForm: instruction.jsonForm,
    jsonValues: instruction.jsonValues,
    hasHeredoc: instruction.hasHeredoc,
    stage: instruction.stage + stages,
    onbuild: instruction.onbuild,
  };
}
