// Level 1, op forward: each case is a one-op graph, compiled and run by the backend under test, and
// compared with the hand-written expectation (or, for random cases, with the reference kernel).

import type { HostTensor } from '../ir/dtype.js';
import { type Graph, GraphBuilder } from '../ir/graph.js';
import type { PrimitiveName } from '../ir/primitives.js';
import type { Kernel } from '../backend/interpret.js';
import { referenceKernels } from '../backend/reference-kernels.js';
import { expectClose } from './assert.js';
import { OP_CASES, type OpCase } from './cases/index.js';
import { outputType } from './cases/types.js';
import { type SuiteContext, runGraph } from './suite-context.js';

export function defineOpForwardLevel(ctx: SuiteContext): void {
  for (const c of OP_CASES) {
    ctx.test(c.id, async () => {
      const { y } = await runGraph(ctx.backend(), opGraph(c), opFeeds(c));
      const expected = c.expected ?? referenceResult(c);
      expectClose(y, expected, ctx.tolerance(expected.dtype), c.id);
    });
  }
}

/** `y = op(x0, x1, ...)`; operands marked `constant` are baked into the graph instead of fed. */
export function opGraph(c: OpCase): Graph {
  const b = new GraphBuilder();
  const xs = c.inputs.map((x, i) => (x.constant ? b.constant(x.value) : b.input(`x${i}`, x.value.dtype, x.value.shape)));
  b.output('y', b.op(c.op, xs, c.attrs));
  return b.build();
}

export function opFeeds(c: OpCase): Record<string, HostTensor> {
  return Object.fromEntries(c.inputs.flatMap((x, i) => (x.constant ? [] : [[`x${i}`, x.value]])));
}

/** The expectation of a random case: the reference kernel applied directly to the operands. */
export function referenceResult(c: OpCase): HostTensor {
  const inputs = c.inputs.map((x) => x.value);
  const kernel = referenceKernels[c.op] as Kernel<PrimitiveName, HostTensor>;
  return kernel(inputs, c.attrs, outputType(c.op, inputs, c.attrs));
}
