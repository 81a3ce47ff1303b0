/** What `cachefix prove` found, and how it reads: text for people, JSON for CI. Pure. */
import type { Painter } from '../driver/diff.js';
import type { Difference } from './image-compare.js';
import type { BuildStep } from './step-log.js';

export interface BuildSummary {
  readonly ok: boolean;
  readonly seconds: number;
}

export interface RebuildSummary extends BuildSummary {
  /** Steps the builder ran again, and those it took from its cache. */
  readonly reran: readonly string[];
  readonly cached: readonly string[];
}

export interface SideReport {
  readonly tag: string;
  readonly first: BuildSummary;
  readonly rebuild: RebuildSummary | null;
  /** The end of the log of a build that failed. */
  readonly failure: string | null;
  /** What `cachefix explain` predicted for the change: steps that rerun, of how many. */
  readonly predicted: { readonly rerun: number; readonly total: number; readonly steps: readonly string[] };
}

export type Verdict = 'proved' | 'unexpected-differences' | 'rewrite-failed' | 'original-failed' | 'nothing-to-prove';

export interface RunComparison {
  readonly command: readonly string[];
  readonly original: { readonly code: number | null; readonly output: string };
  readonly rewritten: { readonly code: number | null; readonly output: string };
  readonly same: boolean;
}

export interface ProveReport {
  readonly dockerfile: string;
  readonly context: string;
  readonly builder: string;
  /** Transform ids that changed the Dockerfile (or its context). */
  readonly transforms: readonly string[];
  readonly changes: readonly { readonly path: string; readonly edit: string }[];
  readonly notes: readonly string[];
  readonly original: SideReport | null;
  readonly rewritten: SideReport | null;
  /** Rewritten rebuild time over original rebuild time. */
  readonly ratio: number | null;
  readonly differences: readonly Difference[];
  readonly run: RunComparison | null;
  readonly verdict: Verdict;
  readonly exitCode: 0 | 1 | 2;
}

/** How many differences of each sort the text shows before it says "and N more". */
const SHOWN = 20;

export function renderReport(report: ProveReport, paint: Painter): string {
  const out: string[] = [`${report.dockerfile}: cachefix prove with ${report.builder}`, `context ${report.context}`];
  if (report.transforms.length > 0) out.push(`rewrite: ${report.transforms.join(', ')}`);
  for (const change of report.changes) out.push(`change: ${change.path}: ${change.edit}`);
  for (const note of report.notes) out.push(`note: ${note}`);
  if (report.original && report.rewritten) {
    out.push('', `${'build'.padEnd(12)}${'original'.padStart(12)}${'rewritten'.padStart(12)}`);
    out.push(`${'first'.padEnd(12)}${seconds(report.original.first).padStart(12)}${seconds(report.rewritten.first).padStart(12)}`);
    if (report.original.rebuild && report.rewritten.rebuild) {
      out.push(`${'rebuild'.padEnd(12)}${seconds(report.original.rebuild).padStart(12)}${seconds(report.rewritten.rebuild).padStart(12)}`);
      if (report.ratio !== null) out.push(`rebuild ratio (rewritten / original): ${report.ratio.toFixed(3)}`);
      for (const [label, side] of [['original', report.original], ['rewritten', report.rewritten]] as const) {
        const rebuild = side.rebuild;
        if (rebuild === null) continue;
        const agrees = side.predicted.rerun === rebuild.reran.length && side.predicted.total === rebuild.reran.length + rebuild.cached.length;
        out.push('', `${label} rebuild: ${rebuild.reran.length} steps ran, ${rebuild.cached.length} cached; cachefix explain predicted ${side.predicted.rerun} of ${side.predicted.total}${agrees ? ', as observed' : ''}`);
        for (const step of rebuild.reran) out.push(`  ran     ${truncate(step)}`);
        for (const step of rebuild.cached) out.push(`  cached  ${truncate(step)}`);
      }
    }
    for (const side of [report.original, report.rewritten]) if (side.failure) out.push('', `${side === report.original ? 'original' : 'rewritten'} build failed:`, ...side.failure.split('\n').map((l) => `  ${l}`));
  }
  const unexpected = report.differences.filter((d) => d.expected === null);
  const expected = report.differences.filter((d) => d.expected !== null);
  if (report.original?.rebuild && report.rewritten?.rebuild) {
    out.push('', `image comparison: ${report.differences.length === 0 ? 'identical file trees and config' : `${expected.length} expected, ${unexpected.length} unexpected difference${unexpected.length === 1 ? '' : 's'}`}`);
    for (const d of unexpected.slice(0, SHOWN)) out.push(`  ${paint.red('unexpected')}  ${d.kind.padEnd(7)} ${d.subject}: ${d.detail}`);
    if (unexpected.length > SHOWN) out.push(`  ... and ${unexpected.length - SHOWN} more unexpected (--format json lists all)`);
    const byReason = new Map<string, Difference[]>();
    for (const d of expected) byReason.set(d.expected ?? '', [...(byReason.get(d.expected ?? '') ?? []), d]);
    for (const [reason, group] of byReason) {
      const first = group[0];
      if (first === undefined) continue;
      const rest = group.length > 1 ? ` (and ${group.length - 1} more)` : '';
      out.push(`  ${paint.green('expected')}    ${first.kind.padEnd(7)} ${first.subject}: ${first.detail}${rest}`, `              because ${reason}`);
    }
  }
  if (report.run) {
    const r = report.run;
    out.push('', `run ${r.command.join(' ')}: ${r.same ? 'same output and exit code' : paint.red('different')}`);
    if (!r.same) out.push(`  original (exit ${r.original.code}): ${truncate(r.original.output.trim(), 200)}`, `  rewritten (exit ${r.rewritten.code}): ${truncate(r.rewritten.output.trim(), 200)}`);
  }
  out.push('', verdictLine(report, paint));
  return `${out.join('\n')}\n`;
}

function verdictLine(report: ProveReport, paint: Painter): string {
  switch (report.verdict) {
    case 'proved':
      return paint.green('proved: both build, and the images differ only where the rewrite says they would');
    case 'unexpected-differences':
      return paint.red('NOT proved: the rewritten image differs where no transform explains it');
    case 'rewrite-failed':
      return paint.red('NOT proved: the rewritten Dockerfile does not build');
    case 'original-failed':
      return 'nothing proved: the original Dockerfile does not build';
    case 'nothing-to-prove':
      return 'nothing to prove: cachefix changes nothing in this Dockerfile';
  }
}

/** The steps as the report lists them. */
export function stepTexts(steps: readonly BuildStep[], cached: boolean): string[] {
  return steps.filter((s) => s.cached === cached).map((s) => s.text.replace(/\s+/g, ' '));
}

function seconds(build: BuildSummary): string {
  return build.ok ? `${build.seconds.toFixed(2)} s` : 'failed';
}

function truncate(text: string, width = 90): string {
  return text.length > width ? `${text.slice(0, width - 3)}...` : text;
}

export function reportJson(report: ProveReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
