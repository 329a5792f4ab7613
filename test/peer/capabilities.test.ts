import { describe, expect, it } from 'vitest';
import type { Bid } from '../../src/peer/bids.ts';
import { checkRequirements, probeCapabilities, unmet } from '../../src/peer/capabilities.ts';

const bid: Bid = { id: 'a'.repeat(32), slots: 2, price: 1, wonks: 5000, jobs: 0, valid: 1, caps: ['wasm-simd'] };

describe('capabilities and requirements', () => {
  it('says what a bid lacks, capabilities first', () => {
    expect(unmet(bid, undefined)).toBeUndefined();
    expect(unmet(bid, { caps: ['wasm-simd'], minSlots: 2, maxWonks: 5000 })).toBeUndefined();
    expect(unmet(bid, { caps: ['webgpu', 'wasm-simd', 'sharedArrayBuffer'] })).toBe('no webgpu, no sharedArrayBuffer');
    expect(unmet(bid, { minSlots: 4 })).toBe('2 slots, needs 4');
    expect(unmet(bid, { maxWonks: 1000 })).toBe('5000 wonks, needs at most 1000');
  });

  it('refuses requirements it does not know, saying what they may be', () => {
    const refusal = (requires: unknown) => {
      try {
        checkRequirements(requires);
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(checkRequirements(undefined)).toBeUndefined();
    expect(checkRequirements({ caps: ['webgpu'], minSlots: 2 })).toEqual({ caps: ['webgpu'], minSlots: 2 });
    expect(refusal(['webgpu'])).toBe('submit: requires must be an object {caps, minSlots, maxWonks}');
    expect(refusal({ caps: ['quantum'] })).toBe('submit: requires.caps must be a list of webgpu, wasm-simd, sharedArrayBuffer, got ["quantum"]');
    expect(refusal({ gpu: true })).toBe('submit: requires.gpu is not a requirement: they are caps, minSlots and maxWonks');
    expect(refusal({ minSlots: 0 })).toBe('submit: requires.minSlots must be a whole number, 1 or more, got 0');
    expect(refusal({ maxWonks: -1 })).toBe('submit: requires.maxWonks must be a positive number, got -1');
  });

  it('probes WebGPU by its adapter and SharedArrayBuffer by cross-origin isolation', async () => {
    const scope = (gpu: unknown, isolated: boolean) => ({ navigator: { gpu }, SharedArrayBuffer, crossOriginIsolated: isolated }) as unknown as typeof globalThis;
    expect(await probeCapabilities(scope({ requestAdapter: async () => null }, false))).toEqual(['wasm-simd']);
    expect(await probeCapabilities(scope({ requestAdapter: async () => ({}) }, true))).toEqual(['webgpu', 'wasm-simd', 'sharedArrayBuffer']);
    expect(await probeCapabilities(scope({ requestAdapter: async () => { throw new Error('no'); } }, false))).toEqual(['wasm-simd']);
  });
});
