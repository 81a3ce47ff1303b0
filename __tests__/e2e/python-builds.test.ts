/**
 * Proof by real builds of the Python transforms, on buildah and on BuildKit, with the offline
 * builder's python:3.11 image (pip installs from a local wheelhouse; `heavydep` is an sdist whose C
 * extension compiles for about 20 s). The sample app's naive Dockerfile (`COPY . .`, then
 * `pip install -r requirements.txt`) and cachefix's rewrite both build and print the same line; after
 * a source-only change the rewrite takes the install from the cache; after a requirements change pip
 * installs the wheel it built before from the cache mount instead of compiling heavydep again.
 */
import { afterAll, expect, test } from '@jest/globals';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Builder, type BuildResult, builderChoices } from '../../bench/builder.js';
import { cachefix } from '../helpers/cli.js';
import { describeWhen } from '../helpers/conditional.js';
import { sharedDir } from '../helpers/paths.js';

const sample = join(sharedDir, 'tools', 'offline-builder', 'sample-python');
const BUILD_TIMEOUT = 15 * 60 * 1000;
const IMAGE = 'python:3.11';

/** The builders that have the offline python image, or why none has. */
function pythonBuilders(): { builders: Builder[]; reason: string } {
  const reasons: string[] = [];
  const builders: Builder[] = [];
  for (const choice of builderChoices()) {
    if (choice.builder === null) reasons.push(`${choice.name}: ${choice.reason}`);
    else if (!hasImage(choice.builder)) reasons.push(`${choice.name}: no ${IMAGE} image (run ../shared/tools/offline-builder/setup.sh python, then docker.sh start)`);
    else builders.push(choice.builder);
  }
  return { builders, reason: reasons.join('; ') };
}

function hasImage(builder: Builder): boolean {
  try {
    builder.run(IMAGE, ['python', '-c', 'import sys']);
    return true;
  } catch {
    return false;
  }
}

const { builders, reason } = existsSample() ? pythonBuilders() : { builders: [], reason: `no sample app at ${sample}` };
const work = mkdtempSync(join(tmpdir(), 'cachefix-python-'));
const tags: { builder: Builder; tag: string }[] = [];

function existsSample(): boolean {
  try {
    readFileSync(join(sample, 'Dockerfile.naive'));
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  for (const { builder, tag } of tags) builder.remove(tag);
  rmSync(work, { recursive: true, force: true });
});

/** The first step whose text runs the pip install. */
function installStep(result: BuildResult) {
  return result.steps.find((s) => /pip install/.test(s.text));
}

/** heavydep compiled from its sdist in this build (pip prints this before running the compiler). */
const COMPILED = /Building wheel for heavydep/;

