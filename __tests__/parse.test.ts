import { describe, expect, test } from '@jest/globals';
import { parseDockerfile } from '../src/engine/parse.js';
import { logicalBody, runScript } from '../src/shell/shell.js';

/** The source text of each instruction, as sliced by our offsets. */
const slices = (text: string) => parseDockerfile(text).instructions.map((i) => text.slice(i.start, i.end));

describe('parseDockerfile offsets', () => {
  test('continuations with a comment line inside, trailing blanks excluded', () => {
    const text = 'FROM a\nRUN x && \\\n    # note\n    y   \nCOPY . .\n';
    expect(slices(text)).toEqual(['FROM a', 'RUN x && \\\n    # note\n    y', 'COPY . .']);
    expect(parseDockerfile(text).commentLines).toEqual(new Set([2]));
  });
  test('backtick escape directive', () => {
    const text = '# escape=`\nFROM a\nRUN dir `\n  C:\\ `\n  && echo\n';
    const doc = parseDockerfile(text);
    expect(doc.escapeChar).toBe('`');
    expect(doc.directives.get('escape')).toBe('`');
    expect(doc.directivesEnd).toBe(11);
    expect(slices(text)[1]).toBe('RUN dir `\n  C:\\ `\n  && echo');
  });
  test('CRLF and a BOM', () => {
    const text = '\uFEFFFROM a\r\nRUN b \\\r\n  c\r\n';
    expect(slices(text)).toEqual(['FROM a', 'RUN b \\\r\n  c']);
    const doc = parseDockerfile(text);
    expect(doc.source.eol).toBe('\r\n');
    expect(doc.directivesEnd).toBe(1);
  });
  test('heredocs span their body; body lines are not comments', () => {
    const text = 'FROM a\nRUN <<EOF\n# not a comment\ngo build\nEOF\nCOPY <<X /f\nhi\nX\n';
    const doc = parseDockerfile(text);
    expect(slices(text)).toEqual(['FROM a', 'RUN <<EOF\n# not a comment\ngo build\nEOF', 'COPY <<X /f\nhi\nX']);
    expect(doc.instructions[1]?.hasHeredoc).toBe(true);
    expect(doc.commentLines.size).toBe(0);
  });
  test('JSON form is strict, as in BuildKit', () => {
    const doc = parseDockerfile('FROM a\nRUN ["go", "build"]\nRUN [ "a" ] && echo\nCOPY ["a b", "/c/"]\n');
    expect(doc.instructions.map((i) => i.jsonForm)).toEqual([false, true, false, true]);
    expect(doc.instructions[3]?.jsonValues).toEqual(['a b', '/c/']);
  });
  test('flags, options with quotes removed, lower-case keywords and stage aliases', () => {
    const doc = parseDockerfile('from golang:1.22 as Build\nrun --mount=type=cache,target="/root/.cache" go build\nFROM build AS test\n');
    expect(doc.stages.map((s) => [s.name, s.image, s.parent])).toEqual([['build', 'golang:1.22', null], ['test', 'build', 0]]);
    const run = doc.instructions[1];
    expect(run?.keyword).toBe('RUN');
    expect(run?.rawKeyword).toBe('run');
    expect(run?.flags[0]?.options).toEqual([{ name: 'type', value: 'cache' }, { name: 'target', value: '/root/.cache' }]);
  });
  test('does not crash on the getHeredocs() bug of dockerfile-ast 0.7.1 (#123)', () => {
    // getHeredocs() throws on this one; a RUN that might hold a heredoc is treated as opaque
    const doc = parseDockerfile('FROM a\nRUN \\\n# comment\\comment\n cat <<x\nhi\nx\n');
    expect(doc.instructions[1]?.hasHeredoc).toBe(true);
  });
  test('JSON form across a continuation with a comment line in it is still JSON form (Docker drops the line)', () => {
    const cmd = parseDockerfile('FROM a\nCMD ["a", \\\n  # why\n\n  "b"]\n').instructions[1];
    expect([cmd?.jsonForm, cmd?.jsonValues]).toEqual([true, ['a', 'b']]);
  });
  test('a RUN without `<<` has no heredoc, even where getHeredocs() would throw', () => {
    const doc = parseDockerfile('FROM a\nRUN \\\n# comment\\comment\n echo\n');
    expect(doc.instructions[1]?.hasHeredoc).toBe(false);
  });
  test('unicode: offsets are UTF-16 like JS strings', () => {
    const text = 'FROM a\nLABEL d="🐳 é"\nRUN go build\n';
    expect(slices(text)[2]).toBe('RUN go build');
  });
});

describe('RUN bodies', () => {
  test("logical body joins continuations Docker's way and maps back", () => {
    const text = 'FROM a\nRUN go mod download && \\\n    # comment\n\n    CGO_ENABLED=0 go build -o /x .\n';
    const doc = parseDockerfile(text);
    const run = doc.instructions[1]!;
    const body = logicalBody(doc, run);
    expect(body.text).toBe('go mod download &&     CGO_ENABLED=0 go build -o /x .');
    const script = runScript(doc, run);
    expect(script.parsed).toBe(true);
    expect(script.commands.map((c) => text.slice(c.start, c.end))).toEqual(['go mod download', 'CGO_ENABLED=0 go build -o /x .']);
    expect(script.commands[1]?.assignments.map((a) => [a.name, a.value, text.slice(a.start, a.end)])).toEqual([['CGO_ENABLED', '0', 'CGO_ENABLED=0']]);
  });
  test('backtick continuations and CRLF', () => {
    const text = '# escape=`\r\nFROM a\r\nRUN go build `\r\n  -o x .\r\n';
    const doc = parseDockerfile(text);
    const script = runScript(doc, doc.instructions[1]!);
    expect(script.commands[0]?.words.map((w) => text.slice(w.start, w.end))).toEqual(['go', 'build', '-o', 'x', '.']);
  });
  test('finds commands inside subshells, pipelines and if', () => {
    const doc = parseDockerfile('FROM a\nRUN set -e; if [ -f go.mod ]; then (cd sub && go mod download); fi; make 2>&1 | tee log\n');
    const names = runScript(doc, doc.instructions[1]!).commands.map((c) => c.words.map((w) => w.value).join(' '));
    expect(names).toEqual(['set -e', '[ -f go.mod ]', 'cd sub', 'go mod download', 'make', 'tee log']);
  });
  test('heredoc, JSON form and syntax errors are reported as unreadable', () => {
    const doc = parseDockerfile('FROM a\nRUN <<EOF\ngo build\nEOF\nRUN ["go","build"]\nRUN if then fi && go build\n');
    expect(doc.instructions.slice(1).map((i) => runScript(doc, i).parsed)).toEqual([false, false, false]);
  });
});
