/** Public API: `import { fixText, transforms } from 'dockerfile-cachefix'`. */
export { fixText, ConvergenceError, TransformBugError } from './fixer.js';
export type { AppliedChange, FixOptions, FixResult, SkippedChange } from './fixer.js';
export { memoryContext } from './context.js';
export type { BuildContext, ContextEntry } from './context.js';
export { fsContext } from './fs-context.js';
export { parseDockerfile } from './parse.js';
export type { ParsedDockerfile, Instruction, Stage } from './parse.js';
export type { Transform, TransformContext, TransformResult, Safety } from './transform.js';
export { transforms } from '../transforms/index.js';
