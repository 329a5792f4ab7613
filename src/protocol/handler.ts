// Handler: the protocol state of one link. It checks each inbound frame (size, rate, syntax,
// declared protocol, argument schema) and dispatches it; a non-empty return value is the reply.
import { CommandError, ErrorCode, quote } from './errors.ts';
import { formatList } from './format.ts';
import type { Link } from './link.ts';
import { parseCommand, ParseError } from './parse.ts';
import { LINK_BURST_COMMANDS, LINK_COMMANDS_PER_S, RateLimiter } from './rate-limit.ts';
import { DEFAULT_COMMANDS, type ProtocolSpec } from './registry.ts';
import { checkArgs, encodeArgs, oneOf, type ArgsOf, type CommandTable } from './schema.ts';
import { mirrorName, parseProtocolName } from './name.ts';

export const HandlerState = {
  undeclared: 'undeclared',
  declared: 'declared',
  closing: 'closing',
  closed: 'closed',
} as const;
export type HandlerState = (typeof HandlerState)[keyof typeof HandlerState];

type Builtin = 'exception' | 'identity';
type CommandsOf<P extends ProtocolSpec> = P['commands'];
export type CommandName<P extends ProtocolSpec> = Exclude<keyof CommandsOf<P>, Builtin> & string;

/**
 * One outgoing command of `Out`: its name and its arguments, typed from the schema table, so a
 * misspelt or misordered command fails to compile. For a union of versions, the commands they
 * share (narrow with `Handler.speaks` to send what only one version has).
 */
export type Command<Out extends ProtocolSpec> = {
  [K in CommandName<Out>]: readonly [K, ArgsOf<CommandsOf<Out>[K]>]
}[CommandName<Out>];

/** Any command of any version in the union `Out`, for senders that check `can()` first. */
export type AnyCommand<Out extends ProtocolSpec> = Out extends ProtocolSpec ? Command<Out> : never;

/** A command's reply: one command of the mirror protocol, or nothing. */
export type Reply<Out extends ProtocolSpec = ProtocolSpec> = Command<Out> | undefined | void;

/** What a role implements for one inbound protocol: one function per command, replying in `Out`. */
export type Implementation<P extends ProtocolSpec, Out extends ProtocolSpec = ProtocolSpec> = {
  [K in CommandName<P>]: (args: ArgsOf<CommandsOf<P>[K]>, handler: Handler<Out>) => Reply<Out> | Promise<Reply<Out>>;
};

/** An inbound protocol, the mirror it is answered in, and how to make its implementation for a newly declared link. */
export interface Binding<P extends ProtocolSpec = ProtocolSpec> {
  readonly spec: P;
  readonly mirror: ProtocolSpec;
  create(handler: Handler): Implementation<P>;
}

/**
 * Binds the implementation of inbound protocol `spec`; `mirror` is the protocol its replies and
 * sends are typed by (the one the other direction of the link speaks).
 */
export function bind<P extends ProtocolSpec, Out extends ProtocolSpec>(
  spec: P, mirror: Out, create: (handler: Handler<Out>) => Implementation<P, Out>,
): Binding {
  const id = parseProtocolName(spec.name);
  if (!id || mirrorName(id) !== mirror.name) {
    throw new Error(`bind: ${mirror.name} is not the mirror of ${spec.name}`);
  }
  return { spec, mirror, create } as unknown as Binding;
}

/** Frames above this are refused before parsing; big payloads are chunked by the link layer. */
export const MAX_FRAME_BYTES = 256 * 1024;
/** How often a flooding peer is told it is over its rate; the rest of its frames are dropped silently. */
const RATE_NOTICE_INTERVAL_MS = 1000;
/** Log lines keep this much of a frame; enough to read a command, not to copy a payload. */
const LOG_TEXT_CHARS = 300;

export interface LinkLimits {
  readonly maxFrameBytes: number;
  readonly commandsPerSecond: number;
  readonly burstCommands: number;
}

export const DEFAULT_LIMITS: LinkLimits = {
  maxFrameBytes: MAX_FRAME_BYTES,
  commandsPerSecond: LINK_COMMANDS_PER_S,
  burstCommands: LINK_BURST_COMMANDS,
};

export interface LogEvent {
  readonly t: number;
  readonly kind: 'in' | 'out' | 'open' | 'close';
  readonly link: string;
  readonly text: string;
  readonly result?: 'ok' | 'exception';
  /** Why a frame was refused (result `exception`). */
  readonly code?: ErrorCode;
}

export interface HandlerOptions {
  readonly link: Link;
  /** Inbound protocols this side accepts, by full name. */
  readonly accepts: ReadonlyMap<string, Binding>;
  readonly limits?: Partial<LinkLimits>;
  readonly clock?: () => number;
  /** Every frame in and out, and the link opening and closing; `handler` is the link's own. */
  readonly log?: (event: LogEvent, handler: Handler) => void;
  /** Called once the peer's protocol declaration was accepted. */
  readonly onDeclared?: (handler: Handler) => void;
  /** Called with every `exception` the peer sends. */
  readonly onException?: (message: string, handler: Handler) => void;
  /** Called for every frame refused, rate-limited ones included (they are dropped without a log event). */
  readonly onRefusal?: (code: ErrorCode) => void;
}

