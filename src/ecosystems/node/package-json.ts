/**
 * What an install reads from package.json: the workspaces it links, the lifecycle scripts it runs,
 * the local (`file:`, `link:`, `portal:`) dependencies it copies or links, the package manager it
 * pins and the patches it applies. Pure: the text in, facts out.
 */
import { perText } from '../../engine/memo.js';

export interface PackageJson {
  readonly name: string | null;
  /** `workspaces` (an array, or Yarn classic's `{ packages: [...] }`), as written; empty when none. */
  readonly workspaces: readonly string[];
  /** The root's install-time lifecycle scripts: `preinstall`, `install`, `postinstall`, `prepare` (and npm's `prepublish`). */
  readonly lifecycle: readonly { readonly name: string; readonly script: string }[];
  /** Every script by name (a lifecycle script may run another: `"prepare": "npm run build"`). */
  readonly scripts: Readonly<Record<string, string>>;
  /** Dependencies given by a local path: `{ name, spec: 'file:../lib', path: '../lib' }`. */
  readonly localDependencies: readonly { readonly name: string; readonly spec: string; readonly path: string }[];
  /** `packageManager` (`pnpm@9.15.0`), or null. */
  readonly packageManager: string | null;
  /** Files of patches an install applies: pnpm's `patchedDependencies`, Yarn's `patch:` protocol. */
  readonly patchFiles: readonly string[];
  /** It declares executables (`bin`, `directories.bin`): an install links them from other packages of a workspace. */
  readonly hasBin: boolean;
}

/** The scripts npm, Yarn classic, pnpm and bun run during a project install. */
export const INSTALL_LIFECYCLE = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'] as const;

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'resolutions', 'overrides'] as const;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** package.json's facts, or null when the text is not a JSON object. */
function readPackageJsonText(text: string): PackageJson | null {
  let data: Json;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, '')) as Json;
  } catch {
    return null;
  }
  if (!isObject(data)) return null;
  const scripts = isObject(data['scripts']) ? data['scripts'] : {};
  const lifecycle = INSTALL_LIFECYCLE.flatMap((name) => {
    const script = scripts[name];
    return typeof script === 'string' && script.trim() !== '' ? [{ name, script }] : [];
  });
  return {
    name: typeof data['name'] === 'string' ? data['name'] : null,
    workspaces: workspacesOf(data['workspaces']),
    lifecycle,
    scripts: Object.fromEntries(Object.entries(scripts).filter((e): e is [string, string] => typeof e[1] === 'string')),
    localDependencies: localDependencies(data),
    packageManager: typeof data['packageManager'] === 'string' ? data['packageManager'] : null,
    patchFiles: patchFiles(data),
    hasBin: hasBin(data),
  };
}

function strings(value: Json | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function workspacesOf(value: Json | undefined): string[] {
  if (Array.isArray(value)) return strings(value);
  if (isObject(value)) return strings(value['packages']);
  return [];
}

/** `file:`, `link:` and `portal:` specs name a path the install reads; so does a bare relative path. */
export function localPath(spec: string): string | null {
  const m = /^(?:file|link|portal):(.*)$/.exec(spec);
  if (m) return (m[1] ?? '').replace(/^\/\/(?=[^/])/, '');
  if (/^(\.{1,2}\/|\/|~\/)/.test(spec)) return spec;
  return null;
}

function localDependencies(data: { [key: string]: Json }): PackageJson['localDependencies'] {
  const found: { name: string; spec: string; path: string }[] = [];
  const visit = (deps: Json | undefined, prefix: string): void => {
    if (!isObject(deps)) return;
    for (const [name, spec] of Object.entries(deps)) {
      if (isObject(spec)) visit(spec, `${prefix}${name}>`); // npm overrides nest
      if (typeof spec !== 'string') continue;
      const path = localPath(spec);
      if (path !== null) found.push({ name: `${prefix}${name}`, spec, path });
    }
  };
  for (const field of DEPENDENCY_FIELDS) visit(data[field], '');
  const pnpm = data['pnpm'];
  if (isObject(pnpm)) visit(pnpm['overrides'], '');
  return found;
}

function patchFiles(data: { [key: string]: Json }): string[] {
  const files: string[] = [];
  const pnpm = data['pnpm'];
  for (const holder of [data, isObject(pnpm) ? pnpm : {}]) {
    const patched = holder['patchedDependencies'];
    if (isObject(patched)) for (const file of Object.values(patched)) if (typeof file === 'string') files.push(file);
  }
  for (const field of DEPENDENCY_FIELDS) {
    const deps = data[field];
    if (!isObject(deps)) continue;
    for (const spec of Object.values(deps)) {
      // Yarn Berry: "patch:lodash@npm%3A4.17.21#./.yarn/patches/lodash.patch" (its own files, but the patch is in the project)
      const m = typeof spec === 'string' ? /^patch:.*#(?:~\/)?(\.?\.?\/?[^:]+?)(?:::.*)?$/.exec(spec) : null;
      if (m && !(m[1] ?? '').startsWith('optional!')) files.push((m[1] ?? '').replace(/^\.\//, ''));
    }
  }
  return files;
}

function hasBin(data: { [key: string]: Json }): boolean {
  const bin = data['bin'];
  if (typeof bin === 'string' && bin.trim() !== '') return true;
  if (isObject(bin) && Object.keys(bin).length > 0) return true;
  const directories = data['directories'];
  return isObject(directories) && typeof directories['bin'] === 'string';
}

/** package.json's facts, or null when the text is not a JSON object; read once per text. */
export const readPackageJson = perText(readPackageJsonText);
