// A bid: what one worker offers for a job series. On the wire each bid is a Tcl dict
// (`id <peer id> slots 2 price 1 wonks 5321 jobs 0 valid 1 caps {wasm-simd}`), and a proffer carries
// a list of them. `caps` is optional (older tabs send none, and older readers skip the key).
import { formatList } from '../protocol/format.ts';
import { parseList, ParseError } from '../protocol/parse.ts';
import { CAPABILITIES, type Capability } from './capabilities.ts';

export interface Bid {
  readonly id: string;
  /** Job slots free now (worker threads). */
  readonly slots: number;
  /** Points per job. */
  readonly price: number;
  /** Benchmark time in µs: lower is faster. */
  readonly wonks: number;
  /** Record: jobs done, and the share of them whose result was accepted. */
  readonly jobs: number;
  readonly valid: number;
  /** What the tab offers job code beyond the baseline (capabilities.ts). */
  readonly caps: readonly Capability[];
}

const PEER_ID = /^[0-9a-f]{32}$/;

export function encodeBid(bid: Bid): string {
  return formatList(['id', bid.id, 'slots', String(bid.slots), 'price', String(bid.price),
    'wonks', String(bid.wonks), 'jobs', String(bid.jobs), 'valid', String(bid.valid),
    ...(bid.caps.length > 0 ? ['caps', formatList([...bid.caps])] : [])]);
}

/** Reads one bid; anything malformed is undefined, so one bad neighbour cannot spoil a proffer. */
export function decodeBid(text: string): Bid | undefined {
  let words: string[];
  try {
    words = parseList(text);
  } catch (error) {
    if (error instanceof ParseError) return undefined;
    throw error;
  }
  if (words.length % 2 !== 0) return undefined;
  const fields = new Map<string, string>();
  for (let i = 0; i < words.length; i += 2) fields.set(words[i]!, words[i + 1]!);
  const id = fields.get('id') ?? '';
  const numbers = ['slots', 'price', 'wonks', 'jobs', 'valid'].map((key) => Number(fields.get(key)));
  if (!PEER_ID.test(id) || numbers.some((value) => !Number.isFinite(value) || value < 0)) return undefined;
  const [slots, price, wonks, jobs, valid] = numbers as [number, number, number, number, number];
  return { id, slots, price, wonks, jobs, valid, caps: decodeCaps(fields.get('caps')) };
}

/** The capabilities a bid names that this code knows, each once; unknown names and junk are skipped. */
function decodeCaps(text: string | undefined): Capability[] {
  if (text === undefined) return [];
  try {
    const names = parseList(text).slice(0, 2 * CAPABILITIES.length);
    return CAPABILITIES.filter((cap) => names.includes(cap));
  } catch {
    return [];
  }
}

/** Merges bid lists by worker id; the first bid of a worker wins, as in the original. */
export function mergeBids(into: Map<string, Bid>, bids: Iterable<Bid>): void {
  for (const bid of bids) if (!into.has(bid.id)) into.set(bid.id, bid);
}

export function decodeBids(texts: readonly string[]): Bid[] {
  return texts.map(decodeBid).filter((bid): bid is Bid => bid !== undefined);
}
