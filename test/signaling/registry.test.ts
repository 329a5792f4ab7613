// The registry's index of listening workers: samples are uniform, never hold the asker or a
// duplicate, and joins, leaves, `listening` and replaced links keep the index equal to a plain
// filter over the registry (checked against that model with generated operation sequences).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeerRegistry, PeerRole, PeerState, type AuthorityLink, type PeerRecord } from '../../signaling/registry.ts';
import { prng } from '../helpers/prng.ts';

function record(id: string, role: PeerRole = PeerRole.worker, state: PeerState = PeerState.joined): PeerRecord {
  return { id, role, state, handler: {} as AuthorityLink, address: '192.0.2.1', joinedAt: 0, neighbours: [] };
}

function listeningWorkers(count: number): { registry: PeerRegistry; ids: string[] } {
  const registry = new PeerRegistry();
  const ids = Array.from({ length: count }, (_, i) => `w${i}`);
  for (const id of ids) {
    const peer = record(id);
    registry.add(peer);
    registry.listen(peer);
  }
  return { registry, ids };
}

/** The model: listening workers are those a filter over every registered peer finds. */
function modelListening(registry: PeerRegistry): string[] {
  return registry.list().filter((peer) => peer.role === PeerRole.worker && peer.state === PeerState.listening).map((peer) => peer.id).sort();
}

describe('PeerRegistry.sampleListening', () => {
  it('lists a worker only once it is listening, and never a client', () => {
    const registry = new PeerRegistry();
    const worker = record('w');
    const client = record('c', PeerRole.client);
    registry.add(worker);
    registry.add(client);
    expect(registry.sampleListening(10, undefined, Math.random)).toEqual([]);
    registry.listen(worker);
    registry.listen(client);
    expect(registry.sampleListening(10, undefined, Math.random)).toEqual(['w']);
    expect(registry.get('c')?.state).toBe(PeerState.listening);
    expect(registry.listeningCount).toBe(1);
  });

  it('returns min(max, others) distinct ids and never the asker', () => {
    const { registry, ids } = listeningWorkers(30);
    const random = prng(7);
    for (let trial = 0; trial < 200; trial++) {
      const asker = ids[trial % ids.length]!;
      const max = 1 + (trial % 40);
      const sample = registry.sampleListening(max, asker, random);
      expect(sample).toHaveLength(Math.min(max, 29));
      expect(new Set(sample).size).toBe(sample.length);
      expect(sample).not.toContain(asker);
      for (const id of sample) expect(ids).toContain(id);
    }
    expect(registry.sampleListening(5, 'not-listening', random)).toHaveLength(5);
    expect(new PeerRegistry().sampleListening(40, undefined, random)).toEqual([]);
  });

  it('picks every other worker equally often, in every place of the sample', () => {
    const { registry, ids } = listeningWorkers(21);
    const asker = ids[10]!;
    const random = prng(2024);
    const trials = 20_000;
    const picked = new Map<string, number>();
    const first = new Map<string, number>();
    for (let trial = 0; trial < trials; trial++) {
      const sample = registry.sampleListening(5, asker, random);
      for (const id of sample) picked.set(id, (picked.get(id) ?? 0) + 1);
      first.set(sample[0]!, (first.get(sample[0]!) ?? 0) + 1);
    }
    expect(picked.has(asker)).toBe(false);
    expect(picked.size).toBe(20);
    // Each of 20 is in a sample of 5 with p = 1/4: 5,000 expected, σ ≈ 61; first with p = 1/20: 1,000, σ ≈ 31.
    for (const count of picked.values()) expect(Math.abs(count - 5000)).toBeLessThan(250);
    for (const count of first.values()) expect(Math.abs(count - 1000)).toBeLessThan(130);
  });

  it('leaves the registry as it was: the same sample for the same random numbers', () => {
    const { registry } = listeningWorkers(50);
    expect(registry.sampleListening(10, 'w3', prng(1))).toEqual(registry.sampleListening(10, 'w3', prng(1)));
  });
});

describe('PeerRegistry index of listening workers', () => {
  it('drops a worker that leaves and keeps the one moved into its place', () => {
    const { registry } = listeningWorkers(3);
    expect(registry.remove('w0', registry.get('w0')!.handler)).toBe(true);
    expect(registry.sampleListening(10, undefined, Math.random).sort()).toEqual(['w1', 'w2']);
    expect(registry.remove('w2', registry.get('w2')!.handler)).toBe(true);
    expect(registry.sampleListening(10, undefined, Math.random)).toEqual(['w1']);
    expect(registry.listeningCount).toBe(1);
  });

  it('lists a rejoined peer only once it says listening on its new link, and ignores the old link', () => {
    const { registry } = listeningWorkers(2);
    const old = registry.get('w0')!;
    const fresh = record('w0');
    expect(registry.add(fresh)).toBe(old);
    expect(registry.sampleListening(10, undefined, Math.random)).toEqual(['w1']);
    registry.listen(old);
    expect(registry.sampleListening(10, undefined, Math.random)).toEqual(['w1']);
    expect(registry.remove('w0', old.handler)).toBe(false);
    registry.listen(fresh);
    registry.listen(fresh);
    expect(registry.sampleListening(10, undefined, Math.random).sort()).toEqual(['w0', 'w1']);
  });

  it('stays equal to a filter over the registry through any sequence of joins, listens, replacements and leaves', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const operation = fc.oneof(
      fc.record({ op: fc.constant('add' as const), id: fc.constantFrom(...ids), role: fc.constantFrom(PeerRole.worker, PeerRole.client),
        listening: fc.boolean() }),
      fc.record({ op: fc.constantFrom('listen' as const, 'remove' as const, 'removeStale' as const), id: fc.constantFrom(...ids) }),
    );
    fc.assert(fc.property(fc.array(operation, { maxLength: 60 }), fc.integer(), (operations, seed) => {
      const registry = new PeerRegistry();
      const replaced = new Map<string, PeerRecord>();
      const random = prng(seed);
      for (const step of operations) {
        const current = registry.get(step.id);
        if (step.op === 'add') {
          const previous = registry.add(record(step.id, step.role, step.listening ? PeerState.listening : PeerState.joined));
          if (previous) replaced.set(step.id, previous);
        } else if (step.op === 'listen' && current) registry.listen(current);
        else if (step.op === 'remove' && current) registry.remove(step.id, current.handler);
        else if (step.op === 'removeStale' && replaced.has(step.id)) {
          registry.remove(step.id, replaced.get(step.id)!.handler);
          registry.listen(replaced.get(step.id)!);
        }
        const expected = modelListening(registry);
        expect(registry.listeningCount).toBe(expected.length);
        expect(registry.sampleListening(100, undefined, random).sort()).toEqual(expected);
        for (const asker of ids) {
          expect(registry.sampleListening(100, asker, random).sort()).toEqual(expected.filter((id) => id !== asker));
        }
      }
    }), { numRuns: 300 });
  });
});
