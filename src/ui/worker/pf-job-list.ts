// The jobs this tab ran for clients, newest first: state, progress, how long each took (ticking
// while it runs), the client and the points it earns; above them the running, done and failed
// counts and the points earned, which the ledger settles later. Only the newest rows are drawn.
import { LitElement, css, html, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { LocalJob } from '../../peer/farm/job-service.ts';
import { ClockController } from '../shared/clock-controller.ts';
import { emptyState } from '../shared/empty-state.ts';
import { count, elapsed, percent, plural } from '../shared/format.ts';
import { baseStyles, cardStyles, tableStyles } from '../shared/styles.ts';
import '../shared/pf-peer-id.ts';
import '../shared/pf-status-badge.ts';

/** Rows drawn at most; the role keeps a longer history. */
export const SHOWN_JOBS = 20;

export class PfJobList extends LitElement {
  static override properties = {
    jobs: { attribute: false },
    earned: { type: Number },
    active: { type: Boolean },
    revision: { type: Number },
  };

  /** Recent jobs, newest first (WorkerRole.jobs.jobs); mutated in place, so the page re-renders us. */
  declare jobs: readonly LocalJob[];
  declare earned: number;
  /** The tab has joined or is joining. */
  declare active: boolean;
  /** Bumped by the page when the jobs may have changed in place. */
  declare revision: number;

  private readonly clock = new ClockController(this);

  constructor() {
    super();
    this.jobs = [];
    this.earned = 0;
    this.active = false;
    this.revision = 0;
  }

  static override styles = [baseStyles, cardStyles, tableStyles, css`
    :host {
      display: flex;
      flex-direction: column;
    }

    .card {
      flex: 1;
      /* A busy tab re-renders this card several times a second: keep its layout and paint to itself. */
      contain: content;
    }

    .stats {
      display: grid;
      grid-template-columns: repeat(4, minmax(0, 1fr));
      gap: 10px;
      margin-bottom: 16px;
    }

    .stat {
      padding: 10px 14px;
      border-radius: var(--pf-radius-small);
      background: var(--pf-surface-2);
      min-width: 0;
    }

    .stat .value {
      display: block;
      font-size: 1.3rem;
      font-weight: 650;
      font-variant-numeric: tabular-nums;
      line-height: 1.3;
    }

    .stat .label {
      color: var(--pf-muted);
      font-size: 0.82rem;
    }

    .stat.failed .value {
      color: var(--pf-danger);
    }

    .list {
      max-height: 420px;
      overflow-y: auto;
    }

    thead th {
      position: sticky;
      top: 0;
      background: var(--pf-surface);
    }

    .bar {
      display: inline-block;
      width: 110px;
      height: 6px;
      margin-right: 8px;
      border-radius: 999px;
      background: var(--pf-surface-2);
      overflow: hidden;
      vertical-align: middle;
    }

    .bar span {
      display: block;
      height: 100%;
      border-radius: inherit;
      background: var(--pf-accent);
    }

    .bar.running span {
      background: var(--pf-warn);
    }

    .error {
      display: inline-block;
      max-width: 220px;
      overflow: hidden;
      color: var(--pf-danger);
      font-size: 0.84rem;
      text-overflow: ellipsis;
      vertical-align: middle;
    }

    .pct {
      color: var(--pf-muted);
      font-size: 0.84rem;
      font-variant-numeric: tabular-nums;
    }

    .note {
      margin-top: 12px;
      color: var(--pf-muted);
      font-size: 0.86rem;
    }

    @media (max-width: 520px) {
      .stats {
        grid-template-columns: repeat(2, minmax(0, 1fr));
      }
    }
  `];

  override render() {
    const tally = { running: 0, done: 0, failed: 0 };
    for (const job of this.jobs) if (job.state in tally) tally[job.state as keyof typeof tally] += 1;
    return html`
      <section class="card" aria-labelledby="title">
        <div class="card-head">
          <h2 id="title">Jobs<span class="count">${this.jobs.length}</span></h2>
        </div>
        <div class="stats">
          ${this.stat(tally.running, 'running')}
          ${this.stat(tally.done, 'done')}
          ${this.stat(tally.failed, 'failed', tally.failed > 0 ? 'failed' : '')}
          <div class="stat" title="Points are paid once the ledger settles the jobs">
            <span class="value">${count(this.earned)}</span><span class="label">points earned (to be settled)</span>
          </div>
        </div>
        ${this.jobs.length === 0 ? this.renderEmpty() : this.renderList()}
      </section>
    `;
  }

  private stat(value: number, label: string, tone = '') {
    return html`<div class="stat ${tone}"><span class="value">${count(value)}</span><span class="label">${label}</span></div>`;
  }

  private renderList() {
    const shown = this.jobs.slice(0, SHOWN_JOBS);
    return html`
      <div class="list">
        <table>
          <thead>
            <tr><th>State</th><th>Progress</th><th class="num">Time</th><th>Client</th><th class="num">Points</th></tr>
          </thead>
          <!-- Rows by position, not keyed by job: at hundreds of jobs a second every render would
               otherwise build a whole new set of rows; this way it only rewrites their text. -->
          <tbody>${shown.map((job) => this.renderRow(job))}</tbody>
        </table>
      </div>
      ${this.jobs.length > shown.length
        ? html`<p class="note">Showing the ${SHOWN_JOBS} newest of ${plural(this.jobs.length, 'recent job')}; counts cover them all.</p>`
        : nothing}
    `;
  }

  private renderRow(job: LocalJob) {
    const now = Math.max(this.clock.now, Date.now());
    const took = (job.finishedMs ?? now) - job.startedMs;
    return html`
      <tr>
        <td><pf-status-badge state=${job.state} still></pf-status-badge></td>
        <td>${job.state === 'failed' && job.error
          ? html`<span class="error" title=${job.error}>${job.error}</span>`
          : html`<span class="bar ${job.state}"><span style=${styleMap({ width: `${(job.progress * 100).toFixed(0)}%` })}></span></span><span class="pct">${percent(job.progress)}</span>`}
        </td>
        <td class="num">${elapsed(took)}</td>
        <td><pf-peer-id peer-id=${job.client}></pf-peer-id></td>
        <td class="num">${job.state === 'done' ? `+${plural(job.price, 'pt')}` : html`<span class="muted">${plural(job.price, 'pt')}</span>`}</td>
      </tr>
    `;
  }

  private renderEmpty() {
    if (!this.active) return emptyState('No jobs yet', 'Join to lend this tab to the farm; the jobs clients send it appear here.');
    return emptyState('Waiting for jobs', 'Clients hire this tab by its bid; each job it runs for them shows up here.');
  }
}

customElements.define('pf-job-list', PfJobList);

declare global {
  interface HTMLElementTagNameMap {
    'pf-job-list': PfJobList;
  }
}
