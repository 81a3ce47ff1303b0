/**
 * src/shell/simple-script.ts reads one-command scripts of plain words without unbash; wherever it answers,
 * its reading must be unbash's (words, assignments, offsets), and it must leave everything else to
 * unbash.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { type Command, forEachChild, parse, type SyntaxNode } from 'unbash';
import { simpleCommand } from '../src/shell/simple-script.js';
import { propertySettings } from './helpers/property-settings.js';

/** unbash's commands of a script, in the fast path's terms (offsets in the script). */
function unbashCommands(script: string) {
  const commands: Command[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.type === 'Command') commands.push(node);
    forEachChild(node, visit);
  };
  const ast = parse(script);
  visit(ast);
  return {
    errors: ast.errors?.length ?? 0,
    commands: commands.map((c) => ({
      // a redirection among the words would show here as a word without text, and fail the comparison
      words: [c.name, ...c.suffix].filter((w) => w !== undefined).map((w) => ({ text: 'text' in w ? w.text : `<${w.type}>`, start: w.pos, end: w.end })),
      assignments: c.prefix.filter((p) => p.type === 'Assignment').map((a) => ({
        text: a.text, name: a.name, value: a.value.type === 'Word' ? a.value.value : '', start: a.pos, end: a.end,
      })),
    })),
  };
}

const word = fc.constantFrom(
  'go', 'build', 'mod', 'download', '-o', '/app/main', '.', './...', '-trimpath', '-ldflags=-s', 'CGO_ENABLED=0', 'GOOS=linux',
  'A=', '_B=b=c', '1A=2', 'x=1', 'A+=1', 'GOFLAGS+=-mod=mod', 'a+b', '+=x', 'echo', 'apk', 'add', '--no-cache', 'git@github.com:a/b', 'a,b', '%x', '+y', 'v1.2.3',
  'if', 'done', 'in', 'then', '{', '!', 'a"b', "'c'", '$HOME', '~', 'a*', 'b?', '[x]', '#c', 'a;b', 'a&&b', 'a|b', '>out', 'a\\b', '`x`', '(y)',
);
const blank = fc.constantFrom(' ', '  ', '\t', ' \t');
const script = fc.tuple(fc.array(fc.tuple(word, blank), { minLength: 1, maxLength: 7 }), fc.boolean(), fc.boolean()).map(([parts, lead, trail]) =>
  `${lead ? ' ' : ''}${parts.map(([w, b], i) => (i === parts.length - 1 ? w : w + b)).join('')}${trail ? ' ' : ''}`);

test('wherever it reads a script, unbash reads the same one command, words, assignments and offsets', () => {
  fc.assert(
    fc.property(script, (text) => {
      const simple = simpleCommand(text);
      if (simple === null) return;
      const reference = unbashCommands(text);
      expect(reference.errors).toBe(0);
      expect(reference.commands).toEqual([{ words: simple.words, assignments: simple.assignments }]);
    }),
    propertySettings(2000),
  );
});

describe('simpleCommand', () => {
  test('reads the commands of typical Go RUNs', () => {
    expect(simpleCommand('CGO_ENABLED=0 go build -o /app/main .')).toEqual({
      assignments: [{ text: 'CGO_ENABLED=0', name: 'CGO_ENABLED', value: '0', start: 0, end: 13 }],
      words: [
        { text: 'go', start: 14, end: 16 }, { text: 'build', start: 17, end: 22 }, { text: '-o', start: 23, end: 25 },
        { text: '/app/main', start: 26, end: 35 }, { text: '.', start: 36, end: 37 },
      ],
    });
    expect(simpleCommand(' go mod download ')?.words.map((w) => w.text)).toEqual(['go', 'mod', 'download']);
  });

  test.each([
    ['quotes', 'go build -ldflags "-s -w" .'], ['an expansion', 'go build -o $OUT .'], ['an operator', 'go mod download && go build .'],
    ['a glob', 'cp *.go /src'], ['a comment', 'go build . # all'], ['a reserved word', 'if true'], ['an escape', 'echo a\\ b'],
    ['a line break', 'go build\n.'], ['an appending assignment', 'GOFLAGS+=-mod=mod go build .'], ['only assignments', 'A=1 B=2'], ['nothing', '  '], ['a tilde', 'ls ~'],
  ])('leaves %s to unbash', (_name, text) => {
    expect(simpleCommand(text)).toBeNull();
  });
});
