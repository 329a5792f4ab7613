// Server: accepts links, gives each a Handler that understands every installed protocol version,
// and answers a declaration with the mirror protocol at the same version.
import { Handler, type Binding, type HandlerOptions, type LinkLimits } from './handler.ts';
import type { Link } from './link.ts';
import type { ProtocolRegistry } from './registry.ts';

export interface ServerOptions {
  /** Every protocol spec this side knows: the mirror of each accepted one must be here. */
  readonly registry: ProtocolRegistry;
  readonly bindings: readonly Binding[];
  readonly limits?: Partial<LinkLimits>;
  readonly clock?: () => number;
  readonly log?: HandlerOptions['log'];
  readonly onConnect?: (handler: Handler) => void;
  /** Runs after the Handler sent the mirror `protocol`, so it may send greetings at once. */
  readonly onProtocol?: (handler: Handler) => void;
  readonly onDisconnect?: (handler: Handler, reason: string) => void;
  readonly onException?: HandlerOptions['onException'];
  readonly onRefusal?: HandlerOptions['onRefusal'];
}

export class Server {
  private readonly accepts: ReadonlyMap<string, Binding>;
  private readonly live = new Set<Handler>();

  constructor(private readonly options: ServerOptions) {
    this.accepts = new Map(options.bindings.map((binding) => [binding.spec.name, binding]));
    for (const name of this.accepts.keys()) {
      if (!options.registry.mirrorOf(name)) throw new Error(`Server: no mirror protocol registered for "${name}"`);
    }
  }

  get handlers(): ReadonlySet<Handler> {
    return this.live;
  }

  accept(link: Link): Handler {
    const { limits, clock, log, onException, onRefusal } = this.options;
    const handler = new Handler({
      link,
      accepts: this.accepts,
      ...(limits && { limits }),
      ...(clock && { clock }),
      ...(log && { log }),
      ...(onException && { onException }),
      ...(onRefusal && { onRefusal }),
      onDeclared: (declared) => this.onDeclared(declared),
    });
    this.live.add(handler);
    void handler.closed.then((reason) => {
      this.live.delete(handler);
      this.options.onDisconnect?.(handler, reason);
    });
    this.options.onConnect?.(handler);
    return handler;
  }

  close(reason = 'server closing'): void {
    for (const handler of this.live) handler.close(reason);
  }

  private onDeclared(handler: Handler): void {
    this.options.onProtocol?.(handler);
  }
}
