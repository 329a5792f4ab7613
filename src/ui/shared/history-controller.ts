// A role's latest ledger entries (WorkerRole.history, ClientRole.history), read again whenever
// the balance the role polls has changed: the role polls the balance, not the history. An answer
// from an older read is dropped (STYLE.md lesson 9), so a slow reply never overwrites a newer one.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { HistoryEntry } from '../../peer/points-client.ts';

export interface HistorySource {
  history(limit?: number): Promise<HistoryEntry[]>;
}

export class HistoryController implements ReactiveController {
  /** Newest first; undefined until the first read answers. */
  entries: readonly HistoryEntry[] | undefined;
  error: string | undefined;
  private callId = 0;
  private readFor: string | undefined;

  constructor(private readonly host: ReactiveControllerHost, readonly limit: number) {
    host.addController(this);
  }

  /**
   * Reads the history of `source` whenever `key` (e.g. the balance as text) changes; waits while
   * `key` is undefined, and forgets the history while `source` is undefined (not joined).
   */
  follow(source: HistorySource | undefined, key: string | undefined): void {
    if (!source) {
      if (this.readFor !== undefined) this.forget();
      return;
    }
    if (key === undefined || key === this.readFor) return;
    this.readFor = key;
    this.read(source);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.forget();
  }

  private read(source: HistorySource): void {
    const callId = ++this.callId;
    source.history(this.limit).then((entries) => {
      if (callId !== this.callId) return;
      this.entries = entries;
      this.error = undefined;
      this.host.requestUpdate();
    }, (error: unknown) => {
      if (callId !== this.callId) return;
      this.error = error instanceof Error ? error.message : String(error);
      this.host.requestUpdate();
    });
  }

  private forget(): void {
    this.callId += 1;
    this.readFor = undefined;
    this.entries = undefined;
    this.error = undefined;
  }
}
