// The large-vocabulary corpus: the fortune file's markup is removed, and the generated stand-in has the
// Tang poems' size and vocabulary.

import { loadCorpusTimeMachine } from '@rnn-scratch/core';
import { describe, expect, it } from 'vitest';
import { cleanFortunes, generatedCorpus } from './corpus.js';

describe('large-vocabulary corpus', () => {
  it('strips ANSI colour codes and the % lines between fortunes', () => {
    const raw =
      '\x1b[32m《静夜思》\x1b[m\n\x1b[33m作者：李白\x1b[m\n床前明月光，\n%\n\x1b[32m《春晓》\x1b[m\n春眠不觉晓，\n';
    expect(cleanFortunes(raw)).toBe('《静夜思》\n作者：李白\n床前明月光，\n《春晓》\n春眠不觉晓，\n');
  });

  it('the generated stand-in has 27,029 characters and a vocabulary of 2,578 (with <unk>)', () => {
    const { corpus, vocab } = loadCorpusTimeMachine(generatedCorpus(), 0, { preprocess: 'unicode' });
    expect(corpus.length).toBe(27029);
    expect(vocab.length).toBe(2578);
    expect(generatedCorpus()).toBe(generatedCorpus());
  });
});
