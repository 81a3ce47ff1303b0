/**
 * dockerfile-ast splits an instruction's arguments again on every call of getArguments(), and its own
 * constructors call it three times for each RUN, COPY, CMD and the like (getRawArgumentsContent,
 * getFlags, getArguments), each time placing every argument with a binary search over the lines:
 * measured, half of a parse and a third of a whole fix. The split depends only on the instruction's
 * text, which never changes after the parse, so it is made once per instruction here and copied
 * out (ModifiableInstruction.getArguments shifts the flags off the array it gets).
 * FROM is left as it is: its getImageNameRange() and getRegistryRange() move the start and end of
 * the range its first argument holds, which a shared argument would carry into later calls.
 * Its BOM check encodes the first character with Buffer.from and copies the bytes with
 * Uint8Array.from, twice per parse; the first character is a BOM exactly when it is U+FEFF (UTF-8
 * is prefix-free), which is read directly here.
 * Every range it makes asks its text document for a line and column (positionAt), by a binary
 * search over the line starts, a fifth of a parse: it asks in order, mostly for the line it asked
 * for last, which is tried first here (positionAtFrom), with the same answer.
 * Importing this module installs all three; a library without these methods is left alone.
 */
import { type Argument, DockerfileParser, From, Instruction } from 'dockerfile-ast';
import { Util } from 'dockerfile-ast/lib/util.js';

type RawArguments = (this: Instruction) => Argument[];

/** The split, kept on the instruction itself: a WeakMap entry per instruction measured slower (and more for the collector). */
const SPLIT = Symbol('cachefix.rawArguments');

const prototype = Instruction.prototype as unknown as { getRawArguments?: RawArguments };
const split = prototype.getRawArguments;
if (typeof split === 'function') {
  prototype.getRawArguments = function memoized(this: Instruction): Argument[] {
    if (this instanceof From) return split.call(this);
    const holder = this as unknown as { [SPLIT]?: Argument[] };
    return (holder[SPLIT] ??= split.call(this)).slice();
  };
}

const util = Util as unknown as { isUTF8BOM?: (text: string) => boolean };
if (typeof util.isUTF8BOM === 'function') util.isUTF8BOM = (text: string): boolean => text.charCodeAt(0) === 0xfeff;

/** The text document dockerfile-ast makes (vscode-languageserver-textdocument's FullTextDocument), as far as used here. */
interface LineIndexedDocument {
  _content: string;
  getLineOffsets(): number[];
  ensureBeforeEOL(offset: number, lineOffset: number): number;
  positionAt(offset: number): { line: number; character: number };
  /** The line of the last answer. */
  cachefixLine?: number;
}

/**
 * vscode-languageserver-textdocument's positionAt, trying the line of the last answer before the
 * binary search (exported for the test that holds it to the original on every offset).
 */
export function positionAtFrom(this: LineIndexedDocument, at: number): { line: number; character: number } {
  const offset = Math.max(Math.min(at, this._content.length), 0);
  const lineOffsets = this.getLineOffsets();
  const count = lineOffsets.length;
  if (count === 0) return { line: 0, character: offset };
  let line = this.cachefixLine ?? 0;
  if (!(line < count && (lineOffsets[line] ?? 0) <= offset && (line + 1 === count || (lineOffsets[line + 1] ?? 0) > offset))) {
    let low = 0;
    let high = count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((lineOffsets[mid] ?? 0) > offset) high = mid;
      else low = mid + 1;
    }
    line = low - 1;
    this.cachefixLine = line;
  }
  const lineOffset = lineOffsets[line] ?? 0;
  return { line, character: this.ensureBeforeEOL(offset, lineOffset) - lineOffset };
}

// the class of the document dockerfile-ast itself makes: the package's ES module build, which an
// import here would load, is a second copy of it that dockerfile-ast (CommonJS) never uses
const documentPrototype = Object.getPrototypeOf((DockerfileParser.parse('') as unknown as { document: object }).document) as Partial<LineIndexedDocument>;
/** The library's own positionAt, which the test compares with. */
export const libraryPositionAt = documentPrototype.positionAt;
if (typeof libraryPositionAt === 'function' && typeof documentPrototype.getLineOffsets === 'function' && typeof documentPrototype.ensureBeforeEOL === 'function') {
  documentPrototype.positionAt = positionAtFrom;
}
