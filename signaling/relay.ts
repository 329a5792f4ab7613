// The signaling relay: WebRTC offers, answers and candidates pass between two joined peers.
// The authority reads nothing in them; it only checks that the target is here.
import { CommandError, ErrorCode } from '../src/protocol/errors.ts';
import type { PeerRegistry } from './registry.ts';

/** Per registry (one per authority), what to tell how long each forward took (the metrics). */
const relayObservers = new WeakMap<PeerRegistry, (seconds: number) => void>();

export function observeRelays(registry: PeerRegistry, observe: (seconds: number) => void): void {
  relayObservers.set(registry, observe);
}

export function relaySignal(registry: PeerRegistry, from: string, to: string, payload: Record<string, string>): void {
  const startedMs = performance.now();
  if (to === from) throw new CommandError(ErrorCode.BAD_VALUE, 'cannot signal yourself');
  const target = registry.get(to);
  if (!target || target.handler.state !== 'declared') {
    throw new CommandError(ErrorCode.PEER_GONE, `peer "${to}" is not connected to this authority`);
  }
  target.handler.send('signal', { from, payload });
  relayObservers.get(registry)?.((performance.now() - startedMs) / 1000);
}
