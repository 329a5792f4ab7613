// A federation (issue 13): three authority processes on loopback sharing one PostgreSQL ledger,
// worker tabs spread across them, a client on A. The client gets bids from workers on B and C
// (their ids reach A through the federation, their signals through B's and C's relays), farms a
// series to them and pays them through A; B is killed with SIGKILL mid-series, its tabs move to A
// or C keeping their identities, and the series completes. The ledger's invariant holds on
// PostgreSQL while the series runs and after it, and every job is paid exactly once.
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRole } from '../../src/peer/client-role.ts';
import type { WorkerRole } from '../../src/peer/worker-role.ts';
import type { SeriesResult } from '../../src/peer/farm/foreman.ts';
import { openPgLedger } from '../../signaling/ledger/pg-database.ts';
import { PgLedger } from '../../signaling/ledger/pg-ledger.ts';
import { launchChromium, newContext } from '../helpers/chromium.ts';
import { startAuthorityProcess, type AuthorityProcess } from '../helpers/authority-process.ts';
import { jobsDone, openWorkerTabs, waitInPage } from '../helpers/pages.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

/** Each job waits a little, so the series is still running when B is killed. */
const SLOW_DOUBLE = 'export default async (n) => { await new Promise((r) => setTimeout(r, 40)); return n * 2; };';
const JOBS = 200;
const SECRET = 'federation-e2e-secret';

declare global {
  interface Window { federationRun?: Promise<{ ok: true; result: SeriesResult } | { ok: false; error: string }> }
}

let browser: Browser;
let context: BrowserContext | undefined;
let postgres: TestPostgres;
let ledger: PgLedger;
const authorities: AuthorityProcess[] = [];

beforeAll(async () => {
  if (!existsSync('dist/index.html')) throw new Error('pages not built: run "npm run build" first (npm test does)');
  postgres = await startPostgres();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  for (const authority of authorities) await authority.close();
  await ledger?.close();
  await postgres?.stop();
});

function idOf(page: Page): Promise<string> {
  return page.evaluate(() => (window.peerfarm as WorkerRole | ClientRole).id!);
}

/** The ws URL a tab's authority link is on now. */
function authorityOf(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const role = window.peerfarm as WorkerRole | ClientRole;
    return role.connectionState === 'joined' ? role.authorityUrl : undefined;
  });
}

/** What a tab's authority link says of itself, for a failure's message. */
function connectionOf(page: Page): Promise<unknown> {
  return page.evaluate(() => {
    const role = window.peerfarm as WorkerRole;
    const { connection, authority, error } = role.snapshot();
    return { connection, authority, error, hosts: role.options.get('authority_hosts') };
  });
}

async function federationOf(authority: AuthorityProcess): Promise<{ url: string; state: string }[]> {
  const health = await (await fetch(`${authority.url}/api/health`)).json() as { federation: { authorities: { url: string; state: string }[] } };
  return health.federation.authorities;
}

