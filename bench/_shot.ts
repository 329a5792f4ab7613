import { launchChromium, newContext } from '../test/helpers/chromium.ts';
import { startTestAuthority } from '../test/helpers/authority.ts';
import { openWorkerTabs, waitInPage } from '../test/helpers/pages.ts';
import type { ClientRole } from '../src/peer/client-role.ts';
const authority = await startTestAuthority(['--grant-points', '1000']);
const browser = await launchChromium();
try {
  const context = await newContext(browser, authority.url);
  const wk = await openWorkerTabs(context, authority.url, 2);
  const open = async () => { const p = await context.newPage(); await p.setViewportSize({ width: 1200, height: 900 }); await p.goto(`${authority.url}/submit.html?join`); await waitInPage(p, () => (window.peerfarm as ClientRole).connectionState === 'joined', undefined, { timeout: 30000 }); await waitInPage(p, () => (window.peerfarm as ClientRole).workers.length >= 2, undefined, { timeout: 30000 }); return p; };
  let c = await open();
  await c.evaluate(() => (window.peerfarm as ClientRole).submit({ code: '// squares, a first try\nexport default (n) => n * n;', inputs: { start: 1, end: 50 } }));
  await c.evaluate(() => { void (window.peerfarm as ClientRole).submit({ code: '// doubles n, slowly\nexport default async (n) => { await new Promise((r) => setTimeout(r, 100)); return n * 2; };', inputs: { start: 0, end: 299 } }); });
  await waitInPage(c, async () => ((await (window.peerfarm as ClientRole).series())[0]?.computed ?? 0) > 60, undefined, { timeout: 60000 });
  await c.close();
  c = await open();
  await new Promise((r) => setTimeout(r, 1500));
  const card = c.locator('pf-saved-series');
  await card.screenshot({ path: '/tmp/saved.png' });
  await c.locator('pf-saved-series tr').nth(1).getByRole('button', { name: 'Resume' }).click();
  await new Promise((r) => setTimeout(r, 1500));
  await card.screenshot({ path: '/tmp/saved-running.png' });
  for (let i = 0; i < 30; i++) { const st = await c.evaluate(() => { const r = window.peerfarm as ClientRole; return JSON.stringify({ s: r.seriesState, e: r.seriesError, err: r.error, w: [...(r.foreman?.workers.values() ?? [])].map((w) => [w.state, w.error, w.done]), q: r.foreman?.queue.count("done"), dm: [...(r.foreman?.workers.values() ?? [])].map((w) => w.demand), leases: r.foreman?.queue.leases.size, sid: (r.foreman as any)?.seriesId, wk: [...(r.foreman?.workers.values() ?? [])].map((w) => w.id.slice(0, 6)) }); }); console.log(st, JSON.stringify(await wk[0]!.evaluate(() => { const s = (window.peerfarm as any).snapshot(); const js = (window.peerfarm as any).jobs; return { series: [...js.series.entries()].map(([k, v]: any) => [k, v.requested, v.running.size, v.handler.link.remote.slice(0, 6), (window.peerfarm as any).id.slice(0, 6), v.pulls.length, v.batched, v.handler.link.state ?? v.handler.link.readyState]), running: js.running }; }))); if (st.includes('"s":"done"')) break; await new Promise((r) => setTimeout(r, 2000)); }
  await new Promise((r) => setTimeout(r, 500));
  await c.screenshot({ path: '/tmp/page.png', fullPage: true });
} finally { await browser.close(); await authority.close(); }
