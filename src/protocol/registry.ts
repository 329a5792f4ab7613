// The protocol registry: every version of every protocol, so a server can install them all and
// old and new peers coexist. Each protocol version is declared in its own file under protocols/.
import { mirrorName, parseProtocolName, protocolName, protocolRoot } from './name.ts';
import type { CommandTable } from './schema.ts';

/** Every protocol also understands these two (DESIGN.md section 2). */
export const BUILTIN_COMMANDS = {
  exception: {
    args: [{ name: 'message', type: 'string' }],
    reply: '',
    doc: 'Reports an error in the last command received from this side. Logged, never answered.',
  },
  identity: {
    args: [{ name: 'name', type: 'string', maxBytes: 64 }],
    reply: '',
    doc: 'Sets the display name of this link in logs.',
  },
} as const satisfies CommandTable;

/** Before the handshake only `protocol` and `exception` are understood. */
export const DEFAULT_COMMANDS = {
  protocol: {
    args: [{ name: 'name', type: 'word', maxBytes: 128 }],
    reply: 'protocol',
    doc: 'Declares the protocol of every later frame in this direction; once per link.',
  },
  exception: BUILTIN_COMMANDS.exception,
} as const satisfies CommandTable;

export interface ProtocolSpec<T extends CommandTable = CommandTable> {
  readonly name: string;
  readonly receiver: string;
  readonly sender: string;
  readonly version: number;
  readonly summary: string;
  readonly commands: T & typeof BUILTIN_COMMANDS;
}

export interface ProtocolDefinition<T extends CommandTable> {
  readonly receiver: string;
  readonly sender: string;
  readonly version: number;
  readonly summary: string;
  readonly commands: T;
}

export function defineProtocol<const T extends CommandTable>(definition: ProtocolDefinition<T>): ProtocolSpec<T> {
  const { receiver, sender, version } = definition;
  return {
    ...definition,
    name: protocolName(receiver, sender, version),
    commands: { ...BUILTIN_COMMANDS, ...definition.commands },
  };
}

export class ProtocolRegistry {
  private readonly specs = new Map<string, ProtocolSpec>();

  register(...specs: ProtocolSpec[]): this {
    for (const spec of specs) {
      if (this.specs.has(spec.name)) throw new Error(`protocol "${spec.name}" is already registered`);
      this.specs.set(spec.name, spec);
    }
    return this;
  }

  get(name: string): ProtocolSpec | undefined {
    return this.specs.get(name);
  }

  /** Every registered version of `p2p:<receiver><-<sender>`, lowest first. */
  versions(receiver: string, sender: string): ProtocolSpec[] {
    const root = protocolRoot(receiver, sender);
    return [...this.specs.values()]
      .filter((spec) => protocolRoot(spec.receiver, spec.sender) === root)
      .sort((a, b) => a.version - b.version);
  }

  /** The protocol for the other direction of a link that declared `name`. */
  mirrorOf(name: string): ProtocolSpec | undefined {
    const id = parseProtocolName(name);
    return id && this.specs.get(mirrorName(id));
  }

  all(): ProtocolSpec[] {
    return [...this.specs.values()];
  }
}
