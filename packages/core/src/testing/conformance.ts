// `defineConformanceSuite`: ONE test suite that every backend runs (tfjs's `describeWithFlags` idea,
// shipped as a declared sub-path export like vercel/ai's `ai/test`). Each backend package has a single
// `conformance.test.ts` that calls it with a factory and a skip list.
//
// Levels: 1. op forward  2. op VJP  3. composite ops  4. end to end; plus bad input (errors must name
// what is wrong). Every case is a test titled by a stable id such as `op/add/broadcast-row/float32`.

import { afterAll, beforeAll, describe, it } from 'vitest';
import type { DType } from '../ir/dtype.js';
import type { Backend } from '../backend/backend.js';
import { ReferenceBackend } from '../backend/reference.js';
import { toleranceFor } from './assert.js';
import { defineBadInputLevel } from './bad-input.js';
import { defineCompositeLevel } from './composite-ops.js';
import { defineEndToEndLevel } from './end-to-end.js';
import { defineOpForwardLevel } from './op-forward.js';
import { defineOpVjpLevel } from './op-vjp.js';
import { type SkipEntry, type SuiteContext, dtypeOfId, skipMatches } from './suite-context.js';

export interface ConformanceOptions {
  /** Shown in the suite title, e.g. `tfjs (cpu)`. */
  readonly name: string;
  /** Creates (and initialises) the backend; called once, in `beforeAll`. It is disposed in `afterAll`. */
  readonly create: () => Promise<Backend>;
  /**
   * Cases this backend does not pass yet, each with a reason. `id` is an exact case id, or a prefix
   * ending in `/` (`op/cast/` skips every cast case). A skip that matches no case fails the suite.
   * float64 cases need no entry on a backend with `floatPrecision: 32`: they are skipped automatically.
   */
  readonly skip?: readonly SkipEntry[];
  /** Run only cases of these dtypes (the last segment of the id); others show as skipped. Default: all. */
  readonly dtypes?: readonly DType[];
  /** Register the end-to-end level (training a tiny char-RNN against the reference). Default true. */
  readonly endToEnd?: boolean;
}

export function defineConformanceSuite(options: ConformanceOptions): void {
  const skips = options.skip ?? [];
  const dtypes = options.dtypes ?? ['float32', 'float64', 'int32'];
  const ids = new Set<string>();
  const reference = new ReferenceBackend();
  let backend: Backend | undefined;

  const ctx: SuiteContext = {
    backend() {
      if (backend === undefined)
        throw new Error(`conformance: backend "${options.name}" was not created (did create() fail?)`);
      return backend;
    },
    reference: () => reference,
    tolerance: (dtype) => toleranceFor(dtype, ctx.backend().floatPrecision),
    test(id, body) {
      if (ids.has(id)) throw new Error(`conformance: duplicate case id ${id}`);
      ids.add(id);
      const skip = skips.find((s) => skipMatches(s, id));
      if (skip !== undefined) {
        it.skip(`${id} [skipped: ${skip.reason}]`, () => {});
        return;
      }
      const dtype = dtypeOfId(id);
      if (dtype !== undefined && !dtypes.includes(dtype)) {
        it.skip(`${id} [skipped: ${dtype} is not among this suite's dtypes]`, () => {});
        return;
      }
      it(id, async (t) => {
        const { floatPrecision, name } = ctx.backend();
        if (dtype === 'float64' && floatPrecision === 32) t.skip(`float64 case: backend ${name} has floatPrecision 32`);
        await body();
      });
    },
  };

  describe(`conformance: ${options.name}`, () => {
    beforeAll(async () => {
      backend = await options.create();
    });
    afterAll(async () => {
      await backend?.dispose();
      await reference.dispose();
    });

    describe('op forward', () => defineOpForwardLevel(ctx));
    describe('op vjp', () => defineOpVjpLevel(ctx));
    describe('composite ops', () => defineCompositeLevel(ctx));
    describe('bad input', () => defineBadInputLevel(ctx));
    if (options.endToEnd ?? true) describe('end-to-end', () => defineEndToEndLevel(ctx));

    // Runs after every case above has been registered, so `ids` is complete.
    it('conformance: every skip matches a case', () => {
      const stale = skips.filter((s) => ![...ids].some((id) => skipMatches(s, id)));
      if (stale.length > 0) {
        throw new Error(
          `conformance: ${stale.length} skip entr${stale.length === 1 ? 'y matches' : 'ies match'} no case ` +
            `(a prefix must end in "/"): ${stale.map((s) => s.id).join(', ')}`,
        );
      }
    });
  });
}
