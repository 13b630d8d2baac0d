// Every case of the conformance suite, expanded to one entry per dtype with its stable id.

import { elementwiseCases } from './elementwise.js';
import { indexingCases } from './indexing.js';
import { matmulReduceCases } from './matmul-reduce.js';
import { randomCases } from './random.js';
import { shapeOpCases } from './shape-ops.js';
import { type OpCase, expandOpCases } from './types.js';
import { type VjpCase, expandVjpCases, vjpCaseSpecs } from './vjp.js';

/** Level 1: hand-written cases first, then the random ones. */
export const OP_CASES: readonly OpCase[] = expandOpCases([
  ...elementwiseCases,
  ...matmulReduceCases,
  ...shapeOpCases,
  ...indexingCases,
  ...randomCases,
]);

/** Level 2. */
export const VJP_CASES: readonly VjpCase[] = expandVjpCases(vjpCaseSpecs);

export { NON_DIFFERENTIABLE } from './vjp.js';
export { clipCases, crossEntropyCases, globalNormCases, softmaxCases } from './composite.js';
export type { OpCase, VjpCase };
export type { AnyOpCaseSpec, CaseInput, Fill, OpCaseSpec, TensorSpec } from './types.js';
