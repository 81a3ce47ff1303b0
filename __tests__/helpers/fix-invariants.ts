/**
 * What every fix must respect, checked from its edit history: each step's edits turn its text into
 * the next one; instructions no edit touched come out byte for byte, in order, still the same kind of
 * instruction; and what is deleted is only blanks, moved text, or a token the transform exists to
 * delete. Each check returns the problems it found (empty: none), phrased for a failure report.
 */
import { applyEdits, type Edit } from '../../src/engine/edits.js';
import type { AppliedEdits, FixResult } from '../../src/engine/fixer.js';
import { isDeepStrictEqual } from 'node:util';
import { type Instruction, isKnownKeyword, parseDockerfile } from '../../src/engine/parse.js';
import { reparseDockerfile } from '../../src/engine/reparse.js';

/** The text after each step: the next step's `before`, and the output after the last one. */
function stepsWithAfter(result: FixResult): { step: AppliedEdits; after: string }[] {
  return result.history.map((step, i) => ({ step, after: result.history[i + 1]?.before ?? result.output }));
}

/** Replaying the history on the input gives the output: no byte changed outside the recorded edits. */
export function replayProblems(input: string, result: FixResult): string[] {
  if (result.history.length === 0) return result.output === input ? [] : ['the output differs from the input, yet no edit was recorded'];
  if (result.history[0]?.before !== input) return ['the first step did not start from the input'];
  return stepsWithAfter(result)
    .filter(({ step, after }) => applyEdits(step.before, step.edits.map((e) => ({ ...e, owner: step.transform }))) !== after)
    .map(({ step }) => `${step.transform}: its edits do not give the next text`);
}

/** Per step: the parse the fix loop makes of the next text from the last one (src/engine/reparse.ts) is the full parse. */
export function reparseProblems(result: FixResult): string[] {
  return stepsWithAfter(result)
    .filter(({ step, after }) => !isDeepStrictEqual(reparseDockerfile(parseDockerfile(step.before), step.edits, after), parseDockerfile(after)))
    .map(({ step }) => `${step.transform}: the reparse after its edits differs from a full parse of the text`);
}

/**
 * An edit changes an instruction when it replaces part of it, inserts inside it, or appends to its
 * last line. (An insertion at its start must end with a line break: the check below sees it if not.)
 */
function touches(edit: Edit, instruction: Instruction): boolean {
  if (edit.start !== edit.end) return edit.start < instruction.end && edit.end > instruction.start;
  if (edit.start === instruction.end) return !/^[\r\n]/.test(edit.text);
  return edit.start > instruction.start && edit.start < instruction.end;
}

/** Where `offset` (not inside any edit) lands after the edits. */
function mapForward(edits: readonly Edit[], offset: number): number {
  return edits.filter((e) => e.end <= offset).reduce((at, e) => at + e.text.length - (e.end - e.start), offset);
}

/**
 * Per step: every instruction no edit touched is found at its new place, byte for byte, with the same
 * keyword; and no instruction Docker would not recognise appears except those that were there before.
 */
export function untouchedInstructionProblems(result: FixResult): string[] {
  const problems: string[] = [];
  for (const { step, after } of stepsWithAfter(result)) {
    const before = parseDockerfile(step.before).instructions;
    const next = new Map(parseDockerfile(after).instructions.map((i) => [i.start, i]));
    const kept = new Set<Instruction>();
    for (const instruction of before) {
      if (step.edits.some((e) => touches(e, instruction))) continue;
      const text = step.before.slice(instruction.start, instruction.end);
      const moved = next.get(mapForward(step.edits, instruction.start));
      if (!moved || after.slice(moved.start, moved.end) !== text || moved.keyword !== instruction.keyword) {
        problems.push(`${step.transform}: the untouched instruction ${JSON.stringify(text)} did not come out as it was`);
      } else kept.add(moved);
    }
    for (const instruction of next.values()) {
      if (!isKnownKeyword(instruction.keyword) && !kept.has(instruction)) {
        problems.push(`${step.transform}: wrote an instruction Docker does not know: ${JSON.stringify(after.slice(instruction.start, instruction.end))}`);
      }
    }
  }
  return problems;
}

/**
 * What each transform exists to delete (token sequences), once continuations, the comment lines they
 * carry and blanks are squeezed out of the deleted text. Anything else deleted and not moved is a bug.
 */
