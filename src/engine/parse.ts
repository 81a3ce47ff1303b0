/**
 * A parsed view of a Dockerfile on top of dockerfile-ast: stages, instructions with exact UTF-16
 * offsets, flags, the escape character and parser directives. Everything dockerfile-ast gets wrong
 * for our purposes is corrected here, in one place (see the trap list in docs/toolchain.md §1.4).
 */
import {
  type Dockerfile,
  DockerfileParser,
  type Flag as AstFlag,
  type Instruction as AstInstruction,
  JSONInstruction,
  ModifiableInstruction,
  Onbuild,
  Run,
  Copy,
} from 'dockerfile-ast';
import './ast-memo.js';
import { codeStart } from './continuations.js';
import { lineOf, offsetOf, type SourceText, sourceText } from './source.js';

export interface FlagOption {
  readonly name: string;
  /** Value with surrounding quotes removed (dockerfile-ast keeps them). */
  readonly value: string;
}

export interface Flag {
  /** Name without the leading dashes, e.g. `mount`, `from`, `chown`. */
  readonly name: string;
  readonly value: string | null;
  readonly start: number;
  readonly end: number;
  readonly options: readonly FlagOption[];
}

export interface Word {
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export interface Instruction {
  /** Upper-case keyword (`RUN` for `run`). */
  readonly keyword: string;
  /** The keyword as written (`run`, `Run`). */
  readonly rawKeyword: string;
  /** Offset of the first character of the keyword. */
  readonly start: number;
  /** Offset just past the last non-blank character (heredoc terminator included). */
  readonly end: number;
  readonly keywordEnd: number;
  /** Zero-based line of `start`. */
  readonly line: number;
  /** Zero-based line of `end`. */
  readonly endLine: number;
  readonly flags: readonly Flag[];
  /** Whitespace-separated arguments after the flags (not shell-aware; fine for COPY/FROM/WORKDIR). */
  readonly args: readonly Word[];
  /** Offset where the arguments start (after flags), or `end` when there are none. */
  readonly argsStart: number;
  /** JSON (exec) form, checked strictly as BuildKit does. */
  readonly jsonForm: boolean;
  /** The values of a JSON-form instruction. */
  readonly jsonValues: readonly string[];
  readonly hasHeredoc: boolean;
  /** Index of the stage holding it; -1 before the first FROM. */
  readonly stage: number;
  /** ONBUILD triggers are reported as the ONBUILD instruction itself and never edited. */
  readonly onbuild: boolean;
}

export interface Stage {
  readonly index: number;
  /** The `AS name` alias, lower-cased as Docker compares it; null when unnamed. */
  readonly name: string | null;
  /** The image reference as written (`golang:1.22`, `${BASE}`, `build`). */
  readonly image: string;
  /** The earlier stage this one is built FROM, if any. */
  readonly parent: number | null;
  readonly platform: string | null;
  readonly from: Instruction;
  readonly instructions: readonly Instruction[];
}

export interface ParsedDockerfile {
  readonly source: SourceText;
  readonly escapeChar: '\\' | '`';
  readonly directives: ReadonlyMap<string, string>;
  /** Offset just past the parser directives (and their line breaks); nothing may be inserted before it. */
  readonly directivesEnd: number;
  readonly instructions: readonly Instruction[];
  readonly stages: readonly Stage[];
  /** Zero-based lines that are comments (directives excluded, lines inside heredoc bodies excluded). */
  readonly commentLines: ReadonlySet<number>;
}

const KNOWN_KEYWORDS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

export function isKnownKeyword(keyword: string): boolean {
  return KNOWN_KEYWORDS.has(keyword);
}

/**
 * dockerfile-ast's parse of `text`. The last one is kept until parseDockerfile reads it: the driver
 * checks a file (dockerfileError) and then fixes it, and one parse serves both. dockerfile-ast's
 * objects are only read, never changed.
 */
export function dockerfileAst(text: string): Dockerfile {
  if (lastAst?.text !== text) lastAst = { text, ast: DockerfileParser.parse(text) };
  return lastAst.ast;
}
let lastAst: { readonly text: string; readonly ast: Dockerfile } | null = null;

export function parseDockerfile(text: string): ParsedDockerfile {
  const source = sourceText(text);
  const ast = dockerfileAst(text);
  lastAst = null; // what follows keeps no reference to the tree: let the collector have it
  const escapeChar = ast.getEscapeCharacter() === '`' ? '`' : '\\';

  const directives = new Map<string, string>();
  let directivesEnd = source.hasBom ? 1 : 0;
  for (const directive of ast.getDirectives()) {
    directives.set(directive.getName().toLowerCase(), directive.getValue());
    directivesEnd = source.lineStarts[directive.getRange().end.line + 1] ?? text.length;
  }
  const { instructions, commentLines } = readInstructions(source, ast, escapeChar, 0);
  return { source, escapeChar, directives, directivesEnd, instructions, stages: buildStages(instructions), commentLines };
}

/**
 * The instructions of a dockerfile-ast parse of `source`, and its comment lines outside heredoc
 * bodies (directives excluded). `fromsBefore`: the FROMs that come before `source` in the file it
 * is a piece of (src/engine/reparse.ts), for the stage numbers.
 */
export function readInstructions(
  source: SourceText,
  ast: Dockerfile,
  escapeChar: '\\' | '`',
  fromsBefore: number,
): { instructions: Instruction[]; commentLines: Set<number> } {
  const instructions: Instruction[] = [];
  const heredocLines = new Set<number>();
  let stageIndex = fromsBefore - 1;
  for (const astInstruction of ast.getInstructions()) {
    if (astInstruction.getKeyword() === 'FROM') stageIndex++;
    instructions.push(toInstruction(source, astInstruction, stageIndex, heredocLines, escapeChar));
  }
  const commentLines = new Set<number>();
  for (const comment of ast.getComments()) {
    const line = comment.getRange().start.line;
    if (!heredocLines.has(line)) commentLines.add(line);
  }
  return { instructions, commentLines };
}

/** The stages the instructions make, each with the earlier stage it is built FROM. */
export function buildStages(instructions: readonly Instruction[]): Stage[] {
  const stages: { index: number; name: string | null; image: string; parent: number | null; platform: string | null; from: Instruction; instructions: Instruction[] }[] = [];
  /** The first earlier stage of each name (what a later FROM refers to), without a scan per FROM. */
  const stageByName = new Map<string, number>();
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const stageIndex = stages.length;
      const image = instruction.args[0]?.value ?? '';
      const asWord = instruction.args[1]?.value.toLowerCase() === 'as' ? instruction.args[2] : undefined;
      const parent = stageByName.get(image.toLowerCase()) ?? -1;
      const name = asWord ? asWord.value.toLowerCase() : null;
      if (name !== null && !stageByName.has(name)) stageByName.set(name, stageIndex);
      stages.push({
        index: stageIndex,
        name,
        image,
        parent: parent >= 0 ? parent : null,
        platform: instruction.flags.find((f) => f.name === 'platform')?.value ?? null,
        from: instruction,
        instructions: [instruction],
      });
    } else if (instruction.stage >= 0) {
      stages[instruction.stage]?.instructions.push(instruction);
    }
  }
  return stages;
}

