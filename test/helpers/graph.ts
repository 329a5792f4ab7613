// Overlay graphs as /api/peers reports them.

export interface ApiPeer {
  readonly id: string;
  readonly role: string;
  readonly neighbours: string[];
}

/** True when every peer reaches every other over neighbour links, taken as undirected. */
export function isConnected(peers: readonly ApiPeer[]): boolean {
  if (peers.length === 0) return true;
  const ids = new Set(peers.map((peer) => peer.id));
  const edges = new Map<string, Set<string>>([...ids].map((id) => [id, new Set<string>()]));
  for (const peer of peers) {
    for (const other of peer.neighbours) {
      if (!ids.has(other)) continue;
      edges.get(peer.id)!.add(other);
      edges.get(other)!.add(peer.id);
    }
  }
  const seen = new Set<string>([peers[0]!.id]);
  const queue = [peers[0]!.id];
  while (queue.length > 0) {
    for (const next of edges.get(queue.shift()!)!) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen.size === ids.size;
}

/** The overlay's links as "a b" (a < b), each once, over neighbour lists taken as undirected. */
export function undirectedEdges(peers: readonly ApiPeer[]): string[] {
  const edges = new Set<string>();
  for (const peer of peers) {
    for (const other of peer.neighbours) if (other !== peer.id) edges.add(peer.id < other ? `${peer.id} ${other}` : `${other} ${peer.id}`);
  }
  return [...edges].sort();
}
