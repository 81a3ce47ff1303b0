/**
 * Property tests (issue 5): Dockerfiles generated from a grammar of what real files hold (see
 * helpers/dockerfile-arbitrary.ts), with a generated build context and a transform selection, fixed
 * through the public fixText. A fixed seed makes CI run the same cases every time; explore further with
 * `FC_RUNS=3000 FC_SEED=7` (helpers/property-settings.ts). Every failure prints the shrunk Dockerfile,
 * context and selection, ready to paste into a unit test.
 */
import { describe, test } from '@jest/globals';
import fc from 'fast-check';
import {
  dockerViewModelProblems,
  dockerViewProblems,
  idempotenceProblems,
  modelAgreementProblems,
  neverThrowsProblems,
  outputParsesProblems,
  type PropertyCase,
  propertyCase,
  replayAndRemovalProblems,
  report,
  styleProblems,
  untouchedProblems,
} from './helpers/property-case.js';
import { dockerfile } from './helpers/dockerfile-arbitrary.js';
import { propertySettings } from './helpers/property-settings.js';

/** About 15 ms per case for the fix and all checks: about 30 s for the file on a shared 2-core machine. */
const RUNS = 700;

function holds(check: (c: PropertyCase) => string[]): void {
  fc.assert(
    fc.property(propertyCase, (c) => {
      const problems = check(c);
      if (problems.length > 0) throw new Error(report(c, problems));
    }),
    propertySettings(RUNS),
  );
}

describe('every fix of a generated Dockerfile', () => {
  test('never throws (a TransformBugError or ConvergenceError counts)', () => holds(neverThrowsProblems));
  test('gives an output that parses, with no new instruction Docker would not recognise', () => holds(outputParsesProblems));
  test('is idempotent: a second run, with the context files the first one wrote, changes nothing', () => holds(idempotenceProblems));
  test('replays from its edit history, and deletes only blanks, moved text and what its transform exists to delete', () =>
    holds(replayAndRemovalProblems));
  test('leaves every instruction no edit touched byte for byte, in order, with its keyword', () => holds(untouchedProblems));
  test('reads, the way BuildKit does, as known instructions and as many stages as the input', () => holds(dockerViewProblems));
  test('keeps the BOM, the parser directives, the escape character and the line-break style', () => holds(styleProblems));
});

test('src/parse.ts and a BuildKit-style reading find the instructions the generator wrote', () => {
  fc.assert(
    fc.property(dockerfile, (rendered) => {
      const problems = [...modelAgreementProblems(rendered), ...dockerViewModelProblems(rendered)];
      if (problems.length > 0) throw new Error(`${problems.join('\n')}\nDockerfile: ${JSON.stringify(rendered.text)}`);
    }),
    propertySettings(RUNS),
  );
});
