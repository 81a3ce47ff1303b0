/**
 * go/vendor-mode (catalogue G-08, seed point 6).
 *
 * Looks for: in a build context with `vendor/modules.txt` and `go.mod`, Go stages that still work as
 * if the modules were downloaded: `go mod download` steps, module-cache mounts
 * (`--mount=type=cache,target=<GOMODCACHE>`) on RUNs that build from vendor/, and `-mod=mod` /
 * `-mod=readonly` on `go build|test|install|vet` (both switch vendoring off).
 * Checks: `.dockerignore` lets vendor/ into the context; go.mod has a `go` directive (from 1.14 on,
 * vendor/ is the default; below it, or with an image whose Go is older than 1.14, the build needs
 * `-mod=vendor`); the Go commands run in module mode (not Go < 1.11, GO111MODULE=off, or Go 1.11/1.12
 * inside $GOPATH/src without GO111MODULE=on, where `-mod` is an error); nothing in the stage family forces
 * module mode (`GOFLAGS=-mod=mod|readonly`, `ARG GOFLAGS`, a `-mod` with a variable); every Go step
 * that the removed download or mount served copies vendor/ in first (`COPY . .`, `COPY vendor ...`,
 * or a bind mount of the context); no `COPY --from` takes the module cache out of the stage; no
 * `--network=none` step runs a build driver that might still want the modules; the download is a
 * plain step (alone in its RUN, or joined by `&&`).
 * Writes: deletes download-only RUNs (with their attached comments) or just the `go mod download &&`
 * part of a chain, and the `COPY go.mod go.sum ./` above a deleted RUN when only deleted RUNs lie
 * between it and a `COPY . .` that copies the same files to the same place; deletes the module-cache mount flag; deletes `-mod=mod`/`-mod=readonly`, or, when
 * go.mod says `go` < 1.14, writes `-mod=vendor` instead and adds it where no `-mod` is given.
 * Not checked: whether vendor/ matches go.mod (`go mod vendor` was run); a stale vendor/ fails the
 * build with "inconsistent vendoring", which a reviewer sees at once.
 */
import { normalizePath } from '../../src/context/context.js';
import { ignoreRules } from '../../src/context/dockerignore.js';
import type { Edit } from '../../src/engine/edits.js';
import { runEnvironment } from '../../src/engine/env.js';
import { type GoCommand, needsModule, stageScripts, goSubcommand, mentionsGoCommand } from '../../src/ecosystems/go/go.js';
import { type GoFlag, parseFlags } from '../../src/ecosystems/go/go-build.js';
import { compareGoVersions, parseGoMod } from '../../src/ecosystems/go/gomod.js';
import { copiesFile, copiesWholeContext, copyDestinationDir, copySpec } from '../../src/engine/instructions.js';
import { mountsOf } from '../../src/engine/mounts.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import { removeChainedCommandEdits, removeInstructionsEdits, removeTokenEdits, type Span } from '../../src/engine/removal.js';
import { codeStart } from '../../src/engine/continuations.js';
import { joinedByAnd, runScript, type RunScript, type ShellCommand } from '../../src/shell/shell.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { goCacheDirs } from '../../src/ecosystems/go/go-caches.js';
import { goCommandDir, goCommandEnv } from '../../src/ecosystems/go/go-binary.js';
import { goAtLeast, gopathModeReason, stageToolchain } from '../../src/ecosystems/go/go-toolchain.js';
import { GO_MENTIONS } from '../../src/ecosystems/go/steps.js';

