/**
 * The environment a RUN sees: the base image's defaults, then ENV and USER in order, following
 * stages built FROM earlier ones (dockerfile-ast's resolveVariable ignores that inheritance).
 */
import type { Instruction, ParsedDockerfile, Stage } from './parse.js';
import { perStage, stageLineage } from './parse.js';
import { isWindowsImage, officialImage } from '../images/official-images.js';

export interface RunEnvironment {
  /** Known variables; a value of null means "set, but to something we cannot resolve". */
  readonly vars: ReadonlyMap<string, string | null>;
  /** The USER in effect (`root` when none), as written. */
  readonly user: string;
  /** The base image at the root of the lineage, as written. */
  readonly baseImage: string;
  /** Whether the base image is one whose environment we know (an official image or a mirror of one). */
  readonly knownImage: boolean;
  /** ARG names declared in the lineage before the RUN (they become environment variables in RUN). */
  readonly args: ReadonlySet<string>;
  /** A Windows container: a Windows base image, or a WORKDIR with a drive letter (multi-arch tags). */
  readonly windows: boolean;
}

export function runEnvironment(doc: ParsedDockerfile, stage: Stage, at: Instruction): RunEnvironment {
  return stageEnvironments(doc, stage).get(at) ?? walkEnvironment(doc, stage, at, null);
}

/**
 * The environment before each instruction of `stage`, in one walk per parse and stage: asking per
 * RUN walked the stage again each time, quadratic in a file of thousands of instructions.
 */
const stageEnvironments = perStage((doc, stage): ReadonlyMap<Instruction, RunEnvironment> => {
  const before = new Map<Instruction, RunEnvironment>();
  walkEnvironment(doc, stage, null, before);
  return before;
});

/**
 * Walks the lineage in order. With `at`, returns the environment before it; with `record`, stores the
 * environment before each instruction of `stage` there (a copy each) and returns the final one.
 */
function walkEnvironment(doc: ParsedDockerfile, stage: Stage, at: Instruction | null, record: Map<Instruction, RunEnvironment> | null): RunEnvironment {
  const lineage = stageLineage(doc, stage).reverse();
  const baseImage = lineage[0]?.image ?? '';
  const known = officialImage(baseImage);
  const knownImage = known !== null;
  const vars = new Map<string, string | null>(known?.env ?? []);
  const args = new Set<string>();
  let user = 'root';
  let windows = isWindowsImage(baseImage);
  const result = (): RunEnvironment => ({ vars, user, baseImage, knownImage: knownImage && !windows, args, windows });
  /** The copy recorded last, handed on until WORKDIR, USER, ARG or ENV changes something. */
  let snapshot: RunEnvironment | null = null;
  for (const s of lineage) {
    for (const instruction of s.instructions) {
      if (s === stage && at !== null && instruction.start >= at.start) return result();
      if (s === stage && record !== null) {
        snapshot ??= { ...result(), vars: new Map(vars), args: new Set(args) };
        record.set(instruction, snapshot);
      }
      if (instruction.keyword === 'WORKDIR' && /^["']?[A-Za-z]:/.test(instruction.args[0]?.value ?? '')) windows = true;
      if (instruction.keyword === 'USER') user = instruction.args[0]?.value ?? user;
      else if (instruction.keyword === 'ARG') {
        for (const a of instruction.args) args.add(a.value.split('=')[0] ?? '');
      } else if (instruction.keyword === 'ENV') {
        for (const [name, raw] of envPairs(doc, instruction)) vars.set(name, expand(raw, vars));
      }
      if (['WORKDIR', 'USER', 'ARG', 'ENV'].includes(instruction.keyword)) snapshot = null;
    }
  }
  return result();
}

/** `ENV A=1 B="x y"` and the legacy `ENV A 1`. Values keep their quotes; expand() removes them. */
function envPairs(doc: ParsedDockerfile, instruction: Instruction): [string, string][] {
  // split on blanks outside quotes (dockerfile-ast's arguments split `B="x y"` in two)
  const text = doc.source.text.slice(instruction.argsStart, instruction.end).replace(/[\\`][ \t]*(\r?\n|\r)/g, ' ');
  const words = text.match(/(?:[^\s"']+|"(?:[^"\\]|\\.)*"|'[^']*')+/g) ?? [];
  if (words.length > 0 && !(words[0] ?? '').includes('=')) return [[words[0] ?? '', words.slice(1).join(' ')]];
  return words.filter((w) => w.includes('=')).map((w) => {
    const i = w.indexOf('=');
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** Expands `$VAR` and `${VAR}` from known values; null when something cannot be resolved. */
function expand(raw: string, vars: ReadonlyMap<string, string | null>): string | null {
  if (/^".*"$|^'.*'$/.test(raw)) raw = raw.slice(1, -1);
  if (/\$\{[^}]*[:?+-]/.test(raw) || raw.includes('\\')) return null; // ${X:-default} and escapes: too clever to guess
  let unresolved = false;
  const value = raw.replace(/\$(\w+)|\$\{(\w+)\}/g, (_m, a: string | undefined, b: string | undefined) => {
    const v = vars.get(a ?? b ?? '');
    if (v === undefined || v === null) unresolved = true;
    return v ?? '';
  });
  return unresolved ? null : value;
}

/** '' for root, `uid=N,gid=M` for a numeric user, null for a named non-root user (uid unknown). */
export function userIds(user: string): string | null {
  const [name = '', group] = user.split(':');
  if (name === 'root' || name === '0') return '';
  if (!/^\d+$/.test(name) || (group !== undefined && !/^\d+$/.test(group))) return null;
  return `uid=${name},gid=${group ?? name}`;
}

export function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** HOME for root (the image's or ENV HOME); null for another user, whose home comes from /etc/passwd. */
export function rootHome(env: RunEnvironment): string | null {
  if (env.user !== 'root' && env.user !== '0' && !env.user.startsWith('root:') && !env.user.startsWith('0:')) return null;
  const home = env.vars.get('HOME');
  if (home === null) return null;
  return home ?? '/root';
}