describe('three authorities sharing one PostgreSQL ledger', () => {
  it('a client on A farms to workers on B and C, B dies mid-series, its tabs move and the series completes, paid once', async () => {
    const common = ['--database-url', postgres.url, '--federation-secret', SECRET, '--option', 'time_between_authority_checks=1000'];
    const a = await startAuthorityProcess(common);
    authorities.push(a);
    const b = await startAuthorityProcess([...common, '--peer-authority', a.wsUrl]);
    authorities.push(b);
    const c = await startAuthorityProcess([...common, '--peer-authority', a.wsUrl]);
    authorities.push(c);
    // B and C know only A; they learn each other from it.
    for (const authority of authorities) {
      await until(async () => (await federationOf(authority)).filter((other) => other.state === 'linked').length === 2, 60_000, 200);
    }
    ledger = new PgLedger({ pool: (await openPgLedger(postgres.url)).pool });

    context = await newContext(browser, authorities.map((authority) => authority.url));
    const onB = await openWorkerTabs(context, b.url, 2);
    const onC = await openWorkerTabs(context, c.url, 2);
    const client = await context.newPage();
    await client.goto(`${a.url}/submit.html?ephemeral`);
    const bIds = await Promise.all(onB.map(idOf));
    const cIds = await Promise.all(onC.map(idOf));
    const remote = [...bIds, ...cIds];

    // A's `workers` answer samples the whole federation; bids come back over links signaled across it.
    await waitInPage(client, (ids) => ids.every((id) => (window.peerfarm as ClientRole).workers.includes(id)), remote, { timeout: 60_000 });
    await expect.poll(async () => {
      const bids = await client.evaluate(() => (window.peerfarm as ClientRole).solicit());
      return remote.filter((id) => bids.some((bid) => bid.id === id)).length;
    }, { timeout: 60_000, interval: 500 }).toBe(remote.length);
    const clientId = await idOf(client);
    await until(async () => (await ledger.balance(clientId)) !== null, 30_000);
    const before = (await ledger.balance(clientId))!;

    const inputs = Array.from({ length: JOBS }, (_, i) => i);
    await client.evaluate(({ code, inputs, workers }) => {
      window.federationRun = (window.peerfarm as ClientRole).submit({ code, inputs, workers, timeoutMs: 5000 })
        .then((result) => ({ ok: true as const, result }), (error: unknown) => ({ ok: false as const, error: String(error) }));
    }, { code: SLOW_DOUBLE, inputs, workers: remote });

    // The books balance at every look while the series runs (checkInvariant throws when they do not).
    const balancedAnd = (condition: () => Promise<boolean>) => async () => {
      await ledger.checkInvariant();
      return condition();
    };
    await until(balancedAnd(async () => (await jobsDone(client)) >= 30), 90_000, 100);
    await b.kill();
    const doneAtKill = await jobsDone(client);

    // B's tabs fail over to another authority of the federation (authority_hosts), keeping their ids.
    for (const [i, page] of onB.entries()) {
      await until(balancedAnd(async () => {
        const url = await authorityOf(page);
        return url !== undefined && url !== b.wsUrl;
      }), 90_000, 200).catch(async (error: unknown) => {
        throw new Error(`a tab of B did not move: ${JSON.stringify(await connectionOf(page))}`, { cause: error });
      });
      expect(await idOf(page)).toBe(bIds[i]);
    }
    // A and C see B gone, and stop offering it to their peers.
    for (const authority of [a, c]) {
      await until(async () => !(await federationOf(authority)).some((other) => other.url === b.wsUrl && other.state === 'linked'), 90_000, 200);
    }

    await until(balancedAnd(() => client.evaluate(() => ['done', 'failed'].includes((window.peerfarm as ClientRole).seriesState))), 180_000, 200);
    const outcome = await client.evaluate(() => window.federationRun!);
    if (!outcome.ok) throw new Error(`the series failed: ${outcome.error}`);
    const result = outcome.result;
    expect(doneAtKill).toBeLessThan(JOBS);
    expect(result.results).toEqual(inputs.map((n) => n * 2));
    expect(result.paid).toBe(JOBS);
    // Workers on B and on C both did some of it.
    const did = new Set(result.jobs.map((job) => job.doneBy));
    expect(bIds.some((id) => did.has(id))).toBe(true);
    expect(cIds.some((id) => did.has(id))).toBe(true);

    // The shared ledger: the client paid exactly one point a job, the workers earned exactly that.
    await until(async () => (await ledger.heldBy(clientId)) === 0, 60_000, 200);
    await ledger.checkInvariant();
    expect(await ledger.balance(clientId)).toBe(before - JOBS);
    let earned = 0;
    for (const id of remote) earned += (await ledger.balance(id)) ?? 0;
    expect(earned).toBe(JOBS);
  }, 400_000);
});