/** Subcommands whose `-mod` flag decides between vendor/ and the module cache. */
const FLAG_SUBCOMMANDS = new Set(['build', 'test', 'install', 'vet']);
/** Subcommands that read packages and so build from vendor/ in vendor mode. */
const VENDOR_READERS = new Set(['build', 'test', 'install', 'vet', 'run', 'generate', 'list']);
const DOWNLOAD_STEPS = new Set(['mod download', 'mod verify']);
/** Subcommands that use the module cache even in a vendored module. */
const MODULE_FETCHERS = new Set(['get', 'mod tidy', 'mod vendor', 'mod graph', 'mod why']);
/** Commands that run go themselves in ways we cannot see (a Makefile may install tools with @version). */
const BUILD_DRIVERS = new Set(['make', 'mage', 'sh', 'bash', 'goreleaser', 'task', 'just', 'xx-go']);

const READONLY_DETAIL = '-mod=readonly switches vendoring off (it is the default since Go 1.16 for non-vendored builds)';

export const vendorMode: Transform = {
  id: 'go/vendor-mode',
  mentions: GO_MENTIONS,
  title: 'Build vendored modules from vendor/ without downloading them',
  rationale:
    'a vendored module builds from vendor/, so a module download or a module-cache mount only spends time and network on every build',
  safety: 'safe',
  preconditions: [
    'vendor/modules.txt and go.mod are in the context, and .dockerignore does not exclude vendor/',
    "go.mod has a go directive (< 1.14: the build gets -mod=vendor); nothing sets GOFLAGS=-mod=mod|readonly or ARG GOFLAGS",
    'every Go step the download or mount served copies vendor/ first; no COPY --from takes the module cache',
    'a removed go mod download is alone in its RUN or joined by &&',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    if (!context.build.exists('vendor/modules.txt')) return out.result();
    const module = moduleFacts(context);
    for (const stage of doc.stages) rewriteStage(doc, stage, module, out);
    return out.result();
  },
};

/** What the context says about the vendored module, or why nothing may be changed. */
type ModuleFacts = { readonly legacy: boolean; readonly goMod: string } | { readonly reason: string };

function moduleFacts(context: TransformContext): ModuleFacts {
  const goMod = context.build.readFile('go.mod');
  if (goMod === null) return { reason: 'vendor/modules.txt but no go.mod at the root of the build context (pass --context if the build runs elsewhere)' };
  const ignored = ignoreRules(context.build, context.dockerfilePath);
  if (ignored.ignores('vendor/modules.txt')) {
    return { reason: `${ignored.file ?? '.dockerignore'} excludes vendor/, so the build cannot see the vendored modules and needs the module cache` };
  }
  const go = parseGoMod(goMod).go;
  if (go === null) return { reason: 'go.mod has no go directive, so whether Go builds from vendor/ by default depends on the Go version' };
  return { legacy: compareGoVersions(go, '1.14') < 0, goMod };
}

/** One Go command inside a RUN, with its top-level neighbours in the `&&` chain. */
interface RunFacts {
  readonly instruction: Instruction;
  readonly script: RunScript;
  /** Commands not nested inside another one (`$(...)` substitutions excluded). */
  readonly topLevel: readonly ShellCommand[];
  readonly goCommands: readonly GoCommand[];
}

