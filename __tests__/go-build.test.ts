import { describe, expect, test } from '@jest/globals';
import { applyEdits } from '../src/engine/edits.js';
import { addFlagEdit, goBuildCommands } from '../src/ecosystems/go/go-build.js';
import { parseDockerfile } from '../src/engine/parse.js';

const one = (text: string) => {
  const doc = parseDockerfile(text);
  const builds = goBuildCommands(doc);
  return { doc, builds, apply: (edit: { start: number; end: number; text: string }) => applyEdits(text, [{ ...edit, owner: 't' }]) };
};

describe('goBuildCommands', () => {
  test('finds go build and go install with their flags, inline and separate values', () => {
    const { builds } = one('FROM golang\nRUN CGO_ENABLED=0 go build -a -ldflags="-s -w" -o /out/app -tags netgo ./cmd/app && go install ./...\n');
    expect(builds.map((b) => b.subcommand)).toEqual(['build', 'install']);
    expect(builds[0]?.flags.map((f) => [f.name, f.value, f.inline])).toEqual([
      ['-a', null, false], ['-ldflags', '-s -w', true], ['-o', '/out/app', false], ['-tags', 'netgo', false],
    ]);
  });
  test('skips go install of a tool at a version, and go run/test', () => {
    expect(one('FROM golang\nRUN go install golang.org/x/tools/cmd/stringer@v0.20.0 && go test ./... && go run .\n').builds).toEqual([]);
  });
  test('flags end at the first argument; --name is -name', () => {
    const { builds } = one('FROM golang\nRUN go build --trimpath . -a\n');
    expect(builds[0]?.flags.map((f) => f.name)).toEqual(['-trimpath']);
  });
});

describe('edits', () => {
  const text = 'FROM golang\nRUN go build \\\n    -a -o /app \\\n    .\n';
  test('adds a flag right after the subcommand', () => {
    const { builds, apply } = one(text);
    expect(apply(addFlagEdit(builds[0]!, '-trimpath'))).toBe('FROM golang\nRUN go build -trimpath \\\n    -a -o /app \\\n    .\n');
  });
});
