// Level 2, op VJP. For each case the graph is `loss = sum(op(x0, x1, ...) * R)` plus `gradients(loss, xs)`,
// so `grad_xk` is the op's VJP applied to the fixed random cotangent R. Two checks:
// - on every backend: the gradients match the reference backend's (tolerance relative to the largest
//   gradient entry, since a gradient is a sum and its small entries carry the sum's rounding error);
// - where every float in the graph is float64 (so on float64 backends): <grad_xk, v> matches the central
//   difference of the loss along one random direction v (JAX `check_vjp`), relative error below 1e-6.

import { type HostTensor, isFloat, tensor } from '../ir/dtype.js';
import { type Graph, GraphBuilder } from '../ir/graph.js';
import { gradients } from '../autodiff/grad.js';
import { EXACT, expectClose, maxAbs } from './assert.js';
import { VJP_CASES, type VjpCase } from './cases/index.js';
import { finiteDifferenceCheck } from './grad-check.js';
import { type SuiteContext, runGraph, withExecutable } from './suite-context.js';

/** Largest accepted relative error of the finite-difference check (float64, eps 1e-5). */
export const FINITE_DIFFERENCE_RTOL = 1e-6;

export function defineOpVjpLevel(ctx: SuiteContext): void {
  for (const c of VJP_CASES) {
    ctx.test(c.id, async () => {
      const graph = vjpGraph(c);
      const feeds = vjpFeeds(c);
      const ref = await runGraph(ctx.reference(), graph, feeds);
      await withExecutable(ctx.backend(), graph, async (exe) => {
        const out = await exe.run(feeds);
        for (const [k, x] of c.inputs.entries()) {
          if (!isFloat(x.dtype)) continue;
          const name = `grad_x${k}`;
          const what = `${c.id}: gradient of operand ${k}`;
          if (c.zeroGradient) expectClose(out[name], tensor(x.dtype, x.shape), EXACT, `${what} (must be zero)`);
          const { rtol } = ctx.tolerance(x.dtype);
          expectClose(
            out[name],
            ref[name],
            { rtol, atol: rtol * maxAbs(ref[name].data) },
            `${what} vs the reference backend`,
          );
          if (!c.finiteDifferences) continue;
          const check = await finiteDifferenceCheck({
            f: async (xk) => (await exe.run({ ...feeds, [`x${k}`]: tensor('float64', x.shape, xk) })).loss.data[0],
            x: x.data,
            gradient: out[name].data,
            direction: c.directions[k]!.data,
          });
          if (!(check.relativeError < FINITE_DIFFERENCE_RTOL)) {
            throw new Error(
              `${what} disagrees with finite differences: <grad, v> = ${check.analytic}, ` +
                `(f(x + eps v) - f(x - eps v)) / 2eps = ${check.numeric}, ` +
                `relative error ${check.relativeError.toExponential(2)} >= ${FINITE_DIFFERENCE_RTOL}`,
            );
          }
        }
      });
    });
  }
}

/** `loss = sum(op(x0, ...) * R)` with outputs `loss` and `grad_xk` for each float operand. */
export function vjpGraph(c: VjpCase): Graph {
  const b = new GraphBuilder();
  const xs = c.inputs.map((x, i) => b.input(`x${i}`, x.dtype, x.shape));
  const R = b.input('R', c.cotangent.dtype, c.cotangent.shape);
  const loss = b.op(c.op, xs, c.attrs).mul(R).sum();
  b.output('loss', loss);
  const wrt = xs.filter((x) => isFloat(x.dtype));
  const grads = gradients(loss, wrt);
  wrt.forEach((x, i) => b.output(`grad_x${xs.indexOf(x)}`, grads[i]));
  return b.build();
}

export function vjpFeeds(c: VjpCase): Record<string, HostTensor> {
  return { ...Object.fromEntries(c.inputs.map((x, i) => [`x${i}`, x])), R: c.cotangent };
}
