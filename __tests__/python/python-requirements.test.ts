/** Requirements files (src/ecosystems/python/requirements.ts) and Python's cache directories (caches.ts). */
import { expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { includeOf, lineNeedsPath, requirementLines, requirementsClosure } from '../../src/ecosystems/python/requirements.js';
import { cacheDir } from '../../src/ecosystems/python/caches.js';

test('logical lines: comments, continuations, blank lines, CRLF and a BOM', () => {
  const text = '\uFEFF# top\r\nflask==3.0  # web\r\n\r\nrequests \\\r\n  >=2.31\r\n--hash=sha256:abc#not-a-comment\r\n';
  expect(requirementLines(text)).toEqual([
    { line: 2, text: 'flask==3.0' },
    { line: 4, text: 'requests   >=2.31' },
    { line: 6, text: '--hash=sha256:abc#not-a-comment' },
  ]);
});

test.each([
  ['-r base.txt', { kind: 'requirement', path: 'base.txt' }],
  ['-rbase.txt', { kind: 'requirement', path: 'base.txt' }],
  ['--requirement=../common/base.txt', { kind: 'requirement', path: '../common/base.txt' }],
  ['-c constraints.txt', { kind: 'constraint', path: 'constraints.txt' }],
  ['--constraint constraints.txt', { kind: 'constraint', path: 'constraints.txt' }],
  ['flask', null],
  ['--index-url https://x', null],
])('includeOf(%s)', (line, expected) => {
  expect(includeOf(line)).toEqual(expected);
});

test.each([
  ['-e ./libs/x', true], ['-e .', true], ['--editable=../y', true], ['./pkg', true], ['app @ file:///src', true], ['-f ./wheels', true],
  ['--find-links https://x/wheels', false], ['-e git+https://x/y#egg=y', false], ['flask==3.0 --hash=sha256:abc', false],
  ['--index-url https://x/simple', false], ["numpy; platform_machine != 'arm64'", false],
])('lineNeedsPath(%s) = %s', (line, expected) => {
  expect(lineNeedsPath(line)).toBe(expected);
});

test('includes are read recursively, relative to the including file, each once', () => {
  const context = memoryContext({
    'requirements/prod.txt': '-r base.txt\n-c ../constraints.txt\ngunicorn\n',
    'requirements/base.txt': 'flask\n-r prod.txt\n',
    'constraints.txt': 'flask<4\n',
  });
  expect(requirementsClosure(context, ['requirements/prod.txt'])).toEqual({
    files: ['requirements/prod.txt', 'requirements/base.txt', 'constraints.txt'],
    local: [],
    problem: null,
  });
});

test('local paths are listed with file and line; a missing include is a problem naming both files', () => {
  const context = memoryContext({ 'requirements.txt': 'flask\n-e ./libs/shared\n-r dev.txt\n' });
  expect(requirementsClosure(context, ['requirements.txt'])).toEqual({
    files: ['requirements.txt'],
    local: [{ file: 'requirements.txt', line: 2, text: '-e ./libs/shared' }],
    problem: 'dev.txt, included by requirements.txt, is not in the build context',
  });
});

test.each([
  ['-r /etc/base.txt', 'requirements.txt line 1 includes /etc/base.txt, an absolute path'],
  ['-r ../outside.txt', 'requirements.txt line 1 includes ../outside.txt, a path outside the build context'],
  ['-r ${REQS}', 'requirements.txt line 1 includes ${REQS}, a path with a variable'],
])('an include we cannot follow: %s', (line, problem) => {
  expect(requirementsClosure(memoryContext({ 'requirements.txt': `${line}\n` }), ['requirements.txt']).problem).toBe(problem);
});

test('a root file that is absent', () => {
  expect(requirementsClosure(memoryContext({}), ['requirements.txt']).problem).toBe('requirements.txt is not in the build context');
});

test.each([
  ['pip', {}, '/root', '/root/.cache/pip'],
  ['pip', { PIP_CACHE_DIR: '/cache/pip/' }, '/root', '/cache/pip'],
  ['pip', { XDG_CACHE_HOME: '/xdg' }, '/root', '/xdg/pip'],
  ['poetry', {}, '/home/app', '/home/app/.cache/pypoetry'],
  ['poetry', { POETRY_CACHE_DIR: '/tmp/poetry_cache' }, null, '/tmp/poetry_cache'],
  ['uv', { UV_CACHE_DIR: '/uv-cache' }, '/root', '/uv-cache'],
  ['uv', {}, '/root', '/root/.cache/uv'],
  ['pipenv', {}, '/root', '/root/.cache/pipenv'],
] as const)('%s cache with %j and home %s: %s', (tool, vars, home, expected) => {
  expect(cacheDir(tool, new Map(Object.entries(vars)), home)).toBe(expected);
});

test.each([
  ['pip', new Map<string, string | null>([['PIP_CACHE_DIR', null]]), '/root', 'ENV PIP_CACHE_DIR uses a value I cannot resolve'],
  ['pip', new Map<string, string | null>(), null, 'the home directory of the user is unknown (set ENV PIP_CACHE_DIR)'],
  ['uv', new Map<string, string | null>([['UV_CACHE_DIR', 'cache']]), '/root', 'UV_CACHE_DIR cache is a relative path'],
] as const)('%s: no cache directory', (tool, vars, home, reason) => {
  expect(cacheDir(tool, vars, home)).toEqual({ reason });
});
