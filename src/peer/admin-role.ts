// The admin page's view of its authority: /api/health, /api/peers, /api/ledger and the events for
// the replay (/api/events), polled while the page is open.
// `window.peerfarm` on the admin page.
import type { NetEvent } from '../protocol/events.ts';

/** Often enough to watch tabs come and go, rare enough to cost the authority nothing. */
export const ADMIN_POLL_MS = 2000;

export interface PeerView {
  readonly id: string;
  readonly role: 'worker' | 'client';
  readonly state: string;
  readonly address: string;
  readonly protocol: string | null;
  readonly joinedAt: number;
  readonly lastSeenAt: number;
  readonly neighbours?: string[];
  readonly balance: number;
  /** Workers: accepted jobs, and jobs awarded to it and not yet settled. */
  readonly jobs?: number;
  readonly inFlight?: number;
}

export interface HealthView {
  readonly ok: boolean;
  readonly uptimeS: number;
  readonly connections: number;
  readonly peers: { readonly workers: number; readonly clients: number };
  readonly protocols: readonly string[];
  /** The other authorities this one links to; absent from an authority older than the federation. */
  readonly federation?: FederationView;
}

/** An authority's view of its federation (/api/health; signaling/federation). */
export interface FederationView {
  /** This authority: its id (hash of its key) and the URL peers and other authorities reach it at. */
  readonly id: string;
  readonly url: string;
  readonly authorities: readonly {
    /** null until its key is proved on a link. */
    readonly id: string | null;
    readonly url: string;
    readonly state: 'linked' | 'connecting' | 'dead';
    /** Peers it holds (its heartbeat says), and how many of its workers it lists to us. */
    readonly peers: number;
    readonly listed: number;
    readonly lastHeardAt: number | null;
  }[];
}

export interface LedgerView {
  readonly totals: { readonly minted: number; readonly balances: number; readonly held: number };
  readonly leaderboard: readonly {
    readonly worker: string; readonly jobs: number; readonly rejected: number; readonly valid: number | null;
    readonly recent: number | null; readonly recentWeight: number; readonly balance: number;
  }[];
  /** Jobs in flight: open holds, soonest expiry first (200 at most), and how many there are. */
  readonly inFlight: readonly {
    readonly id: string; readonly client: string; readonly worker: string; readonly amount: number; readonly expiresAtMs: number;
  }[];
  readonly inFlightTotal: number;
}

/** Emits `change` after every poll, successful or not. */
export class AdminRole extends EventTarget {
  health: HealthView | undefined;
  peers: readonly PeerView[] = [];
  ledger: LedgerView | undefined;
  /** Every event loaded from /api/events so far, oldest first (the replay's timeline). */
  events: NetEvent[] = [];
  /** Events dropped by the authority's store, as it last reported. */
  droppedEvents = 0;
  error: string | undefined;
  updatedAt: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly baseUrl: string, private readonly fetchJson = defaultFetchJson) {
    super();
  }

  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), ADMIN_POLL_MS);
  }

  /**
   * Loads the events recorded since the last one loaded. Tabs ship theirs in batches every 2 s, so
   * events keep arriving with times before the newest loaded: the first page of each poll reads
   * EVENT_LATENESS_MS further back, and what was loaded already is skipped.
   */
  async loadEvents(): Promise<void> {
    for (let page = 0; page < EVENT_PAGES_PER_POLL; page++) {
      const last = this.events.at(-1);
      const since = last ? Math.max(0, last.t - (page === 0 ? EVENT_LATENESS_MS : 0)) : 0;
      const body = await this.fetchJson(`${this.baseUrl}/api/events?since=${since}&limit=${EVENT_PAGE}`) as {
        events: NetEvent[]; dropped: number;
      };
      this.droppedEvents = body.dropped;
      const from = firstAtOrAfter(this.events, since);
      const seen = new Set(this.events.slice(from).map((event) => JSON.stringify(event)));
      const fresh = body.events.filter((event) => !seen.has(JSON.stringify(event)));
      if (fresh.length > 0) this.events = [...this.events.slice(0, from), ...mergeByTime(this.events.slice(from), fresh)];
      if (this.events.length > MAX_LOADED_EVENTS) this.events = this.events.slice(-MAX_LOADED_EVENTS);
      if (body.events.length < EVENT_PAGE) return;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async poll(): Promise<void> {
    try {
      const [health, peers, ledger] = await Promise.all([
        this.fetchJson(`${this.baseUrl}/api/health`) as Promise<HealthView>,
        this.fetchJson(`${this.baseUrl}/api/peers`) as Promise<{ peers: PeerView[] }>,
        this.fetchJson(`${this.baseUrl}/api/ledger`) as Promise<LedgerView>,
      ]);
      this.health = health;
      this.peers = peers.peers;
      this.ledger = ledger;
      await this.loadEvents();
      this.error = undefined;
      this.updatedAt = Date.now();
    } catch (error) {
      this.error = `authority unreachable: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.dispatchEvent(new Event('change'));
  }
}

/** How late a tab's events may reach the authority: its batches go every 2 s (LOG_FLUSH_MS), plus slack. */
const EVENT_LATENESS_MS = 10_000;
/** Pages of /api/events read per poll at most: a long backlog loads over a few polls. */
const EVENT_PAGES_PER_POLL = 10;
const EVENT_PAGE = 20_000;
/** The page keeps this many events; the replay of older ones needs the NDJSON download. */
export const MAX_LOADED_EVENTS = 200_000;

async function defaultFetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function firstAtOrAfter(events: readonly NetEvent[], t: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (events[middle]!.t < t) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Two lists sorted by time, as one. */
function mergeByTime(a: readonly NetEvent[], b: readonly NetEvent[]): NetEvent[] {
  const merged: NetEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) merged.push(j >= b.length || (i < a.length && a[i]!.t <= b[j]!.t) ? a[i++]! : b[j++]!);
  return merged;
}
