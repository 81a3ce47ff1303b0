/**
 * src/engine/reparse.ts: after an edit, only the touched instructions are parsed again, and the result is
 * the full parse; where a piece could read differently, the whole file is parsed. (property.test.ts
 * holds every reparse of generated files and random edits to the full parse.)
 */
import { describe, expect, test } from '@jest/globals';
import { applyEdits, type Edit } from '../src/engine/edits.js';
import { parseDockerfile } from '../src/engine/parse.js';
import { reparsedPiece, reparseDockerfile } from '../src/engine/reparse.js';

const NAIVE = 'FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\n# fetch\nRUN go mod download\nRUN go build -o /app/main .\n\nFROM scratch\nCOPY --from=build /app/main /main\n';

const INDENTED = NAIVE.replace('RUN go build', '  RUN go build');

function edited(text: string, edits: readonly Edit[]) {
  const after = applyEdits(text, edits.map((e) => ({ ...e, owner: 'test' })));
  return { after, piece: reparsedPiece(parseDockerfile(text), edits, after), full: parseDockerfile(after) };
}
const at = (text: string, needle: string) => text.indexOf(needle);

describe('parses only the piece the edits touch, with the result of a full parse', () => {
  test.each([
    ['an instruction inserted before another', NAIVE, [{ start: at(NAIVE, 'COPY . .'), end: at(NAIVE, 'COPY . .'), text: 'COPY go.mod go.sum ./\n' }]],
    ['a flag added to a RUN', NAIVE, [{ start: at(NAIVE, 'go build') - 0, end: at(NAIVE, 'go build'), text: '--mount=type=cache,target=/root/.cache/go-build \\\n    ' }]],
    ['a RUN removed with its line', NAIVE, [{ start: at(NAIVE, 'RUN go mod'), end: at(NAIVE, 'RUN go build'), text: '' }]],
    ['a new stage inserted, which renumbers the later ones', NAIVE, [{ start: at(NAIVE, 'FROM scratch'), end: at(NAIVE, 'FROM scratch'), text: 'FROM alpine AS certs\nRUN apk add ca-certificates\n\n' }]],
    ['two edits far apart', NAIVE, [
      { start: at(NAIVE, 'WORKDIR'), end: at(NAIVE, 'WORKDIR') + 'WORKDIR /app'.length, text: 'WORKDIR /src' },
      { start: at(NAIVE, '/main\n'), end: at(NAIVE, '/main\n') + 5, text: '/app' },
    ]],
    ['CRLF line breaks', NAIVE.replace(/\n/g, '\r\n'), [{ start: at(NAIVE, 'RUN go build') + NAIVE.slice(0, at(NAIVE, 'RUN go build')).split('\n').length - 1, end: at(NAIVE, 'RUN go build') + NAIVE.slice(0, at(NAIVE, 'RUN go build')).split('\n').length - 1, text: 'RUN true\r\n' }]],
    ['the backtick escape directive', `# escape=\`\n${NAIVE}`, [{ start: at(`# escape=\`\n${NAIVE}`, 'RUN go build'), end: at(`# escape=\`\n${NAIVE}`, 'RUN go build'), text: 'RUN a `\n  b\n' }]],
  ] as const)('%s', (_name, text, edits) => {
    const { piece, full } = edited(text, edits);
    expect(piece).not.toBeNull();
    expect(piece).toEqual(full);
  });
});

describe('parses the whole file where a piece could read differently', () => {
  test.each([
    ['an edit among the parser directives', `# syntax=docker/dockerfile:1\n${NAIVE}`, [{ start: 2, end: 8, text: 'check' }]],
    ['a heredoc in the file', `${NAIVE}RUN <<EOF\necho hi\nEOF\n`, [{ start: at(NAIVE, 'COPY . .'), end: at(NAIVE, 'COPY . .'), text: 'COPY go.mod ./\n' }]],
    ['an edit that continues a line into the next instruction', NAIVE, [{ start: at(NAIVE, ' .\n# fetch'), end: at(NAIVE, ' .\n# fetch') + 2, text: ' . \\' }]],
    ['a piece that would start with a comment', NAIVE, [{ start: at(NAIVE, '# fetch'), end: at(NAIVE, '# fetch') + 7, text: '# get modules' }]],
    // found in review: each read differently by a piece
    ['a heredoc under ONBUILD', `${NAIVE}ONBUILD RUN <<EOF\ngo mod download\nEOF\n`, [{ start: at(NAIVE, 'COPY . .'), end: at(NAIVE, 'COPY . .'), text: 'COPY go.mod ./\n' }]],
    ['an ONBUILD heredoc written by the edit', NAIVE, [{ start: at(NAIVE, 'COPY . .'), end: at(NAIVE, 'COPY . .'), text: 'ONBUILD RUN <<EOF\n' }]],
    ['an escape before a blank, which dockerfile-ast continues past', 'FROM a\nRUN a \\\n  b\nRUN c\n', [{ start: 17, end: 17, text: '\\ ' }]],
    ['an escape before a #', 'FROM a\nRUN a \\\n  b\nRUN c\n', [{ start: 17, end: 17, text: '\\#' }]],
    ['a directive on the last line, without a line break, written on', '# escape=`', [{ start: 10, end: 10, text: '`\nFROM a\n' }]],
    ['a byte-order mark written at the start', NAIVE, [{ start: 0, end: 0, text: '\uFEFF' }]],
    ['a carriage return alone, which an inserted line feed joins', 'FROM a\nENV A=1 \\\r', [{ start: 17, end: 17, text: '\nRUN y' }]],
    ['an edit that takes the line break before an untouched, indented instruction', INDENTED, [{ start: at(INDENTED, '\n  RUN go build'), end: at(INDENTED, '\n  RUN go build') + 1, text: ' && ' }]],
  ] as const)('%s', (_name, text, edits) => {
    const { after, piece, full } = edited(text, edits);
    expect(piece).toBeNull();
    expect(reparseDockerfile(parseDockerfile(text), edits, after)).toEqual(full);
  });
});