function toInstruction(
  source: SourceText,
  ast: AstInstruction,
  stage: number,
  heredocLines: Set<number>,
  escapeChar: string,
): Instruction {
  const range = ast.getRange();
  const start = offsetOf(source, range.start);
  // getRange() includes trailing blanks (and, after a continuation into a comment at EOF, the line break).
  let end = offsetOf(source, range.end);
  while (end > start && /\s/.test(source.text[end - 1] ?? '')) end--;
  const keywordEnd = offsetOf(source, ast.getInstructionRange().end);

  const flags = ast instanceof ModifiableInstruction ? ast.getFlags().map((f) => toFlag(source, f)) : [];
  const heredocs = safeHeredocCount(ast, source.text, start, end);
  const args = heredocs > 0 ? [] : ast.getArguments().map((a) => ({
    value: a.getValue(),
    start: offsetOf(source, a.getRange().start),
    end: offsetOf(source, a.getRange().end),
  }));
  const lastFlagEnd = flags.reduce((m, f) => Math.max(m, f.end), keywordEnd);
  const argsStart = codeStart(source.text, escapeChar, lastFlagEnd, end);
  const { jsonForm, jsonValues } = strictJson(source.text.slice(argsStart, end), ast, escapeChar);
  if (heredocs > 0) {
    for (let line = range.start.line + 1; line <= range.end.line; line++) heredocLines.add(line);
  }
  return {
    keyword: ast.getKeyword(),
    rawKeyword: source.text.slice(start, keywordEnd),
    start,
    end,
    keywordEnd,
    line: range.start.line,
    endLine: lineOf(source, end),
    flags,
    args,
    argsStart,
    jsonForm,
    jsonValues,
    hasHeredoc: heredocs > 0,
    stage,
    onbuild: ast instanceof Onbuild,
  };
}

