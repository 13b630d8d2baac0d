// `runConformance` (@rnn-scratch/core/conformance): the suite run without a test runner. The same cases as
// `defineConformanceSuite`, and a backend that computes one op wrongly is caught, case by case.

import { describe, expect, it } from 'vitest';
import { type Backend, type Graph, ReferenceBackend, tensor } from '../src/index.js';
import { conformanceCases, runConformance, skipsByReason } from '../src/testing/run-conformance.js';

/** The reference backend, except that every output of a graph containing `tanh` is off by 1e-3. */
class TanhOffBackend implements Backend {
  readonly specVersion = new ReferenceBackend().specVersion;
  readonly name = 'tanh-off';
  readonly device = 'cpu';
  readonly floatPrecision = 32;
  private readonly inner = new ReferenceBackend();
  async compile(graph: Graph) {
    const exe = await this.inner.compile(graph);
    if (!graph.nodes.some((n) => n.op === 'tanh')) return exe;
    return {
      ...exe,
      inputNames: exe.inputNames,
      outputNames: exe.outputNames,
      run: async (feeds: Parameters<typeof exe.run>[0]) => {
        const out = await exe.run(feeds);
        const shifted = Object.entries(out).map(([k, t]) => {
          if (t.dtype === 'int32') return [k, t];
          return [
            k,
            tensor(
              t.dtype,
              t.shape,
              Array.from(t.data, (v) => v + 1e-3),
            ),
          ];
        });
        return Object.fromEntries(shifted);
      },
      dispose: () => exe.dispose(),
    };
  }
  dispose = () => this.inner.dispose();
}

describe('runConformance', () => {
  it('lists the cases of every level, with stable unique ids', () => {
    const cases = conformanceCases({});
    const levels = [...new Set(cases.map((c) => c.level))];
    expect(levels).toEqual(['op forward', 'op vjp', 'composite ops', 'bad input', 'end-to-end']);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    expect(conformanceCases({ endToEnd: false }).some((c) => c.level === 'end-to-end')).toBe(false);
    const skipped = conformanceCases({ skip: [{ id: 'op/tanh/', reason: 'test' }], dtypes: ['float32'] });
    expect(skipped.filter((c) => c.id.startsWith('op/tanh/')).every((c) => c.skip === 'test')).toBe(true);
    expect(skipped.find((c) => c.id.endsWith('/int32'))?.skip).toBe("int32 is not among this suite's dtypes");
  });

  it('passes every selected case on the reference backend', async () => {
    const backend = new ReferenceBackend();
    const seen: string[] = [];
    const report = await runConformance(backend, {
      only: ['op/tanh/', 'vjp/tanh/', 'e2e/train-steps/step-by-step/'],
      onCase: (c, r, index, total) => seen.push(`${index + 1}/${total} ${c.id} ${r.status}`),
    });
    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.passed.length).toBeGreaterThanOrEqual(4);
    expect(report.passed).toContain('e2e/train-steps/step-by-step/float64');
    expect(seen).toHaveLength(report.passed.length);
    expect(seen[0]).toMatch(/^1\/\d+ op\/tanh\/\S+ passed$/);
  });

  it('reports each case a wrong backend fails, with the difference, and skips float64 on float32', async () => {
    const report = await runConformance(new TanhOffBackend(), { only: ['op/tanh/', 'op/add/'] });
    const tanh = report.failed.map((f) => f.id);
    expect(tanh.length).toBeGreaterThan(0);
    expect(tanh.every((id) => id.startsWith('op/tanh/') && id.endsWith('/float32'))).toBe(true);
    expect(report.failed[0].message).toMatch(/differ/);
    expect(report.passed.some((id) => id.startsWith('op/add/'))).toBe(true);
    expect(report.skipped.length).toBeGreaterThan(0);
    expect(report.skipped.every((s) => s.id.endsWith('/float64'))).toBe(true);
    expect(report.skipped[0].reason).toBe('float64 case: backend tanh-off has floatPrecision 32');
    expect(skipsByReason(report)).toEqual([
      ['float64 case: backend tanh-off has floatPrecision 32', report.skipped.length],
    ]);
  });
});
