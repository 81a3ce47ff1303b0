/**
 * Finds the simple commands inside a shell-form RUN, with offsets in the Dockerfile's text.
 * Docker first joins continuation lines (dropping comment and blank lines inside them, inserting no
 * space), then hands the result to `/bin/sh -c`. We rebuild that logical text with a map back to the
 * source, parse it with unbash, and map every position back.
 */
import { forEachChild, parse, type Command, type SyntaxNode } from 'unbash';
import { codeStart } from '../engine/continuations.js';
import type { Instruction, ParsedDockerfile } from '../engine/parse.js';
import { type SimpleCommand, simpleCommand } from './simple-script.js';

export interface ShellWord {
  /** The word as written (quotes kept). */
  readonly text: string;
  /** The word after quote removal, when it has no expansions; otherwise the text. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export interface ShellAssignment {
  readonly name: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export interface ShellCommand {
  /** Command name and arguments, in order (`go`, `build`, `-o`, ...). */
  readonly words: readonly ShellWord[];
  /** `NAME=value` prefixes (`CGO_ENABLED=0 go build`). */
  readonly assignments: readonly ShellAssignment[];
  readonly start: number;
  readonly end: number;
}

export interface RunScript {
  /** The RUN could be read: shell form, no heredoc, no shell syntax errors. */
  readonly parsed: boolean;
  /** Why it could not be read, for skip messages. */
  readonly reason?: string;
  readonly commands: readonly ShellCommand[];
}

interface LogicalBody {
  readonly text: string;
  /** map[i] = source offset of logical character i; map[text.length] = source offset of the end. */
  readonly map: Readonly<Int32Array>;
}

/**
 * A per-instruction reading, remembered: several transforms read the same RUN of the same parse (the
 * fixer hands an unchanged parse on), and an instruction belongs to one parse, so it is the key.
 * Weak: the results go with the parse.
 */
export function perInstruction<T>(read: (doc: ParsedDockerfile, instruction: Instruction) => T): (doc: ParsedDockerfile, instruction: Instruction) => T {
  const known = new WeakMap<Instruction, T>();
  return (doc, instruction) => {
    const remembered = known.get(instruction);
    // one lookup on a hit (asked for every RUN by every transform); has() only for an undefined answer
    if (remembered !== undefined || known.has(instruction)) return remembered as T;
    const value = read(doc, instruction);
    known.set(instruction, value);
    return value;
  };
}

/** Shell parses by script text while sharingShellParses runs; null outside it. */
let sharedParses: Map<string, ShellSyntax> | null = null;

/** unbash's parse result (its syntax tree, and the errors it recovered from). */
export type ShellSyntax = ReturnType<typeof parse>;

/**
 * Runs `work` with shell parses shared by script text: after a rewrite the fixer re-parses the
 * Dockerfile, and every RUN the rewrite did not touch has the same script as before. Scoped to the
 * call, so memory does not grow from one file to the next.
 */
export function sharingShellParses<T>(work: () => T): T {
  if (sharedParses !== null) return work();
  sharedParses = new Map();
  try {
    return work();
  } finally {
    sharedParses = null;
  }
}

/** unbash's parse of a shell script (shared while sharingShellParses runs; never mutate it). */
export function parseShell(text: string): ShellSyntax {
  const known = sharedParses?.get(text);
  if (known !== undefined) return known;
  const script = parse(text);
  sharedParses?.set(text, script);
  return script;
}

/** Docker's view of the RUN arguments: continuations joined, comment and blank lines inside them dropped. */
export const logicalBody = perInstruction(readLogicalBody);

function readLogicalBody(doc: ParsedDockerfile, instruction: Instruction): LogicalBody {
  const src = doc.source.text;
  const esc = doc.escapeChar;
  const end = instruction.end;
  // the text between continuations is taken whole, not a character at a time
  const pieces: number[] = [];
  let kept = instruction.argsStart;
  let i = kept;
  while (i < end) {
    const escape = src.indexOf(esc, i);
    if (escape < 0 || escape >= end) break;
    const after = continuationEnd(src, escape + 1, end);
    if (after === null) {
      i = escape + 1;
      continue;
    }
    pieces.push(kept, escape);
    i = skipDroppedLines(src, after, end);
    kept = i;
  }
  if (kept < end) pieces.push(kept, end);
  // one typed array, sized once: a RUN of a few kilobytes made an array of numbers grown a push at a time
  let length = 0;
  for (let p = 0; p < pieces.length; p += 2) length += (pieces[p + 1] ?? 0) - (pieces[p] ?? 0);
  const map = new Int32Array(length + 1);
  let text = '';
  let at = 0;
  for (let p = 0; p < pieces.length; p += 2) {
    const from = pieces[p] ?? 0;
    const to = pieces[p + 1] ?? 0;
    text += src.slice(from, to);
    for (let k = from; k < to; k++) map[at++] = k;
  }
  map[at] = end;
  return { text, map };
}

/** If an escape at `i-1` is followed only by blanks and a line break, the offset after the break. */
function continuationEnd(src: string, i: number, end: number): number | null {
  let j = i;
  while (j < end && (src[j] === ' ' || src[j] === '\t')) j++;
  if (src[j] === '\r' && src[j + 1] === '\n') return j + 2;
  if (src[j] === '\n' || src[j] === '\r') return j + 1;
  if (j >= end) return j; // a trailing escape at the very end of the instruction
  return null;
}

