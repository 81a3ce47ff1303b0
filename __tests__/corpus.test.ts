/**
 * Real Dockerfiles from ../shared/corpus, each fixed in its real build context where
 * ../shared/corpus/contexts has one (else in a context made from manifest facts; see
 * helpers/corpus.ts), and again in an empty context: the fix never throws; the output parses, as
 * src/engine/parse.ts and as BuildKit reads it, with no new unknown instruction and the same number
 * of stages; it raises no validation error the input did not have (src/engine/dockerfile-errors.ts);
 * the edit history replays to the output, instructions no edit touched come out byte for byte, and
 * the file's style stays; and a second run, with the context files the first one wrote, changes nothing.
 * CACHEFIX_CORPUS=<dir> runs it on another corpus of the same layout (the held-out half).
 */
import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { type BuildContext, memoryContext, withPendingFiles } from '../src/context/context.js';
import { dockerfileError } from '../src/engine/dockerfile-errors.js';
import { fixText } from '../src/engine/fixer.js';
import { isKnownKeyword, parseDockerfile } from '../src/engine/parse.js';
import { transforms } from '../transforms/index.js';
import { describeWhen } from './helpers/conditional.js';
import { corpus, GIT_HEAD, hasCorpus } from './helpers/corpus.js';
import { dockerInstructions } from './helpers/docker-view.js';
import { fileStyleProblems, replayProblems, untouchedInstructionProblems } from './helpers/fix-invariants.js';

const entries = corpus();
const unknownKeywords = (text: string) => parseDockerfile(text).instructions.filter((i) => !isKnownKeyword(i.keyword)).length;

/** What is wrong with the fix of `text` in `context` (empty: nothing), phrased for a failure report. */
function problems(text: string, context: BuildContext, dockerfilePath: string, unsafe: boolean): string[] {
  const options = { transforms, dockerfilePath, unsafe };
  const first = fixText(text, { ...options, context });
  const { output } = first;
  const [docker, dockerOut] = [dockerInstructions(text), dockerInstructions(output)];
  const unknownDocker = (is: typeof docker) => is.filter((i) => !isKnownKeyword(i.keyword)).length;
  const froms = (is: typeof docker) => is.filter((i) => i.keyword === 'FROM').length;
  const [error, errorOut] = [dockerfileError(text), dockerfileError(output)];
  const written = withPendingFiles(context, new Map(first.files.map((f) => [f.path, f.after])));
  const second = fixText(output, { ...options, context: written });
  return [
    ...(unknownKeywords(output) > unknownKeywords(text) ? ['the output has a new unknown instruction'] : []),
    ...(unknownDocker(dockerOut) > unknownDocker(docker) ? ['BuildKit would read a new unknown instruction in the output'] : []),
    ...(froms(dockerOut) !== froms(docker) ? [`BuildKit reads ${froms(dockerOut)} stages in the output, ${froms(docker)} in the input`] : []),
    ...(errorOut !== null && errorOut.reason !== error?.reason ? [`new validation error at line ${errorOut.line}: ${errorOut.reason}`] : []),
    ...replayProblems(text, first),
    ...untouchedInstructionProblems(first),
    ...fileStyleProblems(text, output),
    ...(second.output !== output ? ['a second run changed the text'] : []),
    ...second.changes.map((c) => `a second run made a change: ${c.transform} at line ${c.line}`),
    ...second.files.map((f) => `a second run wrote ${f.path}`),
  ];
}

describeWhen(hasCorpus, 'corpus tests need ../shared/corpus beside the project')('corpus', () => {
  test('the corpus has files, and most have their real build context', () => {
    expect(entries.length).toBeGreaterThan(process.env.CACHEFIX_CORPUS === undefined ? 40 : 0);
    expect(entries.filter((e) => e.source.kind === 'real').length).toBeGreaterThan(entries.length / 2);
  });

  test('each real context holds the corpus Dockerfile, byte for byte, at its dockerfilePath', () => {
    const differing = entries
      .filter((e) => e.source.kind === 'real' && e.context.readFile(e.dockerfilePath) !== readFileSync(e.path, 'utf8'))
      .map((e) => `${e.file} (at ${e.dockerfilePath})`);
    expect(differing).toEqual([]);
  });

  test('a real context whose checkout holds .git shows a .git directory (with HEAD); the others show none', () => {
    const real = entries.filter((e) => e.source.kind === 'real');
    const seen = real.map((e) => ({
      file: e.file,
      git: e.source.kind === 'real' && e.source.git,
      listed: e.context.list('')?.some((d) => d.name === '.git' && d.directory) ?? false,
      head: e.context.readFile('.git/HEAD') === GIT_HEAD && e.context.exists('.git'),
    }));
    expect(seen.filter((s) => s.listed !== s.git || s.head !== s.git)).toEqual([]);
  });

  test.each(entries.map((e) => [e.file, e] as const))('%s', (_file, entry) => {
    const text = readFileSync(entry.path, 'utf8');
    for (const [name, context, dockerfilePath] of [
      [entry.source.kind === 'real' ? 'its real context' : 'its context from manifest facts', entry.context, entry.dockerfilePath],
      ['an empty context', memoryContext({}), 'Dockerfile'],
    ] as const) {
      for (const unsafe of [false, true]) {
        expect({ in: `${name}${unsafe ? ', --unsafe' : ''}`, problems: problems(text, context, dockerfilePath, unsafe) }).toEqual({
          in: `${name}${unsafe ? ', --unsafe' : ''}`,
          problems: [],
        });
      }
    }
  });
});
