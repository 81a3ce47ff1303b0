/**
 * rust/cache-mount (issue 15 §1).
 *
 * Looks for: RUN steps that run `cargo build`, `cargo install` (and the other cargo commands that
 * download and compile crates: run, test, check, fetch, `cargo chef cook`) without a cache mount of
 * cargo's downloads. Such a step downloads and unpacks every crate again whenever it reruns.
 * Checks: where cargo keeps its downloads (CARGO_HOME, `/usr/local/cargo` in the rust images) and who
 * runs the step; every cargo step of the stage family can get the same mounts (all or nothing: a
 * step without the mount would not see what a mounted step downloaded); no offline build
 * (`--offline`, `--frozen`) relies on an earlier step's downloads (the cache could be emptied while
 * that step stays cached).
 * Writes: `--mount=type=cache,target=$CARGO_HOME/registry` and `…/git` (never CARGO_HOME itself: it
 * holds cargo's binaries and configuration). The target directory gets a mount of its own (with an
 * `id=` naming the crate, so two projects never share compiled artifacts) only when the step itself
 * takes what it built out of it (`cargo install`, or a `cp`/`mv`/`install` of target/… after the build)
 * and nothing later reads it: no later step, `COPY --from`, CMD or ENTRYPOINT, and no earlier build
 * wrote into it. When the only later readers are `COPY --from` of exact artifacts
 * (`target/<triple>/<profile>/<name>`, a name Cargo.toml declares), the step gets the mount too and
 * copies those artifacts out of it (`&& mkdir -p /cargo-out/release && cp target/release/app
 * /cargo-out/release/`, src/ecosystems/rust/copy-out.ts), and each COPY's source word is pointed at
 * /cargo-out: all or nothing per step, and never when the image is the build stage itself (or built
 * FROM it) or a later cargo step of the family follows. Otherwise the target directory stays in the
 * image, and the change says why: a later stage copying the binary out of target/ would find nothing
 * in a mounted one and fail.
 * Safety: safe. The final image gets the same files (the same binary, built by the same command);
 * only the build stage's own filesystem changes (target/ leaves it, /cargo-out appears), as the
 * registry mounts already take ~/.cargo/registry out of it. A `docker build --target build` user who
 * takes target/release/<bin> from that stage would have to look in /cargo-out: the issue places the
 * copy-out inside rust/cache-mount, and a build stage is an intermediate whose layout the cache
 * mounts of every ecosystem already change, so it is not split into an unsafe transform.
 */
import { runEnvironment } from '../../src/engine/env.js';
import { copySpec, effectiveWorkdir, resolvePath } from '../../src/engine/instructions.js';
import { mountsOf } from '../../src/engine/mounts.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { cacheMounts, type CacheTarget, runUser } from '../../src/patterns/cache-mount.js';
import { contextFile } from '../../src/patterns/manifest-first.js';
import { runScript, type ShellCommand } from '../../src/shell/shell.js';
import { type CargoCommand, cargoCommand, cargoDownloadDirs, cargoHome, compilesCrates } from '../../src/ecosystems/rust/cargo-command.js';
import { parseCargoManifest } from '../../src/ecosystems/rust/cargo-manifest.js';
import { bindsFromStage, type CopyOutPlan, namesDir, planCopyOut } from '../../src/ecosystems/rust/copy-out.js';
import { RUST_MENTIONS } from '../../src/ecosystems/rust/steps.js';

export const rustCacheMount: Transform = {
  id: 'rust/cache-mount',
  mentions: RUST_MENTIONS,
  title: "Mount cargo's registry and git caches (and the target directory when nothing later reads it) on cargo build steps",
  rationale: 'crates downloaded by earlier builds stay in a cache mount, so a rerun of the build step no longer downloads and unpacks every crate again',
  safety: 'safe',
  usesMounts: true,
  preconditions: [
    "CARGO_HOME is known (the rust images' /usr/local/cargo, or an ENV) and the user running cargo is known",
    'every cargo step of the stage family can get the same mounts, and no offline build relies on an earlier step’s downloads',
    'the target directory is mounted only when the step copies its artifacts out itself and no later step, COPY --from, CMD or ENTRYPOINT reads it, and no earlier build wrote into it',
    'or when every later reader is a COPY --from of artifacts the step builds (target/<triple>/<profile>/<bin>): the step copies them to /cargo-out and the COPY reads them there; the image is not the build stage, and no later cargo step follows',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    const families = new Map<number, Stage[]>();
    for (const stage of doc.stages) {
      const root = stageLineage(doc, stage).at(-1)?.index ?? stage.index;
      families.set(root, [...(families.get(root) ?? []), stage]);
    }
    for (const stages of families.values()) rewriteFamily(doc, context, stages, out);
    return out.result();
  },
};

