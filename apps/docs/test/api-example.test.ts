// Runs the API example of page 10 (snippets/api-example.ts) with tiny settings.
import { afterEach, describe, expect, it, vi } from 'vitest';

import { main } from '../snippets/api-example';

describe('API example snippet', () => {
  afterEach(() => vi.restoreAllMocks());

  it('trains, reports like train_ch8 and predicts', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const result = await main({ batchSize: 8, numSteps: 10, numHiddens: 16, numEpochs: 2, maxTokens: 2000 });
    expect(result.epoch).toBe(2);
    expect(result.status).toBe('completed');
    expect(result.perplexity).toBeGreaterThan(1);
    expect(result.perplexity).toBeLessThan(28);
    expect(result.predictions['time traveller']).toHaveLength('time traveller'.length + 50);
    expect(result.predictions['traveller'].startsWith('traveller')).toBe(true);
    const printed = log.mock.calls.map((c) => c.join(' '));
    expect(printed.some((l) => /^perplexity \d+\.\d, \d+\.\d tokens\/sec on reference:cpu$/.test(l))).toBe(true);
  });
});
