/**
 * Moving whole instructions: cut an instruction's lines (with the comments above it) and paste them
 * elsewhere byte for byte, and name an instruction in a message by its text rather than its line.
 */
import type { Edit } from './edits.js';
import { logicalBody } from '../shell/shell.js';
import type { Instruction, ParsedDockerfile } from './parse.js';
import { attachedCommentsStart, instructionBlock } from './style.js';

/**
 * Edits that move an instruction's whole lines (with the comments above it) to `at`, a line start
 * above it. When it is the last line of a file without a final newline, the line break before it
 * travels with it, so the file still ends without one. Removals are split so that every removed
 * piece is either a line break or text found in the insertion.
 */
export function moveAbove(doc: ParsedDockerfile, instruction: Instruction, at: number): Edit[] {
  const text = doc.source.text;
  const block = instructionBlock(doc, instruction);
  const lines = text.slice(block.start, block.end);
  if (/[\r\n]$/.test(lines)) return [{ start: at, end: at, text: lines }, { start: block.start, end: block.end, text: '' }];
  const before = /(\r\n|\n|\r)$/.exec(text.slice(0, block.start))?.[0] ?? '';
  return [
    { start: at, end: at, text: lines + before },
    { start: block.start - before.length, end: block.start, text: '' },
    { start: block.start, end: block.end, text: '' },
  ];
}

/**
 * moveAbove, and an instruction set off by a blank line above it keeps that separation: the blank
 * line goes with it, below it, rather than piling up with the one after it where it was.
 */
export function moveAboveWithBlankLine(doc: ParsedDockerfile, run: Instruction, at: number): Edit[] {
  const edits = moveAbove(doc, run, at);
  const block = instructionBlock(doc, run);
  const text = doc.source.text;
  // the line right above the block, when it is empty
  const starts = doc.source.lineStarts;
  const line = starts.indexOf(block.start);
  const above = line > 0 ? text.slice(starts[line - 1], block.start) : '';
  const blank = /^(\r\n|\n|\r)$/.test(above) ? above : undefined;
  if (blank === undefined || !/[\r\n]$/.test(text.slice(block.start, block.end)) || block.start - blank.length <= at) return edits;
  return [
    { start: at, end: at, text: text.slice(block.start, block.end) + blank },
    { start: block.start - blank.length, end: block.start, text: '' },
    { start: block.start, end: block.end, text: '' },
  ];
}

/**
 * Edits that move an instruction's whole lines (with the comments above it) right below `anchor`, a
 * later instruction. Below a last line without a final newline, the moved line break goes first.
 */
export function moveBelow(doc: ParsedDockerfile, instruction: Instruction, anchor: Instruction): Edit[] {
  const text = doc.source.text;
  const block = instructionBlock(doc, instruction);
  const lines = text.slice(block.start, block.end);
  const at = instructionBlock(doc, anchor).end;
  if (/[\r\n]$/.test(text.slice(0, at))) return [{ start: at, end: at, text: lines }, { start: block.start, end: block.end, text: '' }];
  const own = /(\r\n|\n|\r)$/.exec(lines)?.[0] ?? doc.source.eol;
  const body = lines.slice(0, lines.length - (/[\r\n]$/.test(lines) ? own.length : 0));
  return [
    { start: at, end: at, text: own + body },
    { start: block.start, end: block.start + body.length, text: '' },
    { start: block.start + body.length, end: block.end, text: '' },
  ];
}

/** Where to paste lines so they land above an instruction and the comments attached to it. */
export function pasteAbove(doc: ParsedDockerfile, instruction: Instruction): number {
  return Math.max(attachedCommentsStart(doc, instruction), doc.directivesEnd);
}

/**
 * An instruction named by its text (`COPY . .`, `ENV DEBIAN_FRONTEND=noninteractive`), shortened:
 * the engine reports skips from its last pass, when earlier moves may have shifted line numbers.
 */
export function describeInstruction(doc: ParsedDockerfile, instruction: Instruction): string {
  const flags = instruction.flags.filter((f) => f.name !== 'mount').map((f) => doc.source.text.slice(f.start, f.end));
  const oneLine = [...flags, logicalBody(doc, instruction).text.replace(/\s+/g, ' ').trim()].join(' ');
  return `${instruction.keyword} ${oneLine.length > 48 ? `${oneLine.slice(0, 45)}...` : oneLine}`;
}
