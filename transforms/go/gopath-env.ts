/**
 * go/gopath-env (catalogue G-11, seed point 7).
 *
 * Looks for: `ENV GOPATH=...` and `ENV GO111MODULE=on` in stages built on the official golang image
 * (which sets GOPATH=/go itself), in a build context with a go.mod.
 * Checks: Go ≥ 1.16 in the image (module mode is the default from then on; a variable tag is
 * resolved from global ARG defaults); nothing in the file sets GO111MODULE=off or auto (GOPATH mode
 * needs GOPATH); for a GOPATH other than /go, no instruction after it in the stages that inherit it,
 * or that take files from them (`COPY --from`, `--mount=from=`), names that directory or reads
 * `$GOPATH`: they would look in the old place. All the GOPATH settings of one family of stages (one
 * golang base and the stages built FROM it) go together or stay together. `$GO111MODULE` unused.
 * Writes: deletes the pair (`GOPATH=/x`) from an ENV that sets other variables too, keeping them
 * byte for byte; deletes the whole ENV, with its attached comments, when nothing else is left.
 * Unsafe: without a custom GOPATH, `go install` puts binaries in /go/bin and modules are cached in
 * /go/pkg/mod, which someone could rely on from outside the Dockerfile (a `docker run` script).
 */
import type { Edit } from '../../src/engine/edits.js';
import { compareGoVersions } from '../../src/ecosystems/go/gomod.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../src/engine/parse.js';
import { removeInstructionsEdits, removeTokenEdits, type Span } from '../../src/engine/removal.js';
import { logicalBody } from '../../src/shell/shell.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { isGolangImage } from '../../src/ecosystems/go/go.js';
import { GO_MENTIONS } from '../../src/ecosystems/go/steps.js';

const IMAGE_GOPATH = '/go';

export const gopathEnv: Transform = {
  id: 'go/gopath-env',
  mentions: GO_MENTIONS,
  title: 'Remove ENV GOPATH and GO111MODULE=on that module builds do not need',
  rationale:
    "the golang image's own GOPATH keeps the module cache at /go/pkg/mod, where cache mounts and other stages expect it, and Go 1.16+ builds modules without GO111MODULE=on",
  safety: 'unsafe',
  preconditions: [
    'the stage is built on the official golang image, with Go ≥ 1.16; go.mod is at the context root',
    'nothing sets GO111MODULE=off or auto',
    'no later instruction (or COPY --from of the stage) uses the custom GOPATH directory or $GOPATH',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    const settings = doc.stages.flatMap((stage) => findSettings(doc, stage));
    if (settings.length === 0) return out.result();

    const common = commonBlocker(doc, context);
    const blocked = new Map<EnvSetting, string>();
    for (const setting of settings) {
      const reason = common ?? versionBlocker(doc, setting.stage) ?? (setting.name === 'GOPATH' ? gopathBlocker(doc, setting, settings) : go111moduleBlocker(doc, setting));
      if (reason) blocked.set(setting, reason);
    }
    for (const [setting, reason] of blocked) out.skip(setting.instruction, reason);

    const plans = [...new Set(settings.map((s) => s.instruction))]
      .map((instruction) => ({ instruction, removable: settings.filter((s) => s.instruction === instruction && !blocked.has(s)) }))
      .filter((p) => p.removable.length > 0);
    // ENVs that go whole are removed together, so two adjacent ones leave one blank line, not two
    const whole = plans.filter((p) => p.removable[0]!.pairs.every((pair) => p.removable.some((s) => s.pair === pair))).map((p) => p.instruction);
    const wholeEdits = new Map(removeInstructionsEdits(doc, whole).map((edit, k) => [whole[k]!, edit]));
    for (const { instruction, removable } of plans) {
      const detail = removable.map((s) => describe(s)).join('; ');
      const edit = wholeEdits.get(instruction);
      out.change(instruction, edit ? [edit] : envEdits(doc, instruction, removable), detail);
    }
    return out.result();
  },
};

