// Column alignment for the generated text outputs. In a monospace font a Chinese character takes two
// columns, so padding counts display width, not string length.

/** Display width in monospace columns: CJK and full-width characters count 2. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}

export const padEndW = (s: string, width: number): string => s + ' '.repeat(Math.max(0, width - displayWidth(s)));
export const padStartW = (s: string, width: number): string => ' '.repeat(Math.max(0, width - displayWidth(s))) + s;

/** Rows of cells, each column padded to its widest cell (the last column is not padded). */
export function padCells(rows: readonly (readonly string[])[], gap = 2): string[] {
  const cols = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, c) => Math.max(...rows.map((r) => displayWidth(r[c] ?? ''))));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : padEndW(cell, widths[c] + gap)))
      .join('')
      .trimEnd(),
  );
}
