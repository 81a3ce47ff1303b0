/**
 * fast-check settings shared by the property tests: a fixed seed, so CI runs the same cases every
 * time, and FC_SEED / FC_RUNS to explore further locally (`FC_RUNS=20000 FC_SEED=7 npx jest property`).
 */
import type { Parameters } from 'fast-check';

const DEFAULT_SEED = 20_250_611;

export function propertySettings<T>(defaultRuns: number): Parameters<T> {
  const seed = process.env.FC_SEED === undefined ? DEFAULT_SEED : Number(process.env.FC_SEED);
  const numRuns = process.env.FC_RUNS === undefined ? defaultRuns : Number(process.env.FC_RUNS);
  return { seed, numRuns, endOnFailure: false };
}
