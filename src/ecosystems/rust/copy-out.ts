/**
 * Taking a cargo build's artifacts out of a cache-mounted target directory: when every later reader
 * of the directory is a `COPY --from` of exact artifacts (`<target>/<triple>/<profile>/<name>`), the
 * build RUN copies them to COPY_OUT_ROOT (same relative layout as under target/) and each COPY reads
 * them there. All or nothing: one reader we cannot repoint and the directory stays in the image.
 */
import { parse } from 'smol-toml';
import type { BuildContext } from '../../context/context.js';
import { codeStart } from '../../engine/continuations.js';
import type { Edit } from '../../engine/edits.js';
import type { RunEnvironment } from '../../engine/env.js';
import { copySpec } from '../../engine/instructions.js';
import { mountsOf } from '../../engine/mounts.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../engine/parse.js';
import { instructionSnippet } from '../../engine/snippet.js';
import { plainRun } from '../../shell/plain-shell.js';
import { joinedByAnd, type ShellCommand } from '../../shell/shell.js';
import { artifactDirs, type CargoCommand } from './cargo-command.js';
import { cargoCrates, crateBinaries } from './cargo-manifest.js';

/**
 * Where the artifacts go: a directory of its own at the root, so it is outside target/ and every
 * cache mount, and no image or context puts anything there; `/cargo-out/release/app` reads as
 * "target/release/app, copied out" to anyone who knows cargo's layout.
 */
export const COPY_OUT_ROOT = '/cargo-out';

/** What cargo keeps under a profile directory: directories, never artifacts a COPY can take alone. */
const PROFILE_DIRS = new Set(['build', 'deps', 'examples', 'incremental', '.fingerprint']);

export interface CopyOutPlan {
  /** Edits of the build RUN (the appended copy) and of every COPY --from (its source word). */
  readonly runEdits: readonly Edit[];
  readonly copies: readonly { readonly instruction: Instruction; readonly edits: readonly Edit[]; readonly detail: string }[];
  /** `target/release/app` → `/cargo-out/release/app`, for the messages. */
  readonly artifacts: readonly string[];
}

export interface CopyOutInput {
  readonly doc: ParsedDockerfile;
  readonly build: BuildContext;
  readonly stage: Stage;
  readonly run: Instruction;
  readonly cargo: readonly CargoCommand[];
  readonly commands: readonly ShellCommand[];
  readonly env: RunEnvironment;
  /** The target directory (absolute) and the step's working directory. */
  readonly dir: string;
  readonly workdir: string | null;
  readonly user: string;
}

