/**
 * What a sweep prints while it runs: a line per run that starts again from a checkpoint and per run that
 * ends (not with --json), and on a terminal one status line for the whole sweep, redrawn in place on stderr:
 * runs done / running / total, the best so far and the time left.
 */

import type { CommandContext } from '../command.js';
import { formatDuration, isTty, type MaybeTty } from '../progress.js';
import type { SweepManifest, SweepRunEntry } from './manifest.js';
import type { Outcome } from './local.js';
import { shortReason, sortKey } from './results.js';

const fmt = (v: number | null | undefined) => (typeof v === 'number' ? v.toFixed(3) : '-');

export class SweepProgress {
  private readonly tty: boolean;
  private readonly running = new Map<string, number>();
  private readonly durations: number[] = [];
  private drawn = false;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    private readonly io: CommandContext,
    private readonly json: boolean,
    private readonly manifest: SweepManifest,
    private readonly limit: number,
  ) {
    this.tty = isTty(io.stderr);
    if (this.tty) this.timer = setInterval(() => this.draw(), 1000).unref();
  }

  /** A line of text (not with --json), above the status line. */
  say(line: string): void {
    if (this.json) return;
    this.above(this.io.stdout, line);
  }

  /** A note for the person at the terminal (only shown where the status line is). */
  note(line: string): void {
    if (this.tty) this.above(this.io.stderr, line);
  }

  /** A run starts (again), from the checkpoint of `fromEpoch` when it has one, on `where` (a queue's worker). */
  started(entry: SweepRunEntry, fromEpoch: number | undefined, where?: string): void {
    this.running.set(entry.name, performance.now());
    const on = where === undefined ? '' : ` on ${where}`;
    if (fromEpoch !== undefined) this.say(`${entry.name}: continues from its checkpoint at epoch ${fromEpoch}${on}`);
    else if (where !== undefined) this.say(`${entry.name}: started${on}`);
    this.draw();
  }

  ended(entry: SweepRunEntry, outcome: Outcome): void {
    const start = this.running.get(entry.name);
    this.running.delete(entry.name);
    if (start !== undefined && outcome.status !== 'interrupted') this.durations.push(outcome.seconds);
    const total = this.manifest.runs.length;
    const done = this.manifest.runs.filter((r) => r.status === 'completed' || r.status === 'diverged').length;
    const r = outcome.result;
    const valid = typeof r?.validPerplexity === 'number' ? `, held-out perplexity ${fmt(r.validPerplexity)}` : '';
    const where = outcome.timing ? ` on ${outcome.timing.worker}` : '';
    const took = outcome.seconds > 0 ? `, ${formatDuration(outcome.seconds)}${where}` : ' (from its checkpoint)';
    const what =
      outcome.status === 'completed'
        ? `completed: perplexity ${fmt(r?.perplexity)}${valid} after ${r?.epoch} epochs${took}`
        : outcome.status === 'interrupted' && outcome.note
          ? `stopped: ${outcome.note}`
          : outcome.status === 'interrupted'
            ? `stopped${outcome.savedEpoch === undefined ? ' before its first checkpoint' : `; its checkpoint has epoch ${outcome.savedEpoch}`}`
            : `${outcome.status}: ${shortReason(outcome.error ?? '')}`;
    this.say(`[${done}/${total}] ${entry.name} ${what}`);
    this.draw();
  }

  finish(): void {
    this.clear();
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** The status line: `sweep [####....] 3/9 done, 2 running, ETA 1m20s, best 4.123 (train ppl) lr=1`. */
  line(): string {
    const runs = this.manifest.runs;
    const total = runs.length;
    const done = runs.filter((r) => r.status === 'completed' || r.status === 'diverged' || r.status === 'failed');
    const failed = runs.filter((r) => r.status === 'failed').length;
    const key = sortKey(runs);
    const best = runs
      .filter((r) => r.status === 'completed' && typeof r.result?.[key] === 'number')
      .sort((a, b) => a.result![key]! - b.result![key]!)[0];
    const width = 12;
    const filled = Math.round((done.length / Math.max(1, total)) * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const counts = `${done.length}/${total} done${failed > 0 ? ` (${failed} failed)` : ''}, ${this.running.size} running`;
    const which = key === 'validPerplexity' ? 'held-out' : 'train ppl';
    const bestText = best ? `, best ${fmt(best.result![key])} (${which}) ${best.name}` : '';
    return `sweep ${bar} ${counts}, ETA ${formatDuration(this.eta())}${bestText}`;
  }

  /** Seconds left: the mean time of the runs done in this session, over what is left, `limit` at a time. */
  private eta(): number {
    if (this.durations.length === 0) return NaN;
    const mean = this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
    const now = performance.now();
    const waiting = this.manifest.runs.filter((r) => r.status !== 'completed' && r.status !== 'diverged').length;
    const pending = Math.max(0, waiting - this.running.size);
    let work = pending * mean;
    for (const start of this.running.values()) work += Math.max(mean * 0.05, mean - (now - start) / 1000);
    // Through a queue (no limit here) as many train at once as the workers take: those running now.
    const slots = Number.isFinite(this.limit) ? this.limit : this.running.size;
    return work / Math.max(1, Math.min(slots, pending + this.running.size));
  }

  private draw(): void {
    if (!this.tty || this.finished) return;
    const stream = this.io.stderr as MaybeTty;
    const columns = stream.columns || 80;
    stream.write(`\r\x1b[2K${this.line().slice(0, Math.max(10, columns - 1))}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) this.io.stderr.write('\r\x1b[2K');
    this.drawn = false;
  }

  private above(out: CommandContext['stdout'], line: string): void {
    const was = this.drawn;
    this.clear();
    out.write(`${line}\n`);
    if (was) this.draw();
  }
}
