// Shared bookkeeping of every link adapter: state, and frames queued until a Handler listens
// (a frame that arrives before `onframe` is set must not be lost).
import { LinkState, type Link } from '../protocol/link.ts';

export abstract class QueuedLink implements Link {
  state: LinkState = LinkState.open;
  onclose: ((reason: string) => void) | undefined;
  onbinary: ((bytes: number) => void) | undefined;
  private listener: ((frame: string) => void) | undefined;
  /** Frames before a listener; a number stands for a binary message of that many bytes. */
  private pending: (string | number)[] = [];
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
    for (const frame of queued) {
      if (typeof frame === 'string') listener(frame);
      else this.onbinary?.(frame);
    }
  }

  protected deliver(frame: string): void {
    if (this.state === LinkState.closed) return;
    if (this.listener) this.listener(frame);
    else this.pending.push(frame);
  }

  protected deliverBinary(bytes: number): void {
    if (this.state === LinkState.closed) return;
    if (this.listener) this.onbinary?.(bytes);
    else this.pending.push(bytes);
  }

  protected closed(reason: string): void {
    if (this.state === LinkState.closed) return;
    this.state = LinkState.closed;
    this.pending = [];
    this.resolveClosed(reason);
    this.onclose?.(reason);
  }
}
