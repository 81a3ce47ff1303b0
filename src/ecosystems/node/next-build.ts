/**
 * Whether a command runs `next build`, directly (`next build`, `npx next build`) or through a
 * package.json script (`npm run build`, `yarn build`, `pnpm build`, `bun run build` whose script
 * runs it). Next.js documents `.next/cache` as its build cache: kept between builds, unused at run time.
 */
import { scriptCommands } from '../../shell/shell.js';

const SCRIPT_RUNNERS: Readonly<Record<string, (args: readonly string[]) => string | null>> = {
  npm: (a) => (a[0] === 'run' || a[0] === 'run-script' ? (a[1] ?? null) : null),
  yarn: (a) => (a[0] === 'run' ? (a[1] ?? null) : a[0] !== undefined && !a[0].startsWith('-') ? a[0] : null),
  pnpm: (a) => (a[0] === 'run' ? (a[1] ?? null) : a[0] !== undefined && !a[0].startsWith('-') ? a[0] : null),
  bun: (a) => (a[0] === 'run' ? (a[1] ?? null) : null),
};

/**
 * Whether `words` could run `next build` whatever the project's scripts say: a cheap first test, so
 * that a RUN of other commands needs no package.json read (runsNextBuild is false for the rest).
 */
export function mayRunNextBuild(words: readonly string[]): boolean {
  const first = words[0] ?? '';
  return first === 'npx' || first === 'pnpx' || first === 'pnpm' || first === 'yarn' || first.replace(/^.*\//, '') === 'next' || Boolean(SCRIPT_RUNNERS[first]);
}

/** `words` run `next build`, given the project's scripts. */
export function runsNextBuild(words: readonly string[], scripts: Readonly<Record<string, string>>, depth = 0): boolean {
  const rest = words[0] === 'npx' || words[0] === 'pnpx' || (words[0] === 'pnpm' && words[1] === 'exec') || (words[0] === 'yarn' && words[1] === 'next') ? words.slice(words[0] === 'pnpm' ? 2 : 1) : words;
  if ((rest[0] ?? '').replace(/^.*\//, '') === 'next' && rest[1] === 'build') return true;
  const runner = SCRIPT_RUNNERS[words[0] ?? ''];
  const name = runner ? runner(words.slice(1)) : null;
  const body = name === null ? undefined : scripts[name];
  if (body === undefined || depth > 2) return false;
  return (scriptCommands(body) ?? []).some((c) => runsNextBuild(c.words, scripts, depth + 1));
}
