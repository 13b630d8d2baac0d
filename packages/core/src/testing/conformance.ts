// `defineConformanceSuite`: ONE test suite that every backend runs (tfjs's `describeWithFlags` idea,
// shipped as a declared sub-path export like vercel/ai's `ai/test`). Each backend package has a single
// `conformance.test.ts` that calls it with a factory and a skip list.
//
// Levels: 1. op forward  2. op VJP  3. composite ops  4. end to end; plus bad input (errors must name
// what is wrong). Every case is a test titled by a stable id such as `op/add/broadcast-row/float32`.
// The cases themselves are conformance-cases.ts's; this file registers them with vitest.

import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { ReferenceBackend } from '../backend/reference.js';
import { type CaseOptions, conformanceCases, skipOnBackend, staleSkips } from './conformance-cases.js';

export interface ConformanceOptions extends CaseOptions {
  /** Shown in the suite title, e.g. `tfjs (cpu)`. */
  readonly name: string;
  /** Creates (and initialises) the backend; called once, in `beforeAll`. It is disposed in `afterAll`. */
  readonly create: () => Promise<Backend>;
}

export function defineConformanceSuite(options: ConformanceOptions): void {
  const reference = new ReferenceBackend();
  let backend: Backend | undefined;
  const created = () => {
    if (backend === undefined)
      throw new Error(`conformance: backend "${options.name}" was not created (did create() fail?)`);
    return backend;
  };
  const cases = conformanceCases(options, created, () => reference);

  describe(`conformance: ${options.name}`, () => {
    beforeAll(async () => {
      backend = await options.create();
    });
    afterAll(async () => {
      await backend?.dispose();
      await reference.dispose();
    });

    for (const level of new Set(cases.map((c) => c.level)))
      describe(level, () => {
        for (const c of cases.filter((x) => x.level === level)) {
          if (c.skip !== undefined) it.skip(`${c.id} [skipped: ${c.skip}]`, () => {});
          else
            it(c.id, async (t) => {
              const why = skipOnBackend(c.id, created());
              if (why !== undefined) t.skip(why);
              await c.run();
            });
        }
      });

    it('conformance: every skip matches a case', () => {
      const stale = staleSkips(options.skip ?? [], cases);
      if (stale.length > 0) {
        throw new Error(
          `conformance: ${stale.length} skip entr${stale.length === 1 ? 'y matches' : 'ies match'} no case ` +
            `(a prefix must end in "/"): ${stale.map((s) => s.id).join(', ')}`,
        );
      }
    });
  });
}
