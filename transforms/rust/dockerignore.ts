/**
 * rust/dockerignore (issue 15 §3).
 *
 * Looks for: a stage that copies the whole context and runs cargo, in a context whose root holds
 * Cargo.toml. Without an ignore rule the context carries the host's `target/` (gigabytes, changed by
 * every local build) and `.git` (changed by every commit): each invalidates `COPY . .` and
 * everything after it, and `target/` slows every context transfer.
 * Checks: no Dockerfile at the context root reads what the entries would exclude (`COPY target/...`),
 * the ignore file does not re-include them on purpose (`!target`); `.git` only when no crate of the
 * build has a build script (build.rs often stamps versions from git: vergen, built) and no RUN calls
 * git or a script.
 * Writes: the ignore file, created or appended, with `target` and, where safe, `.git`.
 */
import { copiesWholeContext, copySpec } from '../../src/engine/instructions.js';
import { ResultBuilder, type Transform } from '../../src/engine/transform.js';
import { ignoreEntries, type IgnoreEntry } from '../../src/patterns/ignore-entries.js';
import { runScript } from '../../src/shell/shell.js';
import { cargoCommand } from '../../src/ecosystems/rust/cargo-command.js';
import { buildScript, cargoCrates } from '../../src/ecosystems/rust/cargo-manifest.js';
import { RUST_MENTIONS } from '../../src/ecosystems/rust/steps.js';

const TARGET: IgnoreEntry = { pattern: 'target', probe: 'target/release/.fingerprint' };
const GIT: IgnoreEntry = { pattern: '.git', probe: '.git/HEAD' };
const HEADER = "# added by cachefix: cargo's build output and VCS data change without the sources changing and would invalidate COPY . .";

export const rustDockerignore: Transform = {
  id: 'rust/dockerignore',
  mentions: RUST_MENTIONS,
  title: "Exclude cargo's target/ (and .git) from the build context with .dockerignore",
  rationale: 'target/ changes with every local build and .git with every commit, so excluding them keeps COPY . . cached (and the context small) when the sources did not change',
  safety: 'safe',
  preconditions: [
    'a stage copies the whole context and runs cargo, and Cargo.toml is at the context root',
    'no COPY/ADD/bind-mount source of any Dockerfile at the context root becomes excluded, and the ignore file does not re-include them',
    '.git only when no crate has a build script and no RUN calls git or a script',
  ],
  apply(doc, context) {
    const out = new ResultBuilder();
    // What it looks for: a whole-context COPY in a stage that runs cargo.
    const cargoStages = doc.stages.filter((stage) =>
      stage.instructions.some((i) => i.keyword === 'RUN' && runScript(doc, i).commands.some((c) => cargoCommand(c) !== null)));
    const wholeCopy = cargoStages.flatMap((s) => s.instructions).find((i) => {
      const spec = copySpec(i);
      return spec !== null && spec.from === null && copiesWholeContext(spec);
    });
    if (!wholeCopy || !context.build.exists('Cargo.toml')) return out.result();

    // What it checks: .git only when nothing may read it.
    const crates = cargoCrates(context.build, '');
    const script = 'reason' in crates ? 'a crate manifest' : crates.map((c) => buildScript(context.build, c)).find((s) => s !== null);
    const gitReader = doc.instructions.find((i) => i.keyword === 'RUN' && /(^|[\s;&|(])(git|sh|bash|make|just)\s|\.sh\b/.test(doc.source.text.slice(i.argsStart, i.end)));
    const entries = script === undefined && gitReader === undefined ? [TARGET, GIT] : [TARGET];

    // What it writes.
    const written = ignoreEntries(doc, context, entries, HEADER);
    if (written === null) return out.result();
    if ('reason' in written) return out.skip(wholeCopy, written.reason), out.result();
    const kept = entries.length === 1 ? ` (not .git: ${script !== undefined ? `${script} may read it` : `the RUN on line ${(gitReader?.line ?? 0) + 1} may read it`})` : '';
    out.writeFile(wholeCopy, written.file, `${written.created ? 'created' : 'appended to'} ${written.file.path}: ${written.added.join(' ')}${kept}`);
    return out.result();
  },
};