export class Handler<Out extends ProtocolSpec = ProtocolSpec> {
  state: HandlerState = HandlerState.undeclared;
  inbound: ProtocolSpec | undefined;
  outbound: Out | undefined;
  displayName: string;
  readonly openedMs: number;
  lastFrameMs: number;
  /** Resolves with the reason once the link is closed. */
  readonly closed: Promise<string>;

  private implementation: Implementation<ProtocolSpec> | undefined;
  private limits: LinkLimits;
  private rate: RateLimiter;
  private readonly clock: () => number;
  private lastRateNoticeMs = -Infinity;
  private resolveClosed!: (reason: string) => void;

  constructor(private readonly options: HandlerOptions) {
    this.clock = options.clock ?? Date.now;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.rate = new RateLimiter(this.limits.commandsPerSecond, this.limits.burstCommands, this.clock);
    this.displayName = options.link.remote;
    this.openedMs = this.clock();
    this.lastFrameMs = this.openedMs;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    options.link.onclose = (reason) => this.onLinkClosed(reason);
    options.link.onframe = (frame) => this.receive(frame);
    options.link.onbinary = (bytes) => this.receiveBinary(bytes);
    this.log('open', '');
  }

  get link(): Link {
    return this.options.link;
  }

  /**
   * Sets this link's limits once its protocol is known: a server accepts every kind of link on one
   * endpoint, and some protocols (authority to authority) carry many peers' traffic on one link.
   */
  setLimits(limits: Partial<LinkLimits>): void {
    this.limits = { ...this.limits, ...limits };
    this.rate = new RateLimiter(this.limits.commandsPerSecond, this.limits.burstCommands, this.clock);
  }

  /** Declares the protocol of our outbound frames. Repeatable only until the peer has declared its own. */
  declare(spec: Out): void {
    if (this.outbound && this.state !== HandlerState.undeclared) {
      throw new Error(`Handler.declare: outbound protocol is already "${this.outbound.name}" (state ${this.state})`);
    }
    this.outbound = spec;
    this.sendWords(['protocol', spec.name]);
  }

  /** Sends a command of the declared outbound protocol, encoded from typed arguments. */
  send<const C extends Command<Out>>(...[command, args]: C): void {
    this.sendWords(this.encode(command, args));
  }

  /** Sends a command that only some versions in `Out` have; throws if the declared one lacks it (see `can`). */
  sendAny<const C extends AnyCommand<Out>>(...[command, args]: C): void {
    this.sendWords(this.encode(command, args));
  }

  /** Whether the declared outbound protocol version has `command` (versions differ). */
  can(command: string): boolean {
    return this.outbound !== undefined && Object.hasOwn(this.outbound.commands, command);
  }

  sendException(message: string): void {
    this.sendWords(['exception', message]);
  }

  private encode(command: string, args: unknown): string[] {
    if (!this.outbound) throw new Error(`Handler.send("${command}"): no outbound protocol declared yet (state ${this.state})`);
    if (!this.can(command)) throw new Error(`Handler.send: "${command}" is not a command of ${this.outbound.name}`);
    return encodeArgs(command, (this.outbound.commands as CommandTable)[command]!, args as never);
  }

  private sendWords(words: readonly string[]): void {
    if (this.link.state !== 'open') return;
    const text = formatList(words);
    this.log('out', text);
    this.link.send(text);
  }

  close(reason = 'closed by this side'): void {
    if (this.state === HandlerState.closing || this.state === HandlerState.closed) return;
    this.state = HandlerState.closing;
    this.link.close(reason);
  }

  /** Every inbound frame enters here; nothing a peer sends can make it throw. */
  receive(frame: string): void {
    if (this.state === HandlerState.closing || this.state === HandlerState.closed) return;
    this.lastFrameMs = this.clock();
    if (!this.rate.take()) return this.refuseRate();
    const bytes = utf8Length(frame, this.limits.maxFrameBytes);
    if (bytes > this.limits.maxFrameBytes) {
      return this.refuse(frame, new CommandError(ErrorCode.FRAME_TOO_LARGE,
        `frame of ${bytes} bytes exceeds the limit of ${this.limits.maxFrameBytes} bytes`));
    }
    let words: [string, ...string[]];
    try {
      words = parseCommand(frame);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      return this.refuse(frame, new CommandError(ErrorCode.PARSE_ERROR, `malformed command: ${error.message}`));
    }
    this.dispatch(frame, words);
  }

  /** A binary message where commands are text: refused like any bad frame, never parsed. */
  receiveBinary(bytes: number): void {
    if (this.state === HandlerState.closing || this.state === HandlerState.closed) return;
    this.lastFrameMs = this.clock();
    if (!this.rate.take()) return this.refuseRate();
    this.refuse(`<binary ${bytes} bytes>`, new CommandError(ErrorCode.BAD_FRAME,
      `binary frame of ${bytes} bytes refused: commands are text frames`));
  }

