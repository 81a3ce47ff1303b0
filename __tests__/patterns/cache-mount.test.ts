/** The shared cache-mount mechanics: who a RUN runs as, the mounts written, what a mount must not hide. */
import { expect, test } from '@jest/globals';
import { applyEdits as applyOwned, type Edit } from '../../src/engine/edits.js';

const applyEdits = (text: string, edits: readonly Edit[]) => applyOwned(text, edits.map((e) => ({ ...e, owner: 'test' })));
import { parseDockerfile } from '../../src/engine/parse.js';
import { cacheMounts, type CacheTarget, laterReads, removeCommands, runUser } from '../../src/patterns/cache-mount.js';

const lastRun = (doc: ReturnType<typeof parseDockerfile>) => doc.instructions.filter((i) => i.keyword === 'RUN').at(-1)!;

function userOf(text: string) {
  const doc = parseDockerfile(text);
  const run = lastRun(doc);
  return runUser(doc, doc.stages[run.stage]!, run);
}

test('runUser: root, the node image account, a created account, a numeric USER, and the unknowable', () => {
  expect(userOf('FROM node:20\nRUN npm ci\n')).toEqual({ name: 'root', uid: 0, gid: 0, home: '/root' });
  expect(userOf('FROM node:20 AS base\nUSER node\nFROM base\nRUN npm ci\n')).toEqual({ name: 'node', uid: 1000, gid: 1000, home: '/home/node' });
  expect(userOf('FROM python:3.11\nRUN useradd -u 1001 -m app\nUSER app\nRUN pip install -r requirements.txt\n')).toEqual({ name: 'app', uid: 1001, gid: 1001, home: '/home/app' });
  expect(userOf('FROM python:3.11\nENV HOME=/srv\nUSER 1001:1002\nRUN pip install x\n')).toEqual({ name: '1001', uid: 1001, gid: 1002, home: '/srv' });
  expect(userOf('FROM python:3.11\nUSER 1001\nRUN pip install x\n')).toEqual({ reason: 'USER 1001 has no home I know of (set ENV HOME)' });
  expect(userOf('FROM python:3.11\nRUN useradd -m app\nUSER app\nRUN pip install x\n')).toEqual({
    reason: 'I cannot tell the uid and home of USER app (not an account of python:3.11, nor created here with useradd -u)',
  });
  expect(userOf('FROM node:20\nUSER node\nENV HOME=/work\nRUN npm ci\n')).toEqual({ name: 'node', uid: 1000, gid: 1000, home: '/work' });
});

function mount(text: string, targets: CacheTarget[]): string {
  const doc = parseDockerfile(text);
  const run = lastRun(doc);
  const stage = doc.stages[run.stage]!;
  const user = runUser(doc, stage, run);
  if ('reason' in user) return `user: ${user.reason}`;
  const result = cacheMounts(doc, stage, run, targets, user);
  return 'reason' in result ? `skip: ${result.reason}` : `${applyEdits(text, result.edits)}[${result.added.join(' ')}]`;
}

test('cacheMounts: adds, owns for a non-root user, skips covered targets, reuses a family id, refuses a bind', () => {
  expect(mount('FROM node:20\nRUN npm ci\n', [{ target: '/root/.npm' }])).toBe('FROM node:20\nRUN --mount=type=cache,target=/root/.npm \\\n    npm ci\n[/root/.npm]');
  expect(mount('FROM node:20\nUSER node\nRUN npm ci\n', [{ target: '/home/node/.npm' }])).toBe(
    'FROM node:20\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 \\\n    npm ci\n[/home/node/.npm]',
  );
  expect(mount('FROM debian\nRUN apt-get update\n', [{ target: '/var/cache/apt', sharing: 'locked' }])).toBe(
    'FROM debian\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    apt-get update\n[/var/cache/apt]',
  );
  expect(mount('FROM python:3.11\nRUN --mount=type=cache,target=/root/.cache pip install x\n', [{ target: '/root/.cache/pip' }])).toBe(
    'FROM python:3.11\nRUN --mount=type=cache,target=/root/.cache pip install x\n[]',
  );
  expect(mount('FROM node:20\nRUN --mount=type=cache,id=npm,target=/root/.npm npm ci\nRUN npm install x\n', [{ target: '/root/.npm' }])).toBe(
    'FROM node:20\nRUN --mount=type=cache,id=npm,target=/root/.npm npm ci\nRUN --mount=type=cache,id=npm,target=/root/.npm \\\n    npm install x\n[/root/.npm]',
  );
  expect(mount('FROM node:20\nRUN --mount=type=bind,target=/root/.npm npm ci\n', [{ target: '/root/.npm' }])).toBe('skip: a bind mount already uses /root/.npm');
});

test('removeCommands: drops the clean-up from an && chain, refuses to empty a RUN or cross a ;', () => {
  const text = 'FROM node:20\nRUN npm ci && \\\n    npm cache clean --force\n';
  const doc = parseDockerfile(text);
  const clean = (c: { words: readonly { value: string }[] }) => c.words[1]?.value === 'cache';
  expect(applyEdits(text, removeCommands(doc, lastRun(doc), clean) ?? [])).toBe('FROM node:20\nRUN npm ci\n');
  const only = parseDockerfile('FROM node:20\nRUN npm cache clean --force\n');
  expect(removeCommands(only, lastRun(only), clean)).toBeNull();
  const semi = parseDockerfile('FROM node:20\nRUN npm ci; npm cache clean --force\n');
  expect(removeCommands(semi, lastRun(semi), clean)).toBeNull();
});

test('laterReads: a COPY --from of the directory, a later RUN naming it; another stage\'s copy is no reader', () => {
  const doc = parseDockerfile('FROM rust:1.63 AS build\nWORKDIR /app\nRUN cargo build --release\nFROM debian\nCOPY --from=build /app/target/release/app /usr/local/bin/\n');
  const run = lastRun(doc);
  expect(laterReads(doc, doc.stages[0]!, run, '/app/target')?.line).toBe(4);
  expect(laterReads(doc, doc.stages[0]!, run, '/usr/local/cargo/registry')).toBeNull();
  const runs = parseDockerfile('FROM rust:1.63\nRUN cargo build\nRUN cp /app/target/release/app /bin/\n');
  expect(laterReads(runs, runs.stages[0]!, runs.instructions[1]!, '/app/target')?.line).toBe(2);
});
