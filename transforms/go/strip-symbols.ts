/**
 * go/strip-symbols (catalogue G-04c).
 *
 * Looks for: `go build`/`go install` of the main module whose linker flags lack `-s` (omit the symbol
 * table) or `-w` (omit the DWARF debug data). Both are in the binary only for debuggers and profilers
 * and make up a large part of it; without them the layer that carries the binary is smaller to store,
 * push and pull. Panics still print full stack traces (they use pclntab, which stays).
 * Checks:
 *  - not a binary for debugging: no `-gcflags` with `-N`/`-l`, no Delve (`dlv`) in the Dockerfile;
 *  - the linker flags can be read: one `-ldflags` (with several, which applies depends on package
 *    patterns), its value one quoted string or a plain word, and any shell expansion in it only the
 *    value of a linker flag (`-X main.version=$VERSION`), never a whole flag list (`"$LDFLAGS"`),
 *    which may already hold -s, -w or their opposite (`-s=false` is a choice, and is kept);
 *  - with no `-ldflags` on the command line: GOFLAGS has a known value and no -ldflags, since a
 *    command-line -ldflags would replace it; and the RUN shell is POSIX (the new text has quotes).
 * Writes: the missing flags at the start of the existing value, in its own quoting, after a
 * `pattern=` if any (`-ldflags="-X a=b"` → `-ldflags="-s -w -X a=b"`, `-ldflags '-X a=b'` →
 * `-ldflags '-s -w -X a=b'`); a plain word gets double quotes (`-ldflags=-X=a=b` →
 * `-ldflags="-s -w -X=a=b"`); without -ldflags, ` -ldflags="-s -w"` after the subcommand.
 */
import type { Edit } from '../../src/engine/edits.js';
import { type GoBuildCommand, type GoFlag, addFlagEdit, goBuildCommands } from '../../src/ecosystems/go/go-build.js';
import { goflagsOf, isDebugBuild, perPackageFlags, splitQuoted } from '../../src/ecosystems/go/go-flags.js';
import { stageToolchain } from '../../src/ecosystems/go/go-toolchain.js';
import { type Instruction, type ParsedDockerfile, stageLineage } from '../../src/engine/parse.js';
import { logicalBody, runScript, type ShellWord } from '../../src/shell/shell.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import { GO_MENTIONS } from '../../src/ecosystems/go/steps.js';

/** Linker flags that take a value in the next field when written without `=` (`go tool link -help`). */
const LINK_VALUE_FLAGS = new Set([
  'B', 'E', 'H', 'I', 'L', 'R', 'T', 'X', 'benchmark', 'benchmarkprofile', 'buildid', 'buildmode', 'capturehostobjs',
  'cpuprofile', 'debugtextsize', 'debugtramp', 'extar', 'extld', 'extldflags', 'fipso', 'importcfg', 'installsuffix',
  'k', 'libgcc', 'linkmode', 'memprofile', 'memprofilerate', 'o', 'pluginpath', 'r', 'randlayout', 'strictdups', 'tmpdir',
]);

/** Stands for a shell expansion inside a decoded value: what it expands to is unknown. */
const OPAQUE = '\u0000';

/** Shells whose quoting the new `-ldflags="-s -w"` is written for. */
const POSIX_SHELLS = /(^|\/)(sh|bash|ash|dash|zsh|ksh|mksh|busybox)$/;

export const stripSymbols: Transform = {
  id: 'go/strip-symbols',
  mentions: GO_MENTIONS,
  title: 'Add -s -w to the go build -ldflags',
  rationale:
    'the binary leaves out its symbol table and DWARF debug data (a quarter to a third of its size), so the layer that carries it is smaller to store, push and pull; debuggers and profilers lose their symbols, panics keep their stack traces',
  safety: 'unsafe',
  preconditions: [
    'not a debug build: no -gcflags -N/-l, no Delve (dlv) in the Dockerfile',
    'one -ldflags whose value is a single quoted string or a plain word, shell expansions only as flag values (-X name=$V)',
    'without -ldflags: GOFLAGS is literal and sets no -ldflags; the RUN shell is POSIX',
  ],
  apply(doc) {
    const out = new ResultBuilder();
    const delve = usesDelve(doc);
    // one change per RUN, however many builds it has
    const byRun = new Map<Instruction, { edits: Edit[]; details: string[] }>();
    for (const build of goBuildCommands(doc)) {
      const result = rewriteBuild(doc, build, delve);
      if (result === null) continue;
      if ('reason' in result) {
        out.skip(build.instruction, result.reason);
        continue;
      }
      const run = byRun.get(build.instruction) ?? { edits: [], details: [] };
      run.edits.push(...result.edits);
      if (!run.details.includes(result.detail)) run.details.push(result.detail);
      byRun.set(build.instruction, run);
    }
    for (const [instruction, run] of byRun) out.change(instruction, run.edits, run.details.join('; '));
    for (const run of unreadableBuilds(doc)) out.skip(run.instruction, `cannot read the RUN (${run.reason}) to add -s -w to its go build`);
    return out.result();
  },
};

