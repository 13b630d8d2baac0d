// Test helpers: random inputs (from the shared test generator, `mulberry32` in @rnn-scratch/core/testing)
// and a tolerance check against the reference.

import { type DType, type Graph, type HostTensor, type Shape, allocate, runReference, sizeOf } from '@rnn-scratch/core';
import { expect } from 'vitest';
import type { OnnxBackend } from '../src/backend.js';

export type Dist = 'normal' | 'positive' | 'nonzero' | 'small-int';

export function randomTensor(rand: () => number, dtype: DType, shape: Shape, dist: Dist = 'normal'): HostTensor {
  const n = sizeOf(shape);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    if (dtype === 'int32' || dist === 'small-int') data[i] = Math.floor(rand() * 11) - 5;
    else if (dist === 'positive') data[i] = 0.1 + 2 * rand();
    else if (dist === 'nonzero') data[i] = (rand() < 0.5 ? -1 : 1) * (0.5 + 1.5 * rand());
    else data[i] = 4 * rand() - 2;
  }
  return { dtype, shape: [...shape], data } as HostTensor;
}

/** Tolerance for a dtype: rtol 1e-5 for float32, 1e-12 for float64, exact for int32. */
export function rtolFor(dtype: DType): number {
  return dtype === 'float32' ? 1e-5 : dtype === 'float64' ? 1e-12 : 0;
}

export function expectClose(
  actual: HostTensor,
  expected: HostTensor,
  label: string,
  rtol = rtolFor(expected.dtype),
): void {
  expect(actual.dtype, `${label}: dtype`).toBe(expected.dtype);
  expect([...actual.shape], `${label}: shape`).toEqual([...expected.shape]);
  expect(actual.data.length, `${label}: length`).toBe(expected.data.length);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      expect(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${label}[${i}]: ${a} vs ${e}`).toBe(true);
      continue;
    }
    const err = Math.abs(a - e);
    const tol = rtol * (Math.abs(e) + 1); // numpy allclose with atol = rtol (test values are O(1))
    if (!(err <= tol)) {
      throw new Error(
        `${label}[${i}]: onnx ${a} vs reference ${e} (|diff| ${err.toExponential(3)} > tol ${tol.toExponential(3)})`,
      );
    }
  }
}

/** Run `graph` on the onnx backend and the reference with the same feeds; compare every output. */
export async function compareWithReference(
  backend: OnnxBackend,
  graph: Graph,
  feeds: Record<string, HostTensor>,
  label: string,
  rtol?: number,
): Promise<void> {
  const exe = await backend.compile(graph);
  const got = await exe.run(feeds);
  const want = await runReference(graph, feeds);
  expect(Object.keys(got).sort(), `${label}: output names`).toEqual(Object.keys(want).sort());
  for (const name of Object.keys(want))
    expectClose(got[name], want[name], `${label}:${name}`, rtol ?? rtolFor(want[name].dtype));
  await exe.dispose();
}
