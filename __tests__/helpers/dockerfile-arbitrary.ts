/**
 * fast-check arbitraries for whole Dockerfiles: a BOM, parser directives (`# syntax=`, `# escape=`
 * with `\` or a backtick, `# check=`), multi-stage Go builds from dockerfile-vocabulary.ts, comment
 * and blank lines between instructions and inside continuations, indentation, trailing blanks, keyword
 * case, LF, CRLF or mixed line endings, and files without a final newline. They shrink towards a
 * plain one-stage file, so a failure reports a small case.
 */
import fc from 'fast-check';
import { type DockerfileModel, type Gap, type InstructionLayout, type InstructionSpec, type Line, renderDockerfile, type RenderedDockerfile } from './dockerfile-model.js';
import * as v from './dockerfile-vocabulary.js';
import { maybe } from './dockerfile-vocabulary.js';

const blanks = fc.constantFrom('', ' ', '  ', '\t', ' \t');

const commentText = fc.constantFrom(
  '# build the binary', '#', '#no space', '   # indented', '# Ünïcødé 🐳 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 日本語', '# trailing blanks   ', '# path C:\\go\\bin\\',
  '# cachefix-ignore', '# cachefix-ignore go/trimpath', '# cachefix-ignore go/build-cache-mount,go/mod-download-first', '# cachefix-ignore go/nope',
);
/** Comments Docker drops inside a continuation, and blank lines (which BuildKit only warns about). */
const droppedLine = fc.oneof(commentText, blanks, fc.constant('    # note: keep -a for now'));

const gap: fc.Arbitrary<Gap> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(' ', ' ', ' ', '  ', '\t').map((text): Gap => ({ kind: 'space', text })) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        before: fc.constantFrom(' ', ' ', '', '  '),
        after: fc.constantFrom('', '', '', ' ', '\t'),
        dropped: fc.oneof({ weight: 4, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.array(droppedLine, { minLength: 1, maxLength: 2 }) }),
        indent: fc.constantFrom('    ', '    ', '  ', '\t', '', '        '),
      })
      .map((g): Gap => ({ kind: 'continuation', ...g })),
  },
);

const layout: fc.Arbitrary<InstructionLayout> = fc.record({
  indent: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('  ', '    ', '\t') }),
  keywordCase: fc.oneof({ weight: 12, arbitrary: fc.constant('file' as const) }, { weight: 1, arbitrary: fc.constantFrom('upper' as const, 'lower' as const, 'title' as const, 'alternating' as const) }),
  gaps: fc.oneof({ weight: 2, arbitrary: fc.constant<Gap[]>([]) }, { weight: 3, arbitrary: fc.array(gap, { minLength: 1, maxLength: 8 }) }),
  trailing: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', '  ', '\t') }),
});

/** An instruction with a layout, maybe after comment and blank lines. */
function line(spec: fc.Arbitrary<InstructionSpec>): fc.Arbitrary<Line[]> {
  const extra = fc.oneof(commentText.map((text): Line => ({ kind: 'comment', text })), blanks.map((text): Line => ({ kind: 'blank', text })));
  return fc
    .tuple(fc.oneof({ weight: 4, arbitrary: fc.constant<Line[]>([]) }, { weight: 1, arbitrary: fc.array(extra, { minLength: 1, maxLength: 2 }) }), spec, layout)
    .map(([before, s, l]) => [...before, { kind: 'instruction', spec: s, layout: l }]);
}

const lines = (spec: fc.Arbitrary<InstructionSpec>, maxLength: number, minLength = 0) =>
  fc.array(line(spec), { minLength, maxLength }).map((ls) => ls.flat());
const optionalLine = (spec: fc.Arbitrary<InstructionSpec>, present: number, absent: number) => maybe(line(spec), present, absent).map((l) => l ?? []);

/**
 * A Go build stage in the usual order: base image, settings, WORKDIR, manifests, sources, builds.
 * With `link`, it is named `alias` and one build writes `output`, for a final stage to copy.
 */
function goStage(link: { alias: string; output: string } | null): fc.Arbitrary<Line[]> {
  const build = link === null ? lines(v.goRun, 2, 1) : fc.tuple(lines(v.goRun, 1), line(v.goBuildRunTo(link.output)), lines(v.goRun, 1)).map((ls) => ls.flat());
  return fc
    .record({
      from: line(v.fromGolang(link === null ? undefined : fc.constant(link.alias))),
      setup: lines(v.stageSetup, 3),
      workdir: optionalLine(v.workdir, 3, 1),
      manifests: maybe(fc.tuple(line(v.manifestCopy), optionalLine(v.downloadRun, 3, 1)), 1, 3).map((m) => (m ? m.flat() : [])),
      source: line(v.sourceCopy),
      afterSource: lines(v.afterSource, 3),
      builds: build,
      tail: lines(v.stageTail, 2),
    })
    .map((s) => [...s.from, ...s.setup, ...s.workdir, ...s.manifests, ...s.source, ...s.afterSource, ...s.builds, ...s.tail]);
}

const derivedStage: fc.Arbitrary<Line[]> = fc.tuple(line(v.fromEarlierStage), lines(fc.oneof(v.goRun, v.afterSource), 2, 1)).map(([f, body]) => [...f, ...body]);
const runtimeStage: fc.Arbitrary<Line[]> = fc.tuple(line(v.fromRuntime), lines(v.runtimeBody, 4, 1)).map(([f, body]) => [...f, ...body]);

