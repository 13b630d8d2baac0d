// Small text helpers for messages: every error the CLI and the registry print is ONE line, and a
// misspelt name gets a "did you mean" suggestion.

/**
 * The first non-blank line of a text, or of an error's message, trimmed ('' when there is none).
 * Engines (ONNX Runtime, TensorFlow.js, Dawn) often put a stack or a log dump after the first line.
 */
export function firstLine(text: unknown): string {
  const s = text instanceof Error ? text.message : String(text);
  return (s.split('\n').find((l) => l.trim() !== '') ?? '').trim();
}

/**
 * Edit distance between two strings (optimal string alignment: insertions, deletions, substitutions and
 * swaps of two neighbouring characters each cost 1), so `--batchsize`, `--max-token` and `--nmu-steps` are
 * all one edit away from a real flag.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `input`, if it is close enough to be a plausible typo (at most a third of the
 * longer word's letters wrong), or if one contains the other (`--steps` -> `--num-steps`). Else undefined.
 */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const typed = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(typed.length, candidate.length) / 3));
    const contains = typed.length >= 3 && (candidate.includes(typed) || typed.includes(candidate));
    if ((distance <= limit || contains) && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
