import { describe, expect, it } from 'vitest';
import { GraphBuilder, buildTrainStep, checkGatherIndices, gatherIndexChecks, tensor } from '../src/index.js';

describe('gather index checks on the host', () => {
  it("finds the train step's token ids, through its transpose and reshape", () => {
    const g = buildTrainStep({ vocabSize: 28, numHiddens: 8, batchSize: 2, numSteps: 3 });
    expect(gatherIndexChecks(g)).toEqual([{ input: 'X', rows: 28 }]);
  });

  it('takes the smallest table an input indexes, and ignores indices that are computed', () => {
    const b = new GraphBuilder();
    const ids = b.input('ids', 'int32', [2, 2]);
    const small = b.input('small', 'float32', [3, 4]);
    const big = b.input('big', 'float32', [9, 4]);
    b.output('a', big.gather(ids.reshape([4])));
    b.output('b', small.gather(ids.transpose()));
    b.output('c', big.gather(ids.slice([0, 0], [1, 2])));
    expect(gatherIndexChecks(b.build())).toEqual([{ input: 'ids', rows: 3 }]);
  });

  it('names the first index out of range', () => {
    const checks = [{ input: 'ids', rows: 3 }];
    expect(() => checkGatherIndices(checks, { ids: tensor('int32', [3], [0, 2, 1]) })).not.toThrow();
    expect(() => checkGatherIndices(checks, { ids: tensor('int32', [3], [0, 3, -1]) })).toThrow(
      'gather: index 3 out of range for a table of 3 rows (input "ids")',
    );
    expect(() => checkGatherIndices(checks, { ids: tensor('int32', [1], [-1]) })).toThrow(/index -1 out of range/);
  });
});
