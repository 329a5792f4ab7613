// A test network of hosts, built from Linux network namespaces (DESIGN.md section 8, "Across
// machines"). One namespace holds a bridge and nothing else; each host is a namespace with one
// veth into it and an address on a private /24. No namespace has a default route, and nothing is
// linked to the root namespace, so no packet can leave what the test built. A NAT host is two
// namespaces: a router on the bridge (nftables masquerade, forwarding only to the addresses
// allowed) and the host behind it, on a subnet no bridge host can route to.
//
// Names start with `pf<pid>-`; close() (and, should the run die, a process 'exit' handler) kills
// the processes started here by PID and deletes those namespaces, and only those.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** The bridge's subnet: hosts get .1, .2, ... in the order they are added. */
export const BRIDGE_SUBNET = '10.233.0';
/** Subnets behind NAT routers: 10.233.<n>.0/24, the router at .1 and its host at .2. */
const NAT_SUBNET_BASE = '10.233';
/** Namespace, link and address commands take milliseconds; this catches a hung `ip`. */
const COMMAND_TIMEOUT_MS = 10_000;
/** A process asked to stop with SIGTERM gets this long before SIGKILL. */
const STOP_GRACE_MS = 3000;

export interface NetHost {
  /** The host's namespace, for `ip netns exec`. */
  readonly ns: string;
  /** Its IPv4 address. */
  readonly address: string;
}

/** A hole in a NAT router's forward filter: this protocol to this address and port. */
export interface Allowed {
  readonly address: string;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
}

/** Why namespaces cannot be used here, or undefined when they can (root, `ip netns` works). */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  const probe = `pf${process.pid}-probe`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe', timeout: COMMAND_TIMEOUT_MS });
  } catch (error) {
    return `ip netns add failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe', timeout: COMMAND_TIMEOUT_MS });
    } catch {
      // not created
    }
  }
  return undefined;
}

export class TestNetwork {
  readonly prefix = `pf${process.pid}-`;
  private readonly bridge = `${this.prefix}bridge`;
  private readonly namespaces: string[] = [];
  private readonly processes = new Set<ChildProcess>();
  private hostCount = 0;
  private natCount = 0;
  private readonly onExit = () => this.closeNow();
  /** On SIGINT or SIGTERM (a cancelled run), clean up, then die of the same signal. */
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.closeNow();
    process.kill(process.pid, signal);
  };

  private constructor() {
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  /** The bridge namespace with its bridge, and no address: hosts are added to it. */
  static create(): TestNetwork {
    const network = new TestNetwork();
    try {
      network.addNamespace(network.bridge);
      network.ip('-n', network.bridge, 'link', 'add', 'br0', 'type', 'bridge');
      network.ip('-n', network.bridge, 'link', 'set', 'br0', 'up');
    } catch (error) {
      network.closeNow();
      throw error;
    }
    return network;
  }

  /** A host on the bridge at the next address of BRIDGE_SUBNET. */
  addHost(name: string): NetHost {
    const address = `${BRIDGE_SUBNET}.${++this.hostCount}`;
    const ns = `${this.prefix}${name}`;
    this.addNamespace(ns);
    this.plug(ns, address);
    return { ns, address };
  }

  /**
   * A host behind its own NAT router. The router sits on the bridge, masquerades what the host
   * sends out, and forwards only to `allowed` (and the answers): nothing else gets through in
   * either direction, and no bridge host has a route to the host's subnet.
   */
  addNatHost(name: string, allowed: readonly Allowed[]): { host: NetHost; router: NetHost } {
    const router = this.addHost(`${name}-nat`);
    const subnet = `${NAT_SUBNET_BASE}.${++this.natCount}`;
    const ns = `${this.prefix}${name}`;
    this.addNamespace(ns);
    this.ip('-n', router.ns, 'link', 'add', 'in0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    this.ip('-n', router.ns, 'addr', 'add', `${subnet}.1/24`, 'dev', 'in0');
    this.ip('-n', router.ns, 'link', 'set', 'in0', 'up');
    this.ip('-n', ns, 'addr', 'add', `${subnet}.2/24`, 'dev', 'eth0');
    this.ip('-n', ns, 'link', 'set', 'eth0', 'up');
    // Only the bridge's subnet, through the router: still no default route anywhere.
    this.ip('-n', ns, 'route', 'add', `${BRIDGE_SUBNET}.0/24`, 'via', `${subnet}.1`);
    this.run('ip', ['netns', 'exec', router.ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    const holes = allowed.map((a) => `    iifname "in0" oifname "eth0" ip daddr ${a.address} ${a.protocol} dport ${a.port} accept`);
    this.run('ip', ['netns', 'exec', router.ns, 'nft', '-f', '-'], [
      'table ip pfnat {',
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      '    oifname "eth0" masquerade',
      '  }',
      '  chain forward {',
      '    type filter hook forward priority filter; policy drop;',
      '    ct state established,related accept',
      ...holes,
      '  }',
      '}',
    ].join('\n'));
    return { host: { ns, address: `${subnet}.2` }, router };
  }

  /** Starts `command` inside `host`'s namespace; it is stopped (by PID) on close. */
  spawn(host: NetHost, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.processes.add(child);
    child.once('exit', () => this.processes.delete(child));
    return child;
  }

  /** Stops one process started here: SIGTERM, then SIGKILL after a grace period. */
  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  /** The namespaces of this run that still exist (for tests to check none is left). */
  existing(): string[] {
    return listNamespaces().filter((name) => name.startsWith(this.prefix));
  }

  async close(): Promise<void> {
    await Promise.all([...this.processes].map((child) => this.stop(child)));
    this.closeNow();
  }

  /** Synchronous, for the 'exit' handler too: SIGKILL what is left, delete our namespaces. */
  private closeNow(): void {
    for (const child of this.processes) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    this.processes.clear();
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe', timeout: COMMAND_TIMEOUT_MS });
      } catch {
        // already gone
      }
    }
    process.removeListener('exit', this.onExit);
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }

  private addNamespace(ns: string): void {
    this.ip('netns', 'add', ns);
    this.namespaces.push(ns);
    this.ip('-n', ns, 'link', 'set', 'lo', 'up');
    // IPv4 only: no link-local IPv6 addresses, router solicitations or extra ICE candidates.
    this.run('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  }

  /** A veth from the bridge namespace into `ns` (named eth0 there), with `address`/24. */
  private plug(ns: string, address: string): void {
    const port = `p${this.hostCount}`;
    this.ip('-n', this.bridge, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    this.ip('-n', this.bridge, 'link', 'set', port, 'master', 'br0', 'up');
    this.ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    this.ip('-n', ns, 'link', 'set', 'eth0', 'up');
  }

  private ip(...args: string[]): void {
    this.run('ip', args);
  }

  private run(command: string, args: readonly string[], input?: string): void {
    try {
      execFileSync(command, args, { stdio: 'pipe', timeout: COMMAND_TIMEOUT_MS, ...(input === undefined ? {} : { input }) });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(`${command} ${args.join(' ')} failed: ${stderr || String(error)}`);
    }
  }
}

export function listNamespaces(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  return out.split('\n').map((line) => line.split(' ')[0]!).filter(Boolean);
}
