/** Which project of the build context a RUN's install works on, read from the COPY instructions before it. */
import type { BuildContext } from '../../context/context.js';
import { normalizePath } from '../../context/context.js';
import { copySpec, globMatches } from '../../engine/instructions.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../../engine/parse.js';
import { join } from './package-manager.js';

/** A context path as a COPY source names it, or null when it leaves the context or is absolute. */
function contextPath(source: string): string | null {
  if (/^[/\\]|^[A-Za-z]:/.test(source) || source.split(/[/\\]/).includes('..')) return null;
  return normalizePath(source);
}

/**
 * The context directory of the project `run` installs: where the last COPY before it took
 * package.json (or the project's directory, or the whole context) from; '' when none says.
 */
export function installProjectDir(doc: ParsedDockerfile, stage: Stage, run: Instruction, build: BuildContext): string {
  const before = stage.instructions.filter((i) => i.start < run.start).reverse();
  for (const i of before) {
    const spec = copySpec(i);
    if (!spec || spec.from !== null) continue;
    for (const source of spec.sources) {
      const path = contextPath(source);
      if (path === null) continue;
      if (/(^|\/)package\.json$/.test(path)) return path.replace(/\/?package\.json$/, '');
      if (path === '' || build.exists(join(path, 'package.json'))) return path;
    }
  }
  return '';
}

/** Whether a COPY of this stage or its lineage, before `run`, brings the context file `path` into the image. */
export function copiedBefore(doc: ParsedDockerfile, stage: Stage, run: Instruction, path: string): boolean {
  return stageLineage(doc, stage).some((s) =>
    s.instructions.some((i) => {
      if (s === stage && i.start >= run.start) return false;
      const spec = copySpec(i);
      if (!spec || spec.from !== null) return false;
      return spec.sources.some((source) => {
        const p = contextPath(source);
        return p !== null && (p === '' || p === path || path.startsWith(`${p}/`) || globMatches(p, path));
      });
    }),
  );
}