/** Inside a continuation Docker drops lines that are blank or whose first non-blank character is `#`. */
function skipDroppedLines(src: string, from: number, end: number): number {
  let i = from;
  for (;;) {
    let j = i;
    while (j < end && (src[j] === ' ' || src[j] === '\t')) j++;
    const blank = j >= end || src[j] === '\n' || src[j] === '\r';
    if (!blank && src[j] !== '#') return i;
    if (j >= end) return j;
    while (j < end && src[j] !== '\n' && src[j] !== '\r') j++;
    if (src[j] === '\r' && src[j + 1] === '\n') j += 2;
    else if (j < end) j += 1;
    i = j;
  }
}

/** The commands of a RUN; a RUN we cannot read (JSON form, heredoc, syntax error) reports why. */
export const runScript = perInstruction(readRunScript);

function readRunScript(doc: ParsedDockerfile, instruction: Instruction): RunScript {
  if (instruction.onbuild) return { parsed: false, reason: 'ONBUILD trigger', commands: [] };
  if (instruction.hasHeredoc) return { parsed: false, reason: 'RUN uses a heredoc', commands: [] };
  if (instruction.jsonForm) return { parsed: false, reason: 'RUN is in exec (JSON) form', commands: [] };
  const body = logicalBody(doc, instruction);
  const at = (pos: number): number => body.map[Math.min(pos, body.map.length - 1)] ?? instruction.end;
  const simple = simpleCommand(body.text);
  if (simple !== null) return { parsed: true, commands: [fromSimple(simple, at)] };
  const script = parseShell(body.text);
  if (script.errors && script.errors.length > 0) {
    return { parsed: false, reason: `shell syntax not understood (${script.errors[0]?.message ?? 'error'})`, commands: [] };
  }
  if (script.source !== undefined) {
    // escaped-backtick scripts have positions in a decoded copy; we cannot map them back
    return { parsed: false, reason: 'shell script uses escaped backticks', commands: [] };
  }
  const commands: ShellCommand[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.type === 'Command') commands.push(toCommand(node, at));
    forEachChild(node, visit);
  };
  visit(script);
  commands.sort((a, b) => a.start - b.start);
  return { parsed: true, commands };
}

function toCommand(node: Command, at: (pos: number) => number): ShellCommand {
  const words: ShellWord[] = [];
  const assignments: ShellAssignment[] = [];
  if (node.name) words.push(toWord(node.name, at));
  for (const arg of node.suffix) {
    if (arg.type === 'Word') words.push(toWord(arg, at));
    else if (arg.type === 'Assignment') words.push({ text: arg.text, value: arg.text, start: at(arg.pos), end: at(arg.end - 1) + 1 });
  }
  for (const prefix of node.prefix) {
    if (prefix.type === 'Assignment') {
      const value = prefix.value.type === 'Word' ? prefix.value.value : '';
      assignments.push({ name: prefix.name, value, start: at(prefix.pos), end: at(prefix.end - 1) + 1 });
    }
  }
  return { words, assignments, start: at(node.pos), end: at(node.end - 1) + 1 };
}

/** A plain-word command (src/shell/simple-script.ts) as unbash's reading would give it: no quotes, so value is text. */
function fromSimple(command: SimpleCommand, at: (pos: number) => number): ShellCommand {
  const words = command.words.map((w) => toWord({ text: w.text, value: w.text, pos: w.start, end: w.end }, at));
  const assignments = command.assignments.map((a) => ({ name: a.name, value: a.value, start: at(a.start), end: at(a.end - 1) + 1 }));
  const first = command.assignments[0] ?? command.words[0];
  const last = command.words.at(-1);
  return { words, assignments, start: at(first?.start ?? 0), end: at((last?.end ?? 1) - 1) + 1 };
}

function toWord(word: { text: string; value: string; pos: number; end: number }, at: (pos: number) => number): ShellWord {
  return { text: word.text, value: word.value, start: at(word.pos), end: at(word.end - 1) + 1 };
}

/** Whether only `&&` joins two commands (across continuations and the lines Docker drops there). */
export function joinedByAnd(doc: ParsedDockerfile, from: number, to: number): boolean {
  const { text } = doc.source;
  const and = codeStart(text, doc.escapeChar, from, to);
  return text.startsWith('&&', and) && codeStart(text, doc.escapeChar, and + 2, to) === to;
}

/** A command of a script read outside a RUN (`sh -c '…'`, a Makefile recipe): values only, no offsets. */
export interface ScriptCommand {
  readonly words: readonly string[];
  readonly assignments: readonly { readonly name: string; readonly value: string }[];
}

/** The simple commands of a shell script given as text, in order, or null when it does not parse. */
export function scriptCommands(text: string): ScriptCommand[] | null {
  const simple = simpleCommand(text);
  if (simple !== null) return [{ words: simple.words.map((w) => w.text), assignments: simple.assignments.map((a) => ({ name: a.name, value: a.value })) }];
  const script = parseShell(text);
  if ((script.errors && script.errors.length > 0) || script.source !== undefined) return null;
  const commands: { pos: number; command: ScriptCommand }[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.type === 'Command') {
      const command = toCommand(node, (pos) => pos);
      commands.push({ pos: node.pos, command: { words: command.words.map((w) => w.value), assignments: command.assignments.map((a) => ({ name: a.name, value: a.value })) } });
    }
    forEachChild(node, visit);
  };
  visit(script);
  return commands.sort((a, b) => a.pos - b.pos).map((c) => c.command);
}
