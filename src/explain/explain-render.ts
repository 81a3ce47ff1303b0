/** How `cachefix explain` shows a cache prediction: a step list per stage, or JSON. Pure. */
import type { BuilderRules, CachePrediction, ChangeSet, StagePrediction, StepPrediction } from './cache-model.js';
import type { Painter } from '../driver/diff.js';

export interface Explanation {
  readonly dockerfile: string;
  /** Whose cache rules the prediction follows. */
  readonly builder: BuilderRules;
  readonly changes: ChangeSet;
  readonly original: CachePrediction;
  /** The same change against the Dockerfile as cachefix would rewrite it (`--fix`). */
  readonly rewritten?: CachePrediction;
}

const TEXT_WIDTH = 60;

/** The human report: each built stage's steps, marked `rerun` or `cached`, then a summary. */
export function renderExplanation(explanation: Explanation, paint: Painter): string {
  const rules = explanation.builder === 'buildah' ? ' (buildah 1.28 cache rules)' : '';
  const out: string[] = [`${explanation.dockerfile}: what rebuilds when ${describeChanges(explanation.changes)}${rules}`];
  const sections: [string, CachePrediction][] = [['original', explanation.original]];
  if (explanation.rewritten) sections.push(['rewritten by cachefix', explanation.rewritten]);
  for (const [title, prediction] of sections) {
    if (explanation.rewritten) out.push('', `== ${title}`);
    for (const stage of prediction.stages) out.push(...renderStage(stage, paint));
    out.push('', firstBreakLine(prediction));
  }
  out.push(summaryLine('original', explanation.original) + (explanation.rewritten ? `; ${summaryLine('rewritten', explanation.rewritten)}` : ''));
  return `${out.join('\n')}\n`;
}

function renderStage(stage: StagePrediction, paint: Painter): string[] {
  const header = `stage ${stage.index}${stage.name ? ` ${stage.name}` : ''} (FROM ${stage.image}, line ${stage.line})`;
  if (!stage.built) return ['', `${header}: not built (the target does not need it)`];
  return [
    '',
    header,
    ...stage.steps.map((step) => {
      const mark = step.rerun ? paint.red('rerun ') : paint.green('cached');
      const why = step.rerun && step.reason ? `  ${step.cause === 'change' ? '<- ' : ''}${step.reason}` : '';
      const warm = step.rerun && step.cacheMounts ? ' (warm cache mounts)' : '';
      return `  ${mark}  ${String(step.line).padStart(3)}  ${truncate(displayText(step))}${warm}${why}`;
    }),
  ];
}

function firstBreakLine(prediction: CachePrediction): string {
  const first = prediction.firstBreak;
  if (first === null) return 'the cache holds: no step reruns';
  return `first cache break: line ${first.line} ${truncate(first.text)} (${first.reason ?? ''})`;
}

/** `original: 4 of 6 steps rerun (go mod download, go build ...)`. */
export function summaryLine(label: string, prediction: CachePrediction): string {
  const reruns = prediction.stages.filter((s) => s.built).flatMap((s) => s.steps.filter((step) => step.rerun));
  const names = reruns.map((s) => `${shortName(s)}${s.cacheMounts ? ' with warm cache mounts' : ''}`);
  return `${label}: ${prediction.rerun} of ${prediction.total} steps rerun${names.length > 0 ? ` (${names.join(', ')})` : ''}`;
}

/** `RUN go build -o /app .` → `go build -o /app .`; other instructions as written. */
function shortName(step: StepPrediction): string {
  return truncate(step.keyword === 'RUN' ? command(step) : step.text, 40);
}

/** A RUN with cache mounts without its flags (they are summed up as "warm cache mounts"), so the command shows. */
function displayText(step: StepPrediction): string {
  return step.keyword === 'RUN' && step.cacheMounts ? `${step.text.split(/\s/, 1)[0] ?? 'RUN'} ${command(step)}` : step.text;
}

function command(step: StepPrediction): string {
  return step.text.replace(/^\S+\s+((--\S+\s+)*)/, '');
}

function truncate(text: string, width = TEXT_WIDTH): string {
  return text.length > width ? `${text.slice(0, width - 3)}...` : text;
}

function describeChanges(changes: ChangeSet): string {
  const parts = [
    ...(changes.files.length > 0 ? [changes.files.length <= 3 ? changes.files.join(', ') : `${changes.files.length} files`] : []),
    ...changes.args.map((a) => `build arg ${a}`),
  ];
  if (parts.length === 0) return 'nothing changes';
  return `${parts.join(' and ')} ${parts.length === 1 && changes.files.length <= 1 ? 'changes' : 'change'}`;
}

/** The machine-readable report (`--format json`). */
export function explanationJson(explanation: Explanation): string {
  return `${JSON.stringify(explanation, null, 2)}\n`;
}