function rewriteStage(doc: ParsedDockerfile, stage: Stage, module: ModuleFacts, out: ResultBuilder): void {
  // What it looks for.
  const { scripts, goCommands } = stageScripts(doc, stage);
  // each RUN's Go commands, grouped in one pass (filtering them per RUN was quadratic in the stage)
  const goCommandsOf = new Map<Instruction, GoCommand[]>();
  for (const g of goCommands) {
    const list = goCommandsOf.get(g.instruction);
    if (list) list.push(g);
    else goCommandsOf.set(g.instruction, [g]);
  }
  const runs: RunFacts[] = [...scripts].map(([instruction, script]) => ({
    instruction,
    script,
    topLevel: topLevelCommands(script.commands),
    goCommands: goCommandsOf.get(instruction) ?? [],
  }));
  const downloads = goCommands.filter((g) => g.subcommand === 'mod download');
  const flagged = goCommands.filter((g) => FLAG_SUBCOMMANDS.has(g.subcommand) && needsModule(g));
  const mounted = runs.filter((r) => isGoRun(doc, r) && moduleCacheMount(doc, stage, r.instruction) !== null);
  const modFlags = flagged.map((g) => ({ go: g, flag: modFlag(g) }));
  // Go before 1.14 never builds from vendor/ by itself, whatever go.mod says
  const first = [...downloads, ...flagged][0];
  const toolchain = first ? stageToolchain(doc, stage, first.instruction) : null;
  const oldGo = toolchain !== null && !('reason' in toolchain) && goAtLeast(toolchain, '1.14') === false ? toolchain : null;
  const legacy = 'legacy' in module && (module.legacy || oldGo !== null);
  const legacyWhy = oldGo ? `${oldGo.image} has Go ${oldGo.goVersion ?? '?'}, which builds from vendor/ only when told (Go 1.14 made it the default)` : 'go.mod says go < 1.14, where vendor/ is not the default';
  const flagWork = modFlags.filter(({ flag }) => (flag ? flag.value === 'mod' || flag.value === 'readonly' : legacy));
  const candidates = new Set<Instruction>([...downloads, ...flagWork.map((f) => f.go)].map((g) => g.instruction));
  for (const r of mounted) candidates.add(r.instruction);
  if (candidates.size === 0) return;

  // What it checks, once per stage.
  const blocker = 'reason' in module ? module.reason : moduleModeForced(doc, stage) ?? (first ? gopathMode(doc, stage, first, module.goMod) : null);
  if (blocker) {
    for (const instruction of candidates) out.skip(instruction, blocker);
    return;
  }

  // What it writes, per RUN: the download goes, then the flags, then the mount.
  const changes = new Map<Instruction, { edits: Edit[]; details: string[] }>();
  const note = (instruction: Instruction, edits: readonly Edit[], detail: string) => {
    const entry = changes.get(instruction) ?? { edits: [], details: [] };
    entry.edits.push(...edits);
    entry.details.push(detail);
    changes.set(instruction, entry);
  };
  const removedRuns = new Set<Instruction>();
  const keptDownloads = new Set<Instruction>();
  for (const download of downloads) {
    const run = runs.find((r) => r.instruction === download.instruction);
    if (!run || changes.has(run.instruction)) continue;
    const removal = downloadRemoval(doc, stage, run, download);
    if ('reason' in removal) {
      out.skip(run.instruction, removal.reason);
      keptDownloads.add(run.instruction);
    } else if (removal.wholeRun) {
      removedRuns.add(run.instruction);
    } else {
      note(run.instruction, removal.edits, 'removed go mod download from the && chain');
    }
  }

  // the download RUNs go whole, with a manifest COPY that only they read (one change each: an
  // ignore comment on the RUN keeps its COPY too), removed together for the blank-line rule
  const claimed = new Set<Instruction>();
  const leftovers = [...removedRuns].map((run) => {
    const copy = leftoverManifestCopy(doc, stage, run, removedRuns);
    if (!copy || claimed.has(copy)) return { run, copy: null };
    claimed.add(copy);
    return { run, copy };
  });
  const removed = [...removedRuns, ...leftovers.flatMap((l) => (l.copy ? [l.copy] : []))];
  const removals = new Map(removeInstructionsEdits(doc, removed).map((edit, k) => [removed[k]!, edit]));
  for (const { run, copy } of leftovers) {
    note(run, [removals.get(run)!], 'removed the go mod download step');
    if (copy) note(run, [removals.get(copy)!], `removed ${instructionSnippet(doc, copy)}, which only that step read (the source COPY copies the same files again)`);
  }

  for (const { go, flag } of flagWork) {
    if (removedRuns.has(go.instruction)) continue;
    const missing = vendorMissing(doc, stage, go.instruction);
    if (missing) {
      out.skip(go.instruction, missing);
      continue;
    }
    if (!flag) {
      note(go.instruction, [{ start: subcommandWord(go).end, end: subcommandWord(go).end, text: ' -mod=vendor' }], `added -mod=vendor: ${legacyWhy}`);
      continue;
    }
    const span: Span = { start: flag.words[0]!.start, end: flag.words[flag.words.length - 1]!.end };
    if (legacy) {
      note(go.instruction, [{ ...span, text: '-mod=vendor' }], `replaced -mod=${flag.value ?? ''} with -mod=vendor: ${legacyWhy}`);
      continue;
    }
    const words = go.command.words;
    const index = words.indexOf(flag.words[0]!);
    const previous = words[index - 1] ?? null;
    const next = words[index + flag.words.length] ?? null;
    note(go.instruction, [...removeTokenEdits(doc, span, previous, next)], flag.value === 'readonly' ? READONLY_DETAIL : '-mod=mod switches vendoring off and lets go change go.mod');
  }

  for (const run of mounted) {
    if (removedRuns.has(run.instruction) || keptDownloads.has(run.instruction)) continue;
    const mount = moduleCacheMount(doc, stage, run.instruction);
    if (!mount) continue;
    const reason = mountStillNeeded(doc, stage, run);
    if (reason) {
      out.skip(run.instruction, `the module cache mount stays: ${reason}`);
      continue;
    }
    const flags = [...run.instruction.flags].sort((a, b) => a.start - b.start);
    const index = flags.indexOf(mount.flag);
    const previous = flags[index - 1] ?? null;
    const argsStart = codeStart(doc.source.text, doc.escapeChar, run.instruction.argsStart, run.instruction.end);
    const next: Span = flags[index + 1] ?? { start: argsStart, end: argsStart };
    note(run.instruction, removeTokenEdits(doc, mount.flag, previous, next), `removed the module cache mount (${mount.target})`);
  }

  for (const [instruction, { edits, details }] of changes) out.change(instruction, edits, details.join('; '));
}

