import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../src/context/context.js';
import { parseDockerfile } from '../src/engine/parse.js';
import { runEnvironment } from '../src/engine/env.js';
import { mavenCacheDir, mavenCommand, pomOf } from '../src/ecosystems/java/maven-command.js';
import { parsePom, reactorPoms } from '../src/ecosystems/java/pom.js';
import { runScript } from '../src/shell/shell.js';

function mavenIn(dockerfile: string) {
  const doc = parseDockerfile(dockerfile);
  const stage = doc.stages.at(-1)!;
  const run = stage.instructions.filter((i) => i.keyword === 'RUN').at(-1)!;
  return { maven: runScript(doc, run).commands.map(mavenCommand).filter((c) => c !== null), env: runEnvironment(doc, stage, run) };
}

const POM = (body: string) => `<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n<modelVersion>4.0.0</modelVersion>\n${body}\n</project>\n`;

describe('pom.xml', () => {
  test('coordinates, packaging (jar by default), modules of the project and its profiles, parent path', () => {
    expect(parsePom(POM('<artifactId>app</artifactId>'))).toEqual({ artifactId: 'app', packaging: 'jar', modules: [], parentPath: null, uses: [] });
    expect(parsePom(POM([
      '<parent><groupId>g</groupId><artifactId>p</artifactId><version>1</version></parent>',
      '<artifactId>root</artifactId><packaging>pom</packaging>',
      '<modules><module>core</module><module> web </module></modules>',
      '<profiles><profile><id>it</id><modules><module>it-tests</module></modules></profile></profiles>',
    ].join('\n')))).toEqual({ artifactId: 'root', packaging: 'pom', modules: ['core', 'web', 'it-tests'], parentPath: '../pom.xml', uses: [] });
    expect(parsePom('<project><artifactId>x</project>')).toHaveProperty('error');
  });

  test('a reactor: modules recursively, parents inside the context, reasons for missing modules', () => {
    const context = memoryContext({
      'pom.xml': POM('<packaging>pom</packaging><modules><module>core</module><module>apps</module></modules>'),
      'core/pom.xml': POM('<parent><artifactId>root</artifactId></parent><artifactId>core</artifactId>'),
      'apps/pom.xml': POM('<packaging>pom</packaging><modules><module>web/pom.xml</module></modules>'),
      'apps/web/pom.xml': POM('<artifactId>web</artifactId>'),
    });
    const poms = reactorPoms(context, 'pom.xml');
    if ('reason' in poms) throw new Error(poms.reason);
    expect(poms.map((p) => p.path)).toEqual(['pom.xml', 'core/pom.xml', 'apps/pom.xml', 'apps/web/pom.xml']);
    expect(reactorPoms(memoryContext({ 'pom.xml': POM('<modules><module>gone</module></modules>') }), 'pom.xml')).toEqual({ reason: 'module gone of pom.xml: gone/pom.xml is not in the build context' });
    expect(reactorPoms(memoryContext({ 'pom.xml': POM('<modules><module>../x</module></modules>') }), 'pom.xml')).toEqual({ reason: 'module ../x of pom.xml: ../x/pom.xml lies outside the build context' });
  });
});

describe('maven commands', () => {
  test('mvn and the wrapper: goals, -o, -f, -pl, -Dmaven.repo.local, -s', () => {
    const { maven } = mavenIn('FROM maven\nRUN mvn -B -q -T 1C -f server/pom.xml -pl api,core -am dependency:go-offline -DskipTests && ./mvnw -o package -Dmaven.repo.local=/cache/repo && sh mvnw --settings=/s.xml verify\n');
    expect(maven.map(({ command: _c, ...rest }) => rest)).toEqual([
      { tool: 'mvn', goals: ['dependency:go-offline'], offline: false, file: 'server/pom.xml', repoLocal: null, settings: null, projects: ['api', 'core'], dynamic: false },
      { tool: 'mvnw', goals: ['package'], offline: true, file: null, repoLocal: '/cache/repo', settings: null, projects: [], dynamic: false },
      { tool: 'mvnw', goals: ['verify'], offline: false, file: null, repoLocal: null, settings: '/s.xml', projects: [], dynamic: false },
    ]);
    expect(maven.map(pomOf)).toEqual(['server/pom.xml', 'pom.xml', 'pom.xml']);
    expect(mavenIn('FROM maven\nRUN mvn -v').maven[0]?.goals).toEqual([]);
  });

  test('the local repository: /root/.m2 for root, -Dmaven.repo.local, reasons for settings, MAVEN_OPTS and other users', () => {
    const dir = (dockerfile: string) => {
      const { maven, env } = mavenIn(dockerfile);
      return mavenCacheDir(maven[0]!, env);
    };
    expect(dir('FROM maven:3.8-openjdk-17\nRUN mvn package')).toBe('/root/.m2');
    expect(dir('FROM eclipse-temurin:17\nRUN ./mvnw package')).toBe('/root/.m2');
    expect(dir('FROM maven\nRUN mvn -Dmaven.repo.local=/m2/ package')).toBe('/m2');
    expect(dir('FROM maven\nRUN mvn -s settings.xml package')).toEqual({ reason: 'the settings file settings.xml may move the local repository (set -Dmaven.repo.local to mount it)' });
    expect(dir('FROM maven\nENV MAVEN_OPTS="-Dmaven.repo.local=/r"\nRUN mvn package')).toEqual({ reason: 'MAVEN_OPTS may move the local repository' });
    expect(dir('FROM maven\nUSER app\nRUN mvn package')).toEqual({ reason: 'USER app: its home (and so ~/.m2) is unknown; pass -Dmaven.repo.local to mount it' });
  });
});

test('a pom names the artifacts it uses: dependencies, plugins and their dependencies, in profiles too', () => {
  const pom = parsePom(POM([
    '<dependencies><dependency><groupId>g</groupId><artifactId>core</artifactId></dependency></dependencies>',
    '<build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><dependencies><dependency><artifactId>tool</artifactId></dependency></dependencies></plugin></plugins></build>',
    '<profiles><profile><dependencies><dependency><artifactId>extra</artifactId></dependency></dependencies></profile></profiles>',
  ].join('\n')));
  expect(pom).toMatchObject({ uses: ['core', 'maven-jar-plugin', 'tool', 'extra'] });
});
