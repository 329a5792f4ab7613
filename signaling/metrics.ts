// Prometheus metrics of one authority, served as text at /metrics (docs/PROTOCOL.md section 6).
// Counters are bumped where things happen; gauges are read from their sources on each scrape.
// Every label takes values from a closed set, so a peer cannot grow the series without bound.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the gauges read on each scrape; all cheap (counts, one COUNT query, awaited on PostgreSQL). */
export interface MetricSources {
  connections(): number;
  unjoined(): number;
  peersByRole(): Readonly<Record<string, number>>;
  openHolds(): number | Promise<number>;
  downloads(): number;
}

/** Relaying a signal is one lookup and one send: microseconds, unless the event loop is stalled. */
const RELAY_BUCKETS_S = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1];
/** A command word not in the catalogue is counted as this, not under its own name. */
export const OTHER_COMMAND = 'other';

/** Commands counted since the last scrape, by protocol and command: [ok, exception]. */
type CommandTally = Map<string, Map<string, [number, number]>>;

export class AuthorityMetrics {
  readonly registry = new Registry();
  private sources: MetricSources | undefined;
  private readonly commandNames: ReadonlySet<string>;
  /**
   * Every inbound frame is counted. A labelled `inc` hashes its labels (~0.6 µs, measured); two map
   * reads on strings the protocol tables hold cost a tenth of it, so frames are tallied here and the
   * tally is added to `commands` when it is read (a scrape).
   */
  private readonly commandTally: CommandTally = new Map();

  readonly commands = new Counter({
    name: 'peerfarm_commands_total',
    help: 'Inbound commands by protocol of the joined link ("unjoined" before a join), command and outcome',
    labelNames: ['protocol', 'command', 'outcome'] as const,
    registers: [this.registry],
    collect: () => this.publishCommands(),
  });

  readonly refusals = new Counter({
    name: 'peerfarm_refusals_total',
    help: 'Inbound frames refused, by error code (rate-limited frames included)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly relaySeconds = new Histogram({
    name: 'peerfarm_relay_seconds',
    help: 'Time to forward one signal to its target peer',
    buckets: RELAY_BUCKETS_S,
    registers: [this.registry],
  });

  readonly transfers = new Counter({
    name: 'peerfarm_ledger_transfers_total',
    help: 'Ledger requests of the points desk by operation and result',
    labelNames: ['operation', 'result'] as const,
    registers: [this.registry],
  });

  readonly httpRequests = new Counter({
    name: 'peerfarm_http_requests_total',
    help: 'HTTP requests and WebSocket upgrades by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  readonly linksClosed = new Counter({
    name: 'peerfarm_pending_links_closed_total',
    help: 'Links closed before they joined, by reason (handshake_timeout, join_timeout, evicted)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(commandNames: Iterable<string>, { processMetrics = false } = {}) {
    this.commandNames = new Set(commandNames);
    const read = (pick: (sources: MetricSources) => number | Promise<number>) => () => (this.sources ? pick(this.sources) : 0);
    this.gauge('peerfarm_connections', 'Open WebSocket links', read((s) => s.connections()));
    this.gauge('peerfarm_connections_unjoined', 'Open WebSocket links that have not joined yet', read((s) => s.unjoined()));
    this.gauge('peerfarm_ledger_open_holds', 'Open holds in the ledger: jobs awarded and not settled', read((s) => s.openHolds()));
    this.gauge('peerfarm_downloads_active', 'Event downloads (/api/events.ndjson) streaming now', read((s) => s.downloads()));
    const sources = () => this.sources;
    new Gauge({
      name: 'peerfarm_peers',
      help: 'Joined peers by role',
      labelNames: ['role'] as const,
      registers: [this.registry],
      collect() {
        const byRole = sources()?.peersByRole() ?? {};
        this.reset();
        for (const [role, count] of Object.entries(byRole)) this.set({ role }, count);
      },
    });
    // Process-wide figures (CPU, memory, event-loop delay): only for the one authority of a process.
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the gauges read from; set once the authority's parts exist. */
  observe(sources: MetricSources): void {
    this.sources = sources;
  }

  /** An inbound command and how it ended; an unknown command word counts as `other`. */
  countCommand(protocol: string, text: string, outcome: 'ok' | 'exception'): void {
    const space = text.indexOf(' ');
    const word = space === -1 ? text : text.slice(0, space);
    const command = this.commandNames.has(word) ? word : OTHER_COMMAND;
    let byCommand = this.commandTally.get(protocol);
    if (!byCommand) this.commandTally.set(protocol, byCommand = new Map());
    let counts = byCommand.get(command);
    if (!counts) byCommand.set(command, counts = [0, 0]);
    counts[outcome === 'ok' ? 0 : 1] += 1;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private publishCommands(): void {
    for (const [protocol, byCommand] of this.commandTally) {
      for (const [command, counts] of byCommand) {
        if (counts[0] > 0) this.commands.inc({ protocol, command, outcome: 'ok' }, counts[0]);
        if (counts[1] > 0) this.commands.inc({ protocol, command, outcome: 'exception' }, counts[1]);
        counts[0] = counts[1] = 0;
      }
    }
  }

  private gauge(name: string, help: string, value: () => number | Promise<number>): void {
    new Gauge({ name, help, registers: [this.registry], async collect() { this.set(await value()); } });
  }
}
