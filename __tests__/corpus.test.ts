/** Real Dockerfiles from ../shared/corpus: the tool never crashes, keeps them parseable, and is idempotent. */
import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { memoryContext, withPendingFiles } from '../src/context/context.js';
import { fixText } from '../src/engine/fixer.js';
import { isKnownKeyword, parseDockerfile } from '../src/engine/parse.js';
import { transforms } from '../transforms/index.js';
import { describeWhen } from './helpers/conditional.js';
import { corpus, hasCorpus } from './helpers/corpus.js';

const entries = corpus();
const unknownKeywords = (text: string) => parseDockerfile(text).instructions.filter((i) => !isKnownKeyword(i.keyword)).length;

describeWhen(hasCorpus, 'corpus tests need ../shared/corpus beside the project')('corpus', () => {
  test('the corpus has files', () => {
    expect(entries.length).toBeGreaterThan(40);
  });

  test.each(entries.map((e) => [e.file, e] as const))('%s', (_file, entry) => {
    const text = readFileSync(entry.path, 'utf8');
    for (const context of [entry.context, memoryContext({})]) {
      const first = fixText(text, { transforms, context, dockerfilePath: 'Dockerfile' });
      expect(unknownKeywords(first.output)).toBe(unknownKeywords(text));
      const written = withPendingFiles(context, new Map(first.files.map((f) => [f.path, f.after])));
      const second = fixText(first.output, { transforms, context: written, dockerfilePath: 'Dockerfile' });
      expect(second.output).toBe(first.output);
      expect(second.changes).toEqual([]);
    }
  });
});
