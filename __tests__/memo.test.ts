import { perFilesRead, perText } from '../src/engine/memo.js';
import { makeRecipes } from '../src/shell/makefile.js';
import { GO_MENTIONS } from '../src/ecosystems/go/steps.js';

describe('perText', () => {
  test('reads a text once, and again after it was forgotten', () => {
    let reads = 0;
    const length = perText((text: string) => ++reads && text.length, 2);
    expect([length('ab'), length('ab'), length('abc')]).toEqual([2, 2, 3]);
    expect(reads).toBe(2);
    length('x'); // full: everything forgotten
    length('ab');
    expect(reads).toBe(4);
  });
});

describe('perFilesRead', () => {
  const files = new Map<string, string | null>([['Makefile', 'include common.mk'], ['common.mk', 'A=1']]);
  const read = (path: string) => files.get(path) ?? null;
  let computed = 0;
  const joined = perFilesRead((key, readFile) => {
    computed++;
    const first = readFile(key) ?? '';
    return `${first}|${readFile(first.replace('include ', '')) ?? ''}`;
  });

  test('a second ask with the same files is remembered, a changed file read along the way is not', () => {
    expect(joined('Makefile', read)).toBe('include common.mk|A=1');
    expect(joined('Makefile', read)).toBe('include common.mk|A=1');
    expect(computed).toBe(1);
    files.set('common.mk', 'A=2'); // a file found through the first one
    expect(joined('Makefile', read)).toBe('include common.mk|A=2');
    expect(computed).toBe(2);
    files.set('common.mk', null); // and one that disappears
    expect(joined('Makefile', read)).toBe('include common.mk|');
    expect(computed).toBe(3);
  });

  test('makeRecipes answers from the Makefile it is given each time, not the one it remembered', () => {
    const context = (recipe: string) => (path: string) => (path === 'Makefile' ? `build:\n\t${recipe}\n` : null);
    const lines = (recipe: string) => {
      const recipes = makeRecipes(['build'], '', context(recipe));
      return 'reason' in recipes ? recipes.reason : recipes.lines.map((l) => l.text);
    };
    expect(lines('go build ./...')).toEqual(['go build ./...']);
    expect(lines('go build ./...')).toEqual(['go build ./...']);
    expect(lines('go build -trimpath ./...')).toEqual(['go build -trimpath ./...']);
  });
});

describe("Go's word list (the fixer's first test before Go's transforms run)", () => {
  test.each([
    'RUN go build ./...',
    'RUN /usr/local/go/bin/go build .',
    'RUN xx-go build .',
    'RUN go1.22.1 build .',
    'FROM golang:1.22\nRUN make',
    'ENV CGO_ENABLED=0',
    'ENV GOFLAGS=-mod=vendor',
    'RUN gotestsum -- ./...',
    'RUN goreleaser build',
    'RUN mage build',
  ])('holds for %j', (text) => expect(GO_MENTIONS.test(text)).toBe(true));
  test.each([
    'RUN cargo build --release',
    'RUN pip install pymongo django',
    'FROM node:20\nRUN npm ci && npm run build',
  ])('not for %j', (text) => expect(GO_MENTIONS.test(text)).toBe(false));
});