interface Stages {
  /** The first Go build stage (its FROM first). */
  readonly build: Line[];
  /** A final stage, if any. */
  readonly runtime: Line[] | null;
}

/** A build stage and a final stage that copies its binary: what the static-binary and cross-compile rewrites need. */
const buildAndRuntime: fc.Arbitrary<Stages> = fc
  .record({ alias: fc.constantFrom('build', 'builder', 'Build'), output: v.buildOutput })
  .chain((link) =>
    fc.tuple(goStage(link), line(v.fromRuntime), lines(v.runtimeBody, 1), line(v.copyFrom(fc.constant(link.alias.toLowerCase()), fc.constant(link.output))), lines(v.runtimeBody, 2))
      .map(([build, ...runtime]) => ({ build, runtime: runtime.flat() })));

/** A whole file's stages; sometimes shuffled, so transforms meet instructions in unusual orders. */
const stages: fc.Arbitrary<Line[]> = fc
  .record({
    globalArgs: lines(v.globalArg, 1),
    stages: fc.oneof(fc.record<Stages>({ build: goStage(null), runtime: maybe(runtimeStage, 2, 1) }), buildAndRuntime),
    second: maybe(fc.oneof(derivedStage, goStage(null)), 1, 3),
    shuffle: maybe(fc.array(fc.nat(99), { minLength: 16, maxLength: 16 }), 1, 9),
    extra: lines(v.anyInstruction, 2),
  })
  .map(({ globalArgs, stages: { build, runtime }, second, shuffle, extra }) => {
    const body = [...build.slice(1), ...extra];
    const ordered = shuffle === null ? body : body.map((l, i) => ({ l, key: shuffle[i % shuffle.length] ?? 0 })).sort((a, b) => a.key - b.key).map((x) => x.l);
    return [...globalArgs, ...build.slice(0, 1), ...ordered, ...(second ?? []), ...(runtime ?? [])];
  });

/** `# escape=\``, `#ESCAPE=\``, `# escape = \``: BuildKit allows blanks around the `=` and any case. */
const directive = (name: string, value: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.constantFrom('# ', '#', '#  '), fc.constantFrom(name, name, name.toUpperCase()), fc.constantFrom('=', '=', '=', ' = ', ' ='), value)
    .map(([hash, n, eq, val]) => `${hash}${n}${eq}${val}`);

/** What would be a directive at the top: after an instruction it is a plain comment, and changes nothing. */
const lateDirective = fc.constantFrom('# escape=`', '# escape=\\', '# syntax=docker/dockerfile:1', '# check=skip=all');

export const dockerfileModel: fc.Arbitrary<DockerfileModel> = fc
  .record({
    bom: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))),
    escape: fc.oneof({ weight: 4, arbitrary: fc.constant('\\' as const) }, { weight: 1, arbitrary: fc.constant('`' as const) }),
    escapeDirective: fc.boolean(),
    syntax: maybe(directive('syntax', fc.constantFrom('docker/dockerfile:1', 'docker/dockerfile:1.7-labs')), 1, 2),
    check: maybe(directive('check', fc.constantFrom('skip=JSONArgsRecommended', 'error=true')), 1, 4),
    checkFirst: fc.boolean(),
    fileIgnore: maybe(fc.constantFrom('# cachefix-ignore-file go/trimpath', '# cachefix-ignore-file go/nope'), 1, 19),
    lines: stages,
    eols: fc.oneof(
      { weight: 4, arbitrary: fc.constant<('\n' | '\r\n')[]>(['\n']) },
      { weight: 2, arbitrary: fc.constant<('\n' | '\r\n')[]>(['\r\n']) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'), { minLength: 2, maxLength: 7 }) },
    ),
    finalNewline: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    lowerCase: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    late: maybe(fc.tuple(lateDirective, fc.nat(20)), 1, 9),
  })
  .chain((m) =>
    (m.escape === '`' || m.escapeDirective ? directive('escape', fc.constant(m.escape)).map((d) => [d]) : fc.constant<string[]>([])).map((escape): DockerfileModel => {
      const others = [m.syntax, m.check].filter((d): d is string => d !== null);
      const directives = m.checkFirst ? [...others, ...escape] : [...escape, ...others];
      return {
        bom: m.bom,
        directives,
        escape: m.escape,
        lines: [...(m.fileIgnore === null ? [] : [{ kind: 'comment' as const, text: m.fileIgnore }]), ...withLateDirective(m.lines, m.late)],
        eols: m.eols,
        finalNewline: m.finalNewline,
        lowerCase: m.lowerCase,
      };
    }),
  );

/** Puts `comment` somewhere after the first instruction (never at the top, where it would be a directive). */
function withLateDirective(lines: readonly Line[], late: [string, number] | null): Line[] {
  const first = lines.findIndex((l) => l.kind === 'instruction');
  if (late === null || first < 0) return [...lines];
  const at = first + 1 + (late[1] % (lines.length - first));
  return [...lines.slice(0, at), { kind: 'comment', text: late[0] }, ...lines.slice(at)];
}

export const dockerfile: fc.Arbitrary<RenderedDockerfile> = dockerfileModel.map(renderDockerfile);
