// Client: the declaring side of a handshake. It offers its highest protocol version first and,
// when the peer answers `protocol "X" not recognized; supported: ...`, retries with the highest
// version both sides know (the original had no negotiation).
import { Handler, type Binding, type HandlerOptions, type LinkLimits, type LogEvent } from './handler.ts';
import type { Link } from './link.ts';
import type { ProtocolSpec } from './registry.ts';

/** A handshake is two frames each way on a live link; longer means the peer is not answering. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

const NOT_RECOGNIZED = /^protocol "([^"]*)" not recognized; supported: (.*)$/;

export class NegotiationError extends Error {
  override readonly name = 'NegotiationError';
}

export interface ClientOptions {
  readonly link: Link;
  /** The versions of our outbound protocol we can speak. */
  readonly sends: readonly ProtocolSpec[];
  /** The inbound protocols (mirrors) we accept. */
  readonly bindings: readonly Binding[];
  readonly limits?: Partial<LinkLimits>;
  readonly clock?: () => number;
  readonly log?: (event: LogEvent) => void;
  readonly onException?: HandlerOptions['onException'];
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Declares our protocol on a fresh link and resolves once both directions are declared. */
export function openClient<Out extends ProtocolSpec>(options: ClientOptions): Promise<Handler<Out>> {
  const offers = [...options.sends].sort((a, b) => b.version - a.version) as Out[];
  if (offers.length === 0) throw new Error('openClient: no outbound protocol to offer');
  return new Promise((resolve, reject) => {
    let handler: Handler<Out> | undefined;
    const fail = (error: Error): void => {
      cleanup();
      handler?.close(error.message);
      reject(error);
    };
    const timer = setTimeout(() => fail(new NegotiationError(
      `no protocol handshake from ${options.link.remote} within ${options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS} ms`)),
      options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS);
    const onAbort = (): void => fail(new NegotiationError('handshake aborted'));
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    options.signal?.addEventListener('abort', onAbort);
    const retry = (message: string): boolean => {
      const match = NOT_RECOGNIZED.exec(message);
      if (!match || handler?.state !== 'undeclared') return false;
      const supported = new Set(match[2]!.split(', '));
      const next = offers.find((spec) => supported.has(spec.name));
      if (next && next !== handler.outbound) {
        handler.declare(next);
      } else {
        fail(new NegotiationError(`no common protocol: we offer ${offers.map((s) => s.name).join(', ')}; ` +
          `${options.link.remote} supports ${match[2]}`));
      }
      return true;
    };
    handler = new Handler<Out>({
      link: options.link,
      accepts: new Map(options.bindings.map((binding) => [binding.spec.name, binding])),
      ...(options.limits && { limits: options.limits }),
      ...(options.clock && { clock: options.clock }),
      ...(options.log && { log: options.log }),
      onDeclared: () => {
        cleanup();
        resolve(handler!);
      },
      onException: (message, from) => {
        if (!retry(message)) options.onException?.(message, from);
      },
    });
    void handler.closed.then((reason) => fail(new NegotiationError(`link closed during handshake: ${reason}`)));
    handler.declare(offers[0]!);
  });
}
