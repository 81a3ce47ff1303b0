/** java/maven-deps-first and java/maven-cache-mount, and rust/deps-first: each precondition with its exact reason. */
import { describe, expect, test } from '@jest/globals';
import { type BuildContext, memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import type { Transform } from '../../src/engine/transform.js';
import { mavenCacheMount } from '../../transforms/java/maven-cache-mount.js';
import { mavenDepsFirst } from '../../transforms/java/maven-deps-first.js';
import { rustDepsFirst } from '../../transforms/rust/deps-first.js';

function fix(transform: Transform, dockerfile: string, context: BuildContext) {
  const result = fixText(dockerfile, { transforms: [transform], context, dockerfilePath: 'Dockerfile' });
  return { output: result.output, skips: result.skips.map((s) => `${s.line}: ${s.reason}`) };
}

const POM = (body = '') => `<project><modelVersion>4.0.0</modelVersion><groupId>g</groupId>${body}</project>`;
const maven = (body: string) => `FROM maven:3.9-eclipse-temurin-21\nWORKDIR /src\n${body}`;

describe('java/maven-deps-first', () => {
  const single = memoryContext({ 'pom.xml': POM('<artifactId>app</artifactId>'), 'src/main/java/A.java': '' });

  test('the pom, then go-offline with the build options (-f, profiles, properties), then the sources', () => {
    expect(fix(mavenDepsFirst, maven('COPY . .\nRUN mvn -B -P prod -Drevision=1 package\n'), single).output).toBe(maven('COPY pom.xml ./\nRUN mvn -B -P prod -Drevision=1 dependency:go-offline\nCOPY . .\nRUN mvn -B -P prod -Drevision=1 package\n'));
    const nested = memoryContext({ 'server/pom.xml': POM('<artifactId>s</artifactId>') });
    expect(fix(mavenDepsFirst, maven('COPY . .\nRUN mvn -f server/pom.xml verify\n'), nested).output).toBe(maven('COPY server/pom.xml ./server/\nRUN mvn -f server/pom.xml dependency:go-offline\nCOPY . .\nRUN mvn -f server/pom.xml verify\n'));
  });

  test('.mvn/ is copied whenever it is there (maven.config, extensions.xml)', () => {
    const context = memoryContext({ 'pom.xml': POM('<artifactId>app</artifactId>'), '.mvn/maven.config': '-Drevision=1\n' });
    expect(fix(mavenDepsFirst, maven('COPY . .\nRUN mvn package\n'), context).output).toContain('COPY pom.xml ./\nCOPY .mvn/maven.config ./.mvn/\nRUN mvn dependency:go-offline\n');
  });

  test('skips: offline build, missing module, a module using another, missing wrapper, an ENV between', () => {
    expect(fix(mavenDepsFirst, maven('COPY . .\nRUN mvn -o package\n'), single).skips).toEqual(['4: the build runs offline (-o): it relies on a repository filled elsewhere']);
    expect(fix(mavenDepsFirst, maven('COPY . .\nRUN mvn package\n'), memoryContext({ 'pom.xml': POM('<modules><module>core</module></modules>') })).skips).toEqual(['4: module core of pom.xml: core/pom.xml is not in the build context']);
    const uses = memoryContext({
      'pom.xml': POM('<artifactId>root</artifactId><modules><module>a</module><module>b</module></modules>'),
      'a/pom.xml': POM('<artifactId>a</artifactId>'),
      'b/pom.xml': POM('<artifactId>b</artifactId><build><plugins><plugin><artifactId>a</artifactId></plugin></plugins></build>'),
    });
    expect(fix(mavenDepsFirst, maven('COPY . .\nRUN mvn package\n'), uses).skips).toEqual(['4: b/pom.xml uses a, another module of the build: dependency:go-offline cannot resolve a module that is not built yet']);
    expect(fix(mavenDepsFirst, maven('COPY . .\nRUN ./mvnw package\n'), single).skips).toEqual(['4: the build runs ./mvnw, which is not in the build context (or is excluded by .dockerignore)']);
    expect(fix(mavenDepsFirst, maven('COPY . .\nENV MAVEN_OPTS=-Xmx1g\nRUN mvn package\n'), single).skips).toEqual(['5: "ENV MAVEN_OPTS=-Xmx1g" sits between the source COPY and the Maven build, which might need it (move it above the COPY first)']);
    expect(fix(mavenDepsFirst, maven('COPY . .\nRUN mvn package\n'), memoryContext({ 'pom.xml': POM(), '.dockerignore': 'pom.xml\n' })).skips).toEqual(['4: pom.xml is excluded by .dockerignore']);
  });
});

describe('java/maven-cache-mount', () => {
  const context = memoryContext({});
  const MOUNT = '--mount=type=cache,target=/root/.m2 \\\n    ';

  test('every Maven step of the family, -Dmaven.repo.local followed', () => {
    expect(fix(mavenCacheMount, 'FROM maven:3 AS b\nRUN mvn dependency:go-offline\nFROM b\nRUN mvn package\n', context).output).toBe(`FROM maven:3 AS b\nRUN ${MOUNT}mvn dependency:go-offline\nFROM b\nRUN ${MOUNT}mvn package\n`);
    expect(fix(mavenCacheMount, 'FROM maven:3\nRUN mvn -Dmaven.repo.local=/repo package\n', context).output).toContain('--mount=type=cache,target=/repo \\\n');
  });

  test('skips: a later reader of ~/.m2, a dev image running mvn, different repositories, a non-root user', () => {
    expect(fix(mavenCacheMount, 'FROM maven:3 AS b\nRUN mvn package\nFROM maven:3\nCOPY --from=b /root/.m2 /root/.m2\n', context).skips).toEqual(['2: "COPY --from=b /root/.m2 /root/.m2" reads /root/.m2, which a cache mount would leave empty']);
    expect(fix(mavenCacheMount, 'FROM maven:3\nRUN mvn dependency:go-offline\nCMD ["mvn", "spring-boot:run"]\n', context).skips).toEqual(['2: "CMD ["mvn", "spring-boot:run"]" runs Maven in the image, which keeps its downloads in /root/.m2']);
    expect(fix(mavenCacheMount, 'FROM maven:3\nRUN mvn install\nRUN mvn -Dmaven.repo.local=/r package\n', context).skips).toEqual([
      '2: the Maven steps use different local repositories (/root/.m2, /r)',
      '3: the Maven steps use different local repositories (/root/.m2, /r)',
    ]);
    expect(fix(mavenCacheMount, 'FROM maven:3\nUSER app\nRUN mvn package\n', context).skips).toEqual(['3: USER app: its home (and so ~/.m2) is unknown; pass -Dmaven.repo.local to mount it']);
  });
});

describe('rust/deps-first', () => {
  const crate = (extra: Record<string, string> = {}) => memoryContext({ 'Cargo.toml': '[package]\nname = "app"\nversion = "0.1.0"\n', 'Cargo.lock': '', 'src/main.rs': '', ...extra });
  const rust = (body: string) => `FROM rust:1.79\nWORKDIR /app\n${body}`;

  test('the placeholder build repeats the cargo command as written; the real build touches the crate root', () => {
    expect(fix(rustDepsFirst, rust('COPY . .\nRUN CARGO_TARGET_DIR=/t cargo build --release --target x86_64-unknown-linux-musl\n'), crate()).output).toBe(
      rust("COPY Cargo.toml Cargo.lock ./\nRUN mkdir -p src && echo 'fn main() {}' > src/main.rs && CARGO_TARGET_DIR=/t cargo build --release --target x86_64-unknown-linux-musl && rm -rf src\nCOPY . .\nRUN touch src/main.rs && CARGO_TARGET_DIR=/t cargo build --release --target x86_64-unknown-linux-musl\n"),
    );
  });

  test('skips with reasons', () => {
    const skip = (body: string, context = crate()) => fix(rustDepsFirst, rust(body), context).skips;
    expect(skip('COPY . .\nRUN cargo build\n', memoryContext({ 'Cargo.toml': '[package]\nname = "app"\n', 'src/main.rs': '' }))).toEqual(['4: Cargo.lock is not in the build context: the dependency build could resolve other versions than the full build']);
    expect(skip('COPY . .\nRUN cargo build\n', crate({ 'Cargo.toml': '[package]\nname = "app"\n[dependencies]\ncore = { path = "core" }\n' }))).toEqual(['4: the crate has path dependencies (core), which the dependency build would need']);
    expect(skip('COPY . .\nRUN cargo build\n', crate({ 'src/bin/tool.rs': '' }))).toEqual(['4: the crate has binaries under src/bin/, which a placeholder would not stand for']);
    expect(skip('COPY . .\nRUN cargo build\n', crate({ 'target/debug/app': '' }))).toEqual(['4: the build context holds a target/ directory, which COPY . would put over the dependency build: add target/ to .dockerignore']);
    expect(skip('COPY . .\nRUN make deps | cargo build\n')).toEqual(['4: the cargo build does not start an && chain, so touching the sources before it could change what runs']);
    expect(skip('COPY . .\nENV RUSTFLAGS="-C target-cpu=native"\nRUN cargo build\n')).toEqual(['5: "ENV RUSTFLAGS="-C target-cpu=native"" sits between the source COPY and the cargo build, which might need it (move it above the COPY first)']);
    expect(skip('COPY . .\nRUN cargo build --bin other\n')).toEqual(['4: the build asks for --bin other, which a placeholder would not stand for']);
  });
});

test('a settings file of the context is copied with the poms; a cd before the build leaves the stage alone', () => {
  const context = memoryContext({ 'pom.xml': POM('<artifactId>app</artifactId>'), 'ci/settings.xml': '<settings/>' });
  expect(fix(mavenDepsFirst, maven('COPY . .\nRUN mvn -s ci/settings.xml package\n'), context).output).toBe(maven('COPY pom.xml ./\nCOPY ci/settings.xml ./ci/\nRUN mvn -s ci/settings.xml dependency:go-offline\nCOPY . .\nRUN mvn -s ci/settings.xml package\n'));
  expect(fix(mavenDepsFirst, maven('COPY . .\nRUN cd server && mvn package\n'), context)).toEqual({ output: maven('COPY . .\nRUN cd server && mvn package\n'), skips: [] });
  const crate = memoryContext({ 'Cargo.toml': '[package]\nname = "app"\n', 'Cargo.lock': '', 'src/main.rs': '' });
  expect(fix(rustDepsFirst, 'FROM rust\nWORKDIR /app\nCOPY . .\nRUN cd cli && cargo build\n', crate).output).toBe('FROM rust\nWORKDIR /app\nCOPY . .\nRUN cd cli && cargo build\n');
});
