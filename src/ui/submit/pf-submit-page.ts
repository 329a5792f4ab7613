// The submit page (submit.html): joins as a client at once, because choosing workers needs the
// list of listening workers. The person writes a job series (or picks an example), may ask for bids
// and untick some, runs it and watches it farmed out; the workers and the authority link are below.
// The client's points show beside its id; a series is paid from them.
// Farming emits hundreds of changes a second, so the page renders at most once per frame.
import { LitElement, css, html, nothing } from 'lit';
import type { ClientRole, SeriesState, SolicitState } from '../../peer/client-role.ts';
import type { Foreman } from '../../peer/farm/foreman.ts';
import type { Blocker } from './pf-bids-card.ts';
import type { ExampleId } from './examples.ts';
import type { RunDetail } from './pf-series-form.ts';
import { BUSY_PAGE_UPDATE_MS, RoleController } from '../shared/role-controller.ts';
import { count, plural } from '../shared/format.ts';
import { baseStyles, buttonStyles, pageStyles } from '../shared/styles.ts';
import '../shared/pf-app-header.ts';
import '../shared/pf-connection-card.ts';
import '../shared/pf-peer-id.ts';
import '../shared/pf-peers-card.ts';
import './pf-bids-card.ts';
import './pf-series-card.ts';
import './pf-series-form.ts';
import './pf-saved-series.ts';
import type { SavedAction } from './pf-saved-series.ts';
import type { SavedSeries } from '../../peer/client-role.ts';
import { JobState } from '../../peer/farm/job-queue.ts';
import { resultsFile } from '../../peer/farm/result-files.ts';
import { downloadResults } from '../shared/download.ts';

export class PfSubmitPage extends LitElement {
  static override properties = {
    model: { attribute: false },
    _excluded: { state: true },
    _runError: { state: true },
    _refreshingBalance: { state: true },
    _savedBusy: { state: true },
    _savedError: { state: true },
  };

  /** The role object this page shows and drives (also `window.peerfarm`). */
  declare model: ClientRole | undefined;
  /** Bids the person unticked; while none are, Run lets the role ask for bids and choose. */
  declare _excluded: ReadonlySet<string>;
  /** Why Run was refused before a series began. */
  declare _runError: string;
  /** Refresh was pressed beside the balance and the role has not answered yet. */
  declare _refreshingBalance: boolean;
  /** The kept series whose action (resume, cancel, delete, download) is under way. */
  declare _savedBusy: string | undefined;
  declare _savedError: string;

  private readonly roleController = new RoleController<ClientRole>(this, {
    perFrame: true,
    minIntervalMs: () => (this.model?.seriesState === 'farming' ? BUSY_PAGE_UPDATE_MS : 0),
    onChange: () => this.model && this.noteSeries(this.model),
  });
  /** Why the last solicit failed, kept here: the role's `error` is overwritten by the next connection update. */
  private solicitError: string | undefined;
  private seenSolicitState: SolicitState = 'idle';
  /** The series on show, noted on every change (frames may skip states): its foreman once farming. */
  private seenSeriesState: SeriesState = 'idle';
  private seriesForeman: Foreman | undefined;
  private seriesExample: ExampleId | undefined;
  private pendingExample: ExampleId | undefined;
  private cancelled = false;
  private farmingSince: number | undefined;
  private finishedAt: number | undefined;
  /** Bumped on every update: the series views read live objects mutated in place. */
  private revision = 0;

  constructor() {
    super();
    this._excluded = new Set();
    this._runError = '';
    this._refreshingBalance = false;
    this._savedError = '';
  }

