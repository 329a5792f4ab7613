// The admin page's view of its authority: /api/health, /api/peers and /api/ledger, polled while the page is open.
// `window.peerfarm` on the admin page.

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
}

export interface HealthView {
  readonly ok: boolean;
  readonly uptimeS: number;
  readonly connections: number;
  readonly peers: { readonly workers: number; readonly clients: number };
  readonly protocols: readonly string[];
}

export interface LedgerView {
  readonly totals: { readonly minted: number; readonly balances: number; readonly held: number };
  readonly leaderboard: readonly {
    readonly worker: string; readonly jobs: number; readonly rejected: number; readonly valid: number | null;
    readonly recent: number | null; readonly recentWeight: number; readonly balance: number;
  }[];
}

/** Emits `change` after every poll, successful or not. */
export class AdminRole extends EventTarget {
  health: HealthView | undefined;
  peers: readonly PeerView[] = [];
  ledger: LedgerView | undefined;
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
      this.error = undefined;
      this.updatedAt = Date.now();
    } catch (error) {
      this.error = `authority unreachable: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.dispatchEvent(new Event('change'));
  }
}

async function defaultFetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}
