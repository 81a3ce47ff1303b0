import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { libraryPositionAt, positionAtFrom } from '../src/engine/ast-memo.js';
import { parseDockerfile } from '../src/engine/parse.js';
import { corpus } from './helpers/corpus.js';

type Document = ThisParameterType<typeof positionAtFrom>;

/** The text document of a dockerfile-ast parse (the class the patch is installed on). */
const documentOf = (text: string): Document => (DockerfileParser.parse(text) as unknown as { document: Document }).document;

const texts = [
  '',
  'FROM a',
  'FROM a\n',
  'FROM a\r\nRUN b \\\r\n  c\r\n',
  'FROM a\rRUN b\r',
  '\n\n\nFROM a\n\n',
  '\uFEFFFROM a\nRUN \\\n\n  # c\n  d\n',
  ...corpus().slice(0, 12).map((e) => readFileSync(e.path, 'utf8')),
];

describe('positionAt with the last line tried first', () => {
  test('is installed on the text documents dockerfile-ast makes', () => {
    const document = documentOf('FROM a\n') as unknown as { positionAt: unknown };
    expect(document.positionAt).toBe(positionAtFrom);
    expect(typeof libraryPositionAt).toBe('function');
  });

  test.each(texts.map((text, i) => [i, text] as const))('answers as the library does on every offset of text %i, in order, backwards and jumping', (_i, text) => {
    const patched = documentOf(text);
    const reference = documentOf(text);
    const offsets: number[] = [];
    for (let o = -2; o <= text.length + 2; o++) offsets.push(o);
    const order = [...offsets, ...[...offsets].reverse(), ...offsets.map((_, k) => offsets[(k * 7919) % offsets.length] ?? 0), Number.NaN, 1.5];
    for (const offset of order) {
      expect({ offset, at: positionAtFrom.call(patched, offset) }).toEqual({ offset, at: libraryPositionAt?.call(reference, offset) });
    }
  });

  test('a parse reads the same instructions with it (offsets and lines of a CRLF file)', () => {
    const doc = parseDockerfile('FROM a AS b\r\nRUN --mount=type=cache,target=/x \\\r\n    echo 1\r\n\r\nCOPY --from=b /a /b\r\n');
    expect(doc.instructions.map((i) => [i.keyword, i.start, i.end, i.line, i.endLine, i.args.map((a) => [a.value, a.start, a.end]), i.flags.map((f) => [f.name, f.start, f.end])])).toEqual([
      ['FROM', 0, 11, 0, 0, [['a', 5, 6], ['AS', 7, 9], ['b', 10, 11]], []],
      ['RUN', 13, 59, 1, 2, [['echo', 53, 57], ['1', 58, 59]], [['mount', 17, 45]]],
      ['COPY', 63, 82, 4, 4, [['/a', 77, 79], ['/b', 80, 82]], [['from', 68, 76]]],
    ]);
  });
});
