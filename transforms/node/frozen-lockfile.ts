/**
 * node/frozen-lockfile (issue 13, transform 5; unsafe).
 *
 * Looks for: a project install that may rewrite the lockfile: `npm install`, `yarn [install]`
 * without `--frozen-lockfile`/`--immutable`, `pnpm install` or `bun install` without
 * `--frozen-lockfile`.
 * Checks: the manager's lockfile is in the context, not excluded by .dockerignore, and copied into
 * the image before the install; npm's install takes no option `npm ci` lacks (`--no-package-lock`,
 * `--package-lock-only`, `--save*`, `--no-save`); Yarn classic or Berry is told apart by the project
 * (`.yarnrc.yml`, `.yarn/releases`, `packageManager`).
 * Writes: `npm install` → `npm ci`; `--frozen-lockfile` after `yarn [install]` (classic), `pnpm
 * install` and `bun install`; `--immutable` for Yarn Berry. Unsafe: the install is now exactly what
 * the lockfile says, but a lockfile out of step with package.json fails the build instead of being
 * updated in the image, and `npm ci` deletes a node_modules the image already had.
 */
import { type InstallInRun, installsInRun } from '../../src/ecosystems/node/install-runs.js';
import { readPackageJson } from '../../src/ecosystems/node/package-json.js';
import { join, LOCKFILES, projectManager } from '../../src/ecosystems/node/package-manager.js';
import { copiedBefore, installProjectDir } from '../../src/ecosystems/node/project-dir.js';
import type { Instruction, ParsedDockerfile, Stage } from '../../src/engine/parse.js';
import { ResultBuilder, type Transform, type TransformContext } from '../../src/engine/transform.js';
import { contextFile } from '../../src/patterns/manifest-first.js';
import { NODE_MENTIONS } from '../../src/ecosystems/node/steps.js';

/** npm install options that npm ci refuses or that change the lockfile on purpose. */
const NOT_FOR_CI = /^(--no-package-lock|--package-lock-only|--save(-dev|-prod|-optional|-exact|-peer|-bundle)?|--no-save|-[SDEOB])(=.*)?$/;

export const nodeFrozenLockfile: Transform = {
  id: 'node/frozen-lockfile',
  mentions: NODE_MENTIONS,
  title: 'Install exactly what the lockfile says: npm ci, --frozen-lockfile, --immutable',
  rationale: 'the install now follows the lockfile exactly, so the same lockfile always gives the same packages (a lockfile out of step with package.json now fails the build)',
  safety: 'unsafe',
  preconditions: [
    "the manager's lockfile is in the context, not excluded by .dockerignore, and copied into the image before the install",
    'npm install takes no option npm ci lacks (--no-package-lock, --package-lock-only, --save, --no-save)',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    for (const stage of doc.stages) {
      for (const run of stage.instructions) {
        for (const install of installsInRun(doc, run)) freeze(doc, stage, run, install, context, out);
      }
    }
    return out.result();
  },
};

function freeze(doc: ParsedDockerfile, stage: Stage, run: Instruction, found: InstallInRun, context: TransformContext, out: ResultBuilder): void {
  // What it looks for: an install that may still update the lockfile.
  const { install, command } = found;
  if (install.frozen) return;
  if (install.manager === 'npm' && install.subcommand === 'ci') return;

  // What it checks: a lockfile the install will see.
  const project = installProjectDir(doc, stage, run, context.build);
  const dir = install.dir === null ? project : join(project, install.dir);
  const lockfile = LOCKFILES[install.manager].map((f) => join(dir, f)).find((f) => contextFile(context, f) === 'present');
  if (lockfile === undefined) return; // nothing to freeze to: the install resolves anew either way
  if (!copiedBefore(doc, stage, run, lockfile)) return out.skip(run, `${lockfile} is not copied into the image before ${words(found)}`);
  if (install.manager === 'npm' && install.flags.some((f) => NOT_FOR_CI.test(f))) {
    return out.skip(run, `${words(found)} takes ${install.flags.find((f) => NOT_FOR_CI.test(f)) ?? ''}, which npm ci does not`);
  }

  // What it writes: npm ci, or the frozen flag after the subcommand.
  const sub = command.words.find((w, i) => i > 0 && w.value === install.subcommand && install.subcommand !== '');
  if (install.manager === 'npm') {
    if (!sub) return;
    return out.change(run, [{ start: sub.start, end: sub.end, text: 'ci' }], `${words(found)} → npm ci`);
  }
  const after = sub ?? command.words.find((w) => /(^|\/)(yarn|yarnpkg|pnpm|bun)$/.test(w.value));
  if (!after) return;
  const text = context.build.readFile(join(dir, 'package.json'));
  const berry = install.manager === 'yarn' && projectManager(context.build, dir, 'yarn', text === null ? null : (readPackageJson(text)?.packageManager ?? null)).berry;
  const flag = berry ? '--immutable' : '--frozen-lockfile';
  out.change(run, [{ start: after.end, end: after.end, text: ` ${flag}` }], `added ${flag} to ${words(found)}`);
}

function words(found: InstallInRun): string {
  return found.command.words.map((w) => w.text).join(' ');
}