/** One `NAME=value` of an ENV, with its source span. */
interface EnvPair extends Span {
  readonly name: string;
  /** The value with quotes removed, or null when it has expansions or escapes we do not resolve. */
  readonly value: string | null;
  readonly raw: string;
}

/** A GOPATH or GO111MODULE=on pair the transform would remove. */
interface EnvSetting {
  readonly stage: Stage;
  readonly instruction: Instruction;
  readonly pair: EnvPair;
  readonly pairs: readonly EnvPair[];
  readonly name: 'GOPATH' | 'GO111MODULE';
}

function findSettings(doc: ParsedDockerfile, stage: Stage): EnvSetting[] {
  if (!isGolangImage(lineageRoot(doc, stage).image)) return [];
  const found: EnvSetting[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword !== 'ENV' || instruction.onbuild) continue;
    const pairs = envPairs(doc, instruction);
    for (const pair of pairs) {
      if (pair.name === 'GOPATH') found.push({ stage, instruction, pair, pairs, name: 'GOPATH' });
      else if (pair.name === 'GO111MODULE' && pair.value === 'on') found.push({ stage, instruction, pair, pairs, name: 'GO111MODULE' });
    }
  }
  return found;
}

function lineageRoot(doc: ParsedDockerfile, stage: Stage): Stage {
  return stageLineage(doc, stage).at(-1) ?? stage;
}

/**
 * The pairs of an ENV, read the way Docker reads them: `A=1 B="x y"` (continuations joined, quotes
 * grouping blanks), or the legacy `NAME value with blanks`, which sets one variable.
 */
function envPairs(doc: ParsedDockerfile, instruction: Instruction): EnvPair[] {
  if (instruction.hasHeredoc || instruction.jsonForm) return [];
  const body = logicalBody(doc, instruction);
  const at = (i: number) => body.map[i] ?? instruction.end;
  const words: { raw: string; start: number; end: number }[] = [];
  const text = body.text;
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (i >= text.length) break;
    const start = i;
    let quote: string | null = null;
    for (; i < text.length; i++) {
      const c = text[i] ?? '';
      if (quote !== null) {
        if (c === quote) quote = null;
        else if (c === doc.escapeChar && quote === '"') i++;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === doc.escapeChar) i++;
      else if (/\s/.test(c)) break;
    }
    const end = Math.min(i, text.length);
    words.push({ raw: text.slice(start, end), start: at(start), end: at(end - 1) + 1 });
  }
  const first = words[0];
  if (!first) return [];
  if (!first.raw.includes('=')) {
    // legacy form: the rest of the line is the value
    const last = words[words.length - 1] ?? first;
    const raw = words.slice(1).map((w) => w.raw).join(' ');
    return [{ name: first.raw, value: literal(raw, doc.escapeChar), raw, start: first.start, end: last.end }];
  }
  return words.map((w) => {
    const eq = w.raw.indexOf('=');
    const raw = eq < 0 ? '' : w.raw.slice(eq + 1);
    return { name: eq < 0 ? w.raw : w.raw.slice(0, eq), value: eq < 0 ? null : literal(raw, doc.escapeChar), raw, start: w.start, end: w.end };
  });
}

