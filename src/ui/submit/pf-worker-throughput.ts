// The workers hired for a series, one row each: their state, jobs done, failed and flagged (outvoted
// under redundancy), their share of the work and their rate in jobs per second since they were
// hired. Rates are measured up to `until`: now while farming, the end once the series is over.
import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { WorkerStats } from '../../peer/farm/foreman.ts';
import { emptyState } from '../shared/empty-state.ts';
import { peerHue, percent, plural } from '../shared/format.ts';
import { baseStyles, cardStyles, tableStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';
import '../shared/pf-status-badge.ts';

/** Rates are meaningless in the first instant after hiring. */
const MIN_RATE_WINDOW_MS = 500;

function rate(stats: WorkerStats, untilMs: number): string {
  const windowMs = untilMs - stats.startedMs;
  if (windowMs < MIN_RATE_WINDOW_MS) return '—';
  const perSecond = stats.done / (windowMs / 1000);
  return perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}

function byDoneThenId(a: WorkerStats, b: WorkerStats): number {
  return b.done - a.done || a.id.localeCompare(b.id);
}

export class PfWorkerThroughput extends LitElement {
  static override properties = {
    workers: { attribute: false },
    until: { type: Number },
    over: { type: Boolean },
  };

  declare workers: readonly WorkerStats[];
  /** The end of the rate window (ms since the epoch). */
  declare until: number;
  /** The series has ended: workers still hired show as finished. */
  declare over: boolean;

  constructor() {
    super();
    this.workers = [];
    this.until = Date.now();
    this.over = false;
  }

  static override styles = [baseStyles, cardStyles, tableStyles, css`
    .share {
      display: flex;
      align-items: center;
      justify-content: flex-end;
      gap: 8px;
    }

    .bar {
      width: 72px;
      height: 6px;
      border-radius: 999px;
      background: var(--pf-surface-2);
      overflow: hidden;
    }

    .bar span {
      display: block;
      height: 100%;
      border-radius: inherit;
      background: hsl(var(--hue) 55% 50%);
    }

    .bad {
      color: var(--pf-danger);
      font-weight: 600;
    }
  `];

  override render() {
    if (this.workers.length === 0) return emptyState('No workers hired yet', 'Workers appear here once the bids are in.');
    const total = this.workers.reduce((sum, w) => sum + w.done, 0);
    const rows = [...this.workers].sort(byDoneThenId);
    return html`
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>Worker</th><th>State</th><th class="num">Done</th><th class="num">Share</th>
              <th class="num">Failed</th><th class="num" title="Results outvoted by the majority">Flagged</th>
              <th class="num" title="Jobs done per second since the worker was hired">Jobs/s</th><th class="num">Price</th>
            </tr>
          </thead>
          <tbody>${repeat(rows, (w) => w.id, (w) => this.renderRow(w, total))}</tbody>
        </table>
      </div>
    `;
  }

  private renderRow(stats: WorkerStats, total: number) {
    const share = total === 0 ? 0 : stats.done / total;
    return html`
      <tr>
        <td><pf-peer-id peer-id=${stats.id}></pf-peer-id></td>
        <td title=${stats.error ?? ''}><pf-status-badge state=${this.over && stats.state === 'working' ? 'finished' : stats.state}></pf-status-badge></td>
        <td class="num">${stats.done}</td>
        <td class="num">
          <span class="share">
            <span class="bar" style=${styleMap({ '--hue': String(peerHue(stats.id)) })}>
              <span style=${styleMap({ width: `${(share * 100).toFixed(1)}%` })}></span>
            </span>
            ${percent(share)}
          </span>
        </td>
        <td class="num ${stats.failed > 0 ? 'bad' : ''}">${stats.failed}</td>
        <td class="num ${stats.flagged > 0 ? 'bad' : ''}">${stats.flagged}</td>
        <td class="num">${rate(stats, this.until)}</td>
        <td class="num">${plural(stats.price, 'pt')}</td>
      </tr>
    `;
  }
}

customElements.define('pf-worker-throughput', PfWorkerThroughput);

declare global {
  interface HTMLElementTagNameMap {
    'pf-worker-throughput': PfWorkerThroughput;
  }
}
