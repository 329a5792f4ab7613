// Options with registered defaults, as the original's options.tcl: only registered names can be
// read or set, and the authority's `options k v ...` overrides only what this peer registered.

export const DEFAULT_OPTIONS = {
  /** ws:// URLs of authorities, tried in random order; empty means the page's own origin. */
  authority_hosts: '',
  /** ms between refreshing the peer list from the authority. */
  time_between_authority_checks: 60_000,
  /** ms between periodic overlay rebuilds. */
  time_between_network_rebuilds: 600_000,
  /** outbound overlay links kept. */
  max_peer_connections: 4,
  /** hops a solicit may travel. */
  peer_time_to_live: 4,
  /** ms between heartbeats to the authority. */
  heartbeat_interval_ms: 10_000,
  /** 1: drop every ICE candidate that is not 127.0.0.1 or ::1 (tests, single-machine runs). */
  ice_loopback_only: 0,
  /**
   * space-separated stun:/turn:/turns: URLs; empty: host candidates only. A turn(s): URL takes
   * turn_username/turn_credential unless it carries its own (turn:user:pass@host, static ones).
   */
  ice_servers: '',
  /** TURN REST username the authority minted for this link: `<unix expiry seconds>:<token>`. */
  turn_username: '',
  /** base64(HMAC-SHA1(TURN secret, turn_username)), minted with turn_username. */
  turn_credential: '',
  /** ms between wonks benchmark samples. */
  wonks_time_between_checks: 60_000,
  /** points asked per job in this worker's bids. */
  price_per_job: 1,
  /** URL of the job sandbox's document (the authority's --sandbox-origin); empty: /sandbox.html here. */
  sandbox_url: '',
} satisfies Record<string, string | number>;

export type OptionName = keyof typeof DEFAULT_OPTIONS;
export type OptionValues = { -readonly [K in OptionName]: (typeof DEFAULT_OPTIONS)[K] };

export class Options {
  private readonly values: OptionValues = { ...DEFAULT_OPTIONS };

  get<K extends OptionName>(name: K): OptionValues[K] {
    return this.values[name];
  }

  /** Applies overrides from the authority; returns the names it ignored (unknown or malformed). */
  apply(settings: Readonly<Record<string, string>>): string[] {
    const ignored: string[] = [];
    for (const [name, text] of Object.entries(settings)) {
      if (!Object.hasOwn(DEFAULT_OPTIONS, name)) {
        ignored.push(name);
        continue;
      }
      const key = name as OptionName;
      const value = typeof DEFAULT_OPTIONS[key] === 'number' ? Number(text) : text;
      if (typeof value === 'number' && !Number.isFinite(value)) ignored.push(name);
      else (this.values as Record<OptionName, string | number>)[key] = value;
    }
    return ignored;
  }

  snapshot(): Readonly<OptionValues> {
    return { ...this.values };
  }
}
