/**
 * Which steps a builder ran and which it took from its cache, read from its log. Pure.
 *
 * - BuildKit (`--progress=plain`): a vertex `#7 [build 3/5] COPY . .` ends with `#7 CACHED`, `#7 DONE
 *   0.3s` or `#7 ERROR ...`; `[internal]` vertices and the FROM step (`1/n`) are not steps of the file.
 * - buildah and podman: `[1/2] STEP 3/5: COPY . .`, followed by `--> Using cache <id>` when cached; the
 *   image a step committed follows as `--> <short id>`.
 */

export interface BuildStep {
  /** The instruction as the builder printed it. */
  readonly text: string;
  readonly cached: boolean;
}

export type LogFormat = 'buildkit' | 'buildah';

export function parseSteps(log: string, format: LogFormat): BuildStep[] {
  return format === 'buildkit' ? buildkitSteps(log) : buildahSteps(log);
}

function buildkitSteps(log: string): BuildStep[] {
  const vertices = new Map<string, { text: string; cached: boolean }>();
  for (const line of log.split('\n')) {
    const title = /^#(\d+) \[([^\]]+)\] (.*)$/.exec(line);
    if (title) {
      const [, id = '', where = '', text = ''] = title;
      const position = /^(?:\S+ )?(\d+)\/\d+$/.exec(where);
      // the FROM step (1/n) pulls or reuses the base image: not a cache decision of the file
      if (position && position[1] !== '1' && !vertices.has(id)) vertices.set(id, { text: text.trim(), cached: false });
      continue;
    }
    const cached = /^#(\d+) CACHED\s*$/.exec(line);
    const vertex = cached ? vertices.get(cached[1] ?? '') : undefined;
    if (vertex) vertex.cached = true;
  }
  return [...vertices.values()];
}

function buildahSteps(log: string): BuildStep[] {
  const steps: { text: string; cached: boolean }[] = [];
  for (const line of log.split('\n')) {
    const step = /^(?:\[\d+\/\d+\] )?STEP (\d+)\/\d+: (.*)$/.exec(line);
    if (step) {
      // STEP 1 is FROM; ENV, CMD and the like are steps too, as buildah commits them
      steps.push({ text: (step[2] ?? '').trim(), cached: false });
      continue;
    }
    const last = steps[steps.length - 1];
    if (line.startsWith('--> Using cache') && last) last.cached = true;
  }
  return steps.filter((s) => !/^FROM\s/i.test(s.text));
}

/**
 * The images a buildah or podman build committed (not those it took from its cache): the
 * `--> <id>` after a step that ran, and the final image. Removing them removes what the build left.
 */
export function committedImages(log: string): string[] {
  const ids: string[] = [];
  let ranStep = false;
  for (const line of log.split('\n')) {
    if (/^(?:\[\d+\/\d+\] )?(STEP \d+\/\d+:|COMMIT)/.test(line)) ranStep = true;
    else if (line.startsWith('--> Using cache')) ranStep = false;
    else {
      const id = /^--> ([0-9a-f]{10,64})\s*$/.exec(line);
      if (id?.[1] && ranStep) ids.push(id[1]);
      if (id) ranStep = false;
    }
  }
  return [...new Set(ids)];
}
