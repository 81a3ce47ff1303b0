/**
 * The ecosystems the ecosystem-neutral transforms (docker/hoist-independent-run,
 * docker/move-unrelated-copy) ask which commands install dependencies or build and which files they
 * read. Each lives in src/ecosystems/<eco>/steps.ts and knows no other; adding one here is all a
 * new ecosystem needs to join those transforms.
 */
import type { DependencySteps } from '../src/patterns/dependency-steps.js';
import { goSteps } from '../src/ecosystems/go/steps.js';
import { javaSteps } from '../src/ecosystems/java/steps.js';
import { nodeSteps } from '../src/ecosystems/node/steps.js';
import { pythonSteps } from '../src/ecosystems/python/steps.js';
import { rustSteps } from '../src/ecosystems/rust/steps.js';

export const dependencySteps: readonly DependencySteps[] = [goSteps, nodeSteps, pythonSteps, rustSteps, javaSteps];
