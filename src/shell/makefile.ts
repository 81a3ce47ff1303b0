/**
 * What a `make` command in a RUN runs: the recipe lines of the targets it builds (their
 * prerequisites first, recursive `$(MAKE) x` followed), and the commands `$(shell …)` runs while the
 * Makefiles are read. Pure: the files come from a `read` function (the build context).
 *
 * A reading, not an interpreter: both branches of `ifeq`/`ifdef` are taken (what either may run is
 * what a caller must allow for), functions other than the common text ones expand to their
 * arguments, and a recipe is never executed. Bounded: at most MAX_DEPTH nested makes and
 * MAX_LINES recipe lines.
 */
import { perFilesRead, type ReadFile } from '../engine/memo.js';
import { scriptCommands } from './shell.js';

export interface MakeLine {
  /** The directory the recipe runs in, relative to the context root ('' for the root). */
  readonly dir: string;
  /** The recipe line as make hands it to the shell (variables expanded, `@`/`-`/`+` removed). */
  readonly text: string;
}

export interface MakeRecipes {
  readonly lines: readonly MakeLine[];
  /** Commands `$(shell …)` and `!=` run while the Makefiles are read. */
  readonly shells: readonly string[];
  /** The Makefiles read, context-relative. */
  readonly files: readonly string[];
}

const MAX_DEPTH = 8;
const MAX_LINES = 5000;
/** Options of make that take a value in the next word. */
const VALUE_OPTIONS = new Set(['-C', '-f', '-I', '-o', '-W', '-l', '--directory', '--file', '--makefile', '--include-dir', '--old-file', '--what-if']);
/** Variables make defines itself, and `GO`, which Go Makefiles set to `go` with `?=` when they set it at all. */
const BUILT_IN: Readonly<Record<string, string>> = { MAKE: 'make', SHELL: '/bin/sh', GO: 'go', RM: 'rm -f' };

interface Rule {
  readonly prereqs: readonly string[];
  readonly recipe: readonly string[];
}

interface Makefile {
  /** The Makefile make was given or found, context-relative. */
  readonly path: string;
  readonly vars: Map<string, string>;
  readonly rules: Map<string, Rule>;
  readonly patterns: { readonly target: string; rule: Rule }[];
  first: string | null;
  readonly shells: string[];
  readonly files: string[];
}

/**
 * The recipes `make <args>` runs in `dir` (context-relative), or why they cannot be known (no
 * Makefile in the context, an option we do not know, a target without a rule, nesting too deep).
 */
export function makeRecipes(args: readonly string[], dir: string, read: ReadFile): MakeRecipes | { reason: string } {
  // the words of a make command never hold a NUL, so the key splits back into what it was made of
  return rememberedRecipes([dir, ...args].join('\0'), read);
}

/** The readings of the last Makefiles met: each transform of each pass reads a stage's `make` again. */
const rememberedRecipes = perFilesRead((key, read): MakeRecipes | { reason: string } => {
  const [dir = '', ...args] = key.split('\0');
  return readRecipes(args, dir, read);
});

function readRecipes(args: readonly string[], dir: string, read: ReadFile): MakeRecipes | { reason: string } {
  const lines: MakeLine[] = [];
  const shells: string[] = [];
  const files: string[] = [];
  const reason = runMake(args, dir, read, { lines, shells, files, depth: 0, done: new Set() });
  return reason === null ? { lines, shells, files } : { reason };
}

interface Run {
  readonly lines: MakeLine[];
  readonly shells: string[];
  readonly files: string[];
  readonly depth: number;
  readonly done: Set<string>;
}

