/** Reading what common instructions mean: COPY/ADD sources and destination, ENV/ARG names, WORKDIR. */
import { normalizePath } from '../context/context.js';
import type { Instruction, ParsedDockerfile, Stage } from './parse.js';
import { stageLineage } from './parse.js';
import { officialImage } from '../images/official-images.js';

export interface CopySpec {
  readonly sources: readonly string[];
  readonly dest: string;
  /** The `--from` value: a stage, image or context name; null for the build context. */
  readonly from: string | null;
}

/** Sources and destination of a COPY/ADD, or null for heredoc copies and malformed ones. */
export function copySpec(instruction: Instruction): CopySpec | null {
  if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') return null;
  if (instruction.hasHeredoc) return null;
  const values = instruction.jsonForm ? [...instruction.jsonValues] : instruction.args.map((a) => a.value);
  if (values.length < 2) return null;
  const dest = values[values.length - 1] ?? '';
  const from = instruction.flags.find((f) => f.name === 'from')?.value ?? null;
  return { sources: values.slice(0, -1), dest, from };
}

/** `COPY . .`, `COPY ./ /src`, `ADD . .`: the whole build context. */
export function copiesWholeContext(spec: CopySpec): boolean {
  return spec.from === null && spec.sources.length === 1 && normalizePath(spec.sources[0] ?? 'x') === '';
}

/** Go's filepath.Match, which Docker uses for COPY sources: `*`, `?`, `[...]` within one path segment. */
export function globMatches(pattern: string, path: string): boolean {
  // most patterns are plain names (`go.mod`), matched against every entry of a directory
  if (!/[*?[\\]/.test(pattern)) return pattern === path;
  let compiled = globPatterns.get(pattern);
  if (compiled === undefined) {
    if (globPatterns.size >= 1000) globPatterns.clear(); // a long-running process sees many files
    compiled = globPattern(pattern);
    globPatterns.set(pattern, compiled);
  }
  return compiled !== null && compiled.test(path);
}

/** Compiled patterns by glob: the same few are asked about for every entry and every transform. */
const globPatterns = new Map<string, RegExp | null>();

/** The glob as an anchored pattern, or null for one that matches nothing (an unclosed `[`). */
function globPattern(pattern: string): RegExp | null {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') regex += '[^/]*';
    else if (c === '?') regex += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) return null;
      regex += `[${pattern.slice(i + 1, close).replace(/^\^/, '^').replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < pattern.length) {
      regex += escapeRegex(pattern[++i] ?? '');
    } else regex += escapeRegex(c);
  }
  return new RegExp(`^${regex}$`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Whether a COPY/ADD from the context copies the file at `path` (context-relative), directly or by glob. */
export function copiesFile(spec: CopySpec, path: string): boolean {
  if (spec.from !== null) return false;
  return spec.sources.some((source) => {
    const normalized = normalizePath(source);
    return normalized === path || globMatches(normalized, path);
  });
}

/** The variable names an ENV or ARG instruction sets. */
export function declaredNames(instruction: Instruction): string[] {
  if (instruction.keyword !== 'ENV' && instruction.keyword !== 'ARG') return [];
  const words = instruction.args.map((a) => a.value);
  if (instruction.keyword === 'ENV' && words.length > 0 && !(words[0] ?? '').includes('=')) {
    return [words[0] ?? '']; // legacy `ENV NAME value`
  }
  return words.filter((w) => /^[A-Za-z_][A-Za-z0-9_]*(=|$)/.test(w)).map((w) => w.split('=')[0] ?? '');
}

/**
 * The WORKDIR in effect just before `before` in a stage (following stages built FROM earlier ones),
 * or null when it cannot be known (a variable, an unknown base image with relative WORKDIRs).
 */
export function effectiveWorkdir(doc: ParsedDockerfile, stage: Stage, before: Instruction): string | null {
  const lineage = stageLineage(doc, stage).reverse();
  const root = lineage[0];
  // an image we know sets its WORKDIR or none, and then RUNs start in `/`, as in `scratch`
  const known = root ? officialImage(root.image) : null;
  let dir: string | null = known ? (known.workdir ?? '/') : root?.image === 'scratch' ? '/' : null;
  for (const s of lineage) {
    for (const instruction of s.instructions) {
      if (s === stage && instruction.start >= before.start) return dir;
      if (instruction.keyword !== 'WORKDIR') continue;
      dir = resolvePath(dir, instruction.args.map((a) => a.value).join(' '));
    }
  }
  return dir;
}

/** `path` (a COPY destination, a `cd` or WORKDIR argument) as an absolute path seen from `base`; null when unknown. */
export function resolvePath(base: string | null, path: string): string | null {
  if (path.includes('$') || /[\\"']|^[A-Za-z]:/.test(path)) return null; // variables, quotes, Windows paths
  if (path.startsWith('/')) return `/${normalizePath(path)}`;
  return base === null ? null : `/${normalizePath(`${base}/${path}`)}`;
}

/** The absolute directory a COPY/ADD writes into, taking its destination as a directory; null when unknown. */
export function copyDestinationDir(doc: ParsedDockerfile, stage: Stage, instruction: Instruction): string | null {
  const spec = copySpec(instruction);
  return spec ? resolvePath(effectiveWorkdir(doc, stage, instruction), spec.dest) : null;
}
