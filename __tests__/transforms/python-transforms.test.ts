/**
 * python/requirements-first and python/cache-mount on the shapes the examples show only once or not
 * at all: each precondition that must skip, with its exact reason, and the edge cases of paths,
 * directories and users.
 */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { requirementsFirst } from '../../transforms/python/requirements-first.js';
import { pythonCacheMount } from '../../transforms/python/cache-mount.js';
import type { Transform } from '../../src/engine/transform.js';

const REQS = { 'requirements.txt': 'flask==3.0.3\n', 'app.py': 'print(1)\n' };

function fix(dockerfile: string, files: Record<string, string> = REQS, transform: Transform = requirementsFirst) {
  const result = fixText(dockerfile, { transforms: [transform], context: memoryContext(files) });
  return { output: result.output, skips: result.skips.map((s) => s.reason) };
}

describe('python/requirements-first', () => {
  test.each([
    [
      'an absolute requirements path under the COPY destination',
      'FROM python:3.12\nWORKDIR /app\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n',
      'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt /app/\nRUN pip install -r /app/requirements.txt\nCOPY . /app\n',
    ],
    [
      'a venv made in the same RUN, at an absolute path',
      'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\n',
      'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\nCOPY . .\n',
    ],
    [
      'apt-get before the install in its RUN needs no sources',
      'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y gcc && pip install -r requirements.txt\n',
      'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN apt-get update && apt-get install -y gcc && pip install -r requirements.txt\nCOPY . .\n',
    ],
    [
      'uv pip install with an extra index stays on the command',
      'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN uv pip install --system --extra-index-url https://x.example/simple -r requirements.txt\n',
      'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN uv pip install --system --extra-index-url https://x.example/simple -r requirements.txt\nCOPY . .\n',
    ],
  ])('%s', (_name, input, expected) => {
    expect(fix(input)).toEqual({ output: expected, skips: [] });
  });

  test.each([
    ['a requirements file the context lacks', 'RUN pip install -r requirements/prod.txt', REQS, 'requirements/prod.txt is not in the build context'],
    ['an include the context lacks', 'RUN pip install -r requirements.txt', { 'requirements.txt': '-r dev.txt\n' }, 'dev.txt, included by requirements.txt, is not in the build context'],
    ['a requirements path outside the COPY', 'RUN pip install -r /etc/requirements.txt', REQS, 'the install reads /etc/requirements.txt, which the source COPY does not bring'],
    ['a requirements file named by a variable', 'RUN pip install -r $REQS', REQS, '"RUN pip install -r $REQS": -r $REQS names a file only the shell knows, so I cannot tell what to copy first'],
    ['a command before the install that needs the sources', 'RUN python setup.py egg_info && pip install -r requirements.txt', REQS, '"RUN python setup.py egg_info && pip install -r requirements…" runs python setup.py egg_info before the install, which may need the sources: put the install in a RUN of its own first'],
    ['a uv workspace', 'RUN uv sync --frozen', { 'pyproject.toml': '[project]\nname = "x"\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n', 'uv.lock': '' }, 'pyproject.toml line 4 ([tool.uv.workspace]) points at a local directory, which needs the sources'],
    ['poetry in another directory', 'RUN poetry install -C backend', { 'backend/pyproject.toml': '' }, 'poetry install runs in backend; copy its manifests by hand'],
    ['a cd elsewhere', 'RUN cd sub && pip install -r requirements.txt', { 'sub/requirements.txt': 'flask\n' }, 'the pip install runs in /app/sub, not in /app where the source COPY puts the manifests'],
  ])('skips: %s', (_name, run, files, reason) => {
    const input = `FROM python:3.12\nWORKDIR /app\nCOPY . .\n${run}\n`;
    expect(fix(input, files)).toEqual({ output: input, skips: [reason] });
  });

  test('ENV of pip between the source COPY and the install blocks', () => {
    const input = 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nENV PIP_INDEX_URL=https://x.example/simple\nRUN pip install -r requirements.txt\n';
    expect(fix(input).skips).toEqual(['"ENV PIP_INDEX_URL=https://x.example/simple" sits between the source COPY and the pip install, which might need it (move it above the COPY first)']);
  });

  test('uv older than 0.4 has no --no-install-project: skipped', () => {
    const input = 'FROM python:3.12\nCOPY --from=ghcr.io/astral-sh/uv:0.3.5 /uv /bin/uv\nWORKDIR /app\nCOPY . .\nRUN uv sync --frozen\n';
    expect(fix(input, { 'pyproject.toml': '[project]\nname = "x"\n', 'uv.lock': '' }).skips).toEqual(['the stage installs uv 0.3.5, which has no uv sync --no-install-project (uv 0.4 has): upgrade uv to split the install']);
  });

  test('Poetry gets the readme its pyproject.toml names, which it reads even with --no-root', () => {
    const input = 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN poetry install\n';
    const files = { 'pyproject.toml': '[tool.poetry]\nname = "x"\nreadme = "README.md"\n', 'poetry.lock': '', 'README.md': '# x\n' };
    expect(fix(input, files).output).toBe('FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml poetry.lock README.md ./\nRUN poetry install --no-root\nCOPY . .\nRUN poetry install\n');
  });

  test('a stage without WORKDIR on an image we do not know says so', () => {
    const input = 'FROM example.com/team/py-base:3.12\nCOPY . /\nRUN pip install -r requirements.txt\n';
    expect(fix(input).skips).toEqual(['"RUN pip install -r requirements.txt" runs in the base image\'s working directory, which I do not know (the stage sets no WORKDIR): set one']);
  });

  test('a stage without WORKDIR on the python image runs in /, where the manifests then go', () => {
    const input = 'FROM python:3.12\nCOPY . /\nRUN pip install -r requirements.txt\n';
    expect(fix(input)).toEqual({ output: 'FROM python:3.12\nCOPY requirements.txt /\nRUN pip install -r requirements.txt\nCOPY . /\n', skips: [] });
  });
});