type Rewrite = { edits: Edit[]; detail: string } | { reason: string } | null;

function rewriteBuild(doc: ParsedDockerfile, build: GoBuildCommand, delve: boolean): Rewrite {
  // What it looks for: the -ldflags that apply, on the command line or else in GOFLAGS.
  const ldflags = build.flags.filter((f) => f.name === '-ldflags');
  const goflags = goflagsOf(doc, build);
  const fromGoflags = 'flags' in goflags ? goflags.flags.filter((f) => f.name === '-ldflags') : [];
  if (ldflags.length === 0 && fromGoflags.length > 0 && 'flags' in goflags) {
    const fields = splitQuoted(perPackageFlags(fromGoflags.at(-1)?.value ?? '')) ?? [];
    if (missingFlags(fields) === null || missingFlags(fields)?.length === 0) return null;
    return { reason: `${goflags.where ?? 'GOFLAGS'} sets -ldflags, which a -ldflags on the command line would replace: add -s -w there` };
  }

  // What it checks: a debugger needs the symbols.
  if (isDebugBuild([...build.flags, ...('flags' in goflags ? goflags.flags : [])])) {
    return { reason: 'a debug build (-gcflags with -N or -l) is for a debugger, which needs the symbols and DWARF data' };
  }
  if (delve) return { reason: 'the Dockerfile uses Delve (dlv), which needs the symbols and DWARF data -s -w remove' };

  if (ldflags.length > 1) return { reason: 'several -ldflags: which one applies depends on their package patterns; add -s -w by hand' };
  const flag = ldflags[0];
  if (!flag) {
    if ('unknown' in goflags) return { reason: `cannot tell whether ${goflags.unknown} sets -ldflags, which a -ldflags on the command line would replace` };
    const shell = nonPosixShell(doc, build);
    if (shell) return { reason: shell };
    // after a leading -trimpath (go/trimpath's), so the flags read in the order the transforms run
    const first = build.flags[0];
    const edit = first?.name === '-trimpath' && first.words[0] ? { start: first.words[0].end, end: first.words[0].end, text: ' -ldflags="-s -w"' } : addFlagEdit(build, '-ldflags="-s -w"');
    return { edits: [edit], detail: 'added -ldflags="-s -w"' };
  }
  return editLdflags(doc, build, flag);
}

/** Delve anywhere in the file (installed, copied or run): the image is meant for debugging. */
function usesDelve(doc: ParsedDockerfile): boolean {
  return doc.instructions.some((i) => /(^|[^\w.-])dlv([^\w.-]|$)|go-delve\/delve/.test(doc.source.text.slice(i.argsStart, i.end)));
}

