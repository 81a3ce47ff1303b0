/** Which context paths a `.dockerignore` excludes, with Docker's rules (via @balena/dockerignore). */
import dockerignoreModule, { type Ignore } from '@balena/dockerignore';
import { perText } from '../engine/memo.js';
import type { BuildContext } from './context.js';

// The package is CommonJS with `exports.default`; under Node's ESM interop the factory sits one level down.
const dockerignore = (dockerignoreModule as unknown as { default: (options?: { ignorecase?: boolean }) => Ignore }).default;

export interface IgnoreRules {
  /** The file the rules came from (`.dockerignore`, `Dockerfile.dockerignore`), or null when none. */
  readonly file: string | null;
  /** The file lies outside the build context (beside a Dockerfile that is not in it). */
  readonly outside: boolean;
  ignores(path: string): boolean;
}

/**
 * The rules Docker applies for a Dockerfile: `<Dockerfile>.dockerignore` beside the Dockerfile wins
 * over `.dockerignore` at the context root.
 */
export function ignoreRules(context: BuildContext, dockerfilePath: string | null): IgnoreRules {
  if (context.dockerfileIgnore) {
    const matcher = matcherOf(context.dockerfileIgnore.text);
    return { file: context.dockerfileIgnore.path, outside: true, ignores: (path) => matcher.ignores(path) };
  }
  const candidates = dockerfilePath ? [`${dockerfilePath}.dockerignore`, '.dockerignore'] : ['.dockerignore'];
  for (const file of candidates) {
    const text = context.readFile(file);
    if (text === null) continue;
    const matcher = matcherOf(text);
    return { file, outside: false, ignores: (path) => matcher.ignores(path) };
  }
  return { file: null, outside: false, ignores: () => false };
}

/**
 * The matcher of an ignore file's text, made once: transforms ask about a path or two each, many
 * times per fix, and the matcher remembers what it answered.
 */
const matcherOf = perText((text: string): Ignore => dockerignoreMatcher(text.split(/\r?\n/)));

/** A matcher for .dockerignore lines, case-sensitive as on Linux. */
export function dockerignoreMatcher(lines: readonly string[]): Ignore {
  return dockerignore({ ignorecase: false }).add([...lines]);
}
