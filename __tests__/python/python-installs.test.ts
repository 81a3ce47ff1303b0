/** src/ecosystems/python: which installers a RUN runs and what they read. */
import { expect, test } from '@jest/globals';
import { parseDockerfile } from '../../src/engine/parse.js';
import { runScript, type ShellCommand } from '../../src/shell/shell.js';
import { isLocalTarget, pipInstall } from '../../src/ecosystems/python/pip.js';
import { lockInstall } from '../../src/ecosystems/python/lock-installers.js';
import { createdVenv, venvOnPath } from '../../src/ecosystems/python/venv.js';

function commands(run: string): ShellCommand[] {
  const doc = parseDockerfile(`FROM python:3.12\nRUN ${run}\n`);
  const instruction = doc.stages[0]?.instructions.find((i) => i.keyword === 'RUN');
  if (!instruction) throw new Error('no RUN');
  const script = runScript(doc, instruction);
  if (!script.parsed) throw new Error(script.reason);
  return [...script.commands];
}

function pip(run: string) {
  const found = commands(run).map(pipInstall).find((p) => p !== null);
  if (!found) return null;
  const v = (ws: readonly { value: string }[]) => ws.map((w) => w.value);
  return {
    tool: found.tool,
    requirements: v(found.requirements),
    constraints: v(found.constraints),
    local: v(found.localPaths),
    packages: v(found.packages),
    index: v(found.indexOptions),
    noCache: v(found.noCache),
    unreadable: found.unreadable,
  };
}

test.each([
  ['pip install -r requirements.txt', { tool: 'pip', requirements: ['requirements.txt'] }],
  ['pip3 install --no-cache-dir -r requirements.txt', { tool: 'pip', requirements: ['requirements.txt'], noCache: ['--no-cache-dir'] }],
  ['python -m pip install -r req/base.txt -c constraints.txt', { tool: 'pip', requirements: ['req/base.txt'], constraints: ['constraints.txt'] }],
  ['python3.11 -u -m pip install --requirement=requirements.txt', { tool: 'pip', requirements: ['requirements.txt'] }],
  ['/opt/venv/bin/pip install -rrequirements.txt', { tool: 'pip', requirements: ['requirements.txt'] }],
  ['uv pip install --system -r requirements.txt --no-cache', { tool: 'uv pip', requirements: ['requirements.txt'], noCache: ['--no-cache'] }],
  ['pip install --index-url https://x/simple --extra-index-url https://y -f ./wheels --trusted-host x -r r.txt', { tool: 'pip', requirements: ['r.txt'], index: ['--index-url', 'https://x/simple', '--extra-index-url', 'https://y', '-f', './wheels', '--trusted-host', 'x'] }],
  ['pip install .', { tool: 'pip', local: ['.'] }],
  ['pip install -e .', { tool: 'pip', local: ['.'] }],
  ['pip install -e ./libs/x -r requirements.txt', { tool: 'pip', requirements: ['requirements.txt'], local: ['./libs/x'] }],
  ['pip install dist/app-1.0-py3-none-any.whl', { tool: 'pip', local: ['dist/app-1.0-py3-none-any.whl'] }],
  ['pip install "flask==3.0" gunicorn', { tool: 'pip', packages: ['flask==3.0', 'gunicorn'] }],
  ['pip install --upgrade pip setuptools wheel', { tool: 'pip', packages: ['pip', 'setuptools', 'wheel'] }],
  ['pip install -e git+https://github.com/x/y#egg=y', { tool: 'pip', packages: ['git+https://github.com/x/y#egg=y'] }],
  ['pip install -r $REQS', { tool: 'pip', requirements: ['$REQS'], unreadable: '-r $REQS names a file only the shell knows' }],
])('%s', (run, expected) => {
  expect(pip(run)).toEqual({ requirements: [], constraints: [], local: [], packages: [], index: [], noCache: [], unreadable: null, ...expected });
});

test.each(['pip list', 'pip download -r r.txt -d /w', 'pip wheel -r r.txt', 'python -m venv /opt/venv', 'echo pip install -r r.txt', 'pipx install poetry'])('%s is no pip install', (run) => {
  expect(pip(run)).toBeNull();
});

test.each([
  ['.', true], ['./pkg', true], ['../x', true], ['/src/app', true], ['src/pkg', true], ['x.whl', true], ['file:///src', true],
  ['app @ file:///src/app', true], ['flask', false], ['flask>=2,<3', false], ['git+https://x/y.git', false], ['uvicorn[standard]', false],
  ['pkg @ https://x/pkg.tar.gz', false], ["requests; python_version<'3.8'", false],
])('isLocalTarget(%s) = %s', (text, expected) => {
  expect(isLocalTarget(text)).toBe(expected);
});

function lock(run: string) {
  const found = commands(run).map(lockInstall).find((p) => p !== null);
  return found ? { tool: found.tool, installsProject: found.installsProject, manifests: found.manifests, directory: found.directory, packages: found.packages.map((w) => w.value), noCache: found.noCache.map((w) => w.value) } : null;
}

test.each([
  ['poetry install', { tool: 'poetry', installsProject: true, manifests: ['pyproject.toml', 'poetry.lock'] }],
  ['poetry install --no-root --only main --no-interaction', { tool: 'poetry', installsProject: false, manifests: ['pyproject.toml', 'poetry.lock'] }],
  ['poetry install --without dev -C backend', { tool: 'poetry', installsProject: true, manifests: ['pyproject.toml', 'poetry.lock'], directory: 'backend' }],
  ['uv sync --frozen', { tool: 'uv', installsProject: true, manifests: ['pyproject.toml', 'uv.lock'] }],
  ['uv sync --locked --no-install-project --no-dev', { tool: 'uv', installsProject: false, manifests: ['pyproject.toml', 'uv.lock'] }],
  ['uv sync --no-cache', { tool: 'uv', installsProject: true, manifests: ['pyproject.toml', 'uv.lock'], noCache: ['--no-cache'] }],
  ['pipenv install --deploy --system', { tool: 'pipenv', installsProject: false, manifests: ['Pipfile', 'Pipfile.lock'] }],
  ['pipenv install flask', { tool: 'pipenv', installsProject: false, manifests: ['Pipfile', 'Pipfile.lock'], packages: ['flask'] }],
])('%s', (run, expected) => {
  expect(lock(run)).toEqual({ directory: null, packages: [], noCache: [], ...expected });
});

test.each(['poetry lock', 'uv pip install x', 'pipenv run python x.py', 'poetry config virtualenvs.create false'])('%s is no lockfile install', (run) => {
  expect(lock(run)).toBeNull();
});

test.each([
  ['python -m venv /opt/venv', '/opt/venv'],
  ['python3 -m venv --prompt app .venv', '.venv'],
  ['virtualenv -p python3 /venv', '/venv'],
  ['uv venv', '.venv'],
  ['uv venv /opt/venv', '/opt/venv'],
  ['python -m pip install x', null],
])('%s creates the venv %s', (run, expected) => {
  expect(commands(run).map(createdVenv).find((v) => v !== null) ?? null).toBe(expected);
});

test.each([
  ['/opt/venv/bin:/usr/local/bin:/usr/bin', '/opt/venv'],
  ['/app/.venv/bin:/usr/bin', '/app/.venv'],
  ['/usr/local/bin:/usr/bin', null],
  [null, null],
])('venvOnPath(%s) = %s', (path, expected) => {
  expect(venvOnPath(path)).toBe(expected);
});
