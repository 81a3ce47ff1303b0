/**
 * Configuration: `cachefix.config.{json,js,mjs}`, `.cachefixrc`, `.cachefixrc.json` or a
 * `"cachefix"` key in package.json, found from the Dockerfile's directory upwards (lilconfig).
 *
 *   { "transforms": { "go/trimpath": false, "go/strip-symbols": true },
 *     "unsafe": false, "mounts": true,
 *     "overrides": [{ "files": ["legacy/**"], "transforms": { "go/mod-download-first": false } }],
 *     "exclude": ["third_party/**"], "include": ["docker/*.df"] }
 *
 * Globs are relative to the config file's directory. CLI flags win over the file.
 */
import { dirname, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { lilconfigSync } from 'lilconfig';
import { idResolver } from '../engine/ids.js';
import type { Transform } from '../engine/transform.js';

export interface Settings {
  readonly transforms?: Readonly<Record<string, boolean>>;
  readonly unsafe?: boolean;
  readonly mounts?: boolean;
}

export interface Config extends Settings {
  readonly overrides?: readonly (Settings & { readonly files: readonly string[] })[];
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

export interface LoadedConfig {
  /** The file it came from, or null when there is none. */
  readonly path: string | null;
  readonly config: Config;
}

/** A config file that cannot be used: `path: key: what is wrong`. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const SEARCH_PLACES = ['package.json', '.cachefixrc', '.cachefixrc.json', 'cachefix.config.json', 'cachefix.config.js', 'cachefix.config.mjs'];
/**
 * Synchronous: the search stats a handful of names in every directory up to the root, and async
 * I/O made that a tenth of a hook run's time. JavaScript configs load with require(), which takes
 * ES modules too on Node >= 20.19 (the default export is the config).
 */
function requireConfig(path: string): unknown {
  try {
    return defaultExport(createRequire(import.meta.url)(path));
  } catch (error) {
    // name the file, in one line (Node's message for a top-level await runs on for several)
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw Object.assign(new Error(message), { filepath: path });
  }
}
/**
 * JSON (package.json too) is parsed from the text lilconfig has read: its default for `.json` is
 * require(), which costs a hook run half a millisecond for the package.json of every project. An
 * error names the file, as for the others.
 */
function jsonConfig(path: string, content: string): unknown {
  try {
    return JSON.parse(content.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw Object.assign(new Error(error instanceof Error ? error.message : String(error)), { filepath: path });
  }
}
const explorer = lilconfigSync('cachefix', {
  searchPlaces: SEARCH_PLACES,
  stopDir: '/',
  loaders: { noExt: jsonConfig, '.json': jsonConfig, '.js': requireConfig, '.mjs': requireConfig, '.cjs': requireConfig },
});

/** The configuration that applies in `dir`, validated against the transform ids there are. */
export async function loadConfig(dir: string, knownIds: readonly string[]): Promise<LoadedConfig> {
  let found;
  try {
    found = explorer.search(dir);
  } catch (error) {
    const file = (error as { filepath?: string }).filepath ?? dir;
    throw new ConfigError(`${file}: cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!found || found.isEmpty) return { path: found?.filepath ?? null, config: {} };
  const config = validateConfig(found.config, found.filepath, knownIds);
  if (config.include?.length || config.exclude?.length || config.overrides?.length) picomatch ??= (await import('picomatch')).default;
  return { path: found.filepath, config };
}

/** An ES module, as require() returns it, is its namespace: the config is its default export. */
function defaultExport(value: unknown): unknown {
  const isNamespace = typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Module]';
  return isNamespace ? (value as { default?: unknown }).default : value;
}

/** Checks the shape and the ids; throws ConfigError naming the file and the key. */
export function validateConfig(value: unknown, file: string, knownIds: readonly string[]): Config {
  const fail = (key: string, problem: string): never => {
    throw new ConfigError(`${file}: ${key}: ${problem}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value)) return fail('(top level)', 'must be an object');
  const settings = (v: Record<string, unknown>, prefix: string, extra: readonly string[]): void => {
    for (const key of Object.keys(v)) {
      if (!['transforms', 'unsafe', 'mounts', ...extra].includes(key)) fail(`${prefix}${key}`, `unknown key (expected ${['transforms', 'unsafe', 'mounts', ...extra].join(', ')})`);
    }
    for (const key of ['unsafe', 'mounts']) {
      if (v[key] !== undefined && typeof v[key] !== 'boolean') fail(`${prefix}${key}`, 'must be true or false');
    }
    if (v.transforms !== undefined) {
      if (!isObject(v.transforms)) fail(`${prefix}transforms`, 'must be an object of transform id → true/false');
      for (const [id, on] of Object.entries(v.transforms as Record<string, unknown>)) {
        if (!knownIds.includes(id)) fail(`${prefix}transforms.${id}`, 'unknown transform id (see cachefix --list)');
        if (typeof on !== 'boolean') fail(`${prefix}transforms.${id}`, 'must be true or false');
      }
    }
  };
  const globs = (v: unknown, key: string): void => {
    if (v !== undefined && (!Array.isArray(v) || !v.every((g) => typeof g === 'string' && g !== ''))) fail(key, 'must be a list of glob strings');
  };
  settings(value, '', ['overrides', 'include', 'exclude']);
  globs(value.include, 'include');
  globs(value.exclude, 'exclude');
  if (value.overrides !== undefined) {
    if (!Array.isArray(value.overrides)) fail('overrides', 'must be a list of { files, transforms, unsafe, mounts }');
    (value.overrides as unknown[]).forEach((o, i) => {
      if (!isObject(o)) return fail(`overrides[${i}]`, 'must be an object');
      if (o.files === undefined) fail(`overrides[${i}].files`, 'is required');
      globs(o.files, `overrides[${i}].files`);
      settings(o, `overrides[${i}].`, ['files']);
    });
  }
  return value as Config;
}

/** `path` relative to the config file's directory, in POSIX form, for glob matching. */
function relativeToConfig(loaded: LoadedConfig, path: string): string {
  return relative(loaded.path ? dirname(loaded.path) : '/', path).split(sep).join('/');
}

/**
 * picomatch, loaded by loadConfig for a config that has globs: most have none, and loading it costs
 * every run of a pre-commit hook its start-up.
 */
let picomatch: typeof import('picomatch') | null = null;

/** Whether `path` matches `patterns`, relative to the config file (globs only come from a loaded config). */
function matches(loaded: LoadedConfig, patterns: readonly string[], path: string): boolean {
  if (patterns.length === 0) return false;
  if (picomatch === null) throw new Error('config globs used before loadConfig loaded picomatch');
  return picomatch(patterns as string[], { dot: true })(relativeToConfig(loaded, path));
}

export function isExcluded(loaded: LoadedConfig, path: string): boolean {
  return matches(loaded, loaded.config.exclude ?? [], path);
}

export function isIncluded(loaded: LoadedConfig, path: string): boolean {
  return matches(loaded, loaded.config.include ?? [], path);
}

/** What the command line says; anything it sets wins over the file. */
export interface CliSelection {
  readonly only: readonly string[];
  readonly skip: readonly string[];
  readonly unsafe?: boolean;
  readonly mounts?: boolean;
}

export interface EffectiveSettings {
  readonly configFile: string | null;
  readonly transforms: readonly string[];
  readonly unsafe: boolean;
  readonly mounts: boolean;
}

/** The transforms for one file: the registry's safe ones, the file's settings and overrides, then the CLI. */
export function effectiveSettings(loaded: LoadedConfig, file: string, cli: CliSelection, registry: readonly Transform[]): EffectiveSettings {
  const layers: Settings[] = [loaded.config];
  for (const override of loaded.config.overrides ?? []) {
    if (matches(loaded, override.files, file)) layers.push(override);
  }
  let unsafe = false;
  let mounts = true;
  const toggles = new Map<string, boolean>();
  // a former id (go/hoist-independent-run) sets its transform's current one
  const resolve = idResolver(registry);
  for (const layer of layers) {
    if (layer.unsafe !== undefined) unsafe = layer.unsafe;
    if (layer.mounts !== undefined) mounts = layer.mounts;
    for (const [id, on] of Object.entries(layer.transforms ?? {})) toggles.set(resolve(id), on);
  }
  if (cli.unsafe !== undefined) unsafe = cli.unsafe;
  if (cli.mounts !== undefined) mounts = cli.mounts;
  const chosen = registry.filter((t) => {
    if (cli.skip.includes(t.id)) return false;
    if (!mounts && t.usesMounts === true) return false;
    if (cli.only.length > 0) return cli.only.includes(t.id);
    return toggles.get(t.id) ?? (t.safety === 'safe' || unsafe);
  });
  return { configFile: loaded.path, transforms: chosen.map((t) => t.id), unsafe, mounts };
}