describeWhen(builders.length > 0, reason)('python: real builds of the sample app', () => {
  test.each(builders.map((b) => [b.name, b] as const))(
    '%s: naive and rewritten print the same; a source change keeps the install cached; a requirements change reuses the built wheel',
    (name, builder) => {
      const run = `${process.pid}-${Date.now()}`;
      const context = join(work, name);
      cpSync(sample, context, { recursive: true });
      // every run's steps are new to the layer cache (an earlier run built the same text), without --no-cache,
      // which on BuildKit 20.10 would also start the cache mount empty
      const unique = (dockerfile: string) => dockerfile.replace(/^FROM .*\n/, (from) => `${from}ENV CACHEFIX_E2E_RUN=${run}\n`);
      const naive = readFileSync(join(sample, 'Dockerfile.naive'), 'utf8');
      const rewritten = cachefix(['--only', 'python/requirements-first,python/cache-mount', '-'], { cwd: context, input: naive });
      expect(rewritten.status).toBe(0);
      // the hand-fixed Dockerfile of the sample, with the mount on a line of its own
      expect(rewritten.stdout).toBe(
        'FROM python:3.11\nWORKDIR /app\nCOPY requirements.txt ./\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app/main.py"]\n',
      );
      writeFileSync(join(context, 'Dockerfile.naive'), unique(naive));
      writeFileSync(join(context, 'Dockerfile.rewritten'), unique(rewritten.stdout));

      const build = (dockerfile: string, what: string): BuildResult => {
        const tag = `cachefix-python-${name}-${what}`.toLowerCase();
        tags.push({ builder, tag });
        const result = builder.build({ context, dockerfile: join(context, dockerfile), tag });
        if (!result.ok) throw new Error(`${dockerfile} (${what}) failed on ${name}:\n${result.log}`);
        return result;
      };
      const printed = (what: string) => builder.run(`cachefix-python-${name}-${what}`.toLowerCase(), ['python', 'app/main.py']).trim();

      const original = build('Dockerfile.naive', 'naive');
      expect(original.log).toMatch(COMPILED);
      build('Dockerfile.rewritten', 'rewritten');
      const line = printed('naive');
      expect(line).toMatch(/^heavydep total -?\d+$/);
      expect(printed('rewritten')).toBe(line);

      // a source-only change: the install comes from the layer cache
      appendFileSync(join(context, 'app', 'main.py'), `# changed ${run}\n`);
      const afterSource = build('Dockerfile.rewritten', 'source');
      expect(installStep(afterSource)).toMatchObject({ cached: true });
      expect(afterSource.log).not.toMatch(COMPILED);
      expect(printed('source')).toBe(line);

      // a requirements change: the install runs again, and pip takes heavydep's wheel from the cache mount
      appendFileSync(join(context, 'requirements.txt'), `# changed ${run}\n`);
      const afterRequirements = build('Dockerfile.rewritten', 'requirements');
      expect(installStep(afterRequirements)).toMatchObject({ cached: false });
      expect(afterRequirements.log).not.toMatch(COMPILED);
      expect(afterRequirements.log).toMatch(/Using cached heavydep-1\.0\.0-\S+\.whl/);
      expect(printed('requirements')).toBe(line);
    },
    BUILD_TIMEOUT,
  );
});

interface Variant {
  readonly name: string;
  /** Context files (the sample's app/main.py is added). */
  readonly files: Readonly<Record<string, string>>;
  readonly dockerfile: string;
  /** Lines the rewrite must hold. */
  readonly rewrittenContains: readonly string[];
  /** The command printing the app's line in the final image. */
  readonly command: readonly string[];
}

const PROJECT = '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "app"\nversion = "1.0"\n\n[tool.setuptools]\npackages = ["app"]\n';

/**
 * The forms issue 14 names, as a new user would try them, on the offline image. They install `wheel`
 * (a pure-Python wheel of the local wheelhouse) rather than heavydep: the sample above already proves
 * the compile is saved, and these builds prove the rewrites build and behave, in seconds.
 */
