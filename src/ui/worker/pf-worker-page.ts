// The worker page (index.html): this tab's identity and Join button, its controls (pause, threads,
// CPU share) and the jobs it runs, its points and what it bids, its overlay neighbours and the other
// workers it knows, and its authority link. Everything shown is read from the WorkerRole; the page
// only calls join/leave/refresh, refreshPoints, history and the controls on it. Jobs report progress
// often, so it renders once a frame, and once a second while it runs jobs; what a click changes is
// drawn at once.
import { LitElement, css, html, nothing } from 'lit';
import type { WorkerRole } from '../../peer/worker-role.ts';
import { HistoryController } from '../shared/history-controller.ts';
import { BUSY_PAGE_UPDATE_MS, RoleController } from '../shared/role-controller.ts';
import { baseStyles, pageStyles } from '../shared/styles.ts';
import '../shared/pf-app-header.ts';
import '../shared/pf-connection-card.ts';
import '../shared/pf-peers-card.ts';
import './pf-job-list.ts';
import './pf-join-card.ts';
import './pf-neighbours-card.ts';
import './pf-own-bid-card.ts';
import './pf-points-card.ts';
import './pf-worker-controls.ts';

/**
 * Entries read per history request: one payment per job, so a busy minute makes dozens; this many
 * still group into the card's few rows without asking the authority for a page of journal each poll.
 */
const HISTORY_READ_ENTRIES = 100;

export class PfWorkerPage extends LitElement {
  static override properties = {
    model: { attribute: false },
    _refreshingPoints: { state: true },
  };

  /** The role object this page shows and drives (also `window.peerfarm`). */
  declare model: WorkerRole | undefined;
  /** Refresh was pressed on the Points card and the role has not answered yet. */
  declare _refreshingPoints: boolean;

  private readonly roleController = new RoleController<WorkerRole>(this, {
    perFrame: true,
    minIntervalMs: () => (this.model?.jobs.running ? BUSY_PAGE_UPDATE_MS : 0),
  });
  /** Ledger entries, read again whenever the balance the role polls has changed (grouped on the card). */
  private readonly history = new HistoryController(this, HISTORY_READ_ENTRIES);
  /** Bumped on every update: the job list reads jobs mutated in place. */
  private revision = 0;

  constructor() {
    super();
    this._refreshingPoints = false;
  }

  static override styles = [baseStyles, pageStyles, css`
    .work {
      display: grid;
      grid-template-columns: minmax(280px, 1fr) minmax(0, 2fr);
      gap: var(--pf-gap);
      align-items: stretch;
    }

    /* Five cards in two columns: the last one (the authority link) takes the whole row. */
    .columns > :last-child:nth-child(odd) {
      grid-column: 1 / -1;
    }

    @media (max-width: 860px) {
      .work {
        grid-template-columns: minmax(0, 1fr);
      }
    }
  `];

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('model')) this.roleController.observe(this.model);
    const role = this.model;
    const balance = role?.balance;
    this.history.follow(role?.state === 'joined' ? role : undefined, balance && `${balance.points}/${balance.held}`);
    this.revision += 1;
  }

  override render() {
    return html`
      <pf-app-header current="worker"></pf-app-header>
      <main>${this.model ? this.renderRole(this.model) : nothing}</main>
    `;
  }

  private renderRole(role: WorkerRole) {
    const joined = role.connectionState === 'joined';
    const active = role.state !== 'idle';
    return html`
      <pf-join-card
        peer-id=${role.id ?? ''}
        member-state=${role.state}
        connection-state=${role.connectionState}
        ?failed=${Boolean(role.error)}
        @pf-join=${this._onJoin}
        @pf-leave=${this._onLeave}
      ></pf-join-card>
      <div class="work">
        <pf-worker-controls
          ?paused=${role.paused}
          ?joined=${joined}
          threads=${role.threads}
          max-threads=${role.maxThreads}
          cpu-limit=${role.cpuLimit}
          running=${role.jobs.running}
          @pf-pause=${this._onPause}
          @pf-resume=${this._onResume}
          @pf-threads=${this._onThreads}
          @pf-cpu-limit=${this._onCpuLimit}
        ></pf-worker-controls>
        <pf-job-list .jobs=${role.jobs.jobs} .earned=${role.jobs.earned} ?active=${active} .revision=${this.revision}></pf-job-list>
      </div>
      <div class="columns">
        <pf-points-card
          .balance=${role.balance}
          .record=${role.record}
          .earned=${role.jobs.earned}
          ?joined=${joined}
          .history=${this.history.entries}
          history-limit=${this.history.limit}
          .historyError=${this.history.error}
          ?refreshing=${this._refreshingPoints}
          @pf-refresh-points=${this._onRefreshPoints}
        ></pf-points-card>
        <pf-own-bid-card
          .bid=${role.bid()}
          .record=${role.record}
          ?active=${active}
          recheck-ms=${role.options.get('wonks_time_between_checks')}
        ></pf-own-bid-card>
        <pf-neighbours-card .neighbours=${role.neighbours} ?active=${active}></pf-neighbours-card>
        <pf-peers-card
          heading="Other workers"
          .peers=${role.peers}
          ?can-refresh=${joined}
          empty-title=${joined ? 'No other workers yet' : 'Not joined yet'}
          empty-text=${joined
            ? 'Open this page in another tab or on another machine and join there.'
            : 'Join to see the workers the authority knows.'}
          @pf-refresh=${this._onRefresh}
        ></pf-peers-card>
        <pf-connection-card
          state=${role.connectionState}
          authority=${role.authorityUrl ?? ''}
          protocol=${role.protocol ?? ''}
          address=${role.address ?? ''}
          error=${role.error ?? ''}
        ></pf-connection-card>
      </div>
    `;
  }

  private _onJoin(): void {
    void this.model?.join();
  }

  private _onLeave(): void {
    this.model?.leave();
  }

  private _onRefresh(): void {
    this.model?.refresh();
  }

  private _onRefreshPoints(): void {
    const role = this.model;
    if (!role) return;
    this._refreshingPoints = true;
    void role.refreshPoints().finally(() => {
      this._refreshingPoints = false;
    });
  }

  // The controls' own actions are drawn at once, not at the next busy-page update.
  private _onPause(): void {
    this.model?.pause();
    this.requestUpdate();
  }

  private _onResume(): void {
    this.model?.resume();
    this.requestUpdate();
  }

  private _onThreads(event: CustomEvent<{ threads: number }>): void {
    this.model?.setThreads(event.detail.threads);
    this.requestUpdate();
  }

  private _onCpuLimit(event: CustomEvent<{ percent: number }>): void {
    this.model?.setCpuLimit(event.detail.percent);
    this.requestUpdate();
  }
}

customElements.define('pf-worker-page', PfWorkerPage);

declare global {
  interface HTMLElementTagNameMap {
    'pf-worker-page': PfWorkerPage;
  }
}