  /** Synchronous commands are answered in arrival order; asynchronous ones when they settle. */
  private dispatch(frame: string, words: [string, ...string[]]): void {
    const command = words[0];
    if (command === 'exception') return this.onPeerException(frame, words.slice(1));
    let reply: Reply<Out> | Promise<Reply<Out>>;
    try {
      reply = this.run(command, words);
    } catch (error) {
      return this.refuse(frame, error);
    }
    if (reply instanceof Promise) reply.then((value) => this.answer(frame, value), (error: unknown) => this.refuse(frame, error));
    else this.answer(frame, reply);
  }

  private answer(frame: string, reply: Reply<Out>): void {
    let words: string[] | undefined;
    try {
      words = reply ? this.encode(reply[0], reply[1]) : undefined;
    } catch (error) {
      return this.refuse(frame, error);
    }
    this.log('in', frame, 'ok');
    if (words) this.sendWords(words);
  }

  /** Runs `words[0]` with the arguments after it. */
  private run(command: string, words: readonly string[]): Reply<Out> | Promise<Reply<Out>> {
    if (this.state === HandlerState.undeclared) {
      const spec = lookup(DEFAULT_COMMANDS, command);
      return this.acceptProtocol((checkArgs(command, spec, words, 1) as { name: string }).name);
    }
    const table = this.inbound!.commands as CommandTable;
    const args = checkArgs(command, lookup(table, command), words, 1) as Record<string, unknown>;
    if (command === 'identity') {
      this.displayName = `${String(args['name'])} (${this.link.remote})`;
      return undefined;
    }
    const implementation = this.implementation as Record<string, (a: unknown, h: Handler<Out>) => Reply<Out> | Promise<Reply<Out>>>;
    return implementation[command]!(args, this);
  }

  private acceptProtocol(name: string): undefined {
    const binding = this.options.accepts.get(name);
    if (!binding) {
      throw new CommandError(ErrorCode.PROTOCOL_UNKNOWN,
        `protocol "${name}" not recognized; supported: ${[...this.options.accepts.keys()].sort().join(', ')}`);
    }
    this.inbound = binding.spec;
    // The accepting side answers in the mirror at the same version; a declaring side has already declared.
    if (!this.outbound) this.declare(binding.mirror as Out);
    this.state = HandlerState.declared;
    this.implementation = binding.create(this as Handler);
    this.options.onDeclared?.(this as Handler);
    return undefined;
  }

  private onPeerException(frame: string, words: string[]): void {
    this.log('in', frame, 'ok');
    this.options.onException?.(words.join(' '), this as Handler);
  }

  private refuse(frame: string, error: unknown): void {
    const [code, message] = error instanceof CommandError ? [error.code, error.message] : [ErrorCode.INTERNAL, internalError(error)];
    this.options.onRefusal?.(code);
    this.log('in', frame, 'exception', code);
    this.sendException(message);
  }

  private refuseRate(): void {
    this.options.onRefusal?.(ErrorCode.RATE_LIMITED);
    const nowMs = this.clock();
    if (nowMs - this.lastRateNoticeMs < RATE_NOTICE_INTERVAL_MS) return;
    this.lastRateNoticeMs = nowMs;
    this.sendException(`rate limit exceeded: more than ${this.limits.commandsPerSecond} commands per second`);
  }

  private onLinkClosed(reason: string): void {
    if (this.state === HandlerState.closed) return;
    this.state = HandlerState.closed;
    this.log('close', reason);
    this.resolveClosed(reason);
  }

  private log(kind: LogEvent['kind'], text: string, result?: LogEvent['result'], code?: ErrorCode): void {
    const sink = this.options.log;
    if (!sink) return;
    const t = this.clock();
    const link = this.displayName;
    const cut = text.length > LOG_TEXT_CHARS ? text.slice(0, LOG_TEXT_CHARS) : text;
    const self = this as Handler;
    if (!result) sink({ t, kind, link, text: cut }, self);
    else sink(code ? { t, kind, link, text: cut, result, code } : { t, kind, link, text: cut, result }, self);
  }
}

function lookup(table: CommandTable, command: string) {
  const spec = Object.hasOwn(table, command) ? table[command] : undefined;
  if (!spec) throw new CommandError(ErrorCode.BAD_COMMAND, `bad command "${quote(command)}": should be ${oneOf(Object.keys(table))}`);
  return spec;
}

function internalError(error: unknown): string {
  // A bug on our side must not leak a stack trace to the peer; the log keeps the detail.
  console.error('peerfarm: internal error while handling a command:', error);
  return 'internal error';
}

/** UTF-8 byte length; below `limit` it may answer any figure not above it (most frames skip the count). */
export function utf8Length(text: string, limit = Infinity): number {
  if (text.length * 3 <= limit) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) { bytes += 4; i++; }
    else bytes += 3;
  }
  return bytes;
}