const DELETABLE: Readonly<Record<string, readonly string[]>> = {
  'go/gopath-env': ['(ENV )?((GOPATH|GO111MODULE)(=| )\\S+ ?)+'],
  // a download at the head of an && chain, which becomes the new download above the source COPY
  'go/mod-download-first': ['go mod (download|verify)( -\\S+)*( && go mod (download|verify)( -\\S+)*)* &&'],
  'go/vendor-mode': ['(RUN )?(--\\S+ )*(cd \\S+ && )?go mod download( -x)?( && go mod verify)?( &&)?', '--mount=type=cache,\\S+', '-mod(=| )(mod|readonly)'],
  'go/build-cache-mount': ['(&& )?go clean( -(cache|modcache|testcache))+( &&)?'],
  'docker/apt-cache-mount': [
    '(&& |; )?(apt-get|apt|aptitude)( -\\S+)* clean( -\\S+)*( &&|;)?',
    '(&& |; )?rm( -\\S+)*( /var/(lib/apt/lists|cache/apt)(/\\S*)?)+( &&|;)?',
    '/var/(lib/apt/lists|cache/apt)(/\\S*)?',
  ],
  'go/cross-compile': ['(ENV )?((GOOS|GOARCH)=\\S+ ?)+', '--platform=\\S+', 'linux|amd64|arm64|arm|386|ppc64le|s390x|riscv64'],
  'go/drop-cache-defeating-flags': ['-a(=\\S+)?', '-installsuffix(=| )\\S+'],
};

/** The deleted text as Docker reads it: continuations and the lines they drop removed, blanks squeezed. */
function squeeze(text: string, escape: string): { code: string } {
  const esc = escape === '`' ? '`' : '\\\\';
  const lines = text.replace(new RegExp(`${esc}[ \\t]*(\\r?\\n|$)`, 'g'), '\n').split(/\r?\n/);
  return { code: lines.filter((l) => !l.trim().startsWith('#')).join(' ').replace(/\s+/g, ' ').trim() };
}

/** The comment lines (trimmed) in `text`, which may start and end mid-line. */
function commentLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.startsWith('#'));
}

/**
 * Deleted text that is neither blanks, nor moved, nor a sequence of the transform's deletable tokens
 * (a flag and its value may go in two edits, so each step's deletions are read together). A deleted
 * comment line must come back in the step's inserted text (moved along, or kept after the
 * instruction), unless it goes with a whole instruction: the ones attached above it.
 */
export function unexpectedRemovals(input: string, result: FixResult): string[] {
  const escape = parseDockerfile(input).escapeChar;
  const problems: string[] = [];
  for (const step of result.history) {
    const inserted = step.edits.flatMap((e) => commentLines(e.text));
    const pieces = step.edits
      .map((edit) => ({ edit, text: step.before.slice(edit.start, edit.end) }))
      .filter(({ text }) => !/^\s*$/.test(text))
      // a word as short as `go` found in inserted text (a mount target) is no evidence of a move
      .filter(({ edit, text }) => !(text.trim().length > 3 && step.edits.some((other) => other !== edit && other.text.includes(text))))
      .map(({ text }) => ({ text, ...squeeze(text, escape) }));
    for (const piece of pieces) {
      if (isKnownKeyword((piece.code.split(' ')[0] ?? '').toUpperCase())) continue;
      const lost = commentLines(piece.text).filter((c) => {
        const at = inserted.indexOf(c);
        if (at >= 0) inserted.splice(at, 1);
        return at < 0;
      });
      if (lost.length > 0) problems.push(`${step.transform} deleted comment lines inside an instruction: ${JSON.stringify(piece.text)}`);
    }
    const code = pieces.map((p) => p.code).filter(Boolean).join(' ');
    const tokens = (DELETABLE[step.transform] ?? []).map((t) => `(?:${t})`).join('|');
    if (code !== '' && (tokens === '' || !new RegExp(`^(?:(?:${tokens})(?: |$))+$`, 'i').test(code))) {
      problems.push(`${step.transform} deleted ${pieces.map((p) => JSON.stringify(p.text)).join(', ')}`);
    }
  }
  return problems;
}

/** The things a fix never changes about a file: BOM, parser directives, escape character, line-break kind. */
export function fileStyleProblems(input: string, output: string): string[] {
  const problems: string[] = [];
  if (input.startsWith('\uFEFF') !== output.startsWith('\uFEFF')) problems.push('the BOM changed');
  const [a, b] = [parseDockerfile(input), parseDockerfile(output)];
  if (a.escapeChar !== b.escapeChar) problems.push('the escape character changed');
  if (JSON.stringify([...a.directives]) !== JSON.stringify([...b.directives])) problems.push('the parser directives changed');
  if (!/\r\n/.test(input) && /\r\n/.test(output)) problems.push('an LF file got CRLF line breaks');
  if (/\r\n/.test(input) && !/(^|[^\r])\n/.test(input) && /(^|[^\r])\n/.test(output)) problems.push('a CRLF file got LF line breaks');
  return problems;
}
