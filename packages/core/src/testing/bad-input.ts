// Bad input: mistakes must be reported where they are made, in words that name the culprit. A shape
// mismatch is a GraphError while building (core's shape rules, whatever the backend); a wrong feed must be
// rejected by every backend's executable with a message containing the input's name; a bad value that
// only shows when the graph runs (an index out of range) must fail the run, naming the value.

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
const feedErrorCases: {
  readonly name: string;
  readonly feeds: Record<string, HostTensor>;
  readonly mentions: string;
}[] = [
  { name: 'wrong-dtype', feeds: { [INPUT]: tensor('int32', [2, 3]) }, mentions: INPUT },
  { name: 'wrong-shape', feeds: { [INPUT]: tensor('float32', [3, 2]) }, mentions: INPUT },
  { name: 'missing', feeds: {}, mentions: INPUT },
  // The dtype says float32, the data is a Float64Array.
  {
    name: 'data-not-dtype',
    feeds: { [INPUT]: { dtype: 'float32', shape: [2, 3], data: new Float64Array(6) } as HostTensor },
    mentions: INPUT,
  },
  {
    name: 'unknown',
    feeds: { [INPUT]: tensor('float32', [2, 3]), extra_feed: tensor('float32', [2, 3]) },
    mentions: 'extra_feed',
  },
];

interface RunErrorCase {
  readonly name: string;
  readonly build: (b: GraphBuilder) => void;
  readonly feeds: Record<string, HostTensor>;
  /** The bad value, which the message must contain as a number. */
  readonly value: number;
}

const runErrorCases: RunErrorCase[] = [
  {
    name: 'gather-index-out-of-range',
    build: (b) => b.output('y', b.input('table', 'float32', [3, 2]).gather(b.input('ids', 'int32', [2]))),
    feeds: { table: tensor('float32', [3, 2], [1, 2, 3, 4, 5, 6]), ids: tensor('int32', [2], [0, 7]) },
    value: 7,
  },
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
      if (!(err instanceof GraphError))
        throw new Error(`${id}: expected a GraphError, got ${err.name}: ${err.message}`);
      if (!err.message.includes(c.mentions))
        throw new Error(`${id}: message "${err.message}" should contain "${c.mentions}"`);
    });
  }

  for (const c of feedErrorCases) {
    const id = `bad-input/feed/${c.name}`;
    ctx.test(id, async () => {
      const b = new GraphBuilder();
      b.output('y', b.input(INPUT, 'float32', [2, 3]).add(1));
      await withExecutable(ctx.backend(), b.build(), async (exe) => {
        const err = await errorOf(() => exe.run(c.feeds));
        if (!err.message.includes(c.mentions))
          throw new Error(`${id}: error "${err.message}" should name "${c.mentions}"`);
      });
    });
  }

  for (const c of runErrorCases) {
    const id = `bad-input/run/${c.name}`;
    ctx.test(id, async () => {
      const b = new GraphBuilder();
      c.build(b);
      await withExecutable(ctx.backend(), b.build(), async (exe) => {
        const err = await errorOf(() => exe.run(c.feeds));
        if (!new RegExp(`(^|[^0-9.])${c.value}([^0-9]|$)`).test(err.message)) {
          throw new Error(`${id}: error "${err.message}" should contain the bad value ${c.value}`);
        }
      });
    });
  }
}
