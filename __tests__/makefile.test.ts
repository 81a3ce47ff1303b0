/** The Makefile reader (src/shell/makefile.ts): which recipe lines a `make` command runs, or why that cannot be told. */
import { describe, expect, test } from '@jest/globals';
import { makeRecipes } from '../src/shell/makefile.js';

function recipes(files: Record<string, string>, args: string[], dir = '') {
  const result = makeRecipes(args, dir, (path) => files[path] ?? null);
  return 'reason' in result ? result.reason : { lines: result.lines.map((l) => (l.dir === '' ? l.text : `[${l.dir}] ${l.text}`)), shells: result.shells };
}

describe('makeRecipes', () => {
  test('the default target is the first one, prerequisites run first, @ and - are dropped', () => {
    const files = { Makefile: '.PHONY: all\nall: build\n\nbuild: gen main.go\n\t@echo building\n\t-$(GO) build -o bin/app .\n\ngen:\n\tgo generate ./...\n' };
    expect(recipes(files, [])).toEqual({ lines: ['go generate ./...', 'echo building', 'go build -o bin/app .'], shells: [] });
  });

  test('variables: ?=, :=, +=, command-line overrides, substitution references, $$ and automatic variables', () => {
    const files = { Makefile: 'GO ?= go1.22.3\nFLAGS := -v\nFLAGS += -trimpath\nOUT = bin/$(NAME)\nSRCS = a.c b.c\nbin/%:\n\t$(GO) build $(FLAGS) -o $@ $(SRCS:.c=.o) && echo $$HOME\n' };
    expect(recipes(files, ['NAME=srv', 'bin/srv', 'GO=go'])).toEqual({ lines: ['go build -v -trimpath -o bin/srv a.o b.o && echo $HOME'], shells: [] });
  });

  test('$(shell …) and != are recorded; both branches of a conditional are read', () => {
    const files = { Makefile: 'VERSION := $(shell git describe --tags)\nDATE != date -u\nifeq ($(DEBUG),1)\nFLAGS = -race\nelse\nFLAGS = -s\nendif\napp:\n\tgo build $(FLAGS) -ldflags "-X main.v=$(VERSION)"\n' };
    expect(recipes(files, ['app'])).toEqual({ lines: ['go build -s -ldflags "-X main.v="'], shells: ['git describe --tags', 'date -u'] });
  });

  test('include, -include of a missing file, and recursive make through $(MAKE) -C and cd', () => {
    const files = {
      Makefile: 'include vars.mk\n-include local.mk\nall:\n\t$(MAKE) -sC cmd server\n\tcd tools && make lint\n',
      'vars.mk': 'BIN := app\n',
      'cmd/Makefile': 'server:\n\tgo build -o $(BIN) .\n',
      'tools/Makefile': 'lint:\n\tgo vet ./...\n',
    };
    expect(recipes(files, [])).toEqual({ lines: ['make -sC cmd server', '[cmd] go build -o  .', 'cd tools && make lint', '[tools] go vet ./...'], shells: [] });
  });

  test('define blocks and $(call)', () => {
    const files = { Makefile: 'define build\ngo build -o $(1) ./cmd/$(1)\nendef\napp:\n\t$(call build,api)\n' };
    expect(recipes(files, [])).toEqual({ lines: ['go build -o api ./cmd/api'], shells: [] });
  });

  test.each([
    ['no Makefile', {}, ['build'], 'there is no Makefile in the context root'],
    ['a target without a rule', { Makefile: 'build:\n\tgo build\n' }, ['release'], 'Makefile has no rule for release'],
    ['a missing include', { Makefile: 'include gen.mk\nbuild:\n\tgo build\n' }, [], 'the Makefile includes gen.mk, which is not in the build context'],
    ['a target in a variable', { Makefile: 'build:\n\tgo build\n' }, ['$(TARGET)'], 'make builds $(TARGET), a target I cannot read'],
    ['a directory outside the context', { Makefile: 'build:\n\tgo build\n' }, ['-C', '../x'], 'make runs in ../x, which I cannot map to the build context'],
    ['recursion ten directories deep', Object.fromEntries(Array.from({ length: 11 }, (_, k) => [[...Array(k).fill('d'), 'Makefile'].join('/'), 'all:\n\t$(MAKE) -C d\n'])), [], 'make calls make more than 8 levels deep'],
  ])('%s: the reason', (_name, files, args, reason) => {
    expect(recipes(files as Record<string, string>, args)).toBe(reason);
  });
});
