// Bad input: mistakes must be reported where they are made, in words that name the culprit. A shape
// mismatch is a GraphError while building (core's shape rules, whatever the backend); a wrong feed must be
// rejected by every backend's executable with a message containing the input's name.

import { type HostTensor, tensor } from '../ir/dtype.js';
import { GraphBuilder, type Sym } from '../ir/graph.js';
import { GraphError } from '../ir/primitives.js';
import { type SuiteContext, withExecutable } from './suite-context.js';

interface GraphErrorCase {
  readonly name: string;
  readonly build: (b: GraphBuilder) => Sym;
  /** What the message must contain: the op and its operand types. */
  readonly mentions: string;
}

const graphErrorCases: GraphErrorCase[] = [
  {
    name: 'add-shape-mismatch',
    build: (b) => b.input('a', 'float32', [2, 3]).add(b.input('b', 'float32', [4])),
    mentions: 'add(f32[2,3], f32[4])',
  },
  {
    name: 'matmul-inner-mismatch',
    build: (b) => b.input('a', 'float32', [2, 3]).matmul(b.input('b', 'float32', [4, 2])),
    mentions: 'matmul(f32[2,3], f32[4,2])',
  },
  {
    name: 'dtype-mismatch',
    build: (b) => b.input('a', 'float32', [2]).mul(b.input('b', 'int32', [2])),
    mentions: 'mul(f32[2], i32[2])',
  },
];

/** The graph's only input: `y = INPUT + 1` with INPUT declared f32[2,3]. */
const INPUT = 'tokens_X';
const feedErrorCases: { readonly name: string; readonly feeds: Record<string, HostTensor> }[] = [
  { name: 'wrong-dtype', feeds: { [INPUT]: tensor('int32', [2, 3]) } },
  { name: 'wrong-shape', feeds: { [INPUT]: tensor('float32', [3, 2]) } },
  { name: 'missing', feeds: {} },
];

/** The error `fn` throws or rejects with (a backend may throw synchronously from `run`). */
async function errorOf(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
  throw new Error('expected an error, but none was thrown');
}

export function defineBadInputLevel(ctx: SuiteContext): void {
  for (const c of graphErrorCases) {
    const id = `bad-input/graph/${c.name}`;
    ctx.test(id, async () => {
      const err = await errorOf(() => c.build(new GraphBuilder()));
      if (!(err instanceof GraphError)) throw new Error(`${id}: expected a GraphError, got ${err.name}: ${err.message}`);
      if (!err.message.includes(c.mentions)) throw new Error(`${id}: message "${err.message}" should contain "${c.mentions}"`);
    });
  }

  for (const c of feedErrorCases) {
    const id = `bad-input/feed/${c.name}`;
    ctx.test(id, async () => {
      const b = new GraphBuilder();
      b.output('y', b.input(INPUT, 'float32', [2, 3]).add(1));
      await withExecutable(ctx.backend(), b.build(), async (exe) => {
        const err = await errorOf(() => exe.run(c.feeds));
        if (!err.message.includes(INPUT)) throw new Error(`${id}: error "${err.message}" should name the input "${INPUT}"`);
      });
    });
  }
}
