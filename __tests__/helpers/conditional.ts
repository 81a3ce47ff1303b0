import { describe } from '@jest/globals';

/**
 * `describe` when the inputs a suite needs are here; otherwise the suite is reported as skipped and
 * the reason is printed, so a missing ../shared or builder is visible, never silently green.
 */
export function describeWhen(available: boolean, reason: string): typeof describe | typeof describe.skip {
  if (available) return describe;
  process.stderr.write(`SKIPPED: ${reason}\n`);
  return describe.skip;
}
