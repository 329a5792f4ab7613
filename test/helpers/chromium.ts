// The one place that launches Debian's Chromium for tests, benchmarks and the demo (DESIGN.md
// section 8): loopback-only WebRTC, no background DNS, no mDNS multicast off the machine. For the
// test network of hosts (test/helpers/netns.ts) it also launches one inside a network namespace,
// with the same switches, trusting the test authority's certificate by its public key.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Playwright 1.65's own --disable-features list (chromiumSwitches.ts). Chromium keeps only the last
 * --disable-features switch, so ours must repeat Playwright's and add WebRtcHideLocalIpsWithMdns.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable', 'LensOverlay', 'MediaRouter', 'PaintHolding',
  'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect', 'TcpPortRandomizationWin',
  'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
  'msForceBrowserSignIn', 'msEdgeUpdateLaunchServicesPreferredVersion',
];

const HOST_RESOLVER_RULES = 'MAP * ~NOTFOUND , EXCLUDE localhost, EXCLUDE 127.0.0.1';

export const CHROMIUM_ARGS = [
  '--allow-loopback-in-peer-connection',
  `--host-resolver-rules=${HOST_RESOLVER_RULES}`,
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, 'WebRtcHideLocalIpsWithMdns'].join(',')}`,
];

export interface LaunchOptions {
  /**
   * Run Chromium inside this network namespace: the executable is a generated wrapper script,
   * `exec ip netns exec <netns> /usr/bin/chromium "$@"` (playwright talks to it over a pipe).
   */
  readonly netns?: string;
  /** Trust TLS certificates whose public key has one of these hashes (base64 SHA-256 of the SPKI). */
  readonly trustSpki?: readonly string[];
  /**
   * With `netns`: IP literals the resolver rules let through besides localhost and 127.0.0.1 (the
   * rules map IP literals too, so a page on the test network's authority needs its address here).
   * No names: nothing is ever looked up in DNS.
   */
  readonly reach?: readonly string[];
  /**
   * The caller closes the browser at SIGINT/SIGTERM itself (the demo, which has more to stop):
   * playwright's own handlers would end the process before the caller's cleanup has run.
   */
  readonly ownSignals?: boolean;
}

const NAMESPACE_NAME = /^[A-Za-z0-9_.-]{1,200}$/;
const SPKI_HASH = /^[A-Za-z0-9+/]{43}=$/;

export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: run "apt-get install -y chromium" (or set CHROMIUM_PATH)`);
  }
  const trust = options.trustSpki ?? [];
  const bad = trust.find((hash) => !SPKI_HASH.test(hash));
  if (bad !== undefined) throw new Error(`launchChromium: trustSpki wants base64 SHA-256 hashes, got "${bad}"`);
  const reach = options.reach ?? [];
  const name = reach.find((address) => isIP(address) === 0);
  if (name !== undefined) throw new Error(`launchChromium: reach takes IP literals only, got "${name}"`);
  // Outside a namespace of the test network, pages reach loopback only.
  if (reach.length > 0 && options.netns === undefined) throw new Error('launchChromium: reach is for a Chromium in a test network namespace (netns)');
  const args = [
    ...CHROMIUM_ARGS.map((arg) => (reach.length > 0 && arg.startsWith('--host-resolver-rules=')
      ? `--host-resolver-rules=${[HOST_RESOLVER_RULES, ...reach.map((address) => `EXCLUDE ${address}`)].join(', ')}` : arg)),
    ...(trust.length > 0 ? [`--ignore-certificate-errors-spki-list=${trust.join(',')}`] : []),
  ];
  const signals = options.ownSignals ? { handleSIGINT: false, handleSIGTERM: false } : {};
  if (options.netns === undefined) return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args, ...signals });
  if (!NAMESPACE_NAME.test(options.netns)) throw new Error(`launchChromium: "${options.netns}" is not a namespace name`);
  const dir = mkdtempSync(join(tmpdir(), 'peerfarm-chromium-'));
  const wrapper = join(dir, 'chromium-in-netns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec '${options.netns}' '${CHROMIUM_PATH.replaceAll("'", "'\\''")}' "$@"\n`, { mode: 0o755 });
  try {
    const browser = await chromium.launch({ executablePath: wrapper, headless: true, args, ...signals });
    browser.once('disconnected', () => rmSync(dir, { recursive: true, force: true }));
    return browser;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A context whose origins may use the microphone: only then does Chromium offer loopback ICE
 * candidates. Several origins for tabs of several authorities (a federation).
 */
export async function newContext(browser: Browser, origin: string | readonly string[]): Promise<BrowserContext> {
  const context = await browser.newContext();
  for (const one of typeof origin === 'string' ? [origin] : origin) await context.grantPermissions(['microphone'], { origin: one });
  return context;
}