/** The plan, or why the artifacts cannot be taken out (a phrase completing "the target directory keeps no cache mount: "). */
export function planCopyOut(input: CopyOutInput): CopyOutPlan | { why: string } {
  const { doc, stage, run, cargo, dir } = input;
  const family = doc.stages.filter((s) => stageLineage(doc, s).includes(stage));
  if (family.some((s) => s.index === doc.stages.length - 1)) {
    return { why: `the image is built from ${stage.name ?? `stage ${stage.index}`} (or a stage built FROM it), and it would lose ${dir}` };
  }
  if (input.user !== 'root' && input.user !== '0') return { why: `USER ${input.user} may not create ${COPY_OUT_ROOT} to copy the artifacts out` };
  if (doc.source.text.includes(COPY_OUT_ROOT)) return { why: `the Dockerfile already uses ${COPY_OUT_ROOT}` };

  // which artifact directories the step fills: <dir>/<triple>/<profile>
  const builds = cargo.filter((c) => c.subcommand === 'build');
  if (builds.length === 0) return { why: `the step builds with cargo ${cargo[0]?.subcommand ?? ''}, and only cargo build's artifacts are copied out` };
  if (builds.some((c) => c.dynamic)) return { why: 'a cargo build argument holds a variable, so the artifact directory is not certain' };
  // a build ARG becomes an environment variable of the RUN: --build-arg could move the artifacts
  const moving = ['CARGO_BUILD_TARGET', 'CARGO_TARGET_DIR', 'CARGO_BUILD_TARGET_DIR'].find((name) => input.env.args.has(name) || (name === 'CARGO_BUILD_TARGET_DIR' && input.env.vars.has(name)));
  if (moving !== undefined) return { why: `${moving} may be set for the build (ARG or ENV), so the artifact directory is not certain` };
  const buildTarget = input.env.vars.get('CARGO_BUILD_TARGET');
  if (buildTarget === null || builds.some((c) => c.command.assignments.some((a) => a.name === 'CARGO_BUILD_TARGET' || a.name === 'CARGO_BUILD_PROFILE'))) {
    return { why: 'CARGO_BUILD_TARGET is set in a way we cannot follow, so the artifact directory is not certain' };
  }
  const config = cargoConfigMoves(input.build);
  if (config !== null) return { why: config };
  const profiles = new Map<string, Set<string> | null>(); // artifact dir → the --bin names it holds, null for every binary
  for (const c of builds) {
    const withTriple = c.targets.length === 0 && buildTarget !== undefined ? { ...c, targets: [buildTarget] } : c;
    for (const d of artifactDirs(withTriple, dir)) {
      const known = profiles.get(d);
      profiles.set(d, c.bins.length === 0 || known === null ? null : new Set([...(known ?? []), ...c.bins]));
    }
  }
  const crates = cargoCrates(input.build, '');
  // the binaries this step builds: -p narrows them to those packages (another member's binary could
  // be a stale copy left in the cache by an earlier build, where the original build would fail)
  if ('reason' in crates) return { why: `the binaries the build makes cannot be known: ${crates.reason}` };
  const packages = new Set(builds.flatMap((c) => c.packages));
  const built = crates.filter((crate) => packages.size === 0 || packages.has(crate.manifest.packageName ?? ''));
  const declared = new Set(built.flatMap((crate) => crateBinaries(input.build, crate)));

  // every later reader: a COPY --from of one artifact file, nothing else
  const names = new Set(family.flatMap((s) => [String(s.index), s.name ?? String(s.index)]));
  const inDir = (path: string) => path === dir || path.startsWith(`${dir}/`) || dir.startsWith(`${path.replace(/\/+$/, '')}/`) || path === '/';
  const copies: { instruction: Instruction; edits: Edit[]; detail: string }[] = [];
  const wanted = new Map<string, string[]>(); // artifact dir → names to copy
  const shown = (abs: string) => (input.workdir !== null && abs.startsWith(`${input.workdir === '/' ? '' : input.workdir}/`) ? abs.slice(input.workdir === '/' ? 1 : input.workdir.length + 1) : abs);
  for (const i of doc.instructions) {
    if (i.start <= run.start) continue;
    const spec = copySpec(i);
    if (spec?.from !== null && spec?.from !== undefined) {
      if (!names.has(spec.from.toLowerCase())) continue;
      const edits: Edit[] = [];
      const moved: string[] = [];
      for (const source of spec.sources) {
        const abs = source.startsWith('/') ? source : `/${source}`;
        // a pattern reads what its literal start covers: /app/static/* never reaches /app/target
        const literal = abs.split(/[*?[]/)[0] ?? abs;
        if (!inDir(abs) && !(literal !== abs && (dir.startsWith(literal) || literal.startsWith(`${dir}/`)))) continue;
        const reason = (why: string) => ({ why: `${instructionSnippet(doc, i)} ${why}` });
        if (abs === dir || abs === '/' || dir.startsWith(`${abs.replace(/\/+$/, '')}/`)) return reason('reads it, and a mounted one would be empty there');
        if (/[*?[$]/.test(source)) return reason(`copies ${source} (a pattern or variable), which cannot be pointed at a copied-out file`);
        if (i.jsonForm) return reason('is in JSON form; its source cannot be pointed elsewhere');
        const slash = abs.lastIndexOf('/');
        const parent = abs.slice(0, slash);
        const name = abs.slice(slash + 1);
        const holds = profiles.get(parent);
        if (holds === undefined || name === '' || PROFILE_DIRS.has(name)) return reason(`copies ${source}, which is not a file the step's cargo build puts directly in its ${[...profiles.keys()].map(shown).join(' or ')} directory`);
        if (holds !== null && !holds.has(name)) return reason(`copies ${name}, which the step's cargo build (--bin ${[...holds].join(', ')}) does not build`);
        if (!declared.has(name)) return reason(`copies ${name}, which is not a binary the step builds (Cargo.toml's package and [[bin]] names${packages.size > 0 ? ` of ${[...packages].join(', ')}` : ''}): a stale copy could stay in the cache`);
        const word = i.args.find((a) => a.value === source);
        if (!word || /["']/.test(source)) return reason(`writes ${source} in a way we cannot edit`);
        const target = `${COPY_OUT_ROOT}${abs.slice(dir.length)}`;
        edits.push({ start: word.start, end: word.end, text: target });
        moved.push(`${source} → ${target}`);
        wanted.set(parent, [...new Set([...(wanted.get(parent) ?? []), name])]);
      }
      if (edits.length > 0) copies.push({ instruction: i, edits, detail: `copies ${moved.join(', ')}` });
      continue;
    }
    if (bindsFromStage(i, names, dir)) return { why: `${instructionSnippet(doc, i)} mounts it from the stage, and a mounted one would be empty there` };
    if (!family.some((s) => s.index === i.stage)) continue;
    if (namesDir(doc, i, dir, input.workdir)) return { why: `${instructionSnippet(doc, i)} reads it, and a mounted one would be empty there` };
  }
  if (copies.length === 0) return { why: `the built artifacts stay in ${dir}, which a cache mount would leave out of the image` };

  // the copy goes after the RUN's last command, in its && chain and its line style
  const at = insertionPoint(input);
  if ('why' in at) return at;
  const steps: string[] = [];
  const artifacts: string[] = [];
  for (const [parent, files] of wanted) {
    const out = `${COPY_OUT_ROOT}${parent.slice(dir.length)}`;
    steps.push(`mkdir -p ${out}`, `cp ${files.map((f) => `${shown(parent)}/${f}`).join(' ')} ${out}/`);
    artifacts.push(...files.map((f) => `${shown(parent)}/${f} → ${out}/${f}`));
  }
  return { runEdits: [{ start: at.offset, end: at.offset, text: steps.map((s) => `${at.separator}${s}`).join('') }], copies, artifacts };
}

/**
 * Why the context's cargo configuration may put the artifacts elsewhere (`build.target`,
 * `build.target-dir`), or null when it does not (no file, or one without them). Only the context's
 * .cargo/ is seen: cargo also reads the ones above the working directory and in CARGO_HOME, which the
 * COPY path we match against guards (an artifact elsewhere would not be where the COPY reads it).
 */
function cargoConfigMoves(build: BuildContext): string | null {
  for (const path of ['.cargo/config.toml', '.cargo/config']) {
    const text = build.readFile(path);
    if (text === null) continue;
    let config: Record<string, unknown>;
    try {
      config = parse(text) as Record<string, unknown>;
    } catch {
      return `${path} cannot be read, and it may choose the target triple or directory`;
    }
    const section = config.build;
    if (typeof section === 'object' && section !== null && ('target' in section || 'target-dir' in section)) {
      return `${path} sets build.target or build.target-dir, so the artifact directory is not certain`;
    }
  }
  return null;
}

/** A `RUN --mount=from=<stage of the family>` whose source is `dir`, inside it or above it. */
export function bindsFromStage(i: Instruction, names: ReadonlySet<string>, dir: string): boolean {
  return mountsOf(i).some((m) => {
    const option = (name: string) => m.flag.options.find((o) => o.name === name)?.value;
    const from = option('from');
    const raw = `/${(option('source') ?? option('src') ?? '').replace(/^\/+/, '')}`;
    const source = raw.length > 1 ? raw.replace(/\/+$/, '') : raw;
    return from !== undefined && names.has(from.toLowerCase()) && (source === '/' || source === dir || source.startsWith(`${dir}/`) || dir.startsWith(`${source}/`));
  });
}

/** Whether an instruction that takes paths names `dir`, absolute or relative to the working directory. */
export function namesDir(doc: ParsedDockerfile, i: Instruction, dir: string, workdir: string | null): boolean {
  if (!['RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'WORKDIR', 'VOLUME'].includes(i.keyword)) return false;
  const text = doc.source.text.slice(i.argsStart, i.end);
  if (text.includes(dir)) return true;
  const base = workdir === '/' ? '' : workdir;
  if (base === null || !dir.startsWith(`${base}/`)) return false;
  const relative = dir.slice(base.length + 1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s"'=:./])${relative}(/|\\b)`).test(text);
}

/**
 * Where to append `&& mkdir … && cp …`: after the RUN's last command (what the whole step leaves in
 * target/, a `strip` after the build included), which must end the script or an `&&` chain of plain
 * commands; and the separator in the RUN's own style (`&& \` at line ends, `\` then `&&` at line
 * starts, or one line).
 */
function insertionPoint(input: CopyOutInput): { offset: number; separator: string } | { why: string } {
  const { doc, run, commands } = input;
  const last = commands.at(-1);
  if (!last) return { why: 'the step has no command to append to' };
  const endsScript = codeStart(doc.source.text, doc.escapeChar, last.end, run.end) >= run.end;
  const plain = plainRun(doc, run);
  const lastBuild = Math.max(...input.cargo.filter((c) => c.subcommand === 'build').map((c) => commands.indexOf(c.command)));
  if (!endsScript) return { why: 'the step does not end with a command we can append the copy to' };
  if ('reason' in plain && commands.indexOf(last) !== lastBuild) return { why: `the step ${plain.reason}, so a copy appended after its last command might not follow the build` };
  for (let k = lastBuild + 1; k < commands.length; k++) {
    if (!joinedByAnd(doc, commands[k - 1]!.end, commands[k]!.start)) return { why: 'the commands after the cargo build are not an && chain, so a copy appended after them might not follow the build' };
  }
  // the operator before the build decides whether the appended copy runs only after it
  const before = doc.source.text.slice(run.argsStart, commands[lastBuild]!.start);
  const code = before.replace(/\\\r?\n/g, ' ').trimEnd();
  if (/\|\|$|\|$/.test(code)) return { why: 'the cargo build follows || or a pipe, so the copy could run without it' };
  const text = doc.source.text;
  const lineBreak = doc.source.eol;
  const esc = doc.escapeChar;
  // the line style of the last command, where the copy goes
  const lineStart = text.lastIndexOf('\n', last.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
  const lead = text.slice(lineStart + indent.length, last.start);
  const previousLine = text.slice(text.lastIndexOf('\n', lineStart - 2) + 1, lineStart).replace(/\r?\n$/, '');
  let separator = ' && ';
  if (lead.startsWith('&&')) separator = ` ${esc}${lineBreak}${indent}&& `;
  else if (lead === '' && new RegExp(`&&[ \\t]*${esc === '\\' ? '\\\\' : esc}$`).test(previousLine)) separator = ` && ${esc}${lineBreak}${indent}`;
  return { offset: last.end, separator };
}
