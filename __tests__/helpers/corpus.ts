/**
 * The shared corpus of real Dockerfiles (read from ../shared, never copied), each with an in-memory
 * build context made from the facts MANIFEST.tsv records about its repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildContext, memoryContext } from '../../src/context/context.js';
import { corpusDir } from './paths.js';

export interface CorpusEntry {
  /** The manifest's file name, e.g. `go/go-gitea__gitea__Dockerfile`. */
  readonly file: string;
  readonly path: string;
  readonly facts: string;
  readonly context: BuildContext;
  /** The files that context holds, for the reader of an expectation. */
  readonly contextFiles: readonly string[];
}

export const hasCorpus = existsSync(join(corpusDir, 'MANIFEST.tsv'));

export function corpus(): CorpusEntry[] {
  if (!hasCorpus) return [];
  const [, ...rows] = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  return rows.map((row) => {
    const [file = '', , , , , facts = ''] = row.split('\t');
    const files = contextFilesFromFacts(facts);
    return { file, path: join(corpusDir, file), facts, context: memoryContext(files, '<corpus context>'), contextFiles: Object.keys(files) };
  });
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
