// The "Kept series" card of the submit page: every series this browser ran, kept in IndexedDB
// (series-store.ts), newest first, with how far it got. An unfinished one (its tab closed or
// reloaded, or its workers all left) can be resumed or cancelled; any can be downloaded or
// deleted. Actions come out as a `pf-saved` event `{action, id}`; the page calls the role.
import { LitElement, css, html, nothing } from 'lit';
import type { SavedSeries } from '../../peer/client-role.ts';
import { count, points, relativeTime } from '../shared/format.ts';
import { ClockController } from '../shared/clock-controller.ts';
import { emptyState } from '../shared/empty-state.ts';
import { baseStyles, buttonStyles, cardStyles, tableStyles } from '../shared/styles.ts';
import '../shared/pf-status-badge.ts';

export type SavedAction = 'resume' | 'cancel' | 'delete' | 'json' | 'ndjson';

const BADGES: Record<SavedSeries['state'], string> = { unfinished: 'Unfinished', done: 'Done', cancelled: 'Cancelled' };

export class PfSavedSeries extends LitElement {
  static override properties = {
    series: { attribute: false },
    canResume: { type: Boolean, attribute: 'can-resume' },
    kept: { type: Boolean },
    busyId: { type: String, attribute: 'busy-id' },
    error: { type: String },
  };

  declare series: readonly SavedSeries[];
  /** The page is joined and runs no series: Resume may be pressed. */
  declare canResume: boolean;
  /** This tab keeps series at all (not ?ephemeral, IndexedDB present). */
  declare kept: boolean;
  /** The series whose action is under way. */
  declare busyId: string | undefined;
  declare error: string | undefined;

  private readonly clock = new ClockController(this, 10_000);

  constructor() {
    super();
    this.series = [];
    this.canResume = false;
    this.kept = true;
  }

  static override styles = [baseStyles, cardStyles, buttonStyles, tableStyles, css`
    td.label {
      max-width: 22em;
      overflow: hidden;
      text-overflow: ellipsis;
    }

    td.actions {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
    }

    .why {
      display: block;
      max-width: 30em;
      overflow: hidden;
      color: var(--pf-muted);
      font-size: 0.85em;
      text-overflow: ellipsis;
    }

    .notice-error {
      margin-bottom: 12px;
    }
  `];

  override render() {
    return html`
      <section class="card" aria-labelledby="saved-title">
        <div class="card-head">
          <h2 id="saved-title">Kept series</h2>
          <span class="muted">${this.kept ? 'in this browser, across reloads' : 'not kept in this tab'}</span>
        </div>
        ${this.error ? html`<p class="notice-error" role="alert">${this.error}</p>` : nothing}
        ${this.renderBody()}
      </section>
    `;
  }

  private renderBody() {
    if (!this.kept) {
      return emptyState('This tab keeps no series', 'It was opened with ?ephemeral (a throwaway identity), or the browser gives it no IndexedDB; open the page without ?ephemeral to keep series across reloads.');
    }
    if (this.series.length === 0) {
      return emptyState('No series yet', 'Each series you run is kept here with its results, so closing or reloading this tab loses nothing: an unfinished one can be resumed.');
    }
    return html`
      <div class="scroll">
        <table>
          <thead><tr><th>Series</th><th>Started</th><th>State</th><th class="num">Jobs done</th><th class="num">Paid</th><th></th></tr></thead>
          <tbody>${this.series.map((series) => this.renderRow(series))}</tbody>
        </table>
      </div>
    `;
  }

  private renderRow(series: SavedSeries) {
    const busy = this.busyId === series.id;
    const running = series.running !== undefined;
    const state = running ? 'running' : series.state;
    const label = series.running === 'here' ? 'Running here' : series.running === 'elsewhere' ? 'In another tab' : BADGES[series.state];
    return html`
      <tr data-id=${series.id}>
        <td class="label" title=${series.label}>${series.label}
          ${series.state === 'unfinished' && !running && series.error ? html`<span class="why" title=${series.error}>Stopped: ${series.error}</span>` : nothing}</td>
        <td>${relativeTime(series.created, this.clock.now)}</td>
        <td><pf-status-badge still state=${state} label=${label}></pf-status-badge></td>
        <td class="num">${count(series.computed)} of ${count(series.total)}</td>
        <td class="num">${points(series.paid)}</td>
        <td class="actions">
          ${series.state === 'unfinished' && !running ? html`
            <button class="primary" ?disabled=${busy || !this.canResume} @click=${() => this.act('resume', series)}
              title=${this.canResume ? 'Run the jobs still undone; the done ones are neither run nor paid again' : 'Possible once this page has joined and runs no series'}>Resume</button>
            <button ?disabled=${busy} @click=${() => this.act('cancel', series)}
              title="Stop it for good: what it owes workers is paid, its escrow goes back">Cancel</button>` : nothing}
          ${series.computed > 0 ? html`
            <button ?disabled=${busy} @click=${() => this.act('json', series)} title="Its results so far, with the jobs, as JSON">JSON</button>
            <button ?disabled=${busy} @click=${() => this.act('ndjson', series)} title="One JSON line a job">NDJSON</button>` : nothing}
          ${running ? nothing : html`<button ?disabled=${busy} @click=${() => this.act('delete', series)}
            title=${series.state === 'unfinished' ? 'Cancel it, then forget it and its results' : 'Forget it and its results'}>Delete</button>`}
        </td>
      </tr>
    `;
  }

  private act(action: SavedAction, series: SavedSeries): void {
    this.dispatchEvent(new CustomEvent('pf-saved', { detail: { action, id: series.id }, bubbles: true, composed: true }));
  }
}

customElements.define('pf-saved-series', PfSavedSeries);

declare global {
  interface HTMLElementTagNameMap {
    'pf-saved-series': PfSavedSeries;
  }
}
