/**
 * A one-line progress bar redrawn in place on a terminal (stderr): epoch, a bar, perplexity, tokens/s and
 * the time left. When stderr is not a terminal nothing is drawn; the command prints plain lines instead.
 */

import type { Output } from './command.js';

/** An output that may be a terminal. */
export type MaybeTty = Output & { isTTY?: boolean; columns?: number };

export function isTty(stream: Output): boolean {
  return (stream as MaybeTty).isTTY === true;
}

/** 0.4s, 12.3s, 4m05s, 1h02m. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** 31234.5 -> '31,234'. */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : String(value);
}

export interface ProgressState {
  readonly epoch: number;
  readonly numEpochs: number;
  readonly perplexity: number;
  readonly tokensPerSec: number;
  readonly etaSeconds: number;
}

export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  private state: ProgressState | undefined;
  private finished = false;

  constructor(
    private readonly stream: MaybeTty,
    /** Minimum milliseconds between redraws. */
    private readonly interval = 100,
  ) {}

  update(state: ProgressState, force = false): void {
    if (this.finished) return;
    this.state = state;
    const now = performance.now();
    if (!force && this.drawn && now - this.lastDraw < this.interval && state.epoch !== state.numEpochs) return;
    this.lastDraw = now;
    this.draw();
  }

  private draw(): void {
    const s = this.state;
    if (!s || this.finished) return;
    const columns = this.stream.columns || 80;
    const counter = `epoch ${String(s.epoch).padStart(String(s.numEpochs).length)}/${s.numEpochs}`;
    const tail = ` ppl ${s.perplexity.toFixed(2)}  ${formatCount(s.tokensPerSec)} tok/s  ETA ${formatDuration(s.etaSeconds)}`;
    const width = Math.max(5, Math.min(30, columns - counter.length - tail.length - 4));
    const filled = Math.round((s.epoch / s.numEpochs) * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const line = `${counter} ${bar}${tail}`.slice(0, Math.max(10, columns - 1));
    this.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  /** Erase the bar (before printing other lines, and at the end). */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  /** Erase the bar for good: later `update`s and `above`s draw nothing more. */
  finish(): void {
    this.clear();
    this.finished = true;
  }

  /** Print a line above the bar and draw the bar again. */
  above(out: Output, line: string): void {
    const wasDrawn = this.drawn;
    this.clear();
    out.write(line);
    if (wasDrawn) this.draw();
  }
}
