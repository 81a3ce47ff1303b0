/**
 * A Dockerfile as the property tests generate it: instructions as tokens plus a layout (indents,
 * continuations with the comment and blank lines Docker drops, trailing blanks, line endings, case),
 * and the renderer that writes it out. The renderer also says where each instruction lies and what
 * Docker reads from it, so the parser can be checked against the model that produced the text.
 */

/** Between two tokens: blanks on the same line, or a line continuation. */
export type Gap =
  | { readonly kind: 'space'; readonly text: string }
  | {
      readonly kind: 'continuation';
      /** Blanks before the escape character. */
      readonly before: string;
      /** Blanks after the escape character, before the line break (Docker allows them). */
      readonly after: string;
      /** Comment and blank lines right after the break, which Docker drops from the instruction. */
      readonly dropped: readonly string[];
      /** Indentation of the line the next token is on. */
      readonly indent: string;
    };

/** What an instruction says, before any layout: `RUN go build .` is `RUN` and `['go', 'build', '.']`. */
export interface InstructionSpec {
  /** Upper-case keyword. */
  readonly keyword: string;
  /** Flags and arguments; the first `flagCount` are flags (`--mount=...`). Never ends in an escape character. */
  readonly tokens: readonly string[];
  readonly flagCount: number;
  /** JSON (exec) form: the tokens are the pieces of one JSON array. */
  readonly json?: boolean;
  /** A here-document opened by one of the tokens: its body lines and its terminator line. */
  readonly heredoc?: { readonly body: readonly string[]; readonly terminator: string };
}

/** How the keyword is written: in the file's case, or its own (`Run`, `rUn`). */
export type KeywordCase = 'file' | 'upper' | 'lower' | 'title' | 'alternating';

export interface InstructionLayout {
  readonly indent: string;
  readonly keywordCase: KeywordCase;
  /** Gaps before each token, cycled; a heredoc instruction uses only their blanks. */
  readonly gaps: readonly Gap[];
  /** Blanks after the last token. */
  readonly trailing: string;
}

export type Line =
  | { readonly kind: 'instruction'; readonly spec: InstructionSpec; readonly layout: InstructionLayout }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'blank'; readonly text: string };

export interface DockerfileModel {
  readonly bom: boolean;
  /** Parser directive lines (`# escape=\``), without line breaks. */
  readonly directives: readonly string[];
  readonly escape: '\\' | '`';
  readonly lines: readonly Line[];
  /** Line breaks, used in turn (cycled): all `\n`, all `\r\n`, or a mix. */
  readonly eols: readonly ('\n' | '\r\n')[];
  readonly finalNewline: boolean;
  readonly lowerCase: boolean;
}

/** Where an instruction lies in the rendered text, and what Docker reads from it. */
export interface RenderedInstruction {
  readonly keyword: string;
  /** Offset of the keyword; `end` is just past the last token (or the heredoc terminator). */
  readonly start: number;
  readonly end: number;
  readonly spec: InstructionSpec;
  /** Each flag's [start, end). */
  readonly flags: readonly { readonly start: number; readonly end: number }[];
  /** The arguments after the flags with continuations joined as Docker joins them (null for heredocs). */
  readonly logical: string | null;
}

export interface RenderedDockerfile {
  readonly text: string;
  readonly escape: '\\' | '`';
  readonly instructions: readonly RenderedInstruction[];
}

export function renderDockerfile(model: DockerfileModel): RenderedDockerfile {
  let text = model.bom ? '\uFEFF' : '';
  let breaks = 0;
  const eol = () => model.eols[breaks++ % model.eols.length] ?? '\n';
  const instructions: RenderedInstruction[] = [];
  for (const directive of model.directives) text += directive + eol();
  for (const line of model.lines) {
    if (line.kind !== 'instruction') {
      text += line.text + eol();
      continue;
    }
    const { spec, layout } = line;
    const raw = writeKeyword(spec.keyword, layout.keywordCase, model.lowerCase);
    text += layout.indent;
    const start = text.length;
    text += raw;
    const flags: { start: number; end: number }[] = [];
    let logical = '';
    spec.tokens.forEach((token, k) => {
      const gap = safeGap(layout.gaps.length === 0 ? undefined : layout.gaps[k % layout.gaps.length], spec.heredoc !== undefined);
      const rendered = gap.kind === 'space'
        ? gap.text
        : `${gap.before}${model.escape}${gap.after}${eol()}${gap.dropped.map((d) => d + eol()).join('')}${gap.indent}`;
      text += rendered;
      // Docker drops the escape, the blanks after it, the line break and the dropped lines
      if (k > spec.flagCount) logical += gap.kind === 'space' ? gap.text : gap.before + gap.indent;
      if (k < spec.flagCount) flags.push({ start: text.length, end: text.length + token.length });
      text += token;
      if (k >= spec.flagCount) logical += token;
    });
    if (spec.heredoc) {
      for (const body of spec.heredoc.body) text += eol() + body;
      text += eol() + spec.heredoc.terminator;
    }
    const end = text.length;
    if (!spec.heredoc) text += layout.trailing;
    text += eol();
    instructions.push({ keyword: spec.keyword, start, end, spec, flags, logical: spec.heredoc ? null : logical });
  }
  if (!model.finalNewline) text = text.replace(/\r?\n$/, '');
  return { text, escape: model.escape, instructions };
}

function writeKeyword(keyword: string, style: KeywordCase, lowerCase: boolean): string {
  const upper = keyword.toUpperCase();
  const lower = keyword.toLowerCase();
  switch (style) {
    case 'file':
      return lowerCase ? lower : upper;
    case 'upper':
      return upper;
    case 'lower':
      return lower;
    case 'title':
      return upper.slice(0, 1) + lower.slice(1);
    case 'alternating':
      return [...lower].map((c, i) => (i % 2 === 1 ? c.toUpperCase() : c)).join('');
  }
}

/** Tokens must stay apart, and a heredoc marker must stay on the keyword's line. */
function safeGap(gap: Gap | undefined, heredoc: boolean): Gap {
  if (gap === undefined) return { kind: 'space', text: ' ' };
  if (gap.kind === 'space') return gap.text === '' ? { kind: 'space', text: ' ' } : gap;
  if (heredoc) return { kind: 'space', text: gap.before === '' ? ' ' : gap.before };
  if (gap.before === '' && gap.indent === '') return { ...gap, before: ' ' };
  return gap;
}
