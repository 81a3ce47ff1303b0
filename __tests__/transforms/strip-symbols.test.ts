/**
 * Edge cases of go/strip-symbols' reading of -ldflags values, and how the three flag transforms
 * (drop-cache-defeating-flags, trimpath, strip-symbols) compose in one run.
 */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { dropCacheDefeatingFlags } from '../../transforms/go/drop-cache-defeating-flags.js';
import { stripSymbols } from '../../transforms/go/strip-symbols.js';
import { trimpath } from '../../transforms/go/trimpath.js';

const MODULE = { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n\nfunc main() {}\n' };

function fix(dockerfile: string, transforms = [stripSymbols]) {
  const result = fixText(dockerfile, { transforms, context: memoryContext(MODULE) });
  return { output: result.output, skips: result.skips.map((s) => s.reason) };
}

const build = (run: string) => `FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n${run}\n`;

describe('edits inside the value', () => {
  test.each([
    ['double quotes, -X with spaces in Go quotes', `go build -ldflags "-X 'main.msg=hello world'" .`, `go build -ldflags "-s -w -X 'main.msg=hello world'" .`],
    ['escaped quotes and dollars', 'go build -ldflags "-X main.msg=\\"hi\\" -X main.cost=\\$5" .', 'go build -ldflags "-s -w -X main.msg=\\"hi\\" -X main.cost=\\$5" .'],
    ['an expansion as the value of -X=', 'go build -ldflags="-X=main.v=$VERSION" .', 'go build -ldflags="-s -w -X=main.v=$VERSION" .'],
    ['an expansion as the value of -extldflags', 'go build -ldflags "-linkmode external -extldflags $STATIC" .', 'go build -ldflags "-s -w -linkmode external -extldflags $STATIC" .'],
    ['backticks inside an -X value', 'go build -ldflags "-X main.date=`date -u +%F`" .', 'go build -ldflags "-s -w -X main.date=`date -u +%F`" .'],
    ['--s and -w=true count as present', `go build -ldflags '--s -w=true' .`, null],
    ['both present beside an expansion: nothing to do, no skip', 'go build -ldflags "-s -w ${EXTRA}" .', null],
    ['both present after a leading expansion', 'go build -ldflags "${EXTRA} -w -s" .', null],
    ['both present after a command substitution', 'go build -ldflags="$(cat flags) -s -w -X main.v=$V" .', null],
    ['a pattern with an empty flag list', 'go build -ldflags="all=" .', 'go build -ldflags="all=-s -w" .'],
    ['a separate value on the next line', 'go build -ldflags \\\n    "-X main.v=1" .', 'go build -ldflags \\\n    "-s -w -X main.v=1" .'],
  ])('%s', (_name, run, expected) => {
    const input = build(`RUN ${run}`);
    const result = fix(input);
    expect(result.skips).toEqual([]);
    expect(result.output).toBe(expected === null ? input : build(`RUN ${expected}`));
  });
});

describe('skips with a reason', () => {
  test.each([
    ['a pattern that is a variable', 'go build -ldflags="${PATTERN}=-X main.v=1" .', /is a variable/],
    ['a field that is only an expansion', 'go build -ldflags "-X main.v=1 $(cat flags)" .', /may already set -s and -w, or turn them off on purpose$/],
    ['an expansion beside -w names only -s', 'go build -ldflags "-w ${EXTRA}" .', /\$\{EXTRA\}" may already set -s, or turn it off on purpose$/],
    ['-w=0', 'go build -ldflags "-w=0" .', /turns -s or -w off/],
    ['two -ldflags', 'go build -ldflags "-X a.b=1" -ldflags "all=-X a.c=2" .', /several -ldflags/],
    ['mixed quoting', 'go build -ldflags "-X main.v="$V .', /mixes quoted and unquoted text/],
    ['an unquoted word with an expansion', 'go build -ldflags=-X=main.v=$V .', /is not quoted and has shell syntax/],
    ['an unclosed Go quote', `go build -ldflags "-X 'main.msg=hi" .`, /unclosed quote/],
    ['a debug build through GOFLAGS', 'GOFLAGS=-gcflags=all=-N go build .', /debug build/],
  ])('%s', (_name, run, reason) => {
    const input = build(`RUN ${run}`);
    const result = fix(input);
    expect(result.output).toBe(input);
    expect(result.skips).toHaveLength(1);
    expect(result.skips[0]).toMatch(reason);
  });
  test('a quoted ENV GOFLAGS with -ldflags among other flags: a command-line -ldflags would replace it', () => {
    const input = build('ENV GOFLAGS="-mod=mod -ldflags=-X=main.v=1"\nRUN go build .');
    expect(fix(input)).toEqual({ output: input, skips: ['ENV GOFLAGS sets -ldflags, which a -ldflags on the command line would replace: add -s -w there'] });
  });
  test('a SHELL that is bash still gets the new -ldflags', () => {
    const input = build('SHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN go build .');
    expect(fix(input).output).toBe(input.replace('go build .', 'go build -ldflags="-s -w" .'));
  });
});

describe('with go/drop-cache-defeating-flags and go/trimpath', () => {
  const three = [dropCacheDefeatingFlags, trimpath, stripSymbols];
  test.each([
    ['the legacy recipe', 'RUN CGO_ENABLED=0 GOOS=linux go build -a -installsuffix cgo -o /out/app .', 'RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/app .'],
    ['a multi-line build with a comment', 'RUN CGO_ENABLED=0 go build \\\n    -a \\\n    # static\n    -ldflags "-X main.version=1.0" \\\n    -o /out/app .', 'RUN CGO_ENABLED=0 go build -trimpath \\\n    # static\n    -ldflags "-s -w -X main.version=1.0" \\\n    -o /out/app .'],
    ['two builds in one RUN', 'ENV CGO_ENABLED=0\nRUN go build -a -ldflags="-X main.v=1" -o /out/app . && go install -a ./cmd/...', 'ENV CGO_ENABLED=0\nRUN go build -trimpath -ldflags="-s -w -X main.v=1" -o /out/app . && go install -trimpath -ldflags="-s -w" ./cmd/...'],
  ])('%s, and a second run changes nothing', (_name, run, expected) => {
    const once = fix(build(run), three);
    expect(once).toEqual({ output: build(expected), skips: [] });
    expect(fix(once.output, three)).toEqual(once);
  });
});
