/** The shared manifest-first mechanics: what they write for each install step, and what stops them. */
import { expect, test } from '@jest/globals';
import { applyEdits as applyOwned, type Edit } from '../../src/engine/edits.js';

const applyEdits = (text: string, edits: readonly Edit[]) => applyOwned(text, edits.map((e) => ({ ...e, owner: 'test' })));
import { parseDockerfile } from '../../src/engine/parse.js';
import { contextFile, copiesBefore, insideContext, manifestFirst, type InstallStep, wholeContextCopy } from '../../src/patterns/manifest-first.js';
import { memoryContext } from '../../src/context/context.js';

const NPM = { env: /^(NODE_ENV|NPM_CONFIG_\w+)$/i, files: /package(-lock)?\.json|\.npmrc/, what: 'npm ci' };

function rewrite(text: string, step: (doc: ReturnType<typeof parseDockerfile>) => InstallStep, files = ['package.json', 'package-lock.json']): string {
  const doc = parseDockerfile(text);
  const stage = doc.stages[0]!;
  const sourceCopy = wholeContextCopy(stage)!;
  const install = step(doc);
  const firstUse = 'move' in install ? install.move : 'split' in install ? install.split : stage.instructions.find((i) => i.keyword === 'RUN' && i.start > sourceCopy.start)!;
  const result = manifestFirst(doc, { stage, sourceCopy, firstUse, copies: [{ dir: '', files }], step: install, ...NPM });
  if ('reason' in result) return `skip: ${result.reason}`;
  return applyEdits(text, result.edits);
}

const run = (doc: ReturnType<typeof parseDockerfile>, n = 0) => doc.instructions.filter((i) => i.keyword === 'RUN')[n]!;

test('move: the install RUN moves whole under the manifest COPY, with the comment above it', () => {
  expect(rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\n# deps\nRUN npm ci\nRUN npm run build\n', (doc) => ({ move: run(doc) }))).toBe(
    'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\n# deps\nRUN npm ci\nCOPY . .\nRUN npm run build\n',
  );
});

test('add: a new RUN goes above and the original stays; the COPY keeps --chown and the file keeps CRLF and lower case', () => {
  expect(rewrite('from python:3.11\r\nworkdir /app\r\ncopy --chown=1000 . .\r\nrun poetry install\r\n', () => ({ add: 'poetry install --no-root' }), ['pyproject.toml', 'poetry.lock'])).toBe(
    'from python:3.11\r\nworkdir /app\r\ncopy --chown=1000 pyproject.toml poetry.lock ./\r\nrun poetry install --no-root\r\ncopy --chown=1000 . .\r\nrun poetry install\r\n',
  );
});

test('split: the leading install of an && chain gets a RUN of its own, with the RUN\'s flags', () => {
  expect(rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN --network=host npm ci && npm run build\n', (doc) => ({ split: run(doc), commands: 1 }))).toBe(
    'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN --network=host npm ci\nCOPY . .\nRUN --network=host npm run build\n',
  );
});

test('a WORKDIR between the COPY and the install: the new RUN changes into the destination', () => {
  expect(rewrite('FROM node:20\nCOPY . /app\nWORKDIR /app\nRUN npm ci && npm test\n', (doc) => ({ split: run(doc), commands: 1 }))).toBe(
    'FROM node:20\nCOPY package.json package-lock.json /app/\nRUN cd /app && npm ci\nCOPY . /app\nWORKDIR /app\nRUN npm test\n',
  );
  expect(rewrite('FROM node:20\nCOPY . /app\nWORKDIR /app\nRUN npm ci\n', (doc) => ({ move: run(doc) }))).toBe(
    'skip: "RUN npm ci" would run in another directory above the source COPY; move it there by hand',
  );
});

test('what stops it: an ENV the install reads, a COPY, a RUN that runs a program, a --from flag, another directory', () => {
  const move = (doc: ReturnType<typeof parseDockerfile>) => ({ move: run(doc, 1) });
  expect(rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nENV NODE_ENV=production\nRUN true\nRUN npm ci\n', (doc) => ({ move: run(doc, 1) }))).toBe(
    'skip: "ENV NODE_ENV=production" sits between the source COPY and npm ci, which might need it (move it above the COPY first)',
  );
  expect(rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN node scripts/prepare.js\nRUN npm ci\n', move)).toBe(
    'skip: "RUN node scripts/prepare.js" runs node between the source COPY and npm ci, which might depend on it: move it above the COPY',
  );
  expect(rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN cp config/npmrc .npmrc\nRUN npm ci\n', move)).toBe(
    'skip: "RUN cp config/npmrc .npmrc" names .npmrc between the source COPY and npm ci, which might depend on it: move it above the COPY',
  );
  expect(rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN mkdir -p /data\nRUN npm ci\n', move)).toBe(
    'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN mkdir -p /data\n',
  );
  expect(rewrite('FROM node:20\nWORKDIR /app\nCOPY --exclude=docs . .\nRUN npm ci\n', (doc) => ({ move: run(doc) }))).toBe(
    'skip: the source COPY has --exclude, which the manifest COPY could not reproduce',
  );
  expect(rewrite('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN cd web && npm ci\n', (doc) => ({ move: run(doc) }))).toBe(
    'skip: npm ci runs in /app/web, not in /app where the source COPY puts the manifests',
  );
});

test('context helpers: ignored files, paths leaving the context, an earlier manifest COPY', () => {
  const context = { build: memoryContext({ 'package.json': '{}', 'yarn.lock': '', '.dockerignore': 'yarn.lock\n' }), dockerfilePath: 'Dockerfile' };
  expect([contextFile(context, 'package.json'), contextFile(context, 'yarn.lock'), contextFile(context, 'pnpm-lock.yaml')]).toEqual(['present', 'ignored', 'absent']);
  expect([insideContext('./libs/../a'), insideContext('../x'), insideContext('/abs')]).toEqual(['a', null, null]);
  const doc = parseDockerfile('FROM node:20 AS deps\nCOPY ./package.json .\nFROM deps\nCOPY . .\nRUN --mount=type=bind,source=go.mod go mod download\n');
  const stage = doc.stages[1]!;
  const copy = wholeContextCopy(stage)!;
  expect(copiesBefore(doc, stage, copy, (s) => s === 'package.json')).toBe(true);
  expect(copiesBefore(doc, stage, copy, (s) => s === 'go.mod')).toBe(false);
  expect(copiesBefore(doc, stage, doc.instructions.at(-1)!, (s) => s === 'nothing')).toBe(false);
});
