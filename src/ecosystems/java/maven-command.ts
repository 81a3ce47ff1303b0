/**
 * What a Maven command in a RUN does with the local repository: `mvn`, `./mvnw` or `mvnw`, the goals
 * it runs, whether it works offline, which pom it reads (-f) and where the local repository is
 * (-Dmaven.repo.local, settings -s, else $HOME/.m2/repository).
 */
import type { RunEnvironment } from '../../engine/env.js';
import { trimSlash } from '../../engine/env.js';
import type { ShellCommand } from '../../shell/shell.js';

export interface MavenCommand {
  readonly tool: 'mvn' | 'mvnw';
  /** Goals and phases (`package`, `dependency:go-offline`), in order. */
  readonly goals: readonly string[];
  /** `-o` / `--offline`: every artifact must already be in the local repository. */
  readonly offline: boolean;
  /** `-f` / `--file`, as written. */
  readonly file: string | null;
  /** `-Dmaven.repo.local=…`. */
  readonly repoLocal: string | null;
  /** `-s` / `--settings` and `-gs`: a settings file may move the local repository. */
  readonly settings: string | null;
  /** `-pl` / `--projects`. */
  readonly projects: readonly string[];
  readonly dynamic: boolean;
  readonly command: ShellCommand;
}

/** Options that take their value in the next word. */
const VALUED = new Set(['-rf', '--resume-from', '-P', '--activate-profiles', '-T', '--threads', '-l', '--log-file', '-t', '--toolchains', '-gt', '-b', '--builder']);

/** `mvn …`, `./mvnw …`, `sh mvnw …` as a MavenCommand, or null. */
export function mavenCommand(command: ShellCommand): MavenCommand | null {
  let words = command.words;
  if (words[0] && /^(?:.*\/)?(?:ba)?sh$/.test(words[0].value) && words[1] && /mvnw$/.test(words[1].value)) words = words.slice(1);
  const name = words[0]?.value ?? '';
  const tool = /^(?:.*\/)?mvn$/.test(name) ? 'mvn' : /^(?:.*\/)?mvnw$/.test(name) ? 'mvnw' : null;
  if (tool === null) return null;
  const args = words.slice(1);
  const goals: string[] = [];
  const projects: string[] = [];
  let offline = false;
  let file: string | null = null;
  let repoLocal: string | null = null;
  let settings: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]?.value ?? '';
    const next = args[i + 1]?.value ?? null;
    const option = (short: string, long: string): string | null => {
      if (word === short || word === long) {
        i++;
        return next;
      }
      if (word.startsWith(`${long}=`)) return word.slice(long.length + 1);
      return null;
    };
    if (word === '-o' || word === '--offline') offline = true;
    else if (word === '-D' || word === '--define') {
      const def = next ?? '';
      if (def.startsWith('maven.repo.local=')) repoLocal = def.slice('maven.repo.local='.length);
      i++;
    } else if (word.startsWith('-Dmaven.repo.local=')) repoLocal = word.slice('-Dmaven.repo.local='.length);
    else if (word === '-f' || word === '--file' || word.startsWith('--file=')) file = option('-f', '--file');
    else if (word.startsWith('--settings=')) settings = word.slice('--settings='.length);
    else if (['-s', '--settings', '-gs', '--global-settings'].includes(word)) {
      settings = next;
      i++;
    }
    else if (word === '-pl' || word === '--projects') {
      projects.push(...(next ?? '').split(','));
      i++;
    } else if (word.startsWith('-')) {
      if (VALUED.has(word)) i++;
    } else goals.push(word);
  }
  return {
    tool,
    goals,
    offline,
    file,
    repoLocal,
    settings,
    projects,
    dynamic: command.words.some((w) => w.value.includes('$')),
    command,
  };
}

/** Whether the command resolves or builds (reads the local repository), as opposed to `mvn -v`. */
export function usesRepository(maven: MavenCommand): boolean {
  return maven.goals.length > 0;
}

/** The pom a command reads, context-relative to the RUN's directory: `-f` (a file or a directory), else pom.xml. */
export function pomOf(maven: MavenCommand): string {
  if (maven.file === null) return 'pom.xml';
  return /\.xml$/i.test(maven.file) ? maven.file : `${maven.file.replace(/\/+$/, '')}/pom.xml`;
}

/**
 * The directory to mount for the local repository: -Dmaven.repo.local, else root's ~/.m2 (the whole
 * directory: the Maven wrapper keeps its downloads there too), or why it is unknown.
 */
export function mavenCacheDir(maven: MavenCommand, env: RunEnvironment): string | { reason: string } {
  if (maven.repoLocal !== null) {
    if (maven.repoLocal.includes('$') || !maven.repoLocal.startsWith('/')) return { reason: `-Dmaven.repo.local=${maven.repoLocal} is not an absolute path we can read` };
    return trimSlash(maven.repoLocal);
  }
  if (maven.settings !== null) return { reason: `the settings file ${maven.settings} may move the local repository (set -Dmaven.repo.local to mount it)` };
  for (const name of ['MAVEN_OPTS', 'MAVEN_ARGS']) {
    const value = env.vars.get(name);
    if (value === null || (typeof value === 'string' && /maven\.repo\.local|(^|\s)(-s|--settings|-gs)\b/.test(value))) return { reason: `${name} may move the local repository` };
    if (env.args.has(name)) return { reason: `ARG ${name} may move the local repository` };
  }
  if (env.user !== 'root' && env.user !== '0') return { reason: `USER ${env.user}: its home (and so ~/.m2) is unknown; pass -Dmaven.repo.local to mount it` };
  // Java takes user.home from the password database, not from $HOME: root's is /root in every Linux image
  return '/root/.m2';
}
