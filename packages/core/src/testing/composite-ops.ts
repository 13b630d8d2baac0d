// Level 3, composite ops (ops/composite.ts): they are only primitives, but numerically delicate ones.
// Checked against hand-computed values, with logits large enough to overflow a naive softmax, and the
// exact (bit-for-bit) no-op behaviour of gradient clipping below and at the threshold.

import { type FloatDType, type HostTensor, tensor } from '../ir/dtype.js';
import { type Graph, GraphBuilder, type Sym } from '../ir/graph.js';
import { gradients } from '../autodiff/grad.js';
import { clipByGlobalNorm, globalNorm, logSoftmax, softmax, softmaxCrossEntropy } from '../ops/composite.js';
import { EXACT, expectClose } from './assert.js';
import { clipCases, crossEntropyCases, globalNormCases, softmaxCases } from './cases/index.js';
import { type SuiteContext, runGraph } from './suite-context.js';

const FLOATS: readonly FloatDType[] = ['float32', 'float64'];

function build(fn: (b: GraphBuilder) => void): Graph {
  const b = new GraphBuilder();
  fn(b);
  return b.build();
}

export function defineCompositeLevel(ctx: SuiteContext): void {
  const run = (graph: Graph, feeds: Record<string, HostTensor>) => runGraph(ctx.backend(), graph, feeds);

  for (const c of softmaxCases) {
    for (const dtype of FLOATS) {
      const id = `composite/${c.fn}/${c.name}/${dtype}`;
      ctx.test(id, async () => {
        const graph = build((b) => {
          const logits = b.input('logits', dtype, c.logits.shape);
          b.output('y', c.fn === 'softmax' ? softmax(logits, c.axis) : logSoftmax(logits, c.axis));
        });
        const { y } = await run(graph, { logits: tensor(dtype, c.logits.shape, c.logits.values) });
        expectClose(y, tensor(dtype, c.logits.shape, c.expected), ctx.tolerance(dtype), id);
      });
    }
  }

  for (const c of crossEntropyCases) {
    for (const dtype of FLOATS) {
      const id = `composite/softmaxCrossEntropy/${c.name}/${dtype}`;
      ctx.test(id, async () => {
        const graph = build((b) => {
          const logits = b.input('logits', dtype, c.logits.shape);
          const labels = b.input('labels', 'int32', [c.labels.length]);
          const loss = softmaxCrossEntropy(logits, labels);
          b.output('loss', loss);
          b.output('grad', gradients(loss, [logits])[0]);
        });
        const out = await run(graph, {
          logits: tensor(dtype, c.logits.shape, c.logits.values),
          labels: tensor('int32', [c.labels.length], c.labels),
        });
        expectClose(out.loss, tensor(dtype, [], [c.loss]), ctx.tolerance(dtype), `${id}: loss`);
        expectClose(out.grad, tensor(dtype, c.logits.shape, c.grad), ctx.tolerance(dtype), `${id}: d loss / d logits`);
      });
    }
  }

  for (const c of globalNormCases) {
    for (const dtype of FLOATS) {
      const id = `composite/globalNorm/${c.name}/${dtype}`;
      ctx.test(id, async () => {
        const graph = build((b) => {
          b.output('norm', globalNorm(c.tensors.map((t, i) => b.input(`t${i}`, dtype, t.shape))));
        });
        const feeds = Object.fromEntries(c.tensors.map((t, i) => [`t${i}`, tensor(dtype, t.shape, t.values)]));
        const { norm } = await run(graph, feeds);
        expectClose(norm, tensor(dtype, [], [c.norm]), ctx.tolerance(dtype), id);
      });
    }
  }

  // Each clip case twice: theta baked into the graph as a number, and theta fed as a scalar input.
  for (const c of clipCases) {
    for (const thetaKind of ['theta-number', 'theta-input'] as const) {
      for (const dtype of FLOATS) {
        const id = `composite/clip/${c.name}/${thetaKind}/${dtype}`;
        ctx.test(id, async () => {
          const graph = build((b) => {
            const grads = c.grads.map((g, i) => b.input(`g${i}`, dtype, g.shape));
            const theta: Sym | number = thetaKind === 'theta-input' ? b.input('theta', dtype, []) : c.theta;
            const { clipped, norm } = clipByGlobalNorm(grads, theta);
            clipped.forEach((g, i) => b.output(`clipped${i}`, g));
            b.output('norm', norm);
          });
          const grads = c.grads.map((g) => tensor(dtype, g.shape, g.values));
          const feeds: Record<string, HostTensor> = Object.fromEntries(grads.map((g, i) => [`g${i}`, g]));
          if (thetaKind === 'theta-input') feeds.theta = tensor(dtype, [], [c.theta]);
          const out = await run(graph, feeds);
          expectClose(out.norm, tensor(dtype, [], [c.norm]), ctx.tolerance(dtype), `${id}: norm`);
          grads.forEach((g, i) => {
            if (c.expected === 'unchanged') {
              expectClose(out[`clipped${i}`], g, EXACT, `${id}: gradient ${i} must be unchanged bit for bit`);
            } else {
              expectClose(
                out[`clipped${i}`],
                tensor(dtype, g.shape, c.expected[i]),
                ctx.tolerance(dtype),
                `${id}: gradient ${i}`,
              );
            }
          });
        });
      }
    }
  }
}
