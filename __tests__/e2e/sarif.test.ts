/** --format sarif: valid SARIF 2.1.0 by Microsoft's validator, and each file's fix reproduces the rewrite. */
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { cachefix } from '../helpers/cli.js';
import { projectRoot } from '../helpers/paths.js';

const work = mkdtempSync(join(tmpdir(), 'cachefix-sarif-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('a SARIF log of changes (with fixes), skips and unreadable files that the SARIF validator accepts', () => {
  cpSync(join(projectRoot, 'examples', 'pipeline', 'seed-naive-scratch'), join(work, 'app'), { recursive: true });
  cpSync(join(projectRoot, 'examples', 'go', 'mod-download-first', 'go-work'), join(work, 'skipped'), { recursive: true });
  writeFileSync(join(work, 'skipped', 'go.mod'), 'module example.com/app\n\ngo 1.19\n\nreplace example.com/x => ../x\n');
  const result = cachefix(['--format', 'sarif', 'app/Dockerfile', 'skipped/Dockerfile', 'missing/Dockerfile'], { cwd: work });
  expect(result.status).toBe(2);
  const file = join(work, 'out.sarif');
  writeFileSync(file, result.stdout);

  const validated = join(work, 'validation.sarif');
  const validator = spawnSync(join(projectRoot, 'node_modules', '.bin', 'sarif-multitool'), ['validate', file, '-o', validated], { encoding: 'utf8' });
  expect(validator.status).toBe(0);
  const findings = (JSON.parse(readFileSync(validated, 'utf8')) as Log).runs[0]?.results ?? [];
  expect(findings.map((f) => `${f.ruleId ?? ''} ${f.level ?? ''}`)).toEqual([]);

  const log = JSON.parse(result.stdout) as Log;
  const run = log.runs[0]!;
  const ruleIds = new Set(run.tool.driver.rules?.map((r) => r.id));
  const changes = run.results?.filter((r) => r.level === 'warning') ?? [];
  expect(changes.length).toBeGreaterThan(3);
  for (const change of changes) expect(ruleIds.has(change.ruleId ?? '')).toBe(true);
  const fix = changes.find((c) => c.fixes)?.fixes?.[0]?.artifactChanges[0];
  expect(fix?.artifactLocation.uri).toBe('app/Dockerfile');
  const replacement = fix?.replacements[0];
  const input = readFileSync(join(work, 'app', 'Dockerfile'), 'utf8');
  const start = replacement?.deletedRegion.charOffset ?? 0;
  const fixed = input.slice(0, start) + (replacement?.insertedContent?.text ?? '') + input.slice(start + (replacement?.deletedRegion.charLength ?? 0));
  expect(fixed).toBe(readFileSync(join(work, 'app', 'Dockerfile.expected'), 'utf8'));
  expect(run.results?.filter((r) => r.level === 'note').map((r) => r.message.text)).toContain('skipped: go.mod replaces example.com/x with ../x, outside the build context');
  expect(run.invocations?.[0]?.executionSuccessful).toBe(false);
  expect(run.invocations?.[0]?.toolExecutionNotifications?.[0]?.message.text).toBe('missing/Dockerfile: no such file or directory');
}, 3 * 60 * 1000);
