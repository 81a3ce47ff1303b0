/**
 * Java's answers to the ecosystem-neutral patterns (src/patterns/dependency-steps.ts): every Maven
 * or Gradle run (the tool or its wrapper) resolves dependencies from pom.xml or build.gradle and
 * may build. No build-reads oracle: resources and plugins may read any file of the context.
 */
import type { DependencySteps } from '../../patterns/dependency-steps.js';
import type { ShellCommand } from '../../shell/shell.js';

const TOOLS = new Set(['mvn', 'mvnw', 'gradle', 'gradlew']);

function isDependencyStep(command: ShellCommand): boolean {
  return TOOLS.has((command.words[0]?.value ?? '').split('/').pop() ?? '');
}

/** Words a Dockerfile holds when this ecosystem's transforms can find something in it (mvn or mvnw): the fixer's cheap first test (Transform.mentions). */
export const JAVA_MENTIONS = /mvn/i;

export const javaSteps: DependencySteps = {
  ecosystem: 'java',
  // the neutral transforms also know Gradle's steps, which Java's own transforms leave alone
  mentions: /mvn|gradle/i,
  manifests: ['pom.xml', 'build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts'],
  isDependencyStep,
};
