/**
 * Property tests (issue 5): Dockerfiles generated from a grammar of what real files hold (see
 * helpers/dockerfile-arbitrary.ts), with a generated build context and a transform selection, fixed
 * through the public fixText. A fixed seed makes CI run the same cases every time; explore further with
 * `FC_RUNS=3000 FC_SEED=7` (helpers/property-settings.ts). Every failure prints the shrunk Dockerfile,
 * context and selection, ready to paste into a unit test.
 */
import { describe, test } from '@jest/globals';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { applyEdits, type Edit } from '../src/engine/edits.js';
import { parseDockerfile } from '../src/engine/parse.js';
import { reparseDockerfile } from '../src/engine/reparse.js';
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
  reparseStepProblems,
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
  test('reparses after each step exactly as a full parse reads the text', () => holds(reparseStepProblems));
});

/** Pieces of Dockerfile text an edit may write: line breaks, escapes, comments, new stages, flags. */
const fragment = fc.constantFrom(
  '', '\n', '\r\n', ' ', '\\\n', '`\n', '# note\n', '#', 'RUN go build .\n', 'COPY go.mod go.sum ./\n', 'FROM golang:1.22 AS b\n',
  '--mount=type=cache,target=/root/.cache/go-build ', ' -trimpath', 'CGO_ENABLED=0 ', '["a", "b"]', '<<EOF\nx\nEOF\n', 'x', '\\', '"',
  'ONBUILD RUN <<EOF\n', 'EOF\n', '\\ ', '\\#', '`#', '\r', '\uFEFF', '# escape=`\n', '  ',
);

/** Up to three edits anywhere in `text`, non-overlapping, sorted. */
const editsIn = (text: string) =>
  fc.array(fc.tuple(fc.nat(text.length), fc.nat(12), fc.array(fragment, { maxLength: 3 })), { minLength: 1, maxLength: 3 }).map((raw) => {
    const edits: Edit[] = [];
    for (const [at, length, pieces] of [...raw].sort((a, b) => a[0] - b[0])) {
      const start = Math.max(at, edits.at(-1)?.end ?? 0);
      if (start > text.length) continue;
      edits.push({ start, end: Math.min(text.length, start + length), text: pieces.join('') });
    }
    return edits;
  });

test('src/engine/reparse.ts reads any edit of a generated Dockerfile exactly as a full parse does', () => {
  fc.assert(
    fc.property(dockerfile.chain((rendered) => fc.tuple(fc.constant(rendered.text), editsIn(rendered.text))), ([text, edits]) => {
      const after = applyEdits(text, edits.map((e) => ({ ...e, owner: 'test' })));
      if (!isDeepStrictEqual(reparseDockerfile(parseDockerfile(text), edits, after), parseDockerfile(after))) {
        throw new Error(`the reparse differs from the full parse\nDockerfile: ${JSON.stringify(text)}\nedits: ${JSON.stringify(edits)}`);
      }
    }),
    propertySettings(RUNS),
  );
});

test('src/engine/parse.ts and a BuildKit-style reading find the instructions the generator wrote', () => {
  fc.assert(
    fc.property(dockerfile, (rendered) => {
      const problems = [...modelAgreementProblems(rendered), ...dockerViewModelProblems(rendered)];
      if (problems.length > 0) throw new Error(`${problems.join('\n')}\nDockerfile: ${JSON.stringify(rendered.text)}`);
    }),
    propertySettings(RUNS),
  );
});
