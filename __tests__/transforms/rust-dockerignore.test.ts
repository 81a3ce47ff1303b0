/** rust/dockerignore: target always, .git only when nothing may read it; the shared guards' skips. */
import { expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { rustDockerignore } from '../../transforms/rust/dockerignore.js';

const HEADER = "# added by cachefix: cargo's build output and VCS data change without the sources changing and would invalidate COPY . .";
const DOCKERFILE = 'FROM rust:1.79\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n';

function fix(files: Record<string, string>, dockerfile = DOCKERFILE) {
  const result = fixText(dockerfile, { transforms: [rustDockerignore], context: memoryContext({ 'Cargo.toml': '[package]\nname = "a"\n', 'src/main.rs': '', ...files }), dockerfilePath: 'Dockerfile' });
  return { files: result.files.map((f) => [f.path, f.after]), details: result.changes.map((c) => c.detail), skips: result.skips.map((s) => s.reason) };
}

test('target and .git in a new .dockerignore; appended to an existing one in its line endings', () => {
  expect(fix({}).files).toEqual([['.dockerignore', `${HEADER}\ntarget\n.git\n`]]);
  expect(fix({ '.dockerignore': 'node_modules\r\n' }).files).toEqual([['.dockerignore', `node_modules\r\n\r\n${HEADER}\r\ntarget\r\n.git\r\n`]]);
  expect(fix({ '.dockerignore': 'target/\n.git\n' }).files).toEqual([]);
});

test('.git stays when a build script or a RUN may read it', () => {
  expect(fix({ 'build.rs': 'fn main() {}' })).toMatchObject({ files: [['.dockerignore', `${HEADER}\ntarget\n`]], details: ['created .dockerignore: target (not .git: build.rs may read it)'] });
  expect(fix({}, `${DOCKERFILE}RUN git rev-parse HEAD > /version\n`).details).toEqual(['created .dockerignore: target (not .git: the RUN on line 5 may read it)']);
});

test('no cargo stage, no Cargo.toml at the root: nothing; a COPY of target/ skips', () => {
  expect(fix({}, 'FROM debian\nCOPY . .\n').files).toEqual([]);
  expect(fix({}, `${DOCKERFILE}FROM debian\nCOPY target/release/a /a\n`).skips).toEqual(['this Dockerfile reads target/release/a (line 6), which the new entries would exclude']);
  expect(fix({ '.dockerignore': '*\n!target\n' }).skips).toEqual(['the ignore file re-includes target with !target']);
});