/** Why the stage's Go commands may run in GOPATH mode, where -mod is an error and vendor/modules.txt means nothing. */
function gopathMode(doc: ParsedDockerfile, stage: Stage, go: GoCommand, goMod: string): string | null {
  const go111module = goCommandEnv(doc, stage, go.instruction, go.command, 'GO111MODULE')?.value ?? null;
  return gopathModeReason(doc, stage, go.instruction, goCommandDir(doc, stage, go.instruction, go.command), goMod, go111module);
}

/** Sources of a manifest-only COPY: go.mod, go.sum, go.work, go.work.sum at the context root, or a glob of them. */
const MANIFEST_SOURCE = /^(\.\/)?go\.(mod|sum|work|work\.sum|\*)\*?$/;

/**
 * The `COPY go.mod go.sum ./` above a removed download RUN that nothing else reads: every RUN between
 * it and the next whole-context COPY of the stage is removed, and that COPY, with the same flags,
 * writes the same files into the same directory again, so the image does not change without it.
 */
function leftoverManifestCopy(doc: ParsedDockerfile, stage: Stage, run: Instruction, removedRuns: ReadonlySet<Instruction>): Instruction | null {
  const before = stage.instructions.filter((i) => i.start < run.start);
  const copy = [...before].reverse().find((i) => i.keyword === 'COPY' || i.keyword === 'ADD' || (i.keyword === 'RUN' && !removedRuns.has(i)));
  const spec = copy ? copySpec(copy) : null;
  if (!copy || !spec || copy.keyword !== 'COPY' || spec.from !== null || !spec.sources.every((s) => MANIFEST_SOURCE.test(s))) return null;
  const source = stage.instructions.find((i) => i.start > run.start && (i.keyword === 'COPY' || i.keyword === 'ADD' || (i.keyword === 'RUN' && !removedRuns.has(i))));
  const sourceSpec = source ? copySpec(source) : null;
  if (!source || !sourceSpec || !copiesWholeContext(sourceSpec)) return null;
  const flags = (i: Instruction) => i.flags.map((f) => doc.source.text.slice(f.start, f.end)).sort().join(' ');
  const dir = copyDestinationDir(doc, stage, copy);
  return dir !== null && dir === copyDestinationDir(doc, stage, source) && flags(copy) === flags(source) ? copy : null;
}

