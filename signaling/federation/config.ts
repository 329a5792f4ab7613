// The federation's part of the authority configuration (flags in signaling/config.ts).

export interface FederationConfig {
  /** Authorities dialed at start (`--peer-authority`); the rest are learnt by gossip. */
  readonly seeds: readonly string[];
  /** Where peers and other authorities reach this one (`--public-url`); its own ws URL by default. */
  readonly publicUrl?: string | undefined;
  /** Every member proves it (`--federation-secret`); without it no authority link is accepted. */
  readonly secret?: string | undefined;
}

/** Short secrets can be guessed offline from one recorded proof (an HMAC over a known nonce). */
export const MIN_SECRET_CHARS = 16;

/** What is wrong with a federation configuration, in one line, or undefined; `host` is the listen address. */
export function federationConfigProblem({ seeds, publicUrl, secret }: FederationConfig, host: string): string | undefined {
  for (const url of [...seeds, ...(publicUrl === undefined ? [] : [publicUrl])]) {
    if (!isWsUrl(url)) return `--peer-authority and --public-url take ws:// or wss:// URLs such as ws://10.0.0.2:8080/ws, got "${url}"`;
  }
  if (secret !== undefined && secret.length < MIN_SECRET_CHARS) return `--federation-secret must have ${MIN_SECRET_CHARS} characters at least`;
  if (seeds.length > 0 && secret === undefined) return '--peer-authority needs --federation-secret (or FEDERATION_SECRET): members prove it to each other';
  // Peers and other authorities are sent the public URL: "any address" reaches no one.
  if (secret !== undefined && publicUrl === undefined && (host === '0.0.0.0' || host === '::')) {
    return `--federation-secret with --host ${host} needs --public-url: the address peers and other authorities reach this one at`;
  }
  return undefined;
}

function isWsUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.username === '' && url.password === '' && url.hash === '';
  } catch {
    return false;
  }
}
