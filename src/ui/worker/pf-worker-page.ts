// The worker page (index.html): this tab's identity and Join button, its controls (pause, threads,
// CPU share) and the jobs it runs, its overlay neighbours and the other workers it knows, what it
// bids, and its authority link. Everything shown is read from the WorkerRole; the page only calls
// join/leave/refresh and the controls on it. Jobs report progress often, so it renders once a frame.
import { LitElement, css, html, nothing } from 'lit';
import type { WorkerRole } from '../../peer/worker-role.ts';
import { RoleController } from '../shared/role-controller.ts';
import { baseStyles, pageStyles } from '../shared/styles.ts';
import '../shared/pf-app-header.ts';
import '../shared/pf-connection-card.ts';
import '../shared/pf-peers-card.ts';
import './pf-job-list.ts';
import './pf-join-card.ts';
import './pf-neighbours-card.ts';
import './pf-own-bid-card.ts';
import './pf-worker-controls.ts';

export class PfWorkerPage extends LitElement {
  static override properties = {
    model: { attribute: false },
  };

  /** The role object this page shows and drives (also `window.peerfarm`). */
  declare model: WorkerRole | undefined;

  private readonly roleController = new RoleController<WorkerRole>(this, { perFrame: true });
  /** Bumped on every update: the job list reads jobs mutated in place. */
  private revision = 0;

  static override styles = [baseStyles, pageStyles, css`
    .work {
      display: grid;
      grid-template-columns: minmax(280px, 1fr) minmax(0, 2fr);
      gap: var(--pf-gap);
      align-items: stretch;
    }

    @media (max-width: 860px) {
      .work {
        grid-template-columns: minmax(0, 1fr);
      }
    }
  `];

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('model')) this.roleController.observe(this.model);
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
          max-threads=${navigator.hardwareConcurrency || 1}
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
        <pf-own-bid-card
          .bid=${role.bid()}
          ?active=${active}
          recheck-ms=${role.options.get('wonks_time_between_checks')}
        ></pf-own-bid-card>
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

  private _onPause(): void {
    this.model?.pause();
  }

  private _onResume(): void {
    this.model?.resume();
  }

  private _onThreads(event: CustomEvent<{ threads: number }>): void {
    this.model?.setThreads(event.detail.threads);
  }

  private _onCpuLimit(event: CustomEvent<{ percent: number }>): void {
    this.model?.setCpuLimit(event.detail.percent);
  }
}

customElements.define('pf-worker-page', PfWorkerPage);

declare global {
  interface HTMLElementTagNameMap {
    'pf-worker-page': PfWorkerPage;
  }
}
