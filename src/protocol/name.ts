// Protocol names: `p2p:<receiver><-<sender>/<version>`, built and split in this one place.
// A protocol is the set of commands <receiver> accepts from <sender>; each link speaks a mirror pair.

export const PROTOCOL_PREFIX = 'p2p';

export interface ProtocolId {
  readonly receiver: string;
  readonly sender: string;
  readonly version: number;
}

const NAME_PATTERN = /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)<-([a-z][a-z0-9-]*)\/([1-9][0-9]{0,3})$/;

export function protocolName(receiver: string, sender: string, version: number): string {
  return `${PROTOCOL_PREFIX}:${receiver}<-${sender}/${version}`;
}

/** The root names every version of one protocol: `p2p:authority<-worker`. */
export function protocolRoot(receiver: string, sender: string): string {
  return `${PROTOCOL_PREFIX}:${receiver}<-${sender}`;
}

export function parseProtocolName(name: string): ProtocolId | undefined {
  const match = NAME_PATTERN.exec(name);
  if (!match || match[1] !== PROTOCOL_PREFIX) return undefined;
  return { receiver: match[2]!, sender: match[3]!, version: Number(match[4]) };
}

/** The protocol spoken in the other direction of the same link, at the same version. */
export function mirrorName(id: ProtocolId): string {
  return protocolName(id.sender, id.receiver, id.version);
}