/** A RUN that runs go, a build driver, or Go we cannot read: the only ones whose mounts we judge. */
function isGoRun(doc: ParsedDockerfile, run: RunFacts): boolean {
  if (!run.script.parsed) return mentionsGoCommand(doc, run.instruction);
  return run.goCommands.length > 0 || run.script.commands.some(isDriver);
}

function topLevelCommands(commands: readonly ShellCommand[]): ShellCommand[] {
  return commands.filter((c) => !commands.some((o) => o !== c && o.start <= c.start && c.end <= o.end));
}

function subcommandWord(go: GoCommand) {
  return go.command.words.find((w, i) => i > 0 && w.value === go.subcommand.split(' ')[0]) ?? go.command.words[0]!;
}

/** The `-mod` flag of a `go build|test|install|vet`, if it has one. */
function modFlag(go: GoCommand): GoFlag | undefined {
  const words = go.command.words;
  const index = words.indexOf(subcommandWord(go));
  return parseFlags(words.slice(index + 1)).find((f) => f.name === '-mod');
}

/** Where Go keeps downloaded modules for a RUN, or null when it cannot be told. */
function moduleCacheDir(doc: ParsedDockerfile, stage: Stage, run: Instruction): string | null {
  const env = runEnvironment(doc, stage, run);
  const dirs = goCacheDirs(env);
  if (!('reason' in dirs)) return dirs.modCache;
  // goCacheDirs also needs the build cache; the module cache alone depends only on GOMODCACHE/GOPATH
  if (env.windows || env.args.has('GOMODCACHE') || env.args.has('GOPATH')) return null;
  const gopath = env.vars.get('GOPATH');
  const dir = env.vars.get('GOMODCACHE') ?? (gopath ? `${gopath.split(':')[0] ?? ''}/pkg/mod` : null);
  return dir && dir.startsWith('/') ? dir.replace(/\/+$/, '') : null;
}

function moduleCacheMount(doc: ParsedDockerfile, stage: Stage, run: Instruction) {
  if (run.keyword !== 'RUN' || run.onbuild) return null;
  const caches = mountsOf(run).filter((m) => m.type === 'cache');
  if (caches.length === 0) return null;
  const dir = moduleCacheDir(doc, stage, run);
  return dir === null ? null : caches.find((m) => m.target === dir) ?? null;
}

/** Stages built FROM this one, transitively (not the stage itself). */
function descendants(doc: ParsedDockerfile, stage: Stage): Stage[] {
  return doc.stages.filter((s) => s !== stage && stageLineage(doc, s).includes(stage));
}