function runMake(args: readonly string[], cwd: string, read: (path: string) => string | null, run: Run): string | null {
  if (run.depth > MAX_DEPTH) return `make calls make more than ${MAX_DEPTH} levels deep`;
  let dir = cwd;
  let file: string | null = null;
  const overrides = new Map<string, string>();
  const targets: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    const long = /^(--[a-z-]+)=(.*)$/.exec(word);
    // short options group (`-sC dir`, `-BCdir`): the first one that takes a value ends the group
    const short = long ? null : /^-([a-zA-Z]*?)([CfIoWl])(.*)$/.exec(word);
    const option = long ? long[1] ?? '' : short ? `-${short[2] ?? ''}` : word;
    const inline = long ? long[2] ?? '' : short && short[3] !== '' ? short[3] ?? '' : null;
    if (VALUE_OPTIONS.has(option)) {
      const value = inline ?? args[++i] ?? '';
      if (option === '-C' || option === '--directory') dir = joinDir(dir, value);
      else if (option === '-f' || option === '--file' || option === '--makefile') file = value;
    } else if (/^-j\d*$/.test(word)) {
      if (/^\d+$/.test(args[i + 1] ?? '')) i++;
    } else if (word.startsWith('-')) {
      if (/[$`]/.test(word)) return `make gets the option ${word}, which I cannot read`;
    } else if (/^[A-Za-z_][\w.]*=/.test(word)) {
      overrides.set(word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1));
    } else if (/[$`*?]/.test(word)) {
      return `make builds ${word}, a target I cannot read`;
    } else targets.push(word);
  }
  if (dir.startsWith('..') || dir.startsWith('/')) return `make runs in ${dir}, which I cannot map to the build context`;
  const name = file ?? ['GNUmakefile', 'makefile', 'Makefile'].find((n) => read(joinDir(dir, n)) !== null);
  if (name === undefined) return `there is no Makefile in ${dir === '' ? 'the context root' : dir}`;
  const makefile: Makefile = { path: joinDir(dir, name), vars: new Map(), rules: new Map(), patterns: [], first: null, shells: run.shells, files: run.files };
  for (const [key, value] of overrides) makefile.vars.set(key, value);
  const problem = readMakefile(makefile, joinDir(dir, name), dir, read, new Set(overrides.keys()));
  if (problem) return problem;
  const wanted = targets.length > 0 ? targets : makefile.first === null ? [] : [makefile.first];
  if (wanted.length === 0) return `${joinDir(dir, name)} has no target to build`;
  for (const target of wanted) {
    const reason = buildTarget(makefile, target, true, dir, read, run);
    if (reason) return reason;
  }
  return null;
}

function buildTarget(makefile: Makefile, target: string, asked: boolean, dir: string, read: (path: string) => string | null, run: Run): string | null {
  const key = `${dir}\0${target}`;
  if (run.done.has(key)) return null;
  run.done.add(key);
  const pattern = makefile.rules.has(target) ? null : makefile.patterns.find((p) => stemOf(p.target, target) !== null);
  const rule = makefile.rules.get(target) ?? pattern?.rule;
  if (!rule) {
    // a prerequisite without a rule is a source file; a target asked for by name must have one
    return asked && read(joinDir(dir, target)) === null ? `${makefile.path} has no rule for ${target}` : null;
  }
  const stem = pattern ? stemOf(pattern.target, target) ?? '' : '';
  const prereqs = rule.prereqs.map((p) => p.replace('%', stem));
  for (const prereq of prereqs) {
    const reason = buildTarget(makefile, prereq, false, dir, read, run);
    if (reason) return reason;
  }
  const auto = new Map([['@', target], ['<', prereqs[0] ?? ''], ['^', prereqs.join(' ')], ['*', stem], ['?', prereqs.join(' ')]]);
  for (const raw of rule.recipe) {
    if (run.lines.length >= MAX_LINES) return `the Makefile runs more than ${MAX_LINES} recipe lines`;
    const text = expand(makefile, raw, auto, 0).replace(/^[\s@+-]+/, '');
    run.lines.push({ dir, text });
    const reason = recursiveMakes(text, dir, read, run);
    if (reason) return reason;
  }
  return null;
}

/** Follows `$(MAKE) x`, `make -C sub x` and `cd sub && make x` in a recipe line. */
function recursiveMakes(text: string, dir: string, read: (path: string) => string | null, run: Run): string | null {
  if (!/\bmake\b/.test(text)) return null;
  const commands = scriptCommands(text);
  if (commands === null) return `a recipe runs make in a line I cannot read (${text})`;
  let here = dir;
  for (const command of commands) {
    const [name, ...rest] = command.words;
    if (name === 'cd') here = joinDir(here, rest[0] ?? '');
    if (name === undefined || !/^(.*\/)?make$/.test(name)) continue;
    const reason = runMake(rest, here, read, { ...run, depth: run.depth + 1 });
    if (reason) return reason;
  }
  return null;
}