/** RUNs we cannot parse (heredoc, exec form) that run go build or go install without both -s and -w in their text. */
function unreadableBuilds(doc: ParsedDockerfile): { instruction: Instruction; reason: string }[] {
  const found: { instruction: Instruction; reason: string }[] = [];
  for (const instruction of doc.instructions) {
    if (instruction.keyword !== 'RUN' || instruction.onbuild) continue;
    const script = runScript(doc, instruction);
    if (script.parsed) continue;
    const text = instruction.jsonForm ? instruction.jsonValues.join(' ') : doc.source.text.slice(instruction.argsStart, instruction.end);
    const build = /(^|[\s;&|("'`[])go["',\s]+(build|install)\b([^\n;&|]*)/.exec(text);
    if (!build || (build[2] === 'install' && /\S@/.test(build[3] ?? ''))) continue;
    if (/(^|[\s"'=])--?s(?=[\s"']|$)/.test(text) && /(^|[\s"'=])--?w(?=[\s"']|$)/.test(text)) continue;
    found.push({ instruction, reason: script.reason ?? 'unparsed' });
  }
  return found;
}

/** Why the new quoted text may not mean the same in this stage's RUN shell, or null for a POSIX shell. */
function nonPosixShell(doc: ParsedDockerfile, build: GoBuildCommand): string | null {
  const toolchain = stageToolchain(doc, build.stage, build.instruction);
  if (!('reason' in toolchain) && toolchain.variant === 'windows') return 'a Windows stage: its RUN shell may not read -ldflags="-s -w" as one argument';
  const shells = stageLineage(doc, build.stage)
    .flatMap((s) => s.instructions)
    .filter((i) => i.keyword === 'SHELL' && i.start < build.instruction.start);
  const program = shells.length === 0 ? '/bin/sh' : (shells.at(-1)?.jsonValues[0] ?? '');
  return POSIX_SHELLS.test(program) ? null : `RUN uses the shell ${program || 'set by SHELL'}, whose quoting may differ from sh's`;
}

/** The existing -ldflags value with the missing flags added at its start, or why not. */
function editLdflags(doc: ParsedDockerfile, build: GoBuildCommand, flag: GoFlag): Rewrite {
  const word = flag.inline ? flag.words[0] : flag.words[1];
  if (!word) return null;
  const shown = flag.words.map((w) => w.text).join(' ');
  const value = valueOf(word, flag.inline);
  if ('reason' in value) return value;

  const decoded = decodeValue(value.raw, value.quote);
  if ('reason' in decoded) return decoded;
  // both already written (`"${EXTRA} -s -w"`): whatever an expansion adds, there is nothing to do
  const written = splitQuoted(decoded.text);
  if (written !== null && missingFlags(written)?.length === 0) return null;
  // Go reads `pattern=flags` when the trimmed value does not start with `-`
  let insertAt = value.start;
  let flags = decoded.text;
  const trimmed = decoded.text.trim();
  if (trimmed !== '' && !trimmed.startsWith('-')) {
    if (trimmed.startsWith(OPAQUE)) return { reason: `${shown} is a variable, which may already hold -s, -w or their opposite` };
    const eq = value.raw.indexOf('=');
    if (eq < 0 || /[$`\\]/.test(value.raw.slice(0, eq))) return { reason: `cannot read the package pattern of ${shown}` };
    insertAt = value.start + eq + 1;
    flags = decoded.text.slice(decoded.text.indexOf('=') + 1);
  }

  const fields = splitQuoted(flags);
  if (fields === null) return { reason: `${shown} has an unclosed quote` };
  const missing = missingFlags(fields);
  if (missing === null) return { reason: `${shown} turns -s or -w off: the symbols are kept on purpose` };
  if (missing.length === 0) return null;
  const opaque = fields.find((f, i) => f.includes(OPAQUE) && !isFlagValue(fields, i));
  if (opaque !== undefined) {
    return { reason: `a shell expansion in ${shown} may already set ${missing.join(' and ')}, or turn ${missing.length > 1 ? 'them' : 'it'} off on purpose` };
  }

  // What it writes: after the opening quote (or the pattern's `=`), before any continuation there.
  const text = `${missing.join(' ')}${flags.trim() === '' ? '' : ' '}`;
  const at = sourceAfter(doc, build, word, insertAt);
  if (at === null) return { reason: 'cannot map the -ldflags value back to the Dockerfile text' };
  const detail = `added ${missing.join(' ')} to -ldflags`;
  if (value.quote !== null) return { edits: [{ start: at, end: at, text }], detail };
  const shell = nonPosixShell(doc, build);
  if (shell) return { reason: shell };
  return { edits: [{ start: at, end: at, text: `"${text}` }, { start: word.end, end: word.end, text: '"' }], detail };
}

/** Where the value starts in the word's text, its raw text, and its quote character (null for a plain word). */
function valueOf(word: ShellWord, inline: boolean): { start: number; raw: string; quote: '"' | "'" | null } | { reason: string } {
  let start = 0;
  let raw = word.text;
  if (inline) {
    const first = word.text[0];
    if (first === '"' || first === "'") {
      // the whole word quoted: "-ldflags=-X a=b"
      if (!word.text.endsWith(first) || word.text.length < 2 || word.text.slice(1, -1).includes(first)) return mixed(word.text);
      const eq = word.text.indexOf('=');
      return { start: eq + 1, raw: word.text.slice(eq + 1, -1), quote: first };
    }
    start = word.text.indexOf('=') + 1;
    raw = word.text.slice(start);
  }
  const quote = raw[0] === '"' || raw[0] === "'" ? raw[0] : null;
  if (quote !== null) {
    if (raw.length < 2 || !raw.endsWith(quote) || closingQuote(raw, quote) !== raw.length - 1) return mixed(raw);
    return { start: start + 1, raw: raw.slice(1, -1), quote };
  }
  if (!/^[\w./=:,@%+-]*$/.test(raw)) return { reason: `the -ldflags value ${raw} is not quoted and has shell syntax in it; quote it to let cachefix add -s -w` };
  return { start, raw, quote: null };
}

function mixed(raw: string): { reason: string } {
  return { reason: `the -ldflags value ${raw} mixes quoted and unquoted text; add -s -w by hand` };
}

/** The index of the quote closing the one at 0 (backslash escapes count inside double quotes), or -1. */
function closingQuote(raw: string, quote: '"' | "'"): number {
  for (let i = 1; i < raw.length; i++) {
    if (quote === '"' && raw[i] === '\\') i++;
    else if (raw[i] === quote) return i;
  }
  return -1;
}

/**
 * What the shell hands Go for a quoted or plain value: escapes resolved, each expansion (`$X`, `${X}`,
 * `$(...)`, backticks) replaced by OPAQUE. Single quotes and plain words are literal.
 */
function decodeValue(raw: string, quote: '"' | "'" | null): { text: string } | { reason: string } {
  if (quote !== '"') return { text: raw };
  let text = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    if (c === '\\' && i + 1 < raw.length && '$`"\\'.includes(raw[i + 1] ?? '')) {
      text += raw[++i];
    } else if (c === '`') {
      const end = raw.indexOf('`', i + 1);
      if (end < 0) return { reason: 'an unclosed backtick in -ldflags' };
      text += OPAQUE;
      i = end;
    } else if (c === '$' && raw[i + 1] === '(') {
      const end = closingParen(raw, i + 1);
      if (end < 0) return { reason: 'an unclosed $( in -ldflags' };
      text += OPAQUE;
      i = end;
    } else if (c === '$' && raw[i + 1] === '{') {
      const end = raw.indexOf('}', i);
      if (end < 0) return { reason: 'an unclosed ${ in -ldflags' };
      text += OPAQUE;
      i = end;
    } else if (c === '$' && /[\w@*#?$!-]/.test(raw[i + 1] ?? '')) {
      const name = /^(\w+|[@*#?$!-])/.exec(raw.slice(i + 1))?.[0] ?? '';
      text += OPAQUE;
      i += name.length;
    } else {
      text += c;
    }
  }
  return { text };
}

/** The `)` matching the `(` at `open`, counting nested parentheses; -1 when there is none. */
function closingParen(raw: string, open: number): number {
  let depth = 0;
  for (let i = open; i < raw.length; i++) {
    if (raw[i] === '(') depth++;
    else if (raw[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * Whether field `i` is a linker flag's value: after a flag that takes one (`-X main.v=$V`), or the
 * `=value` of a named flag other than -s/-w (`-X=main.v=$V`, `-extldflags=$F`).
 */
function isFlagValue(fields: readonly string[], i: number): boolean {
  const named = /^--?([A-Za-z]\w*)=/.exec(fields[i] ?? '');
  if (named && named[1] !== 's' && named[1] !== 'w') return true;
  let expectsValue = false;
  for (let k = 0; k < i; k++) {
    if (expectsValue) {
      expectsValue = false;
      continue;
    }
    const m = /^--?(\w+)$/.exec(fields[k] ?? '');
    expectsValue = m !== null && LINK_VALUE_FLAGS.has(m[1] ?? '');
  }
  return expectsValue;
}

/** Which of -s and -w the linker fields lack; null when one is set to false on purpose. */
function missingFlags(fields: readonly string[]): string[] | null {
  const present = new Set<string>();
  for (let i = 0; i < fields.length; i++) {
    if (isFlagValue(fields, i)) continue;
    const m = /^--?([sw])(?:=(.*))?$/.exec(fields[i] ?? '');
    if (!m) continue;
    if (m[2] !== undefined && /^(0|f|F|false|FALSE|False)$/.test(m[2])) return null;
    present.add(`-${m[1] ?? ''}`);
  }
  return ['-s', '-w'].filter((f) => !present.has(f));
}

/**
 * The source offset just after character `index - 1` of the word's text (the opening quote, or the
 * pattern's `=`), so new text stays on that line even when a continuation follows it. The word's text
 * is in Docker's logical form (continuations removed), hence the map.
 */
function sourceAfter(doc: ParsedDockerfile, build: GoBuildCommand, word: ShellWord, index: number): number | null {
  if (index === 0) return word.start;
  const body = logicalBody(doc, build.instruction);
  const logicalStart = body.map.indexOf(word.start);
  if (logicalStart < 0 || body.text.slice(logicalStart, logicalStart + word.text.length) !== word.text) return null;
  const before = body.map[logicalStart + index - 1];
  return before === undefined ? null : before + 1;
}