interface CargoRun {
  readonly stage: Stage;
  readonly run: Instruction;
  readonly cargo: readonly CargoCommand[];
  readonly commands: readonly ShellCommand[];
}

function rewriteFamily(doc: ParsedDockerfile, context: TransformContext, stages: readonly Stage[], out: ResultBuilder): void {
  // What it looks for: the cargo steps of the family, in file order.
  const runs: CargoRun[] = [];
  for (const stage of stages) {
    for (const run of stage.instructions) {
      if (run.keyword !== 'RUN' || run.onbuild) continue;
      const script = runScript(doc, run);
      if (!script.parsed) {
        if (/\bcargo["',\s]+(\+\S+["',\s]+)?(build|install|b|run|test|fetch|chef)\b/.test(doc.source.text.slice(run.argsStart, run.end))) {
          return skipAll(runsMentioningCargo(doc, stages), `a cargo step cannot be read (${script.reason ?? 'unknown'}): ${instructionSnippet(doc, run)}; mount cargo's caches on every cargo step by hand, or on none`, out);
        }
        continue;
      }
      const cargo = script.commands.map(cargoCommand).filter((c): c is CargoCommand => c !== null && compilesCrates(c));
      if (cargo.length > 0) runs.push({ stage, run, cargo, commands: script.commands });
    }
  }
  if (runs.length === 0) return;

  // What it checks: one CARGO_HOME and a known user for every step, no offline build after a download.
  const homes = new Set<string>();
  const owners = new Map<Instruction, ReturnType<typeof runUser>>();
  for (const { stage, run } of runs) {
    const home = cargoHome(runEnvironment(doc, stage, run));
    if (typeof home !== 'string') return skipAll(runs.map((r) => r.run), home.reason, out);
    homes.add(home);
    const user = runUser(doc, stage, run);
    if ('reason' in user) return skipAll(runs.map((r) => r.run), user.reason, out);
    owners.set(run, user);
  }
  if (homes.size > 1) return skipAll(runs.map((r) => r.run), `the cargo steps use different CARGO_HOME directories (${[...homes].join(', ')})`, out);
  const offline = runs.slice(1).find((r) => r.cargo.some((c) => c.offline));
  if (offline) {
    return skipAll(runs.map((r) => r.run), `${instructionSnippet(doc, offline.run)} builds offline from what an earlier step downloaded: with the downloads in a cache mount it would fail whenever the cache is emptied while that step stays cached`, out);
  }
  const home = [...homes][0] ?? '';

  // What it writes: the download caches on every step, the target directory where it is safe.
  for (const cargoRun of runs) {
    const user = owners.get(cargoRun.run);
    if (!user || 'reason' in user) continue;
    const targets: CacheTarget[] = cargoDownloadDirs(home).map((target) => ({ target }));
    const target = targetMount(doc, context, cargoRun, runs);
    if ('mount' in target) targets.push(target.mount);
    const mounted = cacheMounts(doc, cargoRun.stage, cargoRun.run, targets, user);
    if ('reason' in mounted) {
      out.skip(cargoRun.run, mounted.reason);
      continue;
    }
    const copyOut = 'copyOut' in target ? target.copyOut : undefined;
    if (copyOut) {
      // one change: an ignore comment on the RUN or on a COPY drops the mount, the copy and every repointed COPY together
      const copies = copyOut.copies.map((c) => `line ${c.instruction.line + 1} ${c.detail}`).join('; ');
      out.change(cargoRun.run, [...mounted.edits, ...copyOut.runEdits, ...copyOut.copies.flatMap((c) => c.edits)], `added cache mounts for ${mounted.added.join(' and ')}; the build copies ${copyOut.artifacts.join(', ')} out of the mounted target directory; ${copies}`);
      continue;
    }
    // said on every run, the last one included (the fixer reports the skips of its final pass)
    if ('why' in target) out.skip(cargoRun.run, `the target directory keeps no cache mount: ${target.why}`);
    if (mounted.added.length === 0) continue;
    const note = 'mount' in target ? '' : ` (not the target directory: ${target.why})`;
    out.change(cargoRun.run, mounted.edits, `added cache mounts for ${mounted.added.join(' and ')}${note}`);
  }
}

function runsMentioningCargo(doc: ParsedDockerfile, stages: readonly Stage[]): Instruction[] {
  return stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN' && /\bcargo\b/.test(doc.source.text.slice(i.argsStart, i.end)) && !mountsOf(i).some((m) => m.type === 'cache'));
}

function skipAll(runs: readonly Instruction[], reason: string, out: ResultBuilder): void {
  for (const run of runs) if (!mountsOf(run).some((m) => m.type === 'cache' && /\/registry$/.test(m.target))) out.skip(run, reason);
}

/**
 * The target directory's mount for this step, or why it gets none. Safe only when what the image
 * needs from the build leaves the directory within the step, and no earlier or later instruction
 * reads or fills it.
 */
function targetMount(doc: ParsedDockerfile, context: TransformContext, cargoRun: CargoRun, all: readonly CargoRun[]): { mount: CacheTarget; copyOut?: CopyOutPlan } | { why: string } {
  const { stage, run, cargo, commands } = cargoRun;
  const workdir = effectiveWorkdir(doc, stage, run) ?? (stageLineage(doc, stage).some((s) => s.instructions.some((i) => i.keyword === 'WORKDIR')) ? null : '/');
  if (commands.some((c) => c.words[0]?.value === 'cd' || c.words[0]?.value === 'pushd')) return { why: 'the step changes directory, so where cargo writes is not certain' };
  const env = runEnvironment(doc, stage, run);
  const dirs = new Set<string>();
  for (const c of cargo) {
    if (c.manifestPath !== null) return { why: '--manifest-path puts the target directory beside another workspace' };
    const written = c.targetDir ?? env.vars.get('CARGO_TARGET_DIR') ?? 'target';
    if (written === null) return { why: 'CARGO_TARGET_DIR uses a value we cannot resolve' };
    const dir = resolvePath(workdir, written);
    if (dir === null) return { why: 'the target directory is not a path we can resolve' };
    dirs.add(dir);
  }
  if (dirs.size !== 1) return { why: 'the cargo commands of the step use different target directories' };
  const dir = [...dirs][0] ?? '';
  const existing = mountsOf(run).find((m) => m.target === dir);
  if (existing?.type === 'cache') return { mount: { target: dir } };
  if (existing) return { why: `a ${existing.type} mount already uses ${dir}` };
  if (dir === '/' || dir === workdir) return { why: `the target directory ${dir} is the working directory` };
  if (cargo.every((c) => c.subcommand === 'install' && c.installPath === null)) return { why: 'cargo install of a published crate builds in a temporary directory, not in target/' };
  if (!cargo.some((c) => c.subcommand === 'build' || c.subcommand === 'install')) return { why: 'the step builds no artifact (only cargo build and cargo install are considered)' };

  // the artifacts must leave the directory within the step: cargo install copies them out itself
  const lastBuild = Math.max(...cargo.map((c) => commands.indexOf(c.command)));
  // (`cargo install <crate>` builds in a temporary directory, not here: only --path builds in target/)
  const installsOut = (c: CargoCommand) => c.subcommand === 'install' && c.installPath !== null && (c.installRoot === null || !(resolvePath(workdir, c.installRoot) ?? dir).startsWith(dir));
  const takesOut = cargo.some(installsOut) || commands.slice(lastBuild + 1).some((c) => copiesOut(c, dir, workdir));
  const reader = laterReader(doc, stage, run, dir, workdir);
  const readerWhy = reader ? `${instructionSnippet(doc, reader)} reads it, and a mounted one would be empty there` : null;
  if (readerWhy !== null && reader?.keyword !== 'COPY') return { why: readerWhy };
  if (readerWhy === null && !takesOut) return { why: `the built artifacts stay in ${dir}, which a cache mount would leave out of the image` };
  const unmounted = (r: CargoRun) => r.run.start < run.start && !mountsOf(r.run).some((m) => m.type === 'cache' && m.target === dir);
  const earlier = all.find(unmounted);
  // The message names the step that most likely filled target/: one of this stage or those it is
  // built FROM that compiles here (cargo chef cook, a placeholder build), by line, as its snippet
  // would start with the cache mounts this transform gives it.
  const lineage = new Set(stageLineage(doc, stage).map((s) => s.index));
  const filler = all.find((r) => unmounted(r) && lineage.has(r.stage.index) && !r.cargo.every((c) => c.subcommand === 'install' && c.installPath === null)) ?? earlier;
  const builtBefore = filler ? `the cargo step on line ${filler.run.line + 1} built into it before, and a mount would hide that build` : null;
  if (builtBefore !== null) return { why: readerWhy === null ? builtBefore : `${readerWhy}; the artifacts are not copied out of a mount because ${builtBefore}` };
  const name = crateName(context, cargo);
  if (name === null) return { why: readerWhy ?? 'no Cargo.toml at the context root names the crate for the mount id (a workspace: build with -p <package>)' };
  const mount = { target: dir, id: `${name}-target` };
  if (readerWhy === null) return { mount };
  // a later stage copies artifacts out of target/: the step copies them out first, and the COPY reads them there
  const later = all.find((r) => r.run.start > run.start);
  if (later) return { why: `${readerWhy}, and copying the artifacts out in this step would miss the cargo step on line ${later.run.line + 1}` };
  // a target/ of the context (COPY . .) would be hidden by the mount while the COPY may read it
  if (contextFile(context, 'target') === 'present') return { why: `${readerWhy}, and the build context holds a target/ directory (add it to .dockerignore)` };
  const user = runEnvironment(doc, stage, run).user;
  const plan = planCopyOut({ doc, build: context.build, stage, run, cargo, commands, env, dir, workdir, user });
  if ('why' in plan) return { why: plan.why };
  return { mount, copyOut: plan };
}

/** `cp|mv|install … <target>/… <dest>` with the destination outside the target directory. */
function copiesOut(command: ShellCommand, dir: string, workdir: string | null): boolean {
  const [name, ...args] = command.words.map((w) => w.value);
  if (name !== 'cp' && name !== 'mv' && name !== 'install') return false;
  const paths = args.filter((a) => !a.startsWith('-'));
  const dest = paths.at(-1);
  if (dest === undefined || paths.length < 2) return false;
  const inside = (p: string) => {
    const abs = resolvePath(workdir, p);
    return abs !== null && (abs === dir || abs.startsWith(`${dir}/`));
  };
  return paths.slice(0, -1).some(inside) && !inside(dest);
}

/** A later instruction that reads `dir`: a RUN of the family naming it, a COPY --from of the family, a CMD/ENTRYPOINT. */
function laterReader(doc: ParsedDockerfile, stage: Stage, run: Instruction, dir: string, workdir: string | null): Instruction | null {
  const family = new Set(doc.stages.filter((s) => stageLineage(doc, s).includes(stage)).map((s) => s.index));
  const names = new Set([...family].flatMap((index) => [String(index), doc.stages[index]?.name ?? String(index)]));
  for (const i of doc.instructions) {
    if (i.start <= run.start) continue;
    if (bindsFromStage(i, names, dir)) return i;
    const spec = copySpec(i);
    if (spec?.from !== null && spec?.from !== undefined) {
      if (!names.has(spec.from.toLowerCase())) continue;
      if (spec.sources.some((source) => {
        const abs = source.startsWith('/') ? source : `/${source}`;
        return abs === dir || abs.startsWith(`${dir}/`) || dir.startsWith(`${abs.replace(/\/+$/, '')}/`) || abs === '/' || source.includes('*');
      })) return i;
      continue;
    }
    if (!family.has(i.stage)) continue;
    if (namesDir(doc, i, dir, workdir)) return i;
  }
  return null;
}

/**
 * The crate's name at the context root, for the target mount's id (the directory is per project); a
 * virtual workspace has no package of its own: the first package the step builds (`-p`) names it.
 */
function crateName(context: TransformContext, cargo: readonly CargoCommand[]): string | null {
  const text = context.build.readFile('Cargo.toml');
  if (text === null) return null;
  const manifest = parseCargoManifest(text);
  if ('error' in manifest) return null;
  if (manifest.packageName !== null) return manifest.packageName;
  return manifest.workspaceMembers !== null ? (cargo.flatMap((c) => c.packages)[0] ?? null) : null;
}