function readMakefile(makefile: Makefile, path: string, dir: string, read: (path: string) => string | null, fixed: ReadonlySet<string>): string | null {
  const text = read(path);
  if (text === null) return `${path} is not in the build context`;
  if (makefile.files.length > 50) return 'the Makefiles include more than 50 files';
  makefile.files.push(path);
  const physical = text.replace(/\r\n?/g, '\n').split('\n');
  let rules: string[] | null = null; // the targets whose recipe the next tab lines belong to
  let define: { name: string; lines: string[] } | null = null;
  for (let n = 0; n < physical.length; n++) {
    let line = physical[n] ?? '';
    const recipe = rules !== null && line.startsWith('\t');
    while (line.endsWith('\\') && n + 1 < physical.length) {
      const next = physical[++n] ?? '';
      line = recipe ? `${line.slice(0, -1)}${next.replace(/^\t/, '')}` : `${line.slice(0, -1).trimEnd()} ${next.trimStart()}`;
    }
    if (define) {
      if (/^\s*endef\b/.test(line)) {
        if (!fixed.has(define.name)) makefile.vars.set(define.name, define.lines.join('\n'));
        define = null;
      } else define.lines.push(line);
      continue;
    }
    if (recipe && rules) {
      for (const target of rules) addRecipe(makefile, target, line.slice(1));
      continue;
    }
    const code = line.replace(/(^|[^\\])#.*$/, '$1').trim();
    if (code === '') continue;
    const defined = /^(?:override\s+|export\s+)*define\s+(\S+)/.exec(code);
    if (defined) {
      define = { name: defined[1] ?? '', lines: [] };
      continue;
    }
    if (/^(ifeq|ifneq|ifdef|ifndef|else|endif)\b/.test(code)) continue; // both branches: see the module comment
    const include = /^(-?include|sinclude)\s+(.*)$/.exec(code);
    if (include) {
      for (const name of expand(makefile, include[2] ?? '', new Map(), 0).split(/\s+/).filter(Boolean)) {
        if (/[*?[]/.test(name)) return `the Makefile includes ${name}, a pattern I cannot follow`;
        const included = joinDir(dir, name);
        if (read(included) === null) {
          if (include[1] === 'include') return `the Makefile includes ${name}, which is not in the build context`;
          continue;
        }
        const problem = readMakefile(makefile, included, dir, read, fixed);
        if (problem) return problem;
      }
      rules = null;
      continue;
    }
    const assignment = /^(?:override\s+|export\s+)*([^\s:#=?+!]+)\s*(:{1,3}=|\?=|\+=|!=|=)\s*(.*)$/.exec(code);
    if (assignment) {
      assign(makefile, assignment[1] ?? '', assignment[2] ?? '=', assignment[3] ?? '', fixed);
      continue;
    }
    const rule = /^([^:=]+?)\s*::?\s*(.*)$/.exec(code);
    if (!rule) {
      rules = null; // export NAME, vpath, unexport and the like
      continue;
    }
    const targets = expand(makefile, rule[1] ?? '', new Map(), 0).split(/\s+/).filter(Boolean);
    const [prereqText, inlineRecipe] = splitOnce(rule[2] ?? '', ';');
    if (/^[^\s]+\s*(:{1,3}=|\?=|\+=|=)/.test(prereqText)) {
      rules = null; // a target-specific variable
      continue;
    }
    const prereqs = expand(makefile, prereqText, new Map(), 0).replace('|', ' ').split(/\s+/).filter(Boolean);
    rules = targets;
    for (const target of targets) {
      if (target.includes('%')) makefile.patterns.push({ target, rule: { prereqs, recipe: [] } });
      else {
        const known = makefile.rules.get(target);
        makefile.rules.set(target, { prereqs: [...(known?.prereqs ?? []), ...prereqs], recipe: known?.recipe ?? [] });
        if (makefile.first === null && !target.startsWith('.')) makefile.first = target;
      }
      if (inlineRecipe !== null) addRecipe(makefile, target, inlineRecipe);
    }
  }
  return null;
}

function addRecipe(makefile: Makefile, target: string, line: string): void {
  const pattern = [...makefile.patterns].reverse().find((p) => p.target === target);
  if (pattern) {
    pattern.rule = { ...pattern.rule, recipe: [...pattern.rule.recipe, line] };
    return;
  }
  const known = makefile.rules.get(target) ?? { prereqs: [], recipe: [] };
  makefile.rules.set(target, { prereqs: known.prereqs, recipe: [...known.recipe, line] });
}

function assign(makefile: Makefile, name: string, operator: string, value: string, fixed: ReadonlySet<string>): void {
  if (fixed.has(name)) return; // set on the command line: the Makefile's own value does not count
  const vars = makefile.vars;
  if (operator === '?=' && vars.has(name)) return;
  if (operator === '!=') {
    makefile.shells.push(expand(makefile, value, new Map(), 0));
    vars.set(name, '');
  } else if (operator === '+=') vars.set(name, `${vars.get(name) ?? ''} ${value}`.trim());
  else if (operator.startsWith(':')) vars.set(name, escapeDollars(expand(makefile, value, new Map(), 0)));
  else vars.set(name, value);
}

function escapeDollars(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

/** Expands variable and function references; `$(shell …)` records its command and expands to nothing. */
function expand(makefile: Makefile, text: string, auto: ReadonlyMap<string, string>, depth: number): string {
  if (depth > 20 || !text.includes('$')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '$') {
      out += ch;
      continue;
    }
    const next = text[i + 1] ?? '';
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(' || next === '{') {
      const close = matching(text, i + 1);
      const inner = text.slice(i + 2, close);
      out += reference(makefile, inner, auto, depth);
      i = close;
    } else {
      out += auto.get(next) ?? lookup(makefile, next, auto, depth);
      i++;
    }
  }
  return out;
}

function reference(makefile: Makefile, inner: string, auto: ReadonlyMap<string, string>, depth: number): string {
  const call = /^([a-z-]+)[ \t]+([\s\S]*)$/.exec(inner);
  if (call) {
    const [, fn = '', rest = ''] = call;
    const args = () => splitArgs(rest).map((a) => expand(makefile, a, auto, depth + 1));
    switch (fn) {
      case 'shell':
        makefile.shells.push(expand(makefile, rest, auto, depth + 1));
        return '';
      case 'subst': {
        const [from = '', to = '', value = ''] = args();
        return from === '' ? value : value.split(from).join(to);
      }
      case 'strip':
        return expand(makefile, rest, auto, depth + 1).trim().replace(/\s+/g, ' ');
      case 'if': {
        const [condition = '', then = '', otherwise = ''] = args();
        return condition.trim() !== '' ? then : otherwise;
      }
      case 'or':
        return args().find((a) => a.trim() !== '') ?? '';
      case 'call': {
        const [name = '', ...values] = args();
        return expand(makefile, makefile.vars.get(name) ?? '', new Map([...auto, ...values.map((v, k): [string, string] => [String(k + 1), v])]), depth + 1);
      }
      case 'error': case 'warning': case 'info': case 'eval': case 'wildcard': case 'foreach': case 'origin': case 'flavor': case 'value':
        return '';
      default:
        return args().join(' ');
    }
  }
  const substitution = /^([^:]+):([^=]*)=(.*)$/.exec(inner);
  if (substitution) {
    const value = lookup(makefile, expand(makefile, substitution[1] ?? '', auto, depth + 1), auto, depth);
    const from = substitution[2] ?? '';
    return value.split(/\s+/).map((w) => (from !== '' && w.endsWith(from) ? w.slice(0, -from.length) + (substitution[3] ?? '') : w)).join(' ');
  }
  return lookup(makefile, expand(makefile, inner, auto, depth + 1), auto, depth);
}

function lookup(makefile: Makefile, name: string, auto: ReadonlyMap<string, string>, depth: number): string {
  if (auto.has(name)) return auto.get(name) ?? '';
  const value = makefile.vars.get(name) ?? BUILT_IN[name] ?? '';
  return expand(makefile, value, auto, depth + 1);
}

/** The offset of the `)`/`}` closing the bracket at `open`, counting nested brackets. */
function matching(text: string, open: number): number {
  const opener = text[open];
  const closer = opener === '(' ? ')' : '}';
  let level = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === opener) level++;
    else if (text[i] === closer && --level === 0) return i;
  }
  return text.length;
}

/** A function's comma-separated arguments, commas inside nested references kept. */
function splitArgs(text: string): string[] {
  const args: string[] = [];
  let level = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(' || ch === '{') level++;
    if (ch === ')' || ch === '}') level--;
    if (ch === ',' && level === 0) {
      args.push(current);
      current = '';
    } else current += ch;
  }
  args.push(current);
  return args;
}

function splitOnce(text: string, separator: string): [string, string | null] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + 1)];
}

/** The part of `name` that `%` matches in `pattern`, or null. */
function stemOf(pattern: string, name: string): string | null {
  const at = pattern.indexOf('%');
  const prefix = pattern.slice(0, at);
  const suffix = pattern.slice(at + 1);
  return name.length >= prefix.length + suffix.length && name.startsWith(prefix) && name.endsWith(suffix) ? name.slice(prefix.length, name.length - suffix.length) : null;
}

/** `dir` joined with a relative path, normalised; an absolute path is kept as it is ('/x'). */
function joinDir(dir: string, path: string): string {
  if (path.startsWith('/')) return path;
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}
