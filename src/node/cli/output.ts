// What `peerfarm` writes: one JSON line per result on stdout (for pipes and scripts), and a
// progress bar on stderr only when a person watches it (stderr is a terminal).
import type { Writable } from 'node:stream';
import type { ResultEvent, SeriesStatus } from '../../peer/farm/series-handle.ts';

/** Redraws of the bar at most this often: a fast series decides hundreds of jobs a second. */
const PROGRESS_REDRAW_MS = 100;
const BAR_CELLS = 30;

/** One result as its NDJSON line: `{"index":I,"value":V,"worker":"ID"}`. */
export function resultLine({ index, value, worker }: ResultEvent): string {
  return `${JSON.stringify({ index, value: value ?? null, worker })}\n`;
}

/** Writes lines to `out`, and resolves `drained` once all of them are written. */
export class LineWriter {
  private pending = Promise.resolve();

  constructor(private readonly out: Writable) {}

  write(line: string): void {
    if (!this.out.write(line)) this.pending = this.pending.then(() => new Promise((resolve) => this.out.once('drain', resolve)));
  }

  /** Resolves once everything written so far has left this process's buffers. */
  async drained(): Promise<void> {
    await this.pending;
    await new Promise<void>((resolve) => this.out.write('', () => resolve()));
  }
}

/** The `[#####.....] 120/200 jobs` line, redrawn in place on a terminal. */
export class ProgressBar {
  private lastDrawMs = 0;

  constructor(private readonly err: NodeJS.WriteStream, private readonly status: () => SeriesStatus) {}

  static forTerminal(err: NodeJS.WriteStream, status: () => SeriesStatus): ProgressBar | undefined {
    return err.isTTY ? new ProgressBar(err, status) : undefined;
  }

  update(): void {
    const now = Date.now();
    if (now - this.lastDrawMs < PROGRESS_REDRAW_MS) return;
    this.lastDrawMs = now;
    this.draw();
  }

  /** Draws the last state and leaves the line, so what follows starts on its own. */
  end(): void {
    this.draw();
    this.err.write('\n');
  }

  private draw(): void {
    const { total, computed, failed, distributed } = this.status();
    const filled = total === 0 ? 0 : Math.round((computed / total) * BAR_CELLS);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_CELLS - filled)}`;
    const out = distributed - computed - failed;
    this.err.write(`\r[${bar}] ${computed}/${total} jobs${out > 0 ? `, ${out} running` : ''}${failed > 0 ? `, ${failed} failed` : ''}\x1b[K`);
  }
}
