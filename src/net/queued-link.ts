// Shared bookkeeping of every link adapter: state, and frames queued until a Handler listens
// (a frame that arrives before `onframe` is set must not be lost).
import { LinkState, type Link } from '../protocol/link.ts';

export abstract class QueuedLink implements Link {
  state: LinkState = LinkState.open;
  onclose: ((reason: string) => void) | undefined;
  private listener: ((frame: string) => void) | undefined;
  private pending: string[] = [];
  private resolveClosed!: (reason: string) => void;
  /** Resolves with the reason once closed, whoever holds `onclose`. */
  readonly whenClosed = new Promise<string>((resolve) => (this.resolveClosed = resolve));

  constructor(readonly remote: string) {}

  abstract send(frame: string): void;
  abstract close(reason?: string): void;

  get onframe(): ((frame: string) => void) | undefined {
    return this.listener;
  }

  set onframe(listener: ((frame: string) => void) | undefined) {
    this.listener = listener;
    if (!listener) return;
    const queued = this.pending;
    this.pending = [];
    for (const frame of queued) listener(frame);
  }

  protected deliver(frame: string): void {
    if (this.state === LinkState.closed) return;
    if (this.listener) this.listener(frame);
    else this.pending.push(frame);
  }

  protected closed(reason: string): void {
    if (this.state === LinkState.closed) return;
    this.state = LinkState.closed;
    this.pending = [];
    this.resolveClosed(reason);
    this.onclose?.(reason);
  }
}