describe('python/cache-mount', () => {
  const mount = (dockerfile: string, files: Record<string, string> = REQS) => fix(dockerfile, files, pythonCacheMount);

  test.each([
    [
      'XDG_CACHE_HOME',
      'FROM python:3.12\nENV XDG_CACHE_HOME=/cache\nRUN pip install flask\n',
      'FROM python:3.12\nENV XDG_CACHE_HOME=/cache\nRUN --mount=type=cache,target=/cache/pip \\\n    pip install flask\n',
    ],
    [
      '--cache-dir on the command',
      'FROM python:3.12\nRUN pip install --cache-dir /pip-cache flask\n',
      'FROM python:3.12\nRUN --mount=type=cache,target=/pip-cache \\\n    pip install --cache-dir /pip-cache flask\n',
    ],
    [
      'a numeric USER with ENV HOME',
      'FROM python:3.12\nENV HOME=/home/runner\nUSER 1000:1000\nRUN python -m pip install --user flask\n',
      'FROM python:3.12\nENV HOME=/home/runner\nUSER 1000:1000\nRUN --mount=type=cache,target=/home/runner/.cache/pip,uid=1000,gid=1000 \\\n    python -m pip install --user flask\n',
    ],
    [
      'POETRY_CACHE_DIR emptied after the install',
      'FROM python:3.12\nENV POETRY_CACHE_DIR=/tmp/poetry_cache\nRUN poetry install --no-root && rm -rf $POETRY_CACHE_DIR\n',
      'FROM python:3.12\nENV POETRY_CACHE_DIR=/tmp/poetry_cache\nRUN --mount=type=cache,target=/tmp/poetry_cache/cache \\\n    --mount=type=cache,target=/tmp/poetry_cache/artifacts \\\n    poetry install --no-root\n',
    ],
  ])('%s', (_name, input, expected) => {
    expect(mount(input)).toEqual({ output: expected, skips: [] });
  });

  test.each([
    ['UV_NO_CACHE in ENV', 'FROM python:3.12\nENV UV_NO_CACHE=1\nRUN uv pip install --system flask\n', 'ENV UV_NO_CACHE turns the uv cache off for every RUN; remove it so a cache mount (which stays out of the image) can keep the wheels'],
    ['a relative PIP_CACHE_DIR', 'FROM python:3.12\nENV PIP_CACHE_DIR=cache\nRUN pip install flask\n', 'PIP_CACHE_DIR cache is a relative path'],
    ['a USER named by a variable', 'FROM python:3.12\nARG U=app\nUSER $U\nRUN pip install flask\n', 'cannot tell where the cache goes: USER $U uses a variable'],
    ['a cache emptied with || (not a plain && step)', 'FROM python:3.12\nRUN pip install flask; rm -rf /root/.cache/pip\n', '"RUN pip install flask; rm -rf /root/.cache/pip" empties the cache in a way I cannot take out of the RUN (not a plain && step)'],
  ])('skips: %s', (_name, input, reason) => {
    expect(mount(input)).toEqual({ output: input, skips: [reason] });
  });

  test('the uv pip install gets UV_LINK_MODE=copy and loses --no-cache', () => {
    expect(mount('FROM python:3.12\nRUN uv pip install --system --no-cache -r requirements.txt\n').output).toBe(
      'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv \\\n    UV_LINK_MODE=copy uv pip install --system -r requirements.txt\n',
    );
  });
});
