// The default bid choice (DESIGN.md section 4): cheapest per unit of speed — price times wonks,
// both lower-is-better — after the person's filters on price and record.
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

/** Orders bids by value: price × wonks ascending; a free worker is ordered by speed. */
export function byValue(a: Bid, b: Bid): number {
  return Math.max(a.price, 1e-9) * a.wonks - Math.max(b.price, 1e-9) * b.wonks || a.wonks - b.wonks || a.id.localeCompare(b.id);
}

export function chooseBids(bids: readonly Bid[], filters: BidFilters = {}): Bid[] {
  return bids
    .filter((bid) => filters.maxPrice === undefined || bid.price <= filters.maxPrice)
    .filter((bid) => filters.minValid === undefined || bid.jobs === 0 || bid.valid >= filters.minValid)
    .filter((bid) => bid.slots > 0)
    .sort(byValue)
    .slice(0, filters.maxWorkers ?? DEFAULT_MAX_WORKERS);
}
