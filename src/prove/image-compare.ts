/**
 * Compares two images (their file trees and the config that decides how they run) and sorts each
 * difference into one a transform explains and one nobody asked for. A Go binary's bytes may differ
 * where a transform says so (-trimpath), but its embedded build info must agree elsewhere. Pure.
 */
import { unexplainedBuildInfo } from './go-buildinfo.js';

export interface TreeEntry {
  readonly kind: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits (with setuid, setgid, sticky). */
  readonly mode: number;
  readonly size: number;
  /** sha256 of a file's content; a symlink's target. */
  readonly hash: string;
  /** The file starts with the ELF magic: a compiled program or library. */
  readonly elf: boolean;
  /** A Go binary's embedded build information (`go version -m`): version, then module and build-setting lines. */
  readonly goBuild?: readonly string[] | null;
}

export interface ImageConfig {
  readonly env: readonly string[];
  readonly entrypoint: readonly string[] | null;
  readonly cmd: readonly string[] | null;
  readonly user: string;
  readonly workdir: string;
  readonly exposedPorts: readonly string[];
}

export interface ImageSnapshot {
  /** Absolute paths in the image (`/usr/local/bin/app`). */
  readonly files: ReadonlyMap<string, TreeEntry>;
  readonly config: ImageConfig;
}

export interface Difference {
  /** A path, or a config field (`env PATH`, `cmd`). */
  readonly subject: string;
  readonly kind: 'added' | 'removed' | 'changed' | 'config';
  /** What differs, in words: `content, size 1520 -> 1210`. */
  readonly detail: string;
  /** Why the rewrite makes this difference, or null when nothing explains it. */
  readonly expected: string | null;
}

/** What the rewrite changed, from which the expected differences follow. */
export interface RewriteFacts {
  /** Transform ids that changed something. */
  readonly applied: readonly string[];
  /** Context paths whose content differs between the two builds' contexts (the Dockerfile, a new .dockerignore). */
  readonly changedContextFiles: readonly string[];
  /** Whether a context path (file or directory) is kept out of the rewritten build but not the original one. */
  readonly newlyIgnored: (contextPath: string) => boolean;
  /** Targets of the rewritten Dockerfile's cache mounts (`/go/pkg/mod`). */
  readonly cacheMounts: readonly string[];
}

/** Transforms that change a Go binary's bytes without changing what it does, and how. */
const BINARY_BYTES: Readonly<Record<string, string>> = {
  'go/trimpath': '-trimpath removes build paths from the binary',
  'go/strip-symbols': '-s -w strips the symbol table and DWARF',
  'go/drop-cache-defeating-flags': 'without -a/-installsuffix the packages come from the build cache',
  'go/static-binary-for-minimal-final': 'CGO_ENABLED=0 links the binary statically',
  'go/cross-compile': 'the binary is built for $TARGETOS/$TARGETARCH',
  'docker/dockerignore': 'without .git in the context Go stamps no vcs.revision',
};

/** Go's caches in the golang image: their content follows the build flags. */
const GO_CACHES = ['/go/pkg/mod', '/root/.cache/go-build'];

/**
 * Paths whose content differs between any two builds of the same Dockerfile (logs, package indexes,
 * timestamps compiled into caches): listed, never counted against the rewrite.
 */
