/**
 * Where BuildKit and dockerfile-ast disagree on where instructions start; a file with such a line is
 * not rewritten (the property tests found a rewrite that moved a RUN cut short by the disagreement).
 */
import { describe, expect, test } from '@jest/globals';
import { buildkitHeredocs, instructionStartDisagreement } from '../src/engine/buildkit-lines.js';
import { dockerfileError } from '../src/engine/dockerfile-errors.js';
import { memoryContext } from '../src/context/context.js';
import { fixText } from '../src/index.js';
import { parseDockerfile } from '../src/engine/parse.js';

const disagreement = (text: string) => instructionStartDisagreement(parseDockerfile(text));

describe('instructionStartDisagreement', () => {
  test.each([
    ['plain', 'FROM a\nRUN a \\\n  # note\n\n  b\nCOPY x y\n'],
    ['CRLF, BOM and directives', '\uFEFF# syntax=docker/dockerfile:1\r\n# escape=`\r\nFROM a\r\nRUN a `\r\n  b\r\n'],
    ['a heredoc whose body lines look like instructions', 'FROM a\nRUN <<EOF\nRUN not an instruction \\\nCOPY neither\nEOF\nCOPY x y\n'],
    ['an escape at the end of the file', 'FROM a\nRUN a \\'],
    ['a comment ending in the escape outside a continuation', 'FROM a\n# a comment \\\nRUN b\n'],
    ['a comment ending in the escape inside a continuation', 'FROM a\nRUN a && \\\n    # install deps \\\n    b\n'],
  ])('none in %s', (_name, text) => {
    expect(disagreement(text)).toBeNull();
  });

  test.each([
    ['an escape followed by a blank, then another escape', 'FROM a\nRUN echo a\\ \\\n  b > /tmp/x\nRUN c\n', 2],
    ['a comment line right after `RUN \\`', 'FROM a\nRUN\\\n# c\n  go build .\n', 3],
    ['the escape character in a comment line inside a continuation', 'FROM a AS b\nFROM c\nCOPY \\\n# C:\\go\n  --from=b /a /b\n', 3],
  ])('found with %s (zero-based line)', (_name, text, line) => {
    expect(disagreement(text)).toBe(line);
  });
});

describe('buildkitHeredocs', () => {
  test.each([
    ['cat <<EOF', ['EOF']],
    ['cat <<-"END" > /x && tee <<\'B\'', ['END', 'B']],
    ['cat 3<<EOF', ['EOF']],
    ['python3 -c "print(1 <<3)"', []],
    ["bash -c 'cat <<EOF'", []],
    ['echo \\<<EOF', []],
    ['cat<<EOF', []],
    ['echo "a \\" <<EOF"', []],
  ])('%s', (line, names) => {
    expect(buildkitHeredocs(`RUN ${line}`, '\\').map((h) => h.name)).toEqual(names);
  });

  test('a `<<` BuildKit does not read as a heredoc is not an unterminated heredoc: the file builds, and is left alone', () => {
    const input = 'FROM python:3.12\nRUN python3 -c "print(1 <<3)"\nCOPY . .\nRUN go build .\n';
    expect(dockerfileError(input)).toBeNull();
    expect(dockerfileError('FROM a\nRUN cat <<EOF\nhello\n')).toEqual({ line: 2, reason: 'unterminated heredoc <<EOF: no EOF line before the end of the file' });
    const result = fixText(input, { context: memoryContext({ 'go.mod': 'module x\n\ngo 1.22\n', 'go.sum': '' }) });
    expect(result.output).toBe(input);
    expect(result.skips.map((s) => s.line)).toEqual([3]);
  });
});

test('a file where they disagree is left alone, with the line and the reason', () => {
  const input = 'FROM golang:1.21\nCOPY . .\nRUN apk add git && echo a\\ \\\n  b > /tmp/x\nRUN go build -o /app .\n';
  const context = memoryContext({ 'go.mod': 'module x\n\ngo 1.22\n', 'go.sum': '', 'main.go': 'package main\n' });
  const result = fixText(input, { context });
  expect(result.output).toBe(input);
  expect(result.skips).toEqual([
    { transform: 'cachefix', line: 4, reason: 'Docker and the parser disagree on where an instruction starts here (a line continuation or a heredoc they read differently); not rewritten' },
  ]);
});
