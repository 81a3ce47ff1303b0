/**
 * The mechanics of keeping files out of the build context, shared by every ecosystem: which of the
 * wanted `.dockerignore` entries are missing, whether adding them could exclude something the build
 * reads (a COPY source of any Dockerfile at the context root, a `!` rule that re-includes one on
 * purpose), and the new file text: the block appended with a header comment, in the file's line
 * endings. The ecosystem names its entries and adds its own guards (a build script that reads .git).
 */
import { normalizePath } from '../context/context.js';
import { dockerignoreMatcher, ignoreRules } from '../context/dockerignore.js';
import { isDockerfileName } from '../context/dockerfile-names.js';
import { copySpec } from '../engine/instructions.js';
import { mountsOf } from '../engine/mounts.js';
import { type Instruction, type ParsedDockerfile, parseDockerfile } from '../engine/parse.js';
import type { ContextFileWrite, TransformContext } from '../engine/transform.js';

/** A pattern to add, with a path it must exclude (to tell whether the file already covers it). */
export interface IgnoreEntry {
  readonly pattern: string;
  readonly probe: string;
}

/**
 * The ignore file with the missing `entries` added under `header`, or why it cannot be written, or
 * null when every entry is already excluded. `guard` is the ecosystem's own check (a RUN that reads
 * .git), run once the entries are known to be missing.
 */
export function ignoreEntries(
  doc: ParsedDockerfile,
  context: TransformContext,
  entries: readonly IgnoreEntry[],
  header: string,
  guard: () => string | null = () => null,
): { file: ContextFileWrite; added: string[]; created: boolean } | { reason: string } | null {
  const rules = ignoreRules(context.build, context.dockerfilePath);
  const missing = entries.filter((e) => !rules.ignores(e.probe));
  if (missing.length === 0) return null;
  if (rules.outside) return { reason: `the ignore file ${rules.file ?? ''} lies outside the build context; edit it by hand` };
  const patterns = missing.map((e) => e.pattern);
  const path = rules.file ?? '.dockerignore';
  const existing = context.build.readFile(path);
  const reason = reIncluded(existing, patterns) ?? guard() ?? excludedSource(doc, context, patterns);
  if (reason) return { reason };
  const eol = existing?.includes('\r\n') ? '\r\n' : '\n';
  const block = [header, ...patterns].join(eol) + eol;
  const text = existing === null ? block : `${existing}${separator(existing, eol)}${block}`;
  return { file: { path, text }, added: patterns, created: existing === null };
}

/** A `!.git`-style exception in the existing file means the user wants that path in the context. */
function reIncluded(existing: string | null, patterns: readonly string[]): string | null {
  const exceptions = (existing ?? '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l.startsWith('!'));
  for (const exception of exceptions) {
    const path = normalizePath(exception.slice(1));
    if (dockerignoreMatcher(patterns).ignores(path) || patterns.includes(path)) return `the ignore file re-includes ${path} with ${exception}`;
  }
  return null;
}

/** A source that one of the Dockerfiles at the context root reads and the new rules would exclude. */
function excludedSource(doc: ParsedDockerfile, context: TransformContext, patterns: readonly string[]): string | null {
  let rules: ReturnType<typeof dockerignoreMatcher> | null = null;
  const literals = patternLiterals(patterns);
  const others = (context.build.list('') ?? [])
    .filter((e) => !e.directory && isDockerfileName(e.name) && e.name !== context.dockerfilePath)
    .map((e) => ({ name: e.name, text: context.build.readFile(e.name) }))
    .filter((d): d is { name: string; text: string } => d.text !== null && mayMention(d.text, literals));
  for (const { name, parsed } of [{ name: 'this Dockerfile', parsed: doc }, ...others.map((o) => ({ name: o.name, parsed: parseDockerfile(o.text) }))]) {
    for (const source of sourcesOf(parsed)) {
      const path = normalizePath(source.path);
      // most paths (go.mod, ., src/) hold no pattern's literal: no need to build the matcher for them
      if (path === '' || !holdsOneOf(path, literals)) continue;
      rules ??= dockerignoreMatcher(patterns);
      if (!(rules.ignores(path) || patterns.some((p) => path.startsWith(p)))) continue;
      return `${name} reads ${source.path} (line ${source.instruction.line + 1}), which the new entries would exclude`;
    }
  }
  return null;
}

/**
 * The literal part of each pattern's last segment (`.git`, `.swp` of `*.swp`), lower-cased: a path
 * the pattern matches holds it. An empty one (`*`) means any path may match.
 */
function patternLiterals(patterns: readonly string[]): string[] {
  return patterns.map((pattern) => {
    const last = pattern.split('/').filter((part) => part !== '').at(-1) ?? '';
    return last.split(/[*?[\]{}!\\]+/).reduce((a, b) => (b.length > a.length ? b : a), '').toLowerCase();
  });
}

/**
 * Whether a Dockerfile's text may name a path the patterns of `literals` exclude, without parsing it
 * (a directory of Dockerfiles would otherwise parse each one for each fix). Comment lines, quotes,
 * escape characters and blanks can split a path as written, so they are taken out of the text first,
 * and a JSON `\u` escape could spell anything. The answer errs towards yes.
 */
function mayMention(text: string, literals: readonly string[]): boolean {
  // comment lines go first: inside a continuation Docker drops them, joining what was around them
  return text.includes('\\u') || holdsOneOf(text.replace(/^[ \t]*#.*$/gm, '').replace(/["'`\\\s]/g, ''), literals);
}

/** Whether `text` holds, case-blind, one of `literals` (see patternLiterals). */
function holdsOneOf(text: string, literals: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return literals.some((literal) => literal === '' || lower.includes(literal));
}

function sourcesOf(doc: ParsedDockerfile): { path: string; instruction: Instruction }[] {
  const sources: { path: string; instruction: Instruction }[] = [];
  for (const instruction of doc.instructions) {
    const spec = copySpec(instruction);
    if (spec && spec.from === null) sources.push(...spec.sources.map((path) => ({ path, instruction })));
    for (const mount of mountsOf(instruction)) {
      const source = mount.flag.options.find((o) => o.name === 'source' || o.name === 'src')?.value;
      const from = mount.flag.options.find((o) => o.name === 'from');
      if (mount.type === 'bind' && !from) sources.push({ path: source ?? '.', instruction });
    }
  }
  return sources;
}

/**
 * What goes between an existing ignore file and the appended block: one blank line after its last
 * entry, none when the file is empty or holds only blank lines, or already ends with a blank line.
 */
function separator(existing: string, eol: string): string {
  if (/^\s*$/.test(existing) || /\n[ \t]*\r?\n$/.test(existing)) return '';
  return existing.endsWith('\n') ? eol : `${eol}${eol}`;
}
