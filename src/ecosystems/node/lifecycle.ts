/**
 * What a package's install-time lifecycle scripts (`preinstall`, `install`, `postinstall`,
 * `prepare`) read from the project. Run before the sources are copied, a script that reads a project
 * file must find it: `node scripts/setup.js` needs that file, `patch-package` needs `patches/`,
 * `husky install` needs `.git`. We name the files we can see, and give up on what we cannot read.
 */
import { scriptCommands } from '../../shell/shell.js';

export type LifecycleNeeds =
  /**
   * Project paths (relative to the package) the scripts read; copying them is enough. `gitHooks`: a
   * hook installer (husky) runs, which does nothing and succeeds where there is no .git.
   */
  | { readonly files: readonly string[]; readonly gitHooks?: boolean }
  | { readonly reason: string };

/** Commands that read nothing of the project (or only node_modules). */
const HARMLESS = new Set(['echo', 'true', 'exit', 'printf', ':', 'only-allow', 'ngcc', 'opencollective', 'opencollective-postinstall', 'node-gyp-build', 'is-ci', 'rm', 'mkdir', 'cd', 'test', '[', 'npm-force-resolutions']);
/** Interpreters whose first argument is a script file. */
const RUNNERS = /^(node|sh|bash|ts-node|tsx|bun|deno|zx|python3?)$/;

/** The project files the `scripts` read, or why we cannot tell. `scripts` maps names to script text. */
export function lifecycleNeeds(scripts: readonly { readonly name: string; readonly script: string }[], all: Readonly<Record<string, string>> = {}): LifecycleNeeds {
  const files: string[] = [];
  let gitHooks = false;
  for (const { name, script } of scripts) {
    const needs = scriptNeeds(`its "${name}" script`, script, all, 0);
    if ('reason' in needs) return needs;
    files.push(...needs.files);
    gitHooks ||= needs.gitHooks === true;
  }
  return gitHooks ? { files: [...new Set(files)], gitHooks } : { files: [...new Set(files)] };
}

/** `label` names the lifecycle script in messages, with the scripts it went through: `its "prepare" script (through "build")`. */
function scriptNeeds(label: string, script: string, all: Readonly<Record<string, string>>, depth: number): LifecycleNeeds {
  const commands = scriptCommands(script);
  if (commands === null) return { reason: `${label} (${script}) is shell I cannot read` };
  const files: string[] = [];
  let gitHooks = false;
  for (const command of commands) {
    let words = command.words;
    if ((words[0] ?? '') === 'npx' || (words[0] ?? '') === 'pnpx') words = words.slice(1).filter((w, i) => !(i === 0 && w.startsWith('-')));
    const cmd = (words[0] ?? '').replace(/^.*\//, '');
    const arg = words.slice(1).find((w) => !w.startsWith('-'));
    if (cmd === '' || HARMLESS.has(cmd)) continue;
    if (cmd === 'husky' && (words[1] === undefined || words[1] === 'install')) {
      // husky 8 and 9 return without error outside a git repository
      gitHooks = true;
      continue;
    }
    if (cmd === 'husky' || cmd === 'git' || cmd === 'lefthook' || cmd === 'simple-git-hooks' || cmd === 'is-git-dirty') {
      return { reason: `${label} runs ${cmd}, which reads .git` };
    }
    if (cmd === 'patch-package') {
      const dir = words.slice(1).find((w, i, a) => a[i - 1] === '--patch-dir') ?? 'patches';
      files.push(dir);
      continue;
    }
    if (RUNNERS.test(cmd) && arg !== undefined && !/^-/.test(arg) && words.every((w) => !/^(-e|--eval|-p|--print|-c)$/.test(w))) {
      files.push(arg.replace(/^\.\//, ''));
      continue;
    }
    if (RUNNERS.test(cmd) && words.some((w) => /^(-e|--eval|-p|--print)$/.test(w))) continue; // inline code: reads what it reads, but names no file
    if ((/^\.{0,2}\//.test(words[0] ?? '')) && !(words[0] ?? '').includes('node_modules')) {
      files.push((words[0] ?? '').replace(/^\.\//, ''));
      continue;
    }
    const run = runsScript(words);
    if (run !== null && depth < 3) {
      const body = all[run];
      if (body === undefined) return { reason: `${label} runs "${run}", which package.json does not define` };
      const inner = scriptNeeds(`${label} (through "${run}")`, body, all, depth + 1);
      if ('reason' in inner) return inner;
      files.push(...inner.files);
      gitHooks ||= inner.gitHooks === true;
      continue;
    }
    return { reason: `${label} runs ${cmd}, which may read project files` };
  }
  return gitHooks ? { files, gitHooks } : { files };
}

/** `npm run x`, `yarn x`, `yarn run x`, `pnpm x`, `pnpm run x`: the script it runs, or null. */
function runsScript(words: readonly string[]): string | null {
  const [tool, first, second] = words;
  if (tool === 'npm' && (first === 'run' || first === 'run-script')) return second ?? null;
  if ((tool === 'yarn' || tool === 'pnpm' || tool === 'bun') && first === 'run') return second ?? null;
  if ((tool === 'yarn' || tool === 'pnpm') && first !== undefined && !first.startsWith('-')) return first;
  return null;
}
