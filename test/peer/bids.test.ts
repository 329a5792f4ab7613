import { describe, expect, it } from 'vitest';
import { decodeBid, decodeBids, encodeBid, mergeBids, type Bid } from '../../src/peer/bids.ts';

const bid: Bid = { id: 'a'.repeat(32), slots: 2, price: 1, wonks: 5321, jobs: 7, valid: 0.75, caps: [] };

describe('bids', () => {
  it('travel as a Tcl dict and come back equal', () => {
    expect(encodeBid(bid)).toBe(`id ${'a'.repeat(32)} slots 2 price 1 wonks 5321 jobs 7 valid 0.75`);
    expect(decodeBid(encodeBid(bid))).toEqual(bid);
  });

  it('carry capabilities when there are some; unknown names and junk in them are skipped', () => {
    const capable: Bid = { ...bid, caps: ['webgpu', 'wasm-simd'] };
    expect(encodeBid(capable)).toBe(`id ${'a'.repeat(32)} slots 2 price 1 wonks 5321 jobs 7 valid 0.75 caps {webgpu wasm-simd}`);
    expect(decodeBid(encodeBid(capable))).toEqual(capable);
    expect(decodeBid(`${encodeBid(bid)} caps {quantum wasm-simd wasm-simd}`)?.caps).toEqual(['wasm-simd']);
    expect(decodeBid(`${encodeBid(bid)} caps {unbalanced`)).toBeUndefined();
    expect(decodeBid(`${encodeBid(bid)} caps "a{b"`)?.caps).toEqual([]);
  });

  it.each([
    ['a malformed list', '{id'],
    ['an odd dict', 'id'],
    ['a bad id', 'id xyz slots 1 price 1 wonks 1 jobs 0 valid 1'],
    ['a negative price', `id ${'b'.repeat(32)} slots 1 price -1 wonks 1 jobs 0 valid 1`],
    ['a missing field', `id ${'b'.repeat(32)} slots 1 price 1 wonks 1 jobs 0`],
  ])('drops %s', (_, text) => {
    expect(decodeBid(text)).toBeUndefined();
  });

  it('keep the first bid of a worker when merging', () => {
    const merged = new Map<string, Bid>();
    mergeBids(merged, [bid]);
    mergeBids(merged, decodeBids([encodeBid({ ...bid, price: 9 }), encodeBid({ ...bid, id: 'c'.repeat(32) })]));
    expect([...merged.values()].map((b) => [b.id[0], b.price])).toEqual([['a', 1], ['c', 1]]);
  });
});
