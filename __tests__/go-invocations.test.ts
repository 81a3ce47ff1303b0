/** goInvocations (src/ecosystems/go/go.ts): the Go commands a command runs, through the wrappers we can read. */
import { expect, test } from '@jest/globals';
import { goInvocations } from '../src/ecosystems/go/go.js';

const read = (words: string[]) => {
  const reading = goInvocations(words);
  return 'unreadable' in reading ? `unreadable: ${reading.unreadable}` : reading.invocations.map((g) => [g.subcommand, ...g.assignments.map((a) => `${a.name}=${a.value}`)].join(' '));
};

test.each([
  [['go', 'build', '.'], ['build']],
  [['go', '-C', 'sub', 'mod', 'download'], ['mod download']],
  [['exec', '-a', 'builder', 'go', 'test', './...'], ['test']],
  [['env', '-u', 'GOFLAGS', 'CGO_ENABLED=0', '--', 'go', 'build'], ['build CGO_ENABLED=0']],
  [['nice', '-n', '5', 'timeout', '-s', 'KILL', '10m', 'go', 'vet'], ['vet']],
  [['/usr/local/go/bin/go', 'install', './cmd/x'], ['install']],
  [['go1.22.3', 'build'], ['build']],
  [['xx-go', 'build', '-o', '/out/app'], ['build']],
  [['xx-go', '--wrap'], []],
  [['command', '-v', 'go'], []],
  [['sh', '-c', 'cd cmd && GOOS=linux go build -o /out/app .'], ['build GOOS=linux']],
  [['gotestsum', '--format', 'dots', '--', '-race', './...'], ['test']],
  [['tar', 'czf', 'out.tgz', '$(go env GOROOT)'], []],
  [['echo', 'go', 'build'], []],
  [['apk', 'add', 'go'], []],
])('%j', (words, expected) => {
  expect(read(words)).toEqual(expected);
});

test.each([
  [['sudo', '-E', 'go', 'build'], 'runs go through sudo, which may change its user or environment'],
  [['env', '-i', 'go', 'build'], 'runs go through env -i, which changes the environment go reads its caches from'],
  [['su', 'app', '-c', 'go build ./...'], 'runs go through su, which may change its user or environment'],
  [['sh', '-c', 'go build $('], 'runs go inside sh -c in a script I cannot read'],
])('%j cannot be read', (words, reason) => {
  expect(read(words)).toBe(`unreadable: ${reason}`);
});
