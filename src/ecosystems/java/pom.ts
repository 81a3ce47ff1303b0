/**
 * What a pom.xml says that a Dockerfile rewrite depends on: its coordinates, packaging, the modules
 * of a multi-module build (each has its own pom.xml, needed before dependencies can be resolved) and
 * a parent found by relative path. Parsed with fast-xml-parser.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { BuildContext } from '../../context/context.js';
import { perText } from '../../engine/memo.js';

export interface Pom {
  readonly artifactId: string | null;
  readonly packaging: string;
  /** `<modules>` of the project and of its profiles (a profile may add modules), as written. */
  readonly modules: readonly string[];
  /** `<parent><relativePath>`, or `../pom.xml` (Maven's default) when a parent is declared without one; null without parent. */
  readonly parentPath: string | null;
  /** `<dependencies>` and `<build><plugins>` artifactIds (with profiles'): a reactor module named here is built, not downloaded. */
  readonly uses: readonly string[];
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Made on first use: a run that meets no pom.xml never loads the XML parser (scripts/bundle.mjs). */
let parser: XMLParser | null = null;
const xmlParser = (): XMLParser =>
  (parser ??= new XMLParser({ ignoreAttributes: true, parseTagValue: false, removeNSPrefix: true, isArray: (name) => ['module', 'profile', 'dependency', 'plugin'].includes(name) }));

/** The pom, or why it cannot be read. */
function readPom(xml: string): Pom | { error: string } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { error: `${valid.err.msg} (line ${valid.err.line})` };
  const doc: unknown = xmlParser().parse(xml);
  const project = isNode(doc) && isNode(doc.project) ? doc.project : null;
  if (project === null) return { error: 'no <project> element' };
  const modules = (node: Node): string[] => (isNode(node.modules) ? list(node.modules.module).map(text).filter((m): m is string => m !== null && m !== '') : []);
  const profiles = isNode(project.profiles) ? list(project.profiles.profile).filter(isNode) : [];
  const parent = isNode(project.parent) ? project.parent : null;
  const relative = parent ? text(parent.relativePath) : null;
  return {
    artifactId: text(project.artifactId),
    packaging: text(project.packaging) ?? 'jar',
    modules: [...new Set([...modules(project), ...profiles.flatMap(modules)])],
    parentPath: parent === null ? null : relative === null ? '../pom.xml' : relative,
    uses: [project, ...profiles].flatMap(usedArtifacts),
  };
}

function usedArtifacts(node: Node): string[] {
  const ids = (holder: unknown, item: string): string[] =>
    isNode(holder) ? list(holder[item]).filter(isNode).map((d) => text(d.artifactId)).filter((a): a is string => a !== null) : [];
  const build = isNode(node.build) ? node.build : null;
  const plugins = build === null ? [] : list(build.plugins).filter(isNode).flatMap((p) => [...ids(p, 'plugin'), ...list(p.plugin).filter(isNode).flatMap((pl) => ids(pl.dependencies, 'dependency'))]);
  return [...ids(node.dependencies, 'dependency'), ...plugins];
}

/** One pom of a reactor build: its context-relative path and content. */
export interface ReactorPom {
  readonly path: string;
  readonly pom: Pom;
}

/**
 * Every pom.xml a build of `pomPath` reads: the pom, its modules recursively (a module path names a
 * directory holding pom.xml, or a pom file) and parents inside the context. A reason when one is
 * missing or unreadable, or a module lies outside the context.
 */
export function reactorPoms(context: BuildContext, pomPath: string): ReactorPom[] | { reason: string } {
  const found: ReactorPom[] = [];
  const visit = (path: string, role: string): { reason: string } | null => {
    if (found.some((p) => p.path === path)) return null;
    if (path.startsWith('../')) return { reason: `${role} ${path} lies outside the build context` };
    const xml = context.readFile(path);
    if (xml === null) return { reason: `${role} ${path} is not in the build context` };
    const pom = parsePom(xml);
    if ('error' in pom) return { reason: `${path} cannot be read (${pom.error})` };
    found.push({ path, pom });
    const dir = dirOf(path);
    for (const module of pom.modules) {
      const target = join(dir, module);
      const modulePom = /\.xml$/i.test(target) ? target : join(target, 'pom.xml');
      const problem = visit(modulePom, `module ${module} of ${path}:`);
      if (problem) return problem;
    }
    if (pom.parentPath !== null && pom.parentPath !== '') {
      const target = join(dir, pom.parentPath);
      const parentPom = /\.xml$/i.test(target) ? target : join(target, 'pom.xml');
      // a parent outside the context or absent comes from a repository: nothing to copy
      if (!parentPom.startsWith('../') && context.exists(parentPom)) return visit(parentPom, `parent of ${path}:`);
    }
    return null;
  };
  const problem = visit(join('', pomPath), 'the pom');
  return problem ?? found;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** `dir/path` normalised; a path climbing above the context root keeps its leading `../` (normalizePath would drop it). */
function join(dir: string, path: string): string {
  const parts: string[] = [];
  for (const part of `${dir}/${path}`.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts.at(-1) !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** The pom, or why it cannot be read; read once per text (every Maven transform reads the reactor in every pass). */
export const parsePom = perText(readPom);
