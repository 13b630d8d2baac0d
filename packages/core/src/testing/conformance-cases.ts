// The conformance suite as a plain list of cases, independent of any test framework: `defineConformanceSuite`
// registers them with vitest, `runConformance` runs them from a command (`rnn-scratch backends --check`).
// Which cases a backend runs, which it skips and why, is decided here once for both.

import type { DType } from '../ir/dtype.js';
import type { Backend } from '../backend/backend.js';
import { toleranceFor } from './assert.js';
import { defineBadInputLevel } from './bad-input.js';
import { defineCompositeLevel } from './composite-ops.js';
import { defineEndToEndLevel } from './end-to-end.js';
import { defineOpForwardLevel } from './op-forward.js';
import { defineOpVjpLevel } from './op-vjp.js';
import { type SkipEntry, type SuiteContext, dtypeOfId, skipMatches } from './suite-context.js';

/** Which cases to run; what `defineConformanceSuite` and `runConformance` share. */
export interface CaseOptions {
  /**
   * Cases this backend does not pass yet, each with a reason. `id` is an exact case id, or a prefix
   * ending in `/` (`op/cast/` skips every cast case). A skip that matches no case fails the suite.
   * float64 cases need no entry on a backend with `floatPrecision: 32`: they are skipped automatically.
   */
  readonly skip?: readonly SkipEntry[];
  /** Run only cases of these dtypes (the last segment of the id); others show as skipped. Default: all. */
  readonly dtypes?: readonly DType[];
  /** Include the end-to-end level (training tiny char-RNNs against the reference). Default true. */
  readonly endToEnd?: boolean;
  /**
   * The time machine's text for the end-to-end level, where the bundled file cannot be found by its path
   * (a program bundled into one file). Default: core's data/timemachine.txt.
   */
  readonly corpusText?: string;
}

/** One case: its stable id, the level it belongs to, and either a reason to skip it or the check itself. */
export interface ConformanceCase {
  readonly id: string;
  readonly level: string;
  /** Set when the case is skipped whatever the backend (skip list, dtypes). */
  readonly skip?: string;
  readonly run: () => Promise<void>;
}

/** The levels in the order they run. */
const LEVELS: ReadonlyArray<readonly [string, (ctx: SuiteContext) => void]> = [
  ['op forward', defineOpForwardLevel],
  ['op vjp', defineOpVjpLevel],
  ['composite ops', defineCompositeLevel],
  ['bad input', defineBadInputLevel],
  ['end-to-end', defineEndToEndLevel],
];

const notGiven = (): never => {
  throw new Error('conformance: this list of cases was made without a backend to run them on');
};

/**
 * Every case of the suite, in order. `backend()` and `reference()` are called only when a case runs, so the
 * list can be made before the backend exists (vitest registers tests before `beforeAll`), or without one, to
 * read the ids.
 */
export function conformanceCases(
  options: CaseOptions,
  backend: () => Backend = notGiven,
  reference: () => Backend = notGiven,
): ConformanceCase[] {
  const skips = options.skip ?? [];
  const dtypes = options.dtypes ?? ['float32', 'float64', 'int32'];
  const cases: ConformanceCase[] = [];
  const ids = new Set<string>();
  let level = '';
  const ctx: SuiteContext = {
    backend,
    reference,
    tolerance: (dtype) => toleranceFor(dtype, backend().floatPrecision),
    corpusText: options.corpusText,
    test(id, run) {
      if (ids.has(id)) throw new Error(`conformance: duplicate case id ${id}`);
      ids.add(id);
      const listed = skips.find((s) => skipMatches(s, id));
      const dtype = dtypeOfId(id);
      const skip =
        listed?.reason ??
        (dtype !== undefined && !dtypes.includes(dtype) ? `${dtype} is not among this suite's dtypes` : undefined);
      cases.push({ id, level, skip, run });
    },
  };
  for (const [name, define] of LEVELS) {
    if (name === 'end-to-end' && options.endToEnd === false) continue;
    level = name;
    define(ctx);
  }
  return cases;
}

/** Why a case is skipped on this backend although it is not in the skip list: a float64 case on float32. */
export function skipOnBackend(id: string, backend: Backend): string | undefined {
  if (dtypeOfId(id) === 'float64' && backend.floatPrecision === 32)
    return `float64 case: backend ${backend.name} has floatPrecision 32`;
  return undefined;
}

/** Skip entries that match no case (a stale entry, or a prefix without its final `/`). */
export function staleSkips(skips: readonly SkipEntry[], cases: readonly ConformanceCase[]): SkipEntry[] {
  return skips.filter((s) => !cases.some((c) => skipMatches(s, c.id)));
}
