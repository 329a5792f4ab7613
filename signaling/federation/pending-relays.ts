// Relays sent to other authorities and waiting for their answer. A relay may go to several
// authorities at once (none listed the target, so each is asked): the first `relayed` settles
// it; it fails once every one has said `undelivered`, or when the time is up. It never hangs.
import { CommandError, ErrorCode } from '../../src/protocol/errors.ts';

/** An authority on a working link answers in milliseconds; past this it is treated as not holding the peer. */
export const RELAY_TIMEOUT_MS = 3000;
/** Relays in flight at once: a flood of signals to unknown ids must not grow the table without bound. */
export const MAX_PENDING_RELAYS = 4096;

interface Pending {
  readonly to: string;
  waiting: number;
  readonly resolve: () => void;
  readonly reject: (error: CommandError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class PendingRelays {
  private readonly pending = new Map<string, Pending>();
  private next = 0;

  constructor(private readonly timeoutMs = RELAY_TIMEOUT_MS) {}

  /** A token and the promise of its outcome, once `send` has handed it to `count` authorities. */
  start(to: string, count: number, send: (token: string) => void): Promise<void> {
    if (this.pending.size >= MAX_PENDING_RELAYS) {
      return Promise.reject(new CommandError(ErrorCode.BUSY, `${MAX_PENDING_RELAYS} relays are in flight; try again`));
    }
    const token = `r${(this.next++).toString(36)}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(token, gone(to, `no authority answered within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref?.();
      this.pending.set(token, { to, waiting: count, resolve, reject, timer });
      send(token);
    });
  }

  delivered(token: string): void {
    this.settle(token, undefined);
  }

  /** One authority did not deliver; the relay fails when none is left to answer. */
  undelivered(token: string): void {
    const entry = this.pending.get(token);
    if (entry && --entry.waiting <= 0) this.settle(token, gone(entry.to, 'no authority of the federation holds it'));
  }

  /** Everything in flight fails at once (the federation is closing). */
  clear(): void {
    for (const token of [...this.pending.keys()]) this.settle(token, new CommandError(ErrorCode.PEER_GONE, 'authority closing'));
  }

  private settle(token: string, error: CommandError | undefined): void {
    const entry = this.pending.get(token);
    if (!entry) return; // late or unknown answers are ignored
    this.pending.delete(token);
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve();
  }
}

function gone(to: string, why: string): CommandError {
  return new CommandError(ErrorCode.PEER_GONE, `peer "${to}" is not connected to this authority, and ${why}`);
}
