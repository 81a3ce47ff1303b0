/**
 * The instructions as BuildKit's parser reads them (frontend/dockerfile/parser/parser.go, summarised in
 * ../shared/docs/toolchain.md §1.5), written independently of src/engine/parse.ts and dockerfile-ast, so the
 * property tests can check an output the way Docker will read it: BOM stripped; parser directives only
 * at the top; inside a continuation, comment and blank lines dropped and the escape and line break
 * removed without adding a space; here-document bodies skipped up to their terminator line.
 */

export interface DockerInstruction {
  /** Upper-case keyword, as Docker matches it. */
  readonly keyword: string;
  /** The whole instruction on one line, continuations joined (heredoc bodies left out). */
  readonly line: string;
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
/** `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` (with an optional fd number), as BuildKit finds heredocs. */
const HEREDOC = /(?:^|\s)\d*<<(-?)(["']?)([A-Za-z0-9_.-]+)\2(?=\s|$)/g;

export function dockerInstructions(text: string): DockerInstruction[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  for (; i < lines.length; i++) {
    const match = DIRECTIVE.exec(lines[i] ?? '');
    if (!match) break;
    if (match[1]?.toLowerCase() === 'escape' && (match[2] === '`' || match[2] === '\\')) escape = match[2];
  }
  const isComment = (line: string) => line.trimStart().startsWith('#');
  const isBlank = (line: string) => line.trim() === '';
  const continued = (line: string): string | null => {
    const trimmed = line.replace(/[ \t]+$/, '');
    return trimmed.endsWith(escape) ? trimmed.slice(0, -1) : null;
  };
  const result: DockerInstruction[] = [];
  while (i < lines.length) {
    const first = lines[i++] ?? '';
    if (isComment(first) || isBlank(first)) continue;
    let line = first.trimStart();
    let head = continued(line);
    while (head !== null) {
      line = head;
      let next = lines[i++];
      while (next !== undefined && (isComment(next) || isBlank(next))) next = lines[i++];
      if (next === undefined) break;
      line += next;
      head = continued(line);
    }
    const keyword = (/^\S+/.exec(line)?.[0] ?? '').toUpperCase();
    if (['RUN', 'COPY', 'ADD'].includes(keyword)) {
      for (const [, chomp, , name] of line.matchAll(HEREDOC)) {
        while (i < lines.length) {
          const body = lines[i++] ?? '';
          if ((chomp === '-' ? body.replace(/^\t+/, '') : body) === name) break;
        }
      }
    }
    result.push({ keyword, line });
  }
  return result;
}
