/**
 * The shared corpus of real Dockerfiles (read from ../shared, never copied), each with its build
 * context: the trimmed real context in `../shared/corpus/contexts/<name>/` where one exists (see its
 * README and MANIFEST.tsv), else an in-memory context made from the facts the corpus MANIFEST.tsv
 * records about the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { type BuildContext, type ContextEntry, memoryContext, normalizePath } from '../../src/context/context.js';
import { fsContext } from '../../src/context/fs-context.js';
import { corpusDir, corpusLabel } from './paths.js';

/** Where a corpus file's build context comes from. */
export type CorpusContextSource =
  | {
      readonly kind: 'real';
      /** `contexts/<name>`, relative to the corpus directory. */
      readonly dir: string;
      /** Whether the real checkout holds `.git` inside the context (a `.git` directory is added to the view). */
      readonly git: boolean;
      /** The files of the real context that have content (the others are empty placeholders). */
      readonly realFiles: readonly string[];
      readonly placeholders: number;
    }
  | {
      readonly kind: 'facts';
      /** Why there is no real context (the contexts MANIFEST's note, or that no row exists). */
      readonly why: string;
      readonly files: readonly string[];
    };

export interface CorpusEntry {
  /** The manifest's file name, e.g. `go/go-gitea__gitea__Dockerfile`. */
  readonly file: string;
  /** The corpus copy of the Dockerfile (the real context holds the same bytes at `dockerfilePath`). */
  readonly path: string;
  readonly facts: string;
  readonly context: BuildContext;
  /** The Dockerfile's path inside the context, as the driver passes it (`Dockerfile`, `docker/Dockerfile.debian`). */
  readonly dockerfilePath: string;
  readonly source: CorpusContextSource;
}

export const hasCorpus = existsSync(join(corpusDir, 'MANIFEST.tsv'));

/** The text of `.git/HEAD` in the view of a context whose real checkout holds `.git`. */
export const GIT_HEAD = 'ref: refs/heads/main\n';

/** The rows of a MANIFEST.tsv as records keyed by its header. */
function tsv(path: string): Record<string, string>[] {
  if (!existsSync(path)) return [];
  const [header = '', ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = header.split('\t');
  return rows.map((row) => {
    const values = row.split('\t');
    return Object.fromEntries(keys.map((key, i) => [key, values[i] ?? '']));
  });
}

export function corpus(): CorpusEntry[] {
  if (!hasCorpus) return [];
  const contexts = new Map(tsv(join(corpusDir, 'contexts', 'MANIFEST.tsv')).map((row) => [row.file, row]));
  return tsv(join(corpusDir, 'MANIFEST.tsv')).map((row) => {
    const file = row.file ?? '';
    const facts = row.context_facts ?? '';
    const base = { file, path: join(corpusDir, file), facts };
    const real = contexts.get(file);
    const root = real?.context_root ?? '-';
    const dir = join('contexts', file.slice(file.indexOf('/') + 1));
    if (real !== undefined && root !== '-' && existsSync(join(corpusDir, dir))) {
      const dockerfilePath = posix.relative(root === '.' ? '' : root, row.path ?? 'Dockerfile');
      const git = real.git_in_context === 'yes';
      // described as the shared path, not the absolute one: messages land in the reviewed expectations
      const context = { ...fsContext(join(corpusDir, dir)), description: `${corpusLabel}/${dir}` };
      return {
        ...base,
        dockerfilePath,
        context: git ? withGitDirectory(context) : context,
        source: { kind: 'real', dir, git, realFiles: filesWithContent(join(corpusDir, dir)), placeholders: Number(real.placeholders) },
      };
    }
    const files = contextFilesFromFacts(facts);
    const why = real === undefined ? 'no row in contexts/MANIFEST.tsv' : real.notes ?? '';
    return {
      ...base,
      dockerfilePath: 'Dockerfile',
      context: memoryContext(files, '<corpus context from facts>'),
      source: { kind: 'facts', why, files: Object.keys(files) },
    };
  });
}

/**
 * The context as a user's checkout has it: a `.git` directory with a HEAD at the root. The shared
 * copies cannot hold `.git` (version control does not store one), and are never written to.
 */
export function withGitDirectory(base: BuildContext): BuildContext {
  const git = (path: string): 'dir' | 'head' | null => {
    const p = normalizePath(path);
    return p === '.git' ? 'dir' : p === '.git/HEAD' ? 'head' : null;
  };
  return {
    description: base.description,
    dockerfileIgnore: base.dockerfileIgnore ?? null,
    exists: (path) => git(path) !== null || base.exists(path),
    readFile: (path) => (git(path) === 'head' ? GIT_HEAD : git(path) === 'dir' ? null : base.readFile(path)),
    list: (path): readonly ContextEntry[] | null => {
      if (git(path) === 'dir') return [{ name: 'HEAD', directory: false }];
      const listed = base.list(path);
      if (normalizePath(path) !== '' || listed === null) return listed;
      return [...listed.filter((e) => e.name !== '.git'), { name: '.git', directory: true }];
    },
  };
}

/** The paths (POSIX, sorted) of the non-empty files under `dir`: the real files of a trimmed context. */
function filesWithContent(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && statSync(join(d.parentPath, d.name)).size > 0)
    .map((d) => relative(dir, join(d.parentPath, d.name)).split('\\').join('/'))
    .sort();
}

/** `go.mod;go.sum=ABSENT;vendor=yes(...)` → the files those facts imply. */
function contextFilesFromFacts(facts: string): Record<string, string> {
  const fact = (name: string): string | null => {
    for (const part of facts.split(';')) {
      const [key = '', value = 'yes'] = part.split(/=(.*)/s);
      if (key.toLowerCase() === name.toLowerCase()) return value;
    }
    return null;
  };
  const present = (name: string): boolean => {
    const value = fact(name);
    return value !== null && /^yes/i.test(value);
  };
  const files: Record<string, string> = {};
  if (present('go.mod')) {
    // a go.sum holds the sums of required modules: a module that has one requires something
    const requires = present('go.sum') ? '\nrequire example.com/dep v1.0.0\n' : '';
    files['go.mod'] = `module example.com/corpus\n\ngo 1.19\n${requires}${present('replace_local') ? '\nreplace example.com/api => ./api\n' : ''}`;
  }
  if (present('go.sum')) files['go.sum'] = '';
  if (present('vendor')) files['vendor/modules.txt'] = '# example.com/dep v1.0.0\n';
  if (present('go.work')) files['go.work'] = 'go 1.19\n\nuse .\n';
  if (present('dockerignore')) files['.dockerignore'] = '.git\n';
  return files;
}
