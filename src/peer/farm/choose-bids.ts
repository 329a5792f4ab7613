// The default bid choice (DESIGN.md sections 4 and 5): cheapest per unit of speed — price times
// wonks, both lower-is-better — weighed by the worker's record, after the person's filters.
import type { Bid } from '../bids.ts';

export interface BidFilters {
  /** Points per job at most. */
  readonly maxPrice?: number;
  /** Share of accepted results at least, for workers that have a record. */
  readonly minValid?: number;
  /** Workers hired at most. */
  readonly maxWorkers?: number;
}

/** Workers hired for one series unless the person says otherwise. */
export const DEFAULT_MAX_WORKERS = 16;

/**
 * What an accepted result is expected to cost: price × wonks (both lower-is-better) divided by the
 * worker's recent valid share, so a worker whose results are often outvoted costs more per result.
 */
export function costPerResult(bid: Bid): number {
  return (Math.max(bid.price, 1e-9) * bid.wonks) / Math.max(bid.valid, 0.01);
}

/** Orders bids by value: cost per result ascending, then speed. */
export function byValue(a: Bid, b: Bid): number {
  return costPerResult(a) - costPerResult(b) || a.wonks - b.wonks || a.id.localeCompare(b.id);
}

export function chooseBids(bids: readonly Bid[], filters: BidFilters = {}): Bid[] {
  return bids
    .filter((bid) => filters.maxPrice === undefined || bid.price <= filters.maxPrice)
    .filter((bid) => filters.minValid === undefined || bid.jobs === 0 || bid.valid >= filters.minValid)
    .filter((bid) => bid.slots > 0)
    .sort(byValue)
    .slice(0, filters.maxWorkers ?? DEFAULT_MAX_WORKERS);
}
