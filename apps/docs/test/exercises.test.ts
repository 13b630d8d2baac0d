// What the exercises page (14) says about its runs is what the generated runs show: each sentence of the
// page that answers an exercise is checked here against the generated files it describes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { docsRoot } from './helpers.js';

const generated = (name: string) => readFileSync(join(docsRoot, 'generated', name), 'utf8');
const numbers = (line: string) => [...line.matchAll(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/g)].map((m) => Number(m[0]));
const lineOf = (text: string, start: string) => {
  const line = text.split('\n').find((l) => l.startsWith(start));
  if (line === undefined) throw new Error(`no line starting with ${JSON.stringify(start)}`);
  return line;
};
const finalPerplexity = (line: string) => Number(/perplexity ([\d.e+]+)/.exec(line)?.[1] ?? NaN);

describe('exercise 1', () => {
  it('one-hot times W is the rows of W, bit for bit', () => {
    expect(generated('ex-onehot.txt')).toContain('equal bit for bit: true');
  });
});

describe('exercise 2', () => {
  it('the held-out perplexity reaches its lowest point before the end and then rises (book size)', () => {
    const text = generated('ex-book-inputs.txt');
    for (const input of ['one-hot', 'embedding']) {
      const [train, final, lowest, epoch] = numbers(lineOf(text, input).slice(input.length));
      expect(lowest).toBeLessThan(final);
      expect(train).toBeLessThan(lowest);
      expect(epoch).toBeLessThan(numbers(text.split('\n')[0]).at(-1)!);
    }
  });

  it('the grid is sorted by held-out perplexity and names its best', () => {
    for (const file of ['ex-sweep.txt', 'ex-book-grid.txt']) {
      const rows = generated(file)
        .split('\n')
        .filter((l) => /^ +[\d.]+ +\d+ +[\d.]+ +[\d.]+$/.test(l))
        .map(numbers);
      expect(rows.length).toBeGreaterThanOrEqual(6);
      const held = rows.map((r) => r[3]);
      expect(held).toEqual([...held].sort((a, b) => a - b));
      expect(generated(file)).toContain(`best held-out perplexity: ${held[0].toFixed(2)}`);
    }
  });
});

describe('exercise 3', () => {
  it('greedy decoding of the small model repeats itself', () => {
    const greedy = lineOf(generated('ex-alpha.txt'), 'greedy').replace(/^greedy\s+time traveller/, '');
    const words = greedy.split(/\s+/).filter((w) => w.length >= 3);
    expect(new Set(words).size).toBeLessThan(words.length);
  });
});

describe('exercises 4 and 6', () => {
  const largest = (line: string) => Number(/largest gradient norm ([\d.e+]+)/.exec(line)?.[1] ?? NaN);

  it('at the book size no run diverged, norms stayed within a few theta, and no clipping ended lower', () => {
    const text = generated('ex-book-clipping.txt');
    const rows = text.split('\n').filter((l) => /^(tanh|relu), /.test(l));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row).not.toContain('diverged');
      const [, norm] = numbers(row.slice(row.indexOf('perplexity')));
      expect(norm).toBeLessThan(5);
    }
    const final = (start: string) => numbers(lineOf(text, start).slice(25))[0];
    expect(final('tanh, no clipping')).toBeLessThan(final('tanh, clipped'));
    expect(final('relu, no clipping')).toBeLessThan(final('relu, clipped'));
  });

  it('in the small runs, unclipped tanh ends orders of magnitude worse and unclipped ReLU blows up', () => {
    const text = generated('ex-clipping.txt');
    const [tanh, tanhFree] = [lineOf(text, 'tanh, clipped'), lineOf(text, 'tanh, no clipping')];
    const [relu, reluFree] = [lineOf(text, 'relu, clipped'), lineOf(text, 'relu, no clipping')];
    expect(tanh).not.toContain('diverged');
    expect(relu).not.toContain('diverged');
    expect(finalPerplexity(tanhFree)).toBeGreaterThan(100 * finalPerplexity(tanh));
    expect(reluFree).toContain('diverged');
    expect(largest(reluFree)).toBeGreaterThan(largest(tanhFree));
  });
});

describe('exercise 5', () => {
  it('detaching only at the epoch start barely changes the perplexity but costs more time', () => {
    const small = generated('ex-bptt.txt')
      .split('\n')
      .filter((l) => /^ +\d+ +[\d.]+ +[\d.]+$/.test(l))
      .map(numbers);
    expect(small.length).toBeGreaterThan(2);
    for (const [, cut, through] of small) expect(Math.abs(through - cut) / cut).toBeLessThan(0.02);
    const book = generated('ex-book-detach.txt');
    const [cutPpl, cutSeconds] = numbers(lineOf(book, 'detach every minibatch'));
    const [throughPpl, throughSeconds] = numbers(lineOf(book, 'detach at the epoch start'));
    expect(Math.abs(throughPpl - cutPpl) / cutPpl).toBeLessThan(0.1);
    expect(throughSeconds).toBeGreaterThan(cutSeconds);
  });
});

describe('the page', () => {
  it('shows every generated exercise file, in both languages', () => {
    for (const page of ['content/14-exercises.md', 'content/en/14-exercises.md']) {
      const text = readFileSync(join(docsRoot, page), 'utf8');
      for (const f of ['onehot', 'sweep', 'embedding', 'alpha', 'clipping', 'bptt']) {
        expect(text).toContain(`generated/ex-${f}.txt`);
      }
      for (const f of ['source', 'grid', 'inputs', 'clipping', 'detach', 'samples']) {
        expect(text).toContain(`generated/ex-book-${f}.txt`);
      }
    }
  });
});
