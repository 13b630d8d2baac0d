// Level 1, op forward: each case is a one-op graph, compiled and run by the backend under test, and
// compared with the hand-written expectation (or, for random cases, with the reference kernel). Running
// must leave the fed operands, and any buffer they are views into, exactly as they were.

import { type HostTensor, allocate } from '../ir/dtype.js';
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
      const feeds = opFeeds(c);
      const before = Object.entries(feeds).map(([name, x]) => [name, bufferBytes(x)] as const);
      const { y } = await runGraph(ctx.backend(), opGraph(c), feeds);
      const expected = c.expected ?? referenceResult(c);
      expectClose(y, expected, ctx.tolerance(expected.dtype), c.id);
      for (const [name, bytes] of before) {
        if (!sameBytes(bufferBytes(feeds[name]), bytes)) {
          throw new Error(`${c.id}: running the graph modified the feed "${name}" or the buffer it lies in`);
        }
      }
    });
  }
}

/** `y = op(x0, x1, ...)`; operands marked `constant` are baked into the graph instead of fed. */
export function opGraph(c: OpCase): Graph {
  const b = new GraphBuilder();
  const xs = c.inputs.map((x, i) =>
    x.constant ? b.constant(x.value) : b.input(`x${i}`, x.value.dtype, x.value.shape),
  );
  b.output('y', b.op(c.op, xs, c.attrs));
  return b.build();
}

export function opFeeds(c: OpCase): Record<string, HostTensor> {
  return Object.fromEntries(
    c.inputs.flatMap((x, i) => (x.constant ? [] : [[`x${i}`, x.view ? asView(x.value) : x.value]])),
  );
}

/** Padding on each side of a view operand, filled with a value no case uses, so reading it shows. */
const VIEW_PADDING = 3;
const VIEW_FILL = -777;

/** The same tensor, its data a view into the middle of a larger buffer (non-zero `byteOffset`). */
function asView(x: HostTensor): HostTensor {
  const n = x.data.length;
  const buffer = allocate(x.dtype, n + 2 * VIEW_PADDING).fill(VIEW_FILL);
  buffer.set(x.data, VIEW_PADDING);
  return { dtype: x.dtype, shape: x.shape, data: buffer.subarray(VIEW_PADDING, VIEW_PADDING + n) } as HostTensor;
}

/** A copy of every byte of the buffer a tensor's data lies in. */
function bufferBytes(x: HostTensor): Uint8Array {
  return new Uint8Array(x.data.buffer.slice(0));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The expectation of a random case: the reference kernel applied directly to the operands. */
export function referenceResult(c: OpCase): HostTensor {
  const inputs = c.inputs.map((x) => x.value);
  const kernel = referenceKernels[c.op] as Kernel<PrimitiveName, HostTensor>;
  return kernel(inputs, c.attrs, outputType(c.op, inputs, c.attrs));
}