const variants: readonly Variant[] = [
  {
    name: 'r-includes',
    files: { 'requirements/prod.txt': '-r base.txt\n', 'requirements/base.txt': '-c ../constraints.txt\nwheel\n', 'constraints.txt': 'wheel>=0.38\n' },
    dockerfile: 'FROM python:3.11\nWORKDIR /srv\nCOPY . /srv\nRUN pip install --no-cache-dir -r requirements/prod.txt\nCMD ["python", "app/main.py"]\n',
    rewrittenContains: ['COPY requirements/prod.txt requirements/base.txt /srv/requirements/\nCOPY constraints.txt /srv/\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements/prod.txt\nCOPY . /srv\n'],
    command: ['python', '/srv/app/main.py'],
  },
  {
    name: 'editable-project',
    files: { 'requirements.txt': 'wheel\n', 'pyproject.toml': PROJECT, 'app/__init__.py': '' },
    dockerfile: 'FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt -e .\nCMD ["python", "app/main.py"]\n',
    rewrittenContains: ['COPY requirements.txt ./\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.txt\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.txt -e .\n'],
    command: ['python', '/app/app/main.py'],
  },
  {
    name: 'non-root-user',
    files: { 'requirements.txt': 'wheel\n' },
    dockerfile:
      'FROM python:3.11\nRUN useradd -u 1001 -m app\nUSER app\nRUN python -m venv /home/app/venv\nWORKDIR /home/app/src\nCOPY --chown=app . .\nRUN /home/app/venv/bin/pip install -r requirements.txt\nCMD ["/home/app/venv/bin/python", "app/main.py"]\n',
    rewrittenContains: ['COPY --chown=app requirements.txt ./\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 \\\n    /home/app/venv/bin/pip install -r requirements.txt\nCOPY --chown=app . .\n'],
    command: ['/home/app/venv/bin/python', '/home/app/src/app/main.py'],
  },
  {
    name: 'venv-multi-stage',
    files: { 'requirements.txt': 'wheel\n' },
    dockerfile:
      'FROM python:3.11 AS build\nRUN python -m venv /opt/app-venv\nENV PATH="/opt/app-venv/bin:$PATH"\nWORKDIR /src\nCOPY . .\nRUN pip install -r requirements.txt\n\nFROM python:3.11\nCOPY --from=build /opt/app-venv /opt/app-venv\nCOPY --from=build /src/app /app\nCMD ["/opt/app-venv/bin/python", "/app/main.py"]\n',
    rewrittenContains: ['WORKDIR /src\nCOPY requirements.txt ./\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.txt\nCOPY . .\n', 'COPY --from=build /opt/app-venv /opt/app-venv\n'],
    command: ['/opt/app-venv/bin/python', '/app/main.py'],
  },
];

describeWhen(builders.length > 0, reason)('python: real builds of the forms of issue 14', () => {
  test.each(builders.flatMap((b) => variants.map((v) => [b.name, v.name, b, v] as const)))(
    '%s, %s: naive and rewritten build and print the same; a source change keeps the install cached',
    (name, variantName, builder, variant) => {
      const run = `${process.pid}-${Date.now()}`;
      const context = join(work, `${name}-${variantName}`);
      mkdirSync(join(context, 'app'), { recursive: true });
      writeFileSync(join(context, 'app', 'main.py'), 'import wheel\n\nprint("wheel", wheel.__version__)\n');
      for (const [path, text] of Object.entries(variant.files)) {
        mkdirSync(dirname(join(context, path)), { recursive: true });
        writeFileSync(join(context, path), text);
      }
      const rewritten = cachefix(['--only', 'python/requirements-first,python/cache-mount', '-'], { cwd: context, input: variant.dockerfile });
      expect(rewritten.status).toBe(0);
      for (const text of variant.rewrittenContains) expect(rewritten.stdout).toContain(text);
      const unique = (dockerfile: string) => dockerfile.replace(/^FROM .*\n/, (from) => `${from}ENV CACHEFIX_E2E_RUN=${run}\n`);
      writeFileSync(join(context, 'Dockerfile.naive'), unique(variant.dockerfile));
      writeFileSync(join(context, 'Dockerfile.rewritten'), unique(rewritten.stdout));
      const build = (dockerfile: string, what: string): { result: BuildResult; tag: string } => {
        const tag = `cachefix-python-${name}-${variantName}-${what}`.toLowerCase();
        tags.push({ builder, tag });
        const result = builder.build({ context, dockerfile: join(context, dockerfile), tag });
        if (!result.ok) throw new Error(`${dockerfile} (${variantName}, ${what}) failed on ${name}:\n${result.log}`);
        return { result, tag };
      };
      const naive = build('Dockerfile.naive', 'naive');
      const first = build('Dockerfile.rewritten', 'rewritten');
      const line = builder.run(naive.tag, variant.command).trim();
      expect(line).toMatch(/^wheel \d+\.\d+/);
      expect(builder.run(first.tag, variant.command).trim()).toBe(line);

      appendFileSync(join(context, 'app', 'main.py'), `# changed ${run}\n`);
      const again = build('Dockerfile.rewritten', 'source');
      expect(installStep(again.result)).toMatchObject({ cached: true });
      expect(builder.run(again.tag, variant.command).trim()).toBe(line);
    },
    BUILD_TIMEOUT,
  );
});