/** Something in the stage, its ancestors or descendants that makes go use the module cache anyway. */
function moduleModeForced(doc: ParsedDockerfile, stage: Stage): string | null {
  const family = [...stageLineage(doc, stage).reverse(), ...descendants(doc, stage)];
  for (const instruction of family.flatMap((s) => s.instructions)) {
    const text = codeOf(doc, instruction);
    const forced = [...text.matchAll(/\bGOFLAGS(?:=|\s+)("[^"]*"|'[^']*'|\S+)/g)]
      .map((m) => /-mod=(mod|readonly)\b/.exec(m[1] ?? '')?.[1])
      .find((v) => v !== undefined);
    if (forced) {
      return `${instructionSnippet(doc, instruction)} makes every go command ignore vendor/ and use the module cache (which the download and the mount fill); remove -mod=${forced} from GOFLAGS by hand if the build should use vendor/`;
    }
    if (instruction.keyword === 'ARG' && instruction.args.some((a) => /^GOFLAGS(=|$)/.test(a.value))) {
      return `${instructionSnippet(doc, instruction)} may pass GOFLAGS=-mod=mod at build time, which would need the module cache`;
    }
    if (/(^|\s)--?mod[= ]["']?\$/.test(text)) return `${instructionSnippet(doc, instruction)} passes -mod with a variable, which may select the module cache`;
  }
  return null;
}

/** An instruction's text without the comment lines inside its continuations. */
function codeOf(doc: ParsedDockerfile, instruction: Instruction): string {
  return doc.source.text
    .slice(instruction.start, instruction.end)
    .split(/\r?\n/)
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
}

/**
 * Why vendor/ is not in the file system a RUN sees: no COPY/ADD of the whole context or of vendor/
 * earlier in the stage or a stage it is built FROM, and no bind mount of the context on the RUN.
 */
function vendorMissing(doc: ParsedDockerfile, stage: Stage, run: Instruction): string | null {
  const brings = (i: Instruction): boolean => {
    const spec = copySpec(i);
    if (!spec || spec.from !== null) return false;
    if (i.flags.some((f) => f.name === 'exclude' && /vendor/.test(f.value ?? ''))) return false;
    return copiesWholeContext(spec) || copiesFile(spec, 'vendor/modules.txt') || spec.sources.some((s) => normalizePath(s) === 'vendor');
  };
  for (const s of stageLineage(doc, stage)) {
    if (s.instructions.some((i) => (s !== stage || i.start < run.start) && brings(i))) return null;
  }
  const bindsContext = mountsOf(run).some(
    (m) => m.type === 'bind' && !m.flag.options.some((o) => o.name === 'from') && ['', 'vendor'].includes(normalizePath(m.flag.options.find((o) => o.name === 'source' || o.name === 'src')?.value ?? '.')),
  );
  if (bindsContext) return null;
  return `no COPY of vendor/ (or of the whole context) comes before ${instructionSnippet(doc, run)}, so that step builds with the module cache`;
}

/**
 * Why a `go mod download` still serves something: a later Go step (in this stage or one built FROM
 * it) without vendor/, none at all (the modules may be used another way), a COPY --from of the module
 * cache, or an offline build driver.
 */
function downloadStillNeeded(doc: ParsedDockerfile, stage: Stage, download: GoCommand): string | null {
  const later = [
    ...stage.instructions.filter((i) => i.start >= download.instruction.start),
    ...descendants(doc, stage).flatMap((s) => s.instructions),
  ];
  const stageOf = (i: Instruction) => doc.stages[i.stage] ?? stage;
  let consumers = 0;
  for (const instruction of later) {
    if (instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT') {
      const words = instruction.jsonForm ? instruction.jsonValues : instruction.args.map((a) => a.value);
      if (!words.some((w) => /(^|\/)go$/.test(w))) continue;
      consumers++;
      const missing = vendorMissing(doc, stageOf(instruction), instruction);
      if (missing) return `${missing}, which needs the downloaded modules`;
      continue;
    }
    if (instruction.keyword !== 'RUN' || instruction.onbuild) continue;
    const script = runScript(doc, instruction);
    const commands = script.commands;
    const usesGo = commands.some((c) => {
      const sub = goSubcommand(c);
      return sub !== null && !DOWNLOAD_STEPS.has(sub) && needsModule({ instruction, command: c, subcommand: sub });
    });
    const driver = commands.find((c) => isDriver(c));
    const opaque = !script.parsed && mentionsGoCommand(doc, instruction);
    if (!usesGo && !driver && !opaque) continue;
    consumers++;
    const missing = vendorMissing(doc, stageOf(instruction), instruction);
    if (missing) return `${missing}, which needs the downloaded modules`;
    if ((driver || opaque) && instruction.flags.some((f) => f.name === 'network' && f.value === 'none')) {
      return `${instructionSnippet(doc, instruction)} has --network=none and runs ${driver?.words[0]?.value ?? 'a script'}, which may still need the downloaded modules`;
    }
  }
  const dir = moduleCacheDir(doc, stage, download.instruction) ?? '/go/pkg/mod';
  const names = new Set([stage, ...descendants(doc, stage)].flatMap((s) => [String(s.index), s.name ?? '']).filter(Boolean));
  for (const instruction of doc.instructions) {
    const spec = copySpec(instruction);
    if (!spec?.from || !names.has(spec.from.toLowerCase())) continue;
    if (spec.sources.some((s) => s.startsWith('/') && overlaps(trimSlash(s), dir))) {
      return `${instructionSnippet(doc, instruction)} takes the module cache (${dir}) out of this stage`;
    }
  }
  if (consumers === 0) return 'no Go step after it uses vendor/ (in this stage or one built FROM it), so the downloaded modules may serve something else';
  return null;
}

function isDriver(command: ShellCommand): boolean {
  const name = command.words[0]?.value ?? '';
  return BUILD_DRIVERS.has(name) || /^\.{0,2}\/|\.sh$/.test(name);
}

/** One path lies inside the other (or they are equal). */
function overlaps(a: string, b: string): boolean {
  const inside = (x: string, y: string) => x === y || x.startsWith(y === '/' ? '/' : `${y}/`);
  return inside(a, b) || inside(b, a);
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * How to remove the download: the whole RUN when it only downloads or verifies (after an optional
 * `cd`), the command and one `&&` when every top-level command is joined by `&&`; or why not.
 */
function downloadRemoval(
  doc: ParsedDockerfile,
  stage: Stage,
  run: RunFacts,
  download: GoCommand,
): { wholeRun: true } | { wholeRun: false; edits: Edit[] } | { reason: string } {
  const needed = downloadStillNeeded(doc, stage, download);
  if (needed) return { reason: needed };
  const commands = run.topLevel;
  const strict = commands.every((c, i) => i === 0 || joinedByAnd(doc, commands[i - 1]!.end, c.start));
  if (!strict || !commands.includes(download.command)) {
    return { reason: `this go mod download is not a plain && step (;, ||, if or a subshell); remove it by hand` };
  }
  const onlyDownloads = commands.every((c) => {
    const sub = goSubcommand(c);
    return (sub !== null && DOWNLOAD_STEPS.has(sub)) || (c.words[0]?.value === 'cd' && c.words.length === 2);
  });
  if (onlyDownloads) return { wholeRun: true };
  const index = commands.indexOf(download.command);
  return { wholeRun: false, edits: removeChainedCommandEdits(doc, download.command, commands[index - 1] ?? null, commands[index + 1] ?? null) };
}

/** Why a RUN with a module-cache mount may still fill that cache, or null when it builds from vendor/ only. */
function mountStillNeeded(doc: ParsedDockerfile, stage: Stage, run: RunFacts): string | null {
  if (!run.script.parsed) return `the RUN could not be read (${run.script.reason ?? 'opaque'})`;
  const driver = run.script.commands.find(isDriver);
  if (driver) return `the RUN runs ${driver.words[0]?.value ?? 'a script'}, whose go commands I cannot see`;
  const toolAtVersion = (g: GoCommand) => (g.subcommand === 'install' || g.subcommand === 'run') && !needsModule(g);
  const fetching = run.goCommands.find((g) => toolAtVersion(g) || MODULE_FETCHERS.has(g.subcommand));
  if (fetching) return `go ${fetching.subcommand}${toolAtVersion(fetching) ? ' of a tool@version' : ''} fetches modules outside vendor/`;
  if (!run.goCommands.some((g) => VENDOR_READERS.has(g.subcommand))) return null;
  return vendorMissing(doc, stage, run.instruction);
}
