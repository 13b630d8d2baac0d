// @rnn-scratch/core/testing: the backend conformance suite and the helpers it is built from.
//
//   import { defineConformanceSuite } from '@rnn-scratch/core/testing';
//   defineConformanceSuite({ name: 'tfjs', create: async () => new TfjsBackend(), skip: [] });

export { defineConformanceSuite, type ConformanceOptions } from './conformance.js';
export {
  type SkipEntry,
  type SuiteContext,
  skipMatches,
  dtypeOfId,
  runGraph,
  withExecutable,
} from './suite-context.js';
export { EXACT, TOLERANCES, type Tolerance, expectClose, maxAbs, toleranceFor } from './assert.js';
export { finiteDifferenceCheck, type FiniteDifferenceCheck, type FiniteDifferenceResult } from './grad-check.js';
export { mulberry32, rngFor, seedFrom, uniform } from './prng.js';
export { randomTokens } from './tokens.js';
export { defineEndToEndLevel } from './end-to-end.js';
export { FINITE_DIFFERENCE_RTOL } from './op-vjp.js';
export * from './cases/index.js';
export {
  SWIFTSHADER_HINT,
  SWIFTSHADER_ICD_CANDIDATES,
  type SwiftShaderLookup,
  findSwiftShader,
  useSwiftShader,
} from './swiftshader.js';
