// A tab's event log: events are recorded as they happen and shipped to the authority in batches
// (`log`), so the admin page can replay the whole network. Bounded: the oldest unsent go first.
import { fromLogEvent, type NetEvent } from '../protocol/events.ts';
import type { LogEvent } from '../protocol/handler.ts';

/** How often a batch is shipped. */
export const LOG_FLUSH_MS = 2000;
/** Events one `log` command carries at most (the protocol's limit). */
export const LOG_BATCH_EVENTS = 500;
/** Unsent events kept while the authority is out of reach; past this the oldest are dropped. */
export const LOG_PENDING_MAX = 5000;

export class EventLog {
  private pending: Omit<NetEvent, 'node'>[] = [];
  dropped = 0;

  /** `send` ships one batch of JSON events (a `log` command); it throws when the link is down. */
  constructor(private readonly send: (events: string[]) => void) {}

  /** A Handler's log sink; shipping the log is not itself logged, or every batch would beget one. */
  readonly sink = (event: LogEvent): void => {
    if (!event.text.startsWith('log ')) this.record(fromLogEvent('', event));
  };

  record(event: Omit<NetEvent, 'node'> & { node?: string }): void {
    const { node: _node, ...rest } = event;
    this.pending.push(rest);
    if (this.pending.length > LOG_PENDING_MAX) {
      this.dropped += this.pending.length - LOG_PENDING_MAX;
      this.pending = this.pending.slice(-LOG_PENDING_MAX);
    }
  }

  /** Ships what is pending; events stay pending when the link is down. */
  flush(): void {
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, LOG_BATCH_EVENTS);
      try {
        this.send(batch.map((event) => JSON.stringify(event)));
      } catch {
        return;
      }
      this.pending = this.pending.slice(batch.length);
    }
  }
}
