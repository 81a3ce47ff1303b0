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
 * Importing this module installs both; a dockerfile-ast without these methods is left alone.
 */
import { type Argument, From, Instruction } from 'dockerfile-ast';
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
