import { describe, expect, it } from 'vitest';
import type { Bid } from '../../../src/peer/bids.ts';
import { chooseBids } from '../../../src/peer/farm/choose-bids.ts';

const bid = (id: string, price: number, wonks: number, extra: Partial<Bid> = {}): Bid =>
  ({ id, slots: 2, price, wonks, jobs: 0, valid: 1, caps: [], ...extra });

describe('chooseBids', () => {
  it('orders by price per unit of speed, cheapest first', () => {
    const bids = [bid('slow-cheap', 1, 900), bid('fast-dear', 3, 100), bid('fast-cheap', 1, 100)];
    expect(chooseBids(bids).map((b) => b.id)).toEqual(['fast-cheap', 'fast-dear', 'slow-cheap']);
  });

  it('weighs a worker whose results are often outvoted as dearer', () => {
    const bids = [bid('fast-but-lying', 1, 100, { jobs: 40, valid: 0.25 }), bid('honest', 1, 200, { jobs: 40, valid: 1 })];
    expect(chooseBids(bids).map((b) => b.id)).toEqual(['honest', 'fast-but-lying']);
  });

  it('leaves out bids above the price limit and workers with a poor record', () => {
    const bids = [bid('dear', 5, 10), bid('liar', 1, 10, { jobs: 50, valid: 0.5 }), bid('new', 1, 10), bid('good', 1, 20, { jobs: 9, valid: 1 })];
    expect(chooseBids(bids, { maxPrice: 2, minValid: 0.9 }).map((b) => b.id)).toEqual(['new', 'good']);
  });

  it('hires at most maxWorkers and never a worker with no free slot', () => {
    const bids = [bid('a', 1, 1), bid('b', 1, 2), bid('full', 1, 1, { slots: 0 }), bid('c', 1, 3)];
    expect(chooseBids(bids, { maxWorkers: 2 }).map((b) => b.id)).toEqual(['a', 'b']);
  });
});
