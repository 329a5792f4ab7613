// In-memory link pairs for protocol unit tests: asynchronous delivery, like a real transport.
import { LinkState } from '../protocol/link.ts';
import { QueuedLink } from './queued-link.ts';

class MemoryLink extends QueuedLink {
  other: MemoryLink | undefined;

  send(frame: string): void {
    if (this.state !== LinkState.open) return; // the other side may close at any time: not a caller error
    const other = this.other!;
    queueMicrotask(() => other.deliver(frame));
  }

  close(reason = 'closed'): void {
    if (this.state !== LinkState.open) return;
    this.state = LinkState.closing;
    const other = this.other!;
    queueMicrotask(() => {
      this.closed(reason);
      other.closed(reason);
    });
  }
}

/** Two connected links; what one sends, the other receives. */
export function memoryPair(remoteA = 'memory-a', remoteB = 'memory-b'): [MemoryLink, MemoryLink] {
  const a = new MemoryLink(remoteB);
  const b = new MemoryLink(remoteA);
  a.other = b;
  b.other = a;
  return [a, b];
}
