import { describe, expect, test } from '@jest/globals';
import { compareGoVersions, parseGoMod, parseGoWork } from '../src/ecosystems/go/gomod.js';

describe('parseGoMod', () => {
  test('directives, blocks, comments, quoted paths with blanks, and local-path forms', () => {
    const mod = parseGoMod([
      'module example.com/app // the service',
      'go 1.21.3',
      'toolchain go1.22.1',
      'require example.com/a v1.0.0',
      'require (',
      '\texample.com/b v1.2.3 // indirect',
      ')',
      'replace example.com/a => ./a',
      'replace (',
      '\texample.com/b v1.2.3 => example.com/fork/b v1.2.4',
      '\texample.com/c => "./my dir"',
      '\texample.com/d => .\\win',
      '\texample.com/e => C:/abs',
      ')',
    ].join('\n'));
    expect(mod.module).toBe('example.com/app');
    expect(mod.go).toBe('1.21.3');
    expect(mod.toolchain).toBe('go1.22.1');
    expect(mod.requires).toEqual(['example.com/a', 'example.com/b']);
    expect(mod.replaces.map((r) => [r.from, r.to, r.local])).toEqual([
      ['example.com/a', './a', true],
      ['example.com/b', 'example.com/fork/b', false],
      ['example.com/c', './my dir', true],
      ['example.com/d', '.\\win', true],
      ['example.com/e', 'C:/abs', true],
    ]);
  });
});

describe('parseGoWork', () => {
  test('use directives in both forms, and replaces', () => {
    const work = parseGoWork('go 1.22\n\nuse ./svc\nuse (\n\t./lib // shared\n\t.\n)\nreplace example.com/x => ../x\n');
    expect(work.uses).toEqual(['./svc', './lib', '.']);
    expect(work.replaces).toEqual([{ from: 'example.com/x', to: '../x', local: true }]);
  });
});

test('compareGoVersions', () => {
  expect(compareGoVersions('1.19', '1.20')).toBeLessThan(0);
  expect(compareGoVersions('go1.21.3', '1.21')).toBeGreaterThan(0);
  expect(compareGoVersions('1.14', '1.14.0')).toBe(0);
});
