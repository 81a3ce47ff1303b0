/**
 * What a Cargo.toml says that a Dockerfile rewrite depends on: the package and the binaries it
 * builds (their names are the files under target/<profile>/), workspace members, a build script and
 * path dependencies (files outside src/ that a dependency-only build needs). Parsed with smol-toml.
 */
import { parse } from 'smol-toml';
import type { BuildContext } from '../../context/context.js';
import { normalizePath } from '../../context/context.js';
import { perText } from '../../engine/memo.js';

export interface CargoManifest {
  /** `[package] name`, or null for a virtual workspace manifest. */
  readonly packageName: string | null;
  /** `[[bin]]` names, in order. */
  readonly bins: readonly string[];
  /** `autobins = false` turns off src/main.rs and src/bin/ discovery. */
  readonly autobins: boolean;
  /** `[lib]` is declared (or src/lib.rs is found by the caller). */
  readonly lib: boolean;
  /** `[workspace] members` as written (globs kept), or null when there is no [workspace]. */
  readonly workspaceMembers: readonly string[] | null;
  readonly workspaceExclude: readonly string[];
  /** `build = "x.rs"`, `false`, or null when unset (then build.rs is used when it exists). */
  readonly build: string | false | null;
  /** `path = ` of dependencies, dev-, build- and target-specific ones, and of [patch] entries. */
  readonly pathDependencies: readonly string[];
}

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The manifest, or the parse error's message. */
function readCargoManifest(text: string): CargoManifest | { error: string } {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0] ?? 'invalid TOML' : 'invalid TOML' };
  }
  const pkg = isTable(doc.package) ? doc.package : null;
  const bins = Array.isArray(doc.bin) ? doc.bin.filter(isTable).map((b) => b.name).filter((n): n is string => typeof n === 'string') : [];
  const workspace = isTable(doc.workspace) ? doc.workspace : null;
  const build = pkg?.build;
  return {
    packageName: typeof pkg?.name === 'string' ? pkg.name : null,
    bins,
    autobins: pkg?.autobins !== false,
    lib: isTable(doc.lib),
    workspaceMembers: workspace ? strings(workspace.members) : null,
    workspaceExclude: workspace ? strings(workspace.exclude) : [],
    build: typeof build === 'string' ? build : build === false ? false : null,
    pathDependencies: pathDependencies(doc),
  };
}

function pathDependencies(doc: Table): string[] {
  const tables: unknown[] = [doc.dependencies, doc['dev-dependencies'], doc['build-dependencies']];
  if (isTable(doc.target)) {
    for (const t of Object.values(doc.target)) if (isTable(t)) tables.push(t.dependencies, t['dev-dependencies'], t['build-dependencies']);
  }
  if (isTable(doc.workspace)) tables.push(doc.workspace.dependencies);
  if (isTable(doc.patch)) tables.push(...Object.values(doc.patch));
  if (isTable(doc.replace)) tables.push(doc.replace);
  const paths: string[] = [];
  for (const table of tables) {
    if (!isTable(table)) continue;
    for (const dep of Object.values(table)) if (isTable(dep) && typeof dep.path === 'string') paths.push(dep.path);
  }
  return paths;
}

/** One crate of the build: its directory (context-relative, '' = root) and manifest. */
export interface CargoCrate {
  readonly dir: string;
  readonly manifest: CargoManifest;
}

/**
 * The crates a build at `dir` of the context covers: the manifest there and, for a workspace, every
 * member (globs expanded over the context's directories, excludes removed). A reason when a manifest
 * is missing or unreadable.
 */
export function cargoCrates(context: BuildContext, dir: string): CargoCrate[] | { reason: string } {
  const root = readManifest(context, dir);
  if ('reason' in root) return root;
  const crates: CargoCrate[] = [root];
  const members = root.manifest.workspaceMembers ?? [];
  const exclude = new Set(root.manifest.workspaceExclude.map((e) => normalizePath(join(dir, e))));
  for (const member of members) {
    for (const memberDir of expandMember(context, dir, member)) {
      if (exclude.has(memberDir) || memberDir === dir || crates.some((c) => c.dir === memberDir)) continue;
      const crate = readManifest(context, memberDir);
      if ('reason' in crate) return crate;
      crates.push(crate);
    }
  }
  return crates;
}

function readManifest(context: BuildContext, dir: string): CargoCrate | { reason: string } {
  const path = join(dir, 'Cargo.toml');
  const text = context.readFile(path);
  if (text === null) return { reason: `${path} is not in the build context` };
  const manifest = parseCargoManifest(text);
  if ('error' in manifest) return { reason: `${path} cannot be read (${manifest.error})` };
  return { dir, manifest };
}

/** A member path with `*` / `?` in its parts, matched against the context's directories. */
function expandMember(context: BuildContext, root: string, member: string): string[] {
  let dirs = [root];
  for (const part of normalizePath(member).split('/')) {
    if (!/[*?[]/.test(part)) {
      dirs = dirs.map((d) => join(d, part));
      continue;
    }
    const pattern = new RegExp(`^${part.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    dirs = dirs.flatMap((d) => (context.list(d) ?? []).filter((e) => e.directory && pattern.test(e.name)).map((e) => join(d, e.name)));
  }
  return dirs.filter((d) => context.exists(join(d, 'Cargo.toml')));
}

/** The binaries a crate builds: `[[bin]]`, then (unless autobins = false) src/main.rs as the package name and src/bin/*. */
export function crateBinaries(context: BuildContext, crate: CargoCrate): string[] {
  const names = [...crate.manifest.bins];
  if (crate.manifest.autobins) {
    const name = crate.manifest.packageName;
    if (name !== null && context.exists(join(crate.dir, 'src/main.rs')) && !names.includes(name)) names.push(name);
    for (const entry of context.list(join(crate.dir, 'src/bin')) ?? []) {
      const bin = entry.directory ? (context.exists(join(crate.dir, `src/bin/${entry.name}/main.rs`)) ? entry.name : null) : entry.name.endsWith('.rs') ? entry.name.slice(0, -3) : null;
      if (bin !== null && !names.includes(bin)) names.push(bin);
    }
  }
  return names;
}

/** The build script a crate runs (context-relative), or null. */
export function buildScript(context: BuildContext, crate: CargoCrate): string | null {
  if (crate.manifest.build === false) return null;
  const path = join(crate.dir, crate.manifest.build ?? 'build.rs');
  return context.exists(path) ? path : null;
}

function join(dir: string, path: string): string {
  return normalizePath(dir === '' ? path : `${dir}/${path}`);
}

/** The manifest, or the parse error's message; read once per text. */
export const parseCargoManifest = perText(readCargoManifest);