/** The value of a plain or fully quoted word without expansions or escapes, else null. */
function literal(raw: string, escapeChar: string): string | null {
  const inner = /^"([^"]*)"$|^'([^']*)'$/.exec(raw);
  const value = inner ? inner[1] ?? inner[2] ?? '' : raw;
  if (/["'$`\s]/.test(value) || value.includes(escapeChar)) return null;
  return value;
}

/** Reasons that hold for the whole file: no module, or GOPATH mode asked for somewhere. */
function commonBlocker(doc: ParsedDockerfile, context: TransformContext): string | null {
  if (!context.build.exists('go.mod')) {
    return 'no go.mod at the root of the build context, so Go may build in GOPATH mode, which needs GOPATH (pass --context if the build runs elsewhere)';
  }
  for (const instruction of doc.instructions) {
    const mode = /\bGO111MODULE(?:=|\s+)["']?(off|auto)\b/.exec(codeOf(doc, instruction));
    if (mode) return `${instructionSnippet(doc, instruction)} sets GO111MODULE=${mode[1] ?? 'off'}, so this Dockerfile may build in GOPATH mode, where GOPATH and GO111MODULE matter`;
  }
  return null;
}

/** Module mode is the default only from Go 1.16: older or unknown images keep their settings. */
function versionBlocker(doc: ParsedDockerfile, stage: Stage): string | null {
  const image = lineageRoot(doc, stage).image;
  const version = imageGoVersion(doc, image);
  if (typeof version === 'object') return `the Go version of ${image} is unknown (${version.unknown}); module mode is the default only from Go 1.16`;
  if (version !== 'latest' && compareGoVersions(version, '1.16') < 0) return `${image} has Go ${version}, older than 1.16, where module mode is not the default`;
  return null;
}

/**
 * The Go version of a golang image reference: `1.21` for `golang:1.21.3-alpine`, `latest` for
 * `golang`, `golang:alpine` or `golang:1`; variables in the tag come from global ARG defaults.
 */
function imageGoVersion(doc: ParsedDockerfile, image: string): string | { unknown: string } {
  const globalArgs = new Map<string, string>();
  for (const instruction of doc.instructions) {
    if (instruction.stage >= 0 || instruction.keyword !== 'ARG') continue;
    for (const arg of instruction.args) {
      const eq = arg.value.indexOf('=');
      if (eq > 0) globalArgs.set(arg.value.slice(0, eq), arg.value.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2'));
    }
  }
  const name = image.slice(image.lastIndexOf('/') + 1);
  const digest = name.indexOf('@');
  const colon = name.indexOf(':');
  if (colon < 0 || (digest >= 0 && colon > digest)) return digest >= 0 ? { unknown: 'pinned by digest only' } : 'latest';
  let tag = name.slice(colon + 1, digest >= 0 ? digest : undefined);
  tag = tag.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string | undefined, b: string | undefined) => globalArgs.get(a ?? b ?? '') ?? m);
  if (tag.includes('$')) return { unknown: `the tag ${tag} uses a variable without a default` };
  const version = /^(\d+)(\.\d+)*/.exec(tag);
  if (!version) return 'latest';
  return version[2] === undefined ? 'latest' : version[0];
}

/**
 * Why the GOPATH settings of this family of stages must stay: a value we cannot read, or a later
 * instruction that uses the custom directory or $GOPATH. Every GOPATH ENV of the family is judged
 * together, so the family never ends up half on the old GOPATH.
 */
function gopathBlocker(doc: ParsedDockerfile, setting: EnvSetting, all: readonly EnvSetting[]): string | null {
  const root = lineageRoot(doc, setting.stage);
  const family = doc.stages.filter((s) => stageLineage(doc, s).includes(root));
  const group = all.filter((s) => s.name === 'GOPATH' && family.includes(s.stage));
  for (const s of group) {
    const value = s.pair.value;
    if (value === null || value === '' || value.split(':').some((entry) => !entry.startsWith('/'))) {
      return `${instructionSnippet(doc, s.instruction)} sets GOPATH to ${s.pair.raw || 'an empty value'}, which I cannot resolve to absolute paths`;
    }
  }
  const custom = [...new Set(group.flatMap((s) => (s.pair.value ?? '').split(':').map(trimSlash)))].filter((v) => v !== IMAGE_GOPATH);
  // every setting being /go (the image's own value) makes the removal a no-op
  if (custom.length === 0) return null;
  const first = group.reduce((a, b) => (b.instruction.start < a.instruction.start ? b : a));
  const removedSpans = group.map((s) => s.pair);
  for (const instruction of laterInstructions(doc, family, first.instruction)) {
    const code = codeOf(doc, instruction, removedSpans);
    if (/\$\{?GOPATH\b/.test(code)) return `${instructionSnippet(doc, instruction)} reads $GOPATH, which would become ${IMAGE_GOPATH}`;
    const used = custom.find((dir) => new RegExp(`(^|[^\\w./-])${escapeRegex(dir)}(?=$|[/\\s"':;,\\]}])`, 'm').test(code));
    if (used) return `${instructionSnippet(doc, instruction)} uses ${used}, the custom GOPATH: without the ENV, go would cache modules and install binaries under ${IMAGE_GOPATH} instead`;
  }
  return null;
}

function go111moduleBlocker(doc: ParsedDockerfile, setting: EnvSetting): string | null {
  const root = lineageRoot(doc, setting.stage);
  const family = doc.stages.filter((s) => stageLineage(doc, s).includes(root));
  for (const instruction of laterInstructions(doc, family, setting.instruction)) {
    if (/\$\{?GO111MODULE\b/.test(codeOf(doc, instruction, [setting.pair]))) {
      return `${instructionSnippet(doc, instruction)} reads $GO111MODULE, which would become empty`;
    }
  }
  return null;
}

/**
 * The instructions that can see a setting: from it on in the stages of the family, and anywhere that
 * takes files from one of them (`COPY --from=<stage>`, `RUN --mount=from=<stage>`).
 */
function laterInstructions(doc: ParsedDockerfile, family: readonly Stage[], from: Instruction): Instruction[] {
  const names = new Set(family.flatMap((s) => [String(s.index), s.name ?? '']).filter(Boolean));
  const takesFromFamily = (i: Instruction) =>
    i.flags.some((f) => (f.name === 'from' && names.has((f.value ?? '').toLowerCase())) || (f.name === 'mount' && f.options.some((o) => o.name === 'from' && names.has(o.value.toLowerCase()))));
  return doc.instructions.filter((i) => i.start >= from.start && (family.some((s) => s.index === i.stage) || takesFromFamily(i)));
}

/** An instruction's text without comment lines and without the given spans (the pairs being removed). */
function codeOf(doc: ParsedDockerfile, instruction: Instruction, without: readonly Span[] = []): string {
  let text = '';
  for (let i = instruction.start; i < instruction.end; ) {
    const skip = without.find((s) => s.start === i);
    if (skip) {
      i = skip.end;
      continue;
    }
    text += doc.source.text[i];
    i++;
  }
  return text
    .split(/\r?\n/)
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
}

/** The edits for one ENV that keeps some pairs: each run of adjacent removed pairs with the blanks around it. */
function envEdits(doc: ParsedDockerfile, instruction: Instruction, removable: readonly EnvSetting[]): Edit[] {
  const pairs = removable[0]?.pairs ?? [];
  const removed = new Set(removable.map((s) => s.pair));
  const edits: Edit[] = [];
  for (let k = 0; k < pairs.length; k++) {
    if (!removed.has(pairs[k]!)) continue;
    let last = k;
    while (last + 1 < pairs.length && removed.has(pairs[last + 1]!)) last++;
    const span: Span = { start: pairs[k]!.start, end: pairs[last]!.end };
    edits.push(...removeTokenEdits(doc, span, pairs[k - 1] ?? null, pairs[last + 1] ?? null));
    k = last;
  }
  return edits;
}

function describe(setting: EnvSetting): string {
  if (setting.name === 'GO111MODULE') return 'removed GO111MODULE=on: module mode is the default since Go 1.16';
  return `removed GOPATH=${setting.pair.raw}: go now caches modules in ${IMAGE_GOPATH}/pkg/mod and installs binaries to ${IMAGE_GOPATH}/bin`;
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