function toFlag(source: SourceText, flag: AstFlag): Flag {
  const range = flag.getRange();
  return {
    name: flag.getName(),
    value: flag.getValue(),
    start: offsetOf(source, range.start),
    end: offsetOf(source, range.end),
    options: flag.getOptions().map((o) => ({ name: o.getName(), value: unquote(o.getValue() ?? '') })),
  };
}

/** dockerfile-ast 0.7.1 throws from getHeredocs() on some comment/continuation mixes (#123). */
function safeHeredocCount(ast: AstInstruction, text: string, start: number, end: number): number {
  if (!(ast instanceof Run) && !(ast instanceof Copy)) return 0;
  // a heredoc needs an argument starting with `<<`: without two `<` there is none (and getHeredocs is costly)
  const first = text.indexOf('<', start);
  const second = first < 0 ? -1 : text.indexOf('<', first + 1);
  if (second < 0 || second >= end) return 0;
  try {
    return ast.getHeredocs().length;
  } catch {
    // The crash only happens on `\` inside a comment inside a continuation; treat such a RUN as opaque.
    return 1;
  }
}

/** BuildKit treats arguments as JSON only when the whole argument text is a JSON array of strings. */
function strictJson(argText: string, ast: AstInstruction, escapeChar: string): { jsonForm: boolean; jsonValues: string[] } {
  if (!(ast instanceof JSONInstruction) || !argText.startsWith('[')) return { jsonForm: false, jsonValues: [] };
  try {
    // Docker removes continuations, and the comment and blank lines after them, before decoding
    const continuation = new RegExp(`\\${escapeChar}[ \t]*\\r?\\n(?:[ \t]*(?:#[^\\r\\n]*)?\\r?\\n)*`, 'g');
    const parsed: unknown = JSON.parse(argText.replace(continuation, ''));
    if (Array.isArray(parsed) && parsed.every((v): v is string => typeof v === 'string')) {
      return { jsonForm: true, jsonValues: parsed };
    }
  } catch {
    // not JSON: shell form
  }
  return { jsonForm: false, jsonValues: [] };
}

export function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
    return value.slice(1, -1);
  }
  return value;
}

/** The stage and its ancestors (built FROM earlier stages), nearest first. */
export function stageLineage(doc: ParsedDockerfile, stage: Stage): Stage[] {
  const lineage: Stage[] = [];
  let current: Stage | undefined = stage;
  // a Set, not lineage.includes: a chain of n stages would cost n^2 per call (and callers ask per stage)
  const seen = new Set<Stage>();
  while (current && !seen.has(current)) {
    seen.add(current);
    lineage.push(current);
    current = current.parent === null ? undefined : doc.stages[current.parent];
  }
  return lineage;
}

/** A reading of a whole parse, remembered for it (weakly: it goes with the parse). */
export function perParse<T>(read: (doc: ParsedDockerfile) => T): (doc: ParsedDockerfile) => T {
  const known = new WeakMap<ParsedDockerfile, T>();
  return (doc) => {
    const remembered = known.get(doc);
    if (remembered !== undefined || known.has(doc)) return remembered as T;
    const value = read(doc);
    known.set(doc, value);
    return value;
  };
}

/**
 * A per-stage reading, remembered for the parse it was made from. For what transforms ask per RUN
 * but depends only on the stage: asked again, it was quadratic.
 */
export function perStage<T>(read: (doc: ParsedDockerfile, stage: Stage) => T): (doc: ParsedDockerfile, stage: Stage) => T {
  const byParse = perParse(() => new Map<Stage, T>());
  return (doc, stage) => {
    const byStage = byParse(doc);
    const remembered = byStage.get(stage);
    if (remembered !== undefined || byStage.has(stage)) return remembered as T;
    const value = read(doc, stage);
    byStage.set(stage, value);
    return value;
  };
}