  static override styles = [baseStyles, buttonStyles, pageStyles, css`
    .who {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 26px;
      margin-top: 10px;
      color: var(--pf-muted);
      font-size: 0.9rem;
    }

    .who .group {
      display: inline-flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 4px 8px;
    }

    .balance strong {
      color: var(--pf-text);
      font-weight: 600;
      font-variant-numeric: tabular-nums;
    }

    .who button.quiet {
      font-size: 0.86rem;
      padding: 0 6px;
    }
  `];

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('model')) this.roleController.observe(this.model);
    if (this.model) {
      this.noteSolicit(this.model);
      this.noteSeries(this.model);
    }
    this.revision += 1;
  }

  private noteSolicit(role: ClientRole): void {
    if (role.solicitState === 'failed' && this.seenSolicitState !== 'failed') {
      this.solicitError = role.error ?? '';
    }
    if (role.solicitState === 'soliciting') this.solicitError = undefined;
    this.seenSolicitState = role.solicitState;
  }

  private noteSeries(role: ClientRole): void {
    const state = role.seriesState;
    if (state !== this.seenSeriesState) {
      if (state === 'bidding') {
        this.seriesForeman = undefined;
        this.seriesExample = this.pendingExample;
        this.pendingExample = undefined;
        this.cancelled = false;
        this.farmingSince = undefined;
        this.finishedAt = undefined;
      }
      if (state === 'farming') this.farmingSince = Date.now();
      if (state === 'done' || state === 'failed') this.finishedAt = Date.now();
      this.seenSeriesState = state;
    }
    if (state === 'farming' || state === 'done') this.seriesForeman = role.foreman;
  }

  override render() {
    return html`
      <pf-app-header current="submit"></pf-app-header>
      <main>${this.model ? this.renderRole(this.model) : nothing}</main>
    `;
  }

  private renderRole(role: ClientRole) {
    const joined = role.connectionState === 'joined';
    const busy = role.seriesState === 'bidding' || role.seriesState === 'farming';
    return html`
      <section class="intro">
        <h1>Submit jobs</h1>
        <p>This page joins the farm as a client. Write a job series or pick an example, and Run farms it out
          to the listening workers that bid for it.</p>
        <div class="who">
          <span class="group">
            <span>Client id</span>
            ${role.id
              ? html`<pf-peer-id peer-id=${role.id}></pf-peer-id>`
              : html`<span>creating this tab's key…</span>`}
          </span>
          ${this.renderBalance(role)}
        </div>
      </section>
      <pf-series-form
        ?busy=${busy}
        blocked=${this.runBlocker(role)}
        hire-note=${this.hireNote(role)}
        error=${this._runError}
        .balance=${role.balance?.points}
        .price=${this.highestPrice(role)}
        @pf-run=${this._onRun}
      ></pf-series-form>
      ${role.seriesState === 'idle' ? nothing : this.renderSeries(role)}
      <pf-saved-series
        .series=${this.savedSeries(role)}
        ?kept=${role.keepsSeries}
        ?can-resume=${joined && !busy}
        .busyId=${this._savedBusy}
        .error=${this._savedError}
        @pf-saved=${this._onSaved}
      ></pf-saved-series>
      <pf-bids-card
        .bids=${role.bids}
        state=${role.solicitState}
        .via=${role.solicitedVia}
        .startedAt=${role.solicitStartedAt}
        .deadline=${role.solicitDeadline}
        .error=${this.solicitError}
        .blocker=${this.blocker(role)}
        .excluded=${this._excluded}
        ?locked=${busy}
        @pf-solicit=${this._onSolicit}
        @pf-bid-select=${this._onBidSelect}
      ></pf-bids-card>
      <div class="columns">
        <pf-peers-card
          heading="Listening workers"
          .peers=${role.workers}
          ?can-refresh=${joined}
          empty-title=${joined ? 'No workers are listening' : 'Waiting for the authority'}
          empty-text=${joined
            ? 'Open the Worker page in another tab and press Join; it will appear here.'
            : 'The list arrives once this page has joined as a client.'}
          @pf-refresh=${this._onRefresh}
        ></pf-peers-card>
        <pf-connection-card
          state=${role.connectionState}
          authority=${role.authorityUrl ?? ''}
          protocol=${role.protocol ?? ''}
          address=${role.address ?? ''}
          error=${role.error === this.solicitError ? '' : role.error ?? ''}
        ></pf-connection-card>
      </div>
    `;
  }

  /** "1,000 points · 0 held" and a Refresh; held points are escrowed for jobs out on the farm. */
  private renderBalance(role: ClientRole) {
    const balance = role.balance;
    if (!balance) {
      return role.connectionState === 'joined' ? html`<span class="group">reading points…</span>` : nothing;
    }
    return html`
      <span class="group balance" aria-live="polite" title="Points to pay workers with; held points are set aside for jobs under way">
        <span><strong>${count(balance.points)}</strong> ${balance.points === 1 ? 'point' : 'points'}</span>
        <span>· <strong>${count(balance.held)}</strong> held</span>
        <button class="quiet" ?disabled=${this._refreshingBalance || role.connectionState !== 'joined'}
          @click=${this._onRefreshBalance}>${this._refreshingBalance ? 'Refreshing…' : 'Refresh'}</button>
      </span>
    `;
  }

  private renderSeries(role: ClientRole) {
    const foreman = this.seriesForeman;
    return html`
      <pf-series-card
        state=${role.seriesState}
        .queue=${foreman?.queue}
        .workers=${foreman ? [...foreman.workers.values()] : []}
        .logs=${foreman?.logs ?? []}
        .leftOut=${role.leftOut}
        .revision=${this.revision}
        .error=${role.seriesError}
        ?cancelled=${this.cancelled}
        .result=${role.seriesState === 'done' ? role.seriesResult : undefined}
        .example=${this.seriesExample}
        .startedAt=${this.farmingSince}
        .finishedAt=${this.finishedAt}
        @pf-cancel=${this._onCancel}
      ></pf-series-card>
    `;
  }

  /** The kept series, the one running here with its live count. */
  private savedSeries(role: ClientRole): readonly SavedSeries[] {
    const done = role.foreman?.queue.count(JobState.done);
    if (done === undefined || role.seriesState !== 'farming') return role.saved;
    return role.saved.map((series) => (series.running === 'here' ? { ...series, computed: done } : series));
  }

  /** Why bids cannot be asked for now (none while they can). */
  private blocker(role: ClientRole): Blocker {
    if (role.connectionState !== 'joined') return 'joining';
    if (role.workers.length === 0) return 'no-workers';
    return undefined;
  }

  /** Why Run cannot be pressed now, in a sentence; empty when it can. */
  private runBlocker(role: ClientRole): string {
    switch (this.blocker(role)) {
      case 'joining': return 'Run is possible once this page has joined as a client.';
      case 'no-workers': return 'No worker is listening yet: open the Worker page in another tab and press Join.';
      case undefined: return '';
    }
  }

  /** Who Run would hire. */
  private hireNote(role: ClientRole): string {
    if (role.seriesState === 'bidding') return 'Asking the network for bids for this series…';
    if (role.seriesState === 'farming') return 'A series is running: follow it, or cancel it, in the Series card below.';
    const ticked = this.tickedBidders(role);
    if (ticked === undefined) return 'Run asks the network for bids, then hires the best-value workers within your price limit.';
    if (ticked.length === 0) return 'Every bid is unticked: tick at least one below, or tick them all to let the page choose.';
    return `Run hires the ${plural(ticked.length, 'ticked bidder')} from the bids below.`;
  }

  /** The highest price per job among the bids Run would hire from (every bid while none is unticked). */
  private highestPrice(role: ClientRole): number | undefined {
    const candidates = role.bids.filter((bid) => !this._excluded.has(bid.id) && bid.slots > 0);
    return candidates.length === 0 ? undefined : Math.max(...candidates.map((bid) => bid.price));
  }

  /** The bidders left ticked, or undefined while the person has unticked none. */
  private tickedBidders(role: ClientRole): string[] | undefined {
    const ticked = role.bids.filter((bid) => !this._excluded.has(bid.id)).map((bid) => bid.id);
    return ticked.length === role.bids.length ? undefined : ticked;
  }

  private _onRun(event: CustomEvent<RunDetail>): void {
    const role = this.model;
    if (!role) return;
    const workers = this.tickedBidders(role);
    if (workers?.length === 0) {
      this._runError = 'Every bid is unticked: tick at least one, or tick them all to let the page choose.';
      return;
    }
    this._runError = '';
    this.pendingExample = event.detail.example;
    role.submit({ ...event.detail.request, ...(workers && { workers }) }).catch((error: unknown) => {
      // Failures after the series began are the role's seriesError, shown by the series card.
      const message = error instanceof Error ? error.message : String(error);
      if (role.seriesError !== message) this._runError = message.replace(/^submit: /, '');
      this.pendingExample = undefined;
    });
  }

  private _onSaved(event: CustomEvent<{ action: SavedAction; id: string }>): void {
    const role = this.model;
    if (!role) return;
    const { action, id } = event.detail;
    this._savedError = '';
    if (action === 'resume') {
      this.pendingExample = undefined;
      // Failures after it began are the series card's; a refusal before (locked, not joined) is shown here.
      role.resume(id).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (role.seriesError !== message) this._savedError = message;
      });
      return;
    }
    this._savedBusy = id;
    const work = action === 'cancel' ? role.cancelSaved(id)
      : action === 'delete' ? role.deleteSaved(id)
      : role.savedResult(id).then((result) => downloadResults(resultsFile(result, action) ?? '', action, Date.now()));
    work.catch((error: unknown) => {
      this._savedError = error instanceof Error ? error.message : String(error);
    }).finally(() => {
      this._savedBusy = undefined;
    });
  }

  private _onCancel(): void {
    this.cancelled = true;
    this.model?.cancelSeries();
    this.requestUpdate();
  }

  private _onBidSelect(event: CustomEvent<{ ids: string[]; selected: boolean }>): void {
    const excluded = new Set(this._excluded);
    for (const id of event.detail.ids) {
      if (event.detail.selected) excluded.delete(id);
      else excluded.add(id);
    }
    this._excluded = excluded;
  }

  private _onSolicit(): void {
    // A failed solicit sets the role's solicitState and error, which the Bids card shows.
    this.model?.solicit().catch(() => undefined);
  }

  private _onRefresh(): void {
    this.model?.refresh();
  }

  private _onRefreshBalance(): void {
    const role = this.model;
    if (!role) return;
    this._refreshingBalance = true;
    void role.refreshBalance().finally(() => {
      this._refreshingBalance = false;
    });
  }
}

customElements.define('pf-submit-page', PfSubmitPage);

declare global {
  interface HTMLElementTagNameMap {
    'pf-submit-page': PfSubmitPage;
  }
}
