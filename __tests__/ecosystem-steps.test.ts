/**
 * Each ecosystem's DependencySteps (src/ecosystems/<eco>/steps.ts): which commands install or build,
 * and which manifests they read. docker/hoist-independent-run ends its search at the first of them.
 */
import { describe, expect, test } from '@jest/globals';
import { parseDockerfile } from '../src/engine/parse.js';
import { runScript } from '../src/shell/shell.js';
import { dependencySteps } from '../transforms/ecosystems.js';

const steps = (ecosystem: string) => {
  const found = dependencySteps.find((e) => e.ecosystem === ecosystem);
  if (!found) throw new Error(`no ${ecosystem}`);
  return found;
};
/** Whether any command of `RUN <script>` is a dependency step of the ecosystem. */
const isStep = (ecosystem: string, script: string): boolean => {
  const doc = parseDockerfile(`FROM scratch\nRUN ${script}\n`);
  const run = doc.instructions[1];
  if (!run) throw new Error('no RUN');
  return runScript(doc, run).commands.some((c) => steps(ecosystem).isDependencyStep(c));
};

test('the registry holds each ecosystem once', () => {
  expect(dependencySteps.map((e) => e.ecosystem)).toEqual(['go', 'node', 'python', 'rust', 'java']);
});

test('only Go offers a build-reads oracle: the others cannot tell what their build reads', () => {
  expect(dependencySteps.filter((e) => e.buildReads !== undefined).map((e) => e.ecosystem)).toEqual(['go']);
});

describe.each([
  ['go', ['go build -o /app .', 'go mod download', 'cd cmd && go test ./...', 'go -C cmd install .', 'go generate ./...', 'go version'], ['go install golang.org/x/tools/cmd/stringer@v0.12.0', 'apt-get install -y git', 'gofmt -l .']],
  ['node', ['npm ci', 'npm install', 'npm i --omit=dev', 'npm --no-audit ci', 'yarn', 'yarn install --frozen-lockfile', 'pnpm install', 'pnpm i --prod', 'bun install', 'npm run build', 'yarn run build', 'pnpm run build', '/usr/local/bin/npm ci'], ['npm test', 'npm run lint', 'yarn add left-pad', 'node build.js', 'npx tsc', 'bun run build', 'apk add nodejs']],
  ['python', ['pip install -r requirements.txt', 'pip3 install --no-cache-dir -r requirements/prod.txt', 'pip install .', 'pip install -e .', 'python -m pip install -r requirements.txt', 'python3.12 -m pip install --requirement=req.txt', 'poetry install --no-root', 'uv sync --frozen', 'uv pip install --system -r requirements.txt', 'pipenv install --deploy'], ['pip install --upgrade pip', 'pip install poetry==1.8.3', 'python manage.py collectstatic', 'uv pip install flask', 'poetry config virtualenvs.create false']],
  ['rust', ['cargo build --release', 'cargo +nightly build', 'cargo install --path .', 'cargo install cargo-chef'], ['cargo fmt --check', 'rustup target add x86_64-unknown-linux-musl', 'cargo --version']],
  ['java', ['mvn -B package', './mvnw dependency:go-offline', 'gradle build', './gradlew bootJar --no-daemon'], ['java -jar app.jar', 'jar xf app.jar']],
] as const)('%s', (ecosystem, yes, no) => {
  test.each(yes)('%s installs or builds', (script) => expect(isStep(ecosystem, script)).toBe(true));
  test.each(no)('%s does not', (script) => expect(isStep(ecosystem, script)).toBe(false));
});

test('manifests name the files the installs read', () => {
  expect(steps('go').manifests).toEqual(['go.mod', 'go.sum', 'go.work', 'go.work.sum']);
  expect(steps('node').manifests).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml']));
  expect(steps('python').manifests).toEqual(expect.arrayContaining(['requirements*.txt', 'pyproject.toml', 'poetry.lock', 'uv.lock', 'Pipfile', 'Pipfile.lock']));
  expect(steps('rust').manifests).toEqual(['Cargo.toml', 'Cargo.lock']);
  expect(steps('java').manifests).toEqual(expect.arrayContaining(['pom.xml', 'build.gradle', 'build.gradle.kts']));
});
