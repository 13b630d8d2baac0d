// Side-effect-free entry (`@rnn-scratch/backend-tfjs/base`): the classes and functions, without
// registering anything with core's registry. `index.ts` re-exports all of this AND registers `tfjs`.

export { TfjsBackend, TfjsExecutable, TfjsUnsupportedGraphError, type TfjsBackendOptions } from './backend.js';
export { kernelsFor, tfjsKernels } from './kernels.js';
export { defaultLowering, lowerGraph, NO_LOWERING, type LoweringOptions } from './lower.js';
export {
  TFJS_BROWSER_DEVICES,
  TFJS_DEVICES,
  configureTfjs,
  TfjsRuntimeLoader,
  TfjsRuntimeUnavailableError,
  isTfjsDevice,
  tfjsInstallHint,
  tfjsRuntimes,
  withEngine,
  type TfjsDevice,
  type TfjsRuntime,
  type TfjsRuntimeOptions,
} from './runtime.js';
