// The benchmark's large-vocabulary corpus: 300 Tang poems, 27,029 characters with a vocabulary of 2,578
// (unicode preprocessing), as a user training on their own Chinese text has it. The poems come from
// Debian's fortunes-zh package (`npm run bench:setup` installs it; its packaging is GPL-3, so the text
// is not part of this repository): its `tang300` fortune file, with the ANSI colour codes and the `%`
// separator lines removed. Without the package, a generated text of the same size over 2,577 CJK
// characters (frequencies falling off as 1/rank, like a real text's) stands in, and the table says so.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TANG300 = '/usr/share/games/fortunes/tang300';

export interface BenchCorpus {
  /** A UTF-8 text file both engines read. */
  readonly path: string;
  /** How the table names it. */
  readonly name: string;
  /** Where the text came from, for the notes under the table. */
  readonly source: string;
}

/** A fortune file as plain text: ANSI escape sequences and the `%` lines between fortunes removed. */
export function cleanFortunes(text: string): string {
  return text
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '%')
    .join('\n');
}

/** 27,029 characters over 2,577 CJK code points: each once, the rest drawn with weight 1/rank; 5 per line. */
export function generatedCorpus(seed = 1): string {
  const V = 2577;
  const total = 27029;
  let s = seed >>> 0;
  const next = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const cumulative: number[] = [];
  let sum = 0;
  for (let r = 1; r <= V; r++) cumulative.push((sum += 1 / r));
  const ids = Array.from({ length: V }, (_, i) => i);
  while (ids.length < total) {
    const u = next() * sum;
    let lo = 0;
    let hi = V - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    ids.push(lo);
  }
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  const chars = ids.map((i) => String.fromCodePoint(0x4e00 + i));
  const lines: string[] = [];
  for (let i = 0; i < chars.length; i += 5) lines.push(chars.slice(i, i + 5).join(''));
  return lines.join('\n') + '\n';
}

/** The large-vocabulary corpus, written once to a cache folder outside the repository. */
export function largeVocabCorpus(): BenchCorpus {
  const dir = join(tmpdir(), 'rnn-scratch-bench');
  mkdirSync(dir, { recursive: true });
  if (existsSync(TANG300)) {
    const path = join(dir, 'tang300.txt');
    writeFileSync(path, cleanFortunes(readFileSync(TANG300, 'utf8')));
    return { path, name: 'tang300', source: "Debian fortunes-zh's tang300 file, colour codes and % lines removed" };
  }
  const path = join(dir, 'generated-cjk.txt');
  writeFileSync(path, generatedCorpus());
  return {
    path,
    name: 'generated CJK',
    source: 'generated stand-in (fortunes-zh is not installed: npm run bench:setup installs it)',
  };
}
