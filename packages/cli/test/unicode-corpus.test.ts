import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBuilt, cli, tempDir } from './helpers.js';

describe('train on another text', () => {
  it('learns a Chinese text with unicode preprocessing and predicts from --prefix', () => {
    checkBuilt();
    const dir = tempDir();
    const line = '时间旅行者正在向我们阐述一件深奥的事情。他灰色的眼睛闪闪发光，平时苍白的脸泛着红晕。\n';
    writeFileSync(join(dir, 'zh.txt'), line.repeat(30));
    const args = [
      'train',
      '--corpus',
      'zh.txt',
      '--preprocess',
      'unicode',
      '--num-hiddens',
      '32',
      '--batch-size',
      '4',
      '--num-steps',
      '10',
    ];
    const r = cli(dir, [
      ...args,
      '--epochs',
      '25',
      '--prefix',
      '时间',
      '--backend',
      'reference',
      '--out',
      'run',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out.predictions)).toEqual(['时间']);
    expect(out.predictions['时间']).toMatch(/^时间/);
    expect(out.predictions['时间']).not.toContain('<unk>');
    expect(out.history[0].perplexity).toBeGreaterThan(10);
    expect(out.perplexity).toBeLessThan(out.history[0].perplexity / 2);
    const p = cli(dir, ['predict', '--checkpoint', 'run', '--prefix', '时间', '--num-preds', '5']);
    expect(p.code, p.stderr).toBe(0);
    expect([...p.stdout.trim()]).toHaveLength(7);
    // Unicode preprocessing keeps the characters (whitespace runs become one space); the ones the corpus
    // never had are named in one note.
    const u = cli(dir, ['predict', '--checkpoint', 'run', '--prefix', '时间  猫🙂猫', '--num-preds', '2']);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toMatch(/^时间(<unk>){4}/);
    expect(u.stderr).toBe(
      'rnn-scratch: note: the prefix\'s 3 characters are not in the vocabulary, read as <unk>: " ", "猫", "🙂"\n',
    );
  });
});
