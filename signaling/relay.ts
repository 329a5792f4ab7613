// The signaling relay: WebRTC offers, answers and candidates pass between two joined peers.
// The authority reads nothing in them; it only checks that the target is here.
import { CommandError, ErrorCode } from '../src/protocol/errors.ts';
import type { PeerRegistry } from './registry.ts';

export function relaySignal(registry: PeerRegistry, from: string, to: string, payload: Record<string, string>): void {
  if (to === from) throw new CommandError(ErrorCode.BAD_VALUE, 'cannot signal yourself');
  const target = registry.get(to);
  if (!target || target.handler.state !== 'declared') {
    throw new CommandError(ErrorCode.PEER_GONE, `peer "${to}" is not connected to this authority`);
  }
  target.handler.send('signal', { from, payload });
}
