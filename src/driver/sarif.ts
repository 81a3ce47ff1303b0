/**
 * SARIF 2.1.0 for code scanning (GitHub, Azure DevOps): each pending change is a result whose rule
 * is the transform, located at its line, carrying the file's fix; each skip is a note.
 */
import type { Log, Result, ReportingDescriptor } from 'sarif';
import type { Transform } from '../engine/transform.js';

export interface SarifFile {
  readonly path: string;
  readonly input: string;
  readonly output: string;
  readonly changes: readonly { transform: string; line: number; rationale: string; detail?: string; warning?: string }[];
  readonly skips: readonly { transform: string; line: number; reason: string }[];
  readonly error?: string;
}

export function sarifLog(files: readonly SarifFile[], transforms: readonly Transform[], version: string): Log {
  const rules: ReportingDescriptor[] = transforms.map((t) => ({
    id: t.id,
    // a renamed rule keeps its alerts: code scanning matches the old ids (SARIF 2.1.0, 3.49.4)
    ...(t.formerIds?.length ? { deprecatedIds: [...t.formerIds] } : {}),
    name: t.id.replace(/\W+(\w)/g, (_m, c: string) => c.toUpperCase()),
    shortDescription: { text: t.title },
    fullDescription: { text: t.rationale },
    help: { text: `${t.title}. Preconditions: ${t.preconditions.join('; ')}.` },
    properties: { safety: t.safety },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results: Result[] = [];
  for (const file of files) {
    const location = (line: number) => [{ physicalLocation: { artifactLocation: { uri: file.path }, region: { startLine: line } } }];
    file.changes.forEach((change, i) => {
      results.push({
        ruleId: change.transform,
        ...(ruleIndex.has(change.transform) ? { ruleIndex: ruleIndex.get(change.transform) } : {}),
        level: 'warning',
        message: { text: [change.detail ? `${change.rationale} (${change.detail})` : change.rationale, ...(change.warning ? [`Warning: ${change.warning}`] : [])].join(' ') },
        locations: location(change.line),
        // the fixes of one file are applied together (they were computed in sequence): the first
        // result carries the whole file's rewrite
        ...(i === 0 && file.output !== file.input
          ? {
              fixes: [{
                description: { text: 'Apply every cachefix change to this file' },
                artifactChanges: [{
                  artifactLocation: { uri: file.path },
                  replacements: [{ deletedRegion: { charOffset: 0, charLength: file.input.length }, insertedContent: { text: file.output } }],
                }],
              }],
            }
          : {}),
      });
    });
    for (const skip of file.skips) {
      results.push({
        ruleId: skip.transform,
        ...(ruleIndex.has(skip.transform) ? { ruleIndex: ruleIndex.get(skip.transform) } : {}),
        level: 'note',
        kind: 'review',
        message: { text: `skipped: ${skip.reason}` },
        locations: location(skip.line),
      });
    }
  }
  const errors = files.filter((f) => f.error !== undefined);
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{
      tool: { driver: { name: 'cachefix', version, semanticVersion: version, informationUri: 'https://www.npmjs.com/package/dockerfile-cachefix', rules } },
      invocations: [{
        executionSuccessful: errors.length === 0,
        toolExecutionNotifications: errors.map((f) => ({
          level: 'error' as const,
          message: { text: `${f.path}: ${f.error ?? ''}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: f.path } } }],
        })),
      }],
      results,
    }],
  };
}
