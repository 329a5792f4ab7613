// What a worker tab can offer job code beyond the baseline sandbox, probed once and advertised in
// its bids (`caps {...}`), and what a series may require of the workers it hires (issue 12). A
// worker that lacks a requirement is left out by the client, which says why.
import type { Bid } from './bids.ts';

export const CAPABILITIES = ['webgpu', 'wasm-simd', 'sharedArrayBuffer'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export function isCapability(name: string): name is Capability {
  return (CAPABILITIES as readonly string[]).includes(name);
}

/** What a series asks of a worker: every capability listed, at least `minSlots`, at most `maxWonks`. */
export interface Requirements {
  readonly caps?: readonly Capability[];
  readonly minSlots?: number;
  readonly maxWonks?: number;
}

/** The smallest SIMD module (an i8x16 splat, a popcnt): valid only where wasm SIMD is (wasm-feature-detect's test). */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/**
 * This tab's capabilities. WebGPU counts only with an adapter (a headless or GPU-less browser has
 * `navigator.gpu` and no adapter); SharedArrayBuffer only when the page is cross-origin isolated,
 * which the sandbox frame is not today, so no worker offers it yet.
 */
export async function probeCapabilities(scope: typeof globalThis = globalThis): Promise<Capability[]> {
  const caps: Capability[] = [];
  const gpu = (scope.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
  try {
    if (gpu && (await gpu.requestAdapter()) !== null) caps.push('webgpu');
  } catch {
    // No adapter: no WebGPU.
  }
  try {
    if (WebAssembly.validate(SIMD_PROBE)) caps.push('wasm-simd');
  } catch {
    // No WebAssembly at all.
  }
  if (typeof scope.SharedArrayBuffer === 'function' && scope.crossOriginIsolated === true) caps.push('sharedArrayBuffer');
  return caps;
}

/** Why `bid` does not meet `requires`, or undefined when it does. */
export function unmet(bid: Bid, requires: Requirements | undefined): string | undefined {
  if (!requires) return undefined;
  const missing = (requires.caps ?? []).filter((cap) => !bid.caps.includes(cap));
  if (missing.length > 0) return `no ${missing.join(', no ')}`;
  if (requires.minSlots !== undefined && bid.slots < requires.minSlots) return `${bid.slots} slots, needs ${requires.minSlots}`;
  if (requires.maxWonks !== undefined && bid.wonks > requires.maxWonks) return `${bid.wonks} wonks, needs at most ${requires.maxWonks}`;
  return undefined;
}

/** The requirements of a submit request, checked: a TypeError says what is wrong. */
export function checkRequirements(requires: unknown): Requirements | undefined {
  if (requires === undefined) return undefined;
  const fail = (message: string): never => {
    throw new TypeError(`submit: requires.${message}`);
  };
  if (typeof requires !== 'object' || requires === null || Array.isArray(requires)) throw new TypeError('submit: requires must be an object {caps, minSlots, maxWonks}');
  const { caps, minSlots, maxWonks, ...rest } = requires as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) fail(`${extra} is not a requirement: they are caps, minSlots and maxWonks`);
  if (caps !== undefined && (!Array.isArray(caps) || caps.some((cap) => typeof cap !== 'string' || !isCapability(cap)))) {
    fail(`caps must be a list of ${CAPABILITIES.join(', ')}, got ${JSON.stringify(caps)}`);
  }
  if (minSlots !== undefined && (!Number.isInteger(minSlots) || (minSlots as number) < 1)) fail(`minSlots must be a whole number, 1 or more, got ${JSON.stringify(minSlots)}`);
  if (maxWonks !== undefined && !(typeof maxWonks === 'number' && maxWonks > 0)) fail(`maxWonks must be a positive number, got ${JSON.stringify(maxWonks)}`);
  return {
    ...(caps !== undefined && { caps: caps as Capability[] }),
    ...(minSlots !== undefined && { minSlots: minSlots as number }),
    ...(maxWonks !== undefined && { maxWonks: maxWonks as number }),
  };
}
