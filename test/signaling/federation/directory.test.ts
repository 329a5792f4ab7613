import { describe, expect, it } from 'vitest';
import { localShare, RemoteDirectory } from '../../../signaling/federation/directory.ts';
import { prng } from '../../helpers/prng.ts';

describe('RemoteDirectory', () => {
  it('replaces an authority\'s listing whole and knows who holds each id', () => {
    const directory = new RemoteDirectory(1000, () => 0);
    directory.replace('b', ['w1', 'w2']);
    directory.replace('c', ['w3']);
    directory.replace('b', ['w4']);
    expect(directory.size).toBe(2);
    expect([directory.holder('w1'), directory.holder('w3'), directory.holder('w4')]).toEqual([undefined, 'c', 'b']);
    expect(directory.sample(10, Math.random).sort()).toEqual(['w3', 'w4']);
  });

  it('drops a dead authority\'s listing at once, and a stale one once past its TTL', () => {
    let nowMs = 0;
    const directory = new RemoteDirectory(1000, () => nowMs);
    directory.replace('b', ['w1']);
    directory.replace('c', ['w2']);
    directory.drop('b');
    expect(directory.holder('w1')).toBeUndefined();
    nowMs = 1001;
    directory.expire();
    expect(directory.size).toBe(0);
  });
});

describe('localShare', () => {
  it('draws local and remote ids in proportion to their numbers', () => {
    const random = prng(7);
    let local = 0;
    for (let i = 0; i < 2000; i++) local += localShare(10, 90, 10, random);
    expect(local / 2000).toBeGreaterThan(0.8);
    expect(local / 2000).toBeLessThan(1.2);
  });

  it('takes everything when the union is smaller than the sample', () => {
    expect(localShare(3, 4, 40, Math.random)).toBe(3);
    expect(localShare(0, 4, 40, Math.random)).toBe(0);
  });
});