const VOLATILE = [/^\/var\/log\//, /^\/var\/cache\//, /^\/var\/lib\/apt\/lists\//, /^\/tmp\//, /\/__pycache__\//, /^\/var\/lib\/dpkg\/[^/]*-old$/, /^\/etc\/(hostname|hosts|resolv\.conf)$/];

/** Config keys a transform changes, and which. */
const ENV_BY_TRANSFORM: Readonly<Record<string, readonly string[]>> = {
  'go/gopath-env': ['GOPATH', 'GO111MODULE'],
};

export function compareImages(original: ImageSnapshot, rewritten: ImageSnapshot, facts: RewriteFacts): Difference[] {
  const differences: Difference[] = [];
  for (const [path, before] of original.files) {
    const after = rewritten.files.get(path);
    if (after === undefined) differences.push(classify({ subject: path, kind: 'removed', detail: describe(before) }, before, null, facts));
    else {
      const detail = entryChanges(before, after);
      const build = before.goBuild && after.goBuild ? unexplainedBuildInfo(before.goBuild, after.goBuild, facts.applied, facts.newlyIgnored('.git')) : [];
      // a Go binary built differently than the transforms say: its behaviour may differ
      if (detail !== null && build.length > 0) differences.push({ subject: path, kind: 'changed', detail: `${detail}; Go build info: ${build.join(', ')}`, expected: null });
      else if (detail !== null) differences.push(classify({ subject: path, kind: 'changed', detail }, before, after, facts));
    }
  }
  for (const [path, after] of rewritten.files) {
    if (!original.files.has(path)) differences.push(classify({ subject: path, kind: 'added', detail: describe(after) }, null, after, facts));
  }
  differences.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  return [...differences, ...compareConfigs(original.config, rewritten.config, facts)];
}

function describe(entry: TreeEntry): string {
  return entry.kind === 'file' ? `file, ${entry.size} bytes` : entry.kind === 'symlink' ? `symlink to ${entry.hash}` : entry.kind === 'dir' ? 'directory' : 'special file';
}

function entryChanges(a: TreeEntry, b: TreeEntry): string | null {
  if (a.kind !== b.kind) return `${describe(a)} -> ${describe(b)}`;
  const parts: string[] = [];
  if (a.mode !== b.mode) parts.push(`mode ${a.mode.toString(8)} -> ${b.mode.toString(8)}`);
  if (a.kind === 'symlink' && a.hash !== b.hash) parts.push(`target ${a.hash} -> ${b.hash}`);
  if (a.kind === 'file' && a.size !== b.size) parts.push(`size ${a.size} -> ${b.size}`);
  else if (a.kind === 'file' && a.hash !== b.hash) parts.push('content (same size)');
  return parts.length > 0 ? parts.join(', ') : null;
}

function classify(difference: Omit<Difference, 'expected'>, before: TreeEntry | null, after: TreeEntry | null, facts: RewriteFacts): Difference {
  return { ...difference, expected: explainPath(difference.subject, difference.kind, before, after, facts) };
}

function explainPath(path: string, kind: Difference['kind'], before: TreeEntry | null, after: TreeEntry | null, facts: RewriteFacts): string | null {
  const suffixes = pathSuffixes(path);
  const contextFile = facts.changedContextFiles.find((file) => suffixes.includes(file));
  if (contextFile !== undefined && kind !== 'removed') return `the build context's ${contextFile} is the rewritten one, and a COPY takes it into the image`;
  if (kind === 'removed' && suffixes.some((s) => facts.newlyIgnored(s))) return 'the rewrite\'s .dockerignore keeps it out of the build context (docker/dockerignore)';
  const mount = facts.cacheMounts.find((target) => under(path, target));
  if (mount !== undefined) return `the rewrite keeps this cache in a cache mount (${mount}), out of the image`;
  const mountParent = facts.cacheMounts.find((target) => under(target, path));
  if (mountParent !== undefined && (before ?? after)?.kind === 'dir') return `the builder creates the directories of the cache mount's target (${mountParent}) in the image`;
  const goTransforms = facts.applied.filter((id) => id.startsWith('go/'));
  const cache = GO_CACHES.find((dir) => under(path, dir));
  if (cache !== undefined && goTransforms.length > 0) return `Go's cache (${cache}) holds what the rewritten build steps (${goTransforms.join(', ')}) put there`;
  if (kind === 'changed' && before?.kind === 'file' && after?.kind === 'file' && before.mode === after.mode && (before.elf || after.elf)) {
    // the vcs stamp goes only when the rewrite's .dockerignore took a .git out of the context
    const binaryChangers = facts.applied.filter((id) => BINARY_BYTES[id] !== undefined && (id !== 'docker/dockerignore' || facts.newlyIgnored('.git')));
    const reasons = binaryChangers.map((id) => `${BINARY_BYTES[id]} (${id})`);
    if (reasons.length > 0) return `a compiled binary: ${reasons.join('; ')}`;
  }
  if (VOLATILE.some((pattern) => pattern.test(path))) return 'differs between any two builds (logs, caches, timestamps)';
  return null;
}

/** `/app/.git/HEAD` -> `app/.git/HEAD`, `.git/HEAD`, `HEAD`: the context paths a COPY could have put there. */
function pathSuffixes(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  return parts.map((_, i) => parts.slice(i).join('/'));
}

function under(path: string, dir: string): boolean {
  const base = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  return path === base || path.startsWith(`${base}/`);
}

function compareConfigs(a: ImageConfig, b: ImageConfig, facts: RewriteFacts): Difference[] {
  const out: Difference[] = [];
  const envOf = (env: readonly string[]) => new Map(env.map((e) => [e.split('=')[0] ?? e, e.slice(e.indexOf('=') + 1)]));
  const envA = envOf(a.env);
  const envB = envOf(b.env);
  for (const name of [...new Set([...envA.keys(), ...envB.keys()])].sort()) {
    const va = envA.get(name);
    const vb = envB.get(name);
    if (va === vb) continue;
    const by = facts.applied.find((id) => ENV_BY_TRANSFORM[id]?.includes(name));
    out.push({
      subject: `env ${name}`,
      kind: 'config',
      detail: `${va === undefined ? '(unset)' : JSON.stringify(va)} -> ${vb === undefined ? '(unset)' : JSON.stringify(vb)}`,
      expected: by !== undefined ? `${by} removes it` : null,
    });
  }
  const fields: [string, unknown, unknown][] = [
    ['entrypoint', a.entrypoint, b.entrypoint],
    ['cmd', a.cmd, b.cmd],
    ['user', a.user, b.user],
    ['workdir', a.workdir, b.workdir],
    ['exposed ports', [...a.exposedPorts].sort(), [...b.exposedPorts].sort()],
  ];
  for (const [subject, va, vb] of fields) {
    if (JSON.stringify(va) !== JSON.stringify(vb)) out.push({ subject, kind: 'config', detail: `${JSON.stringify(va)} -> ${JSON.stringify(vb)}`, expected: null });
  }
  return out;
}
