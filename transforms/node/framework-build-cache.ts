/**
 * node/framework-build-cache (issue 13, transform 4).
 *
 * Looks for: a RUN that runs `next build`, directly or through a package.json script
 * (`npm run build` whose script runs it).
 * Checks: the directory it builds in is known (WORKDIR, a `cd`); it runs as root (BuildKit creates a
 * missing `.next` for the mount owned by root, which another user could not write); no later instruction reads `.next/cache` itself (copying
 * `.next/standalone`, `.next/static` or the whole `.next` is fine: Next.js does not read its cache
 * at run time).
 * Writes: `--mount=type=cache,target=<dir>/.next/cache` (Next.js documents this cache for CI and
 * Docker builds): a rebuild after a source change recompiles only what changed.
 */
import { readPackageJson } from '../../src/ecosystems/node/package-json.js';
import { join } from '../../src/ecosystems/node/package-manager.js';
import { installProjectDir } from '../../src/ecosystems/node/project-dir.js';
import { mayRunNextBuild, runsNextBuild } from '../../src/ecosystems/node/next-build.js';
import { effectiveWorkdir, resolvePath } from '../../src/engine/instructions.js';
import type { Instruction, ParsedDockerfile, Stage } from '../../src/engine/parse.js';
import { instructionSnippet } from '../../src/engine/snippet.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { cacheMounts, laterReads, runUser } from '../../src/patterns/cache-mount.js';
import { runScript } from '../../src/shell/shell.js';
import { NODE_MENTIONS } from '../../src/ecosystems/node/steps.js';

export const nodeFrameworkBuildCache: Transform = {
  id: 'node/framework-build-cache',
  mentions: NODE_MENTIONS,
  title: "Mount Next.js's build cache (.next/cache) on RUN steps that run next build",
  rationale: "Next.js keeps its compilation cache between builds in a cache mount, so a source change recompiles only what changed",
  safety: 'safe',
  usesMounts: true,
  preconditions: [
    'the directory next build runs in is known (WORKDIR, cd)',
    'the RUN runs as root (for another user BuildKit would create .next owned by root)',
    'no later instruction reads .next/cache itself',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) {
      for (const run of stage.instructions) if (run.keyword === 'RUN') mountNextCache(doc, stage, run, context, out);
    }
    return out.result();
  },
};

function mountNextCache(doc: ParsedDockerfile, stage: Stage, run: Instruction, context: TransformContext, out: ResultBuilder): void {
  // What it looks for: a `next build`, and the directory it runs in.
  const script = runScript(doc, run);
  if (!script.parsed) return;
  if (!script.commands.some((c) => mayRunNextBuild(c.words.map((w) => w.value)))) return;
  const text = context.build.readFile(join(installProjectDir(doc, stage, run, context.build), 'package.json'));
  const scripts = (text === null ? null : readPackageJson(text))?.scripts ?? {};
  let cd: string | null = null;
  let found = false;
  for (const command of script.commands) {
    const words = command.words.map((w) => w.value);
    if (words[0] === 'cd') cd = words[1] ?? null;
    if (runsNextBuild(words, scripts)) {
      found = true;
      break;
    }
  }
  if (!found) return;

  // What it checks: the directory, the user, and that nothing later reads the cache.
  const workdir = effectiveWorkdir(doc, stage, run);
  const dir = cd === null ? workdir : resolvePath(workdir, cd);
  if (dir === null || dir.includes('$')) return out.skip(run, 'I cannot tell the directory next build runs in (a variable or an unknown WORKDIR)');
  const target = `${dir === '/' ? '' : dir}/.next/cache`;
  const reader = laterReads(doc, stage, run, target);
  if (reader && (reader.keyword === 'RUN' || doc.source.text.slice(reader.argsStart, reader.end).includes('.next/cache'))) {
    return out.skip(run, `${instructionSnippet(doc, reader)} reads ${target}, which a cache mount would leave empty in the image`);
  }
  const user = runUser(doc, stage, run);
  if ('reason' in user) return out.skip(run, `cannot mount the Next.js build cache: ${user.reason}`);
  if (user.uid !== 0) return out.skip(run, `USER ${user.name} is not root: BuildKit would create ${target.slice(0, -'/cache'.length)} owned by root, and next build could not write its output there`);

  // What it writes: the mount.
  const mounts = cacheMounts(doc, stage, run, [{ target }], user);
  if ('reason' in mounts) return out.skip(run, mounts.reason);
  if (mounts.added.length === 0) return;
  out.change(run, mounts.edits, `mounted ${target}`);
}
