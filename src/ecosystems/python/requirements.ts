/**
 * Requirements files as pip reads them: one requirement or option per logical line (a trailing `\`
 * joins lines, `#` after a blank starts a comment), `-r`/`-c` includes resolved against the directory
 * of the including file, and the lines that name something on disk (`-e ./libs/x`, `./pkg`,
 * `x @ file:///...`, `--find-links ./wheels`): an install reading those needs more than the
 * requirements files.
 */
import type { BuildContext } from '../../context/context.js';
import { normalizePath } from '../../context/context.js';
import { isLocalTarget } from './pip.js';

export interface RequirementLine {
  /** 1-based line where the logical line starts. */
  readonly line: number;
  /** The logical line, continuations joined, comment removed, trimmed. */
  readonly text: string;
}

export interface LocalRequirement {
  /** Context-relative path of the requirements file. */
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

export interface RequirementsClosure {
  /** Every file read, context-relative, in the order pip reads them (the given ones first). */
  readonly files: readonly string[];
  /** Requirements that name a path: they need the sources (or more files) in the image. */
  readonly local: readonly LocalRequirement[];
  /** Why the closure cannot be known (a missing or unreadable include), or null. */
  readonly problem: string | null;
}

/** The logical lines of a requirements file that say something. */
export function requirementLines(text: string): RequirementLine[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const result: RequirementLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i] ?? '';
    while (/(^|[^\\])\\$/.test(logical) && i + 1 < lines.length) logical = logical.slice(0, -1) + (lines[++i] ?? '');
    const code = logical.replace(/(^|\s)#.*$/, '').trim();
    if (code !== '') result.push({ line: start + 1, text: code });
  }
  return result;
}

/** Options of a requirements line that name another file (`-r x`, `--constraint=x`), with the path. */
export function includeOf(text: string): { kind: 'requirement' | 'constraint'; path: string } | null {
  const match = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=^-[rc]))(\S+)$/.exec(text);
  if (!match) return null;
  const kind = match[1] === '-r' || match[1] === '--requirement' ? 'requirement' : 'constraint';
  return { kind, path: match[2] ?? '' };
}

/** Whether a requirements line (not an include) needs something on disk besides the file itself. */
export function lineNeedsPath(text: string): boolean {
  const option = /^(-e|--editable|-f|--find-links)(?:\s*=\s*|\s+)(\S+)/.exec(text);
  if (option) return isLocalTarget(option[2] ?? '');
  if (text.startsWith('-')) return false; // --index-url, --hash, --pre...: no path
  // a requirement, with options after it (`x==1 --hash=sha256:...`) and markers (`; python_version<"3.9"`)
  return isLocalTarget(text.split(/\s+--?[a-z]/)[0] ?? text);
}

/**
 * Reads `roots` (context-relative requirements files) and every file they include, recursively.
 * A path with a variable, absolute, or outside the context makes the closure unknown.
 */
export function requirementsClosure(context: BuildContext, roots: readonly string[]): RequirementsClosure {
  const files: string[] = [];
  const local: LocalRequirement[] = [];
  const queue = roots.map((path) => ({ path: normalizePath(path), from: null as string | null }));
  while (queue.length > 0) {
    const { path, from } = queue.shift() as { path: string; from: string | null };
    if (files.includes(path)) continue;
    const text = context.readFile(path);
    if (text === null) return { files, local, problem: from === null ? `${path} is not in the build context` : `${path}, included by ${from}, is not in the build context` };
    files.push(path);
    for (const line of requirementLines(text)) {
      const include = includeOf(line.text);
      if (include !== null) {
        const target = resolveInclude(path, include.path);
        if (typeof target !== 'string') return { files, local, problem: `${path} line ${line.line} includes ${include.path}, ${target.reason}` };
        queue.push({ path: target, from: path });
      } else if (lineNeedsPath(line.text)) {
        local.push({ file: path, line: line.line, text: line.text });
      }
    }
  }
  return { files, local, problem: null };
}

/** An include's context-relative path: pip resolves it against the including file's directory. */
function resolveInclude(file: string, include: string): string | { reason: string } {
  if (/[$%`]/.test(include)) return { reason: 'a path with a variable' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(include)) return { reason: 'a URL, fetched at install time' };
  if (include.startsWith('/')) return { reason: 'an absolute path' };
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  const joined = dir === '' ? include : `${dir}/${include}`;
  let depth = 0;
  for (const part of joined.split('/')) {
    if (part === '..') depth--;
    else if (part !== '.' && part !== '') depth++;
    if (depth < 0) return { reason: 'a path outside the build context' };
  }
  return normalizePath(joined);
}
