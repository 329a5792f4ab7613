// What the pi, primes and Collatz examples add up to, live: the running estimate of pi, the primes
// counted so far, or the longest Collatz chain found so far, read from the done jobs' results each time the queue changes (`revision`). Results of
// another shape (edited code) are left out, and the note says how many jobs went in.
import { LitElement, css, html } from 'lit';
import { JobState, type JobQueue } from '../../peer/farm/job-queue.ts';
import { count, plural } from '../shared/format.ts';
import { baseStyles } from '../shared/styles.ts';
import { tally } from './examples.ts';

export type ReadoutKind = 'pi' | 'primes' | 'collatz';

interface Reading { value: string; label: string; note: string }

export class PfSeriesReadout extends LitElement {
  static override properties = {
    kind: { type: String },
    queue: { attribute: false },
    revision: { type: Number },
  };

  declare kind: ReadoutKind;
  declare queue: JobQueue | undefined;
  declare revision: number;

  constructor() {
    super();
    this.kind = 'pi';
    this.revision = 0;
  }

  static override styles = [baseStyles, css`
    .readout {
      display: grid;
      align-content: center;
      gap: 6px;
      min-height: 180px;
      padding: 22px 24px;
      border-radius: var(--pf-radius-small);
      background: var(--pf-surface-2);
    }

    .label {
      color: var(--pf-muted);
      font-size: 0.86rem;
      font-weight: 600;
      letter-spacing: 0.03em;
      text-transform: uppercase;
    }

    .value {
      font-size: 2.6rem;
      font-weight: 650;
      font-variant-numeric: tabular-nums;
      letter-spacing: -0.01em;
      line-height: 1.15;
    }

    .note {
      color: var(--pf-muted);
      font-size: 0.9rem;
      font-variant-numeric: tabular-nums;
    }
  `];

  override render() {
    const reading = this.kind === 'pi' ? this.pi() : this.kind === 'primes' ? this.primes() : this.collatz();
    return html`
      <div class="readout" role="status" aria-live="off">
        <span class="label">${reading.label}</span>
        <span class="value">${reading.value}</span>
        <span class="note">${reading.note}</span>
      </div>
    `;
  }

  private results(): unknown[] {
    return (this.queue?.jobs ?? []).filter((job) => job.state === JobState.done).map((job) => job.result);
  }

  private pi(): Reading {
    const total = this.queue?.jobs.length ?? 0;
    const { jobs, sums } = tally(this.results(), ['inside', 'samples']);
    if (jobs === 0 || sums['samples'] === 0) return { label: 'Estimate of pi', value: '—', note: 'Waiting for the first result.' };
    const estimate = (4 * sums['inside']!) / sums['samples']!;
    return {
      label: 'Estimate of pi',
      value: estimate.toFixed(5),
      note: `From ${jobs} of ${plural(total, 'job')} · ${count(sums['samples']!)} samples · off by ${Math.abs(estimate - Math.PI).toFixed(5)}`,
    };
  }

  private collatz(): Reading {
    const total = this.queue?.jobs.length ?? 0;
    let best: { longest: number; steps: number } | undefined;
    let jobs = 0;
    for (const result of this.results()) {
      const { longest, steps } = (result ?? {}) as { longest?: unknown; steps?: unknown };
      if (typeof longest !== 'number' || typeof steps !== 'number') continue;
      jobs += 1;
      if (!best || steps > best.steps) best = { longest, steps };
    }
    if (!best) return { label: 'Longest Collatz chain', value: '—', note: 'Waiting for the first range.' };
    return { label: 'Longest Collatz chain', value: `${count(best.longest)}: ${count(best.steps)} steps`, note: `In ${jobs} of ${plural(total, 'range')}` };
  }

  private primes(): Reading {
    const total = this.queue?.jobs.length ?? 0;
    const { jobs, sums } = tally(this.results(), ['count', 'from', 'to']);
    if (jobs === 0) return { label: 'Primes counted', value: '—', note: 'Waiting for the first range.' };
    const numbers = sums['to']! - sums['from']!;
    return {
      label: 'Primes counted',
      value: count(sums['count']!),
      note: `In ${jobs} of ${plural(total, 'range')} · ${count(numbers)} numbers checked`,
    };
  }
}

customElements.define('pf-series-readout', PfSeriesReadout);

declare global {
  interface HTMLElementTagNameMap {
    'pf-series-readout': PfSeriesReadout;
  }
}
