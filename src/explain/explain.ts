/**
 * `cachefix explain`: reads the Dockerfile, the build context's ignore rules and the change (files
 * named, or what git reports since a revision), runs the cache model, and prints what rebuilds,
 * for the original and, with `fix`, for the rewrite. The I/O half; the model and the report are pure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type BuilderRules, type ChangeSet, predictCache } from './cache-model.js';
import { withPendingFiles } from '../context/context.js';
import { ignoreRules } from '../context/dockerignore.js';
import { explanationJson, type Explanation, renderExplanation } from './explain-render.js';
import { fsContext } from '../context/fs-context.js';
import { fixText } from '../index.js';
import { parseDockerfile } from '../engine/parse.js';
import { messageOf } from '../driver/error-message.js';
import type { Output } from '../driver/run.js';
import { readDockerfile } from '../driver/read-dockerfile.js';

export interface ExplainOptions {
  readonly dockerfile: string;
  readonly cwd: string;
  /** Files that change, relative to the working directory. */
  readonly changed: readonly string[];
  /** Build args whose value changes. */
  readonly changedArgs: readonly string[];
  /** Also count what `git diff --name-only REV` (plus untracked files) reports. */
  readonly since?: string;
  readonly target?: string;
  /** The build context; default: the Dockerfile's directory. */
  readonly context?: string;
  /** Also predict for the Dockerfile as cachefix would rewrite it. */
  readonly fix: boolean;
  readonly unsafe?: boolean;
  readonly format: 'text' | 'json';
  /** Whose cache rules to follow; default buildkit. */
  readonly builder?: BuilderRules;
}

export class ExplainError extends Error {}

/** Prints the explanation; returns the exit code (2 with `PATH: reason` when it cannot). */
export function explain(options: ExplainOptions, out: Pick<Output, 'stdout' | 'stderr' | 'paint'>): number {
  try {
    const explanation = buildExplanation(options);
    out.stdout(options.format === 'json' ? explanationJson(explanation) : renderExplanation(explanation, out.paint));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    out.stderr(`${message}\n`);
    return 2;
  }
}

/** A Dockerfile and its build context, as a command names them. */
export interface BuildInput {
  /** Absolute path, and as the user reads it (relative to the working directory). */
  readonly dockerfile: string;
  readonly shown: string;
  readonly text: string;
  readonly contextDir: string;
  /** The Dockerfile's path inside the context, or null when it lies outside. */
  readonly dockerfilePath: string | null;
}

/** Reads the Dockerfile and finds its context; an ExplainError (`PATH: reason`) when it cannot. */
export function readBuildInput(options: { readonly cwd: string; readonly dockerfile: string; readonly context?: string }): BuildInput {
  const dockerfile = resolve(options.cwd, options.dockerfile);
  const shown = displayPath(options.cwd, dockerfile);
  let text: string;
  try {
    // the same checks as a fix: binary, not UTF-8, too large, not a regular file
    text = readDockerfile(dockerfile);
  } catch (error) {
    throw new ExplainError(`${shown}: ${messageOf(error)}`);
  }
  const contextDir = resolve(options.cwd, options.context ?? dirname(dockerfile));
  if (!existsSync(contextDir)) throw new ExplainError(`${contextDir}: the build context does not exist`);
  const inContext = relative(contextDir, dockerfile);
  const dockerfilePath = inContext.startsWith('..') || isAbsolute(inContext) ? null : inContext.split(sep).join('/');
  return { dockerfile, shown, text, contextDir, dockerfilePath };
}

function buildExplanation(options: ExplainOptions): Explanation {
  const { shown, text, contextDir, dockerfilePath } = readBuildInput(options);
  const context = fsContext(contextDir);

  const files = [
    ...options.changed.map((path) => contextPath(contextDir, resolve(options.cwd, path), path)),
    ...(options.since !== undefined ? changedSince(contextDir, options.since) : []),
  ];
  const changes: ChangeSet = { files: [...new Set(files)], args: [...new Set(options.changedArgs)] };
  const builder = options.builder ?? 'buildkit';
  const predict = (source: string, ignores: (path: string) => boolean) => {
    try {
      return predictCache(parseDockerfile(source), { changes, ignores, target: options.target ?? null, builder });
    } catch (error) {
      throw new ExplainError(`${shown}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const rules = ignoreRules(context, dockerfilePath);
  const original = predict(text, (path) => rules.ignores(path));
  if (!options.fix) return { dockerfile: shown, builder, changes, original };

  const fixed = fixText(text, { context, dockerfilePath, unsafe: options.unsafe === true });
  const rewrittenContext = withPendingFiles(context, new Map(fixed.files.map((f) => [f.path, f.after])));
  const rewrittenRules = ignoreRules(rewrittenContext, dockerfilePath);
  return { dockerfile: shown, builder, changes, original, rewritten: predict(fixed.output, (path) => rewrittenRules.ignores(path)) };
}

/** A changed file as a context-relative POSIX path. */
function contextPath(contextDir: string, absolute: string, given: string): string {
  const path = relative(contextDir, absolute);
  if (path === '' || path.startsWith('..') || isAbsolute(path)) throw new ExplainError(`${given}: not inside the build context ${contextDir}`);
  return path.split(sep).join('/');
}

/**
 * What git reports as changed since `rev` under the context (tracked changes and untracked files),
 * plus `.git` itself when the context holds the repository: every commit changes it.
 */
export function changedSince(contextDir: string, rev: string): string[] {
  const git = (args: string[]) => {
    const result = spawnSync('git', ['-C', contextDir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw new ExplainError(`--since: cannot run git: ${result.error.message}`);
    if (result.status !== 0) throw new ExplainError(`--since ${rev}: git ${args[0]} failed: ${result.stderr.trim().split('\n')[0] ?? ''}`);
    return result.stdout.split('\n').filter((l) => l !== '');
  };
  const paths = [...git(['diff', '--name-only', '--relative', rev, '--']), ...git(['ls-files', '--others', '--exclude-standard'])];
  const head = git(['rev-parse', 'HEAD'])[0];
  const base = git(['rev-parse', `${rev}^{commit}`])[0];
  if (existsSync(join(contextDir, '.git')) && head !== base) paths.push('.git');
  return paths;
}

export function displayPath(cwd: string, path: string): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}
