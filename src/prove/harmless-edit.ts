/**
 * The change `cachefix prove` makes to a source file so that the cache sees a new file while the
 * program stays the same: a comment in the file's own syntax, or a trailing newline where a comment
 * could mean something (JSON, text, data). Pure.
 */
import { basename, extname } from 'node:path';

export interface HarmlessEdit {
  readonly content: Buffer;
  /** What was done, for the report: `appended the comment "// cachefix prove"`. */
  readonly description: string;
}


const LINE_COMMENT: Readonly<Record<string, string>> = {};
const BLOCK_COMMENT: Readonly<Record<string, readonly [string, string]>> = {};
function register(table: Record<string, unknown>, value: unknown, keys: string): void {
  for (const key of keys.split(' ')) table[key] = value;
}
register(LINE_COMMENT, '//', '.go .c .h .cc .cpp .cxx .hpp .java .kt .kts .scala .swift .rs .js .mjs .cjs .jsx .ts .tsx .mts .cts .cs .dart .groovy .gradle .proto go.mod go.work');
register(LINE_COMMENT, '#', '.py .pyi .sh .bash .zsh .rb .pl .pm .r .toml .yaml .yml .cfg .conf .tf .properties .mk .nix .ex .exs .cmake Dockerfile Containerfile Makefile Gemfile Rakefile Pipfile requirements.txt .gitignore .dockerignore .env');
register(LINE_COMMENT, '--', '.sql .lua .hs');
register(LINE_COMMENT, ';', '.ini .clj .el .lisp');
register(BLOCK_COMMENT, ['<!--', '-->'], '.html .htm .xml .xhtml .vue .svelte');
register(BLOCK_COMMENT, ['/*', '*/'], '.css .scss .less');

/** The comment syntax for a file, by name then extension; null when a comment could change it. */
export function commentSyntax(path: string): { readonly open: string; readonly close: string } | null {
  const name = basename(path);
  const ext = extname(name).toLowerCase();
  const byName = LINE_COMMENT[name] ?? (/^(Dockerfile|Containerfile)\./.test(name) || name.endsWith('.Dockerfile') ? '#' : /^requirements.*\.txt$/.test(name) ? '#' : undefined);
  const line = byName ?? LINE_COMMENT[ext];
  if (line !== undefined) return { open: line, close: '' };
  const block = BLOCK_COMMENT[ext];
  return block ? { open: block[0], close: block[1] } : null;
}

/**
 * The edited content of `path`, and what was done. `token` makes the edit new to the builder's cache
 * each run: an edit a builder saw before (an earlier prove) would come from its cache and prove nothing.
 */
export function harmlessEdit(path: string, content: Buffer, token: string): HarmlessEdit {
  const syntax = commentSyntax(path);
  const binary = content.includes(0);
  if (syntax === null || binary) {
    // a newline is the same every run: the builder may have seen this content before, and say cached
    return {
      content: Buffer.concat([content, Buffer.from('\n')]),
      description: binary ? 'appended a newline (a binary file: make sure the program ignores trailing bytes)' : 'appended a newline',
    };
  }
  const text = content.toString('utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lead = text === '' || text.endsWith('\n') ? '' : eol;
  const comment = `${syntax.open} cachefix prove ${token}: harmless edit${syntax.close ? ` ${syntax.close}` : ''}`;
  return { content: Buffer.from(`${text}${lead}${comment}${eol}`, 'utf8'), description: `appended the comment "${comment}"` };
}
