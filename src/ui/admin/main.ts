// Entry of the admin page: starts the AdminRole against the authority that served the page (or
// the one named by ?authority=ws://host:port/ws) and exposes it as `window.peerfarm`; the demo's
// tabs are given the same ?authority.
import { AdminRole } from '../../peer/admin-role.ts';
import { readPageParams } from '../../peer/page-params.ts';
import '../shared/page.css';
import { DemoController } from './demo-controller.ts';
import './pf-admin-page.ts';

/** ws://host:port/ws → http://host:port: the JSON API lives beside the WebSocket endpoint. */
function httpBase(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return url.origin;
}

const params = readPageParams(location);
const base = httpBase(params.authorityUrls[0] ?? `ws://${location.host}/ws`);
const role = new AdminRole(base);
window.peerfarm = role;

const page = document.querySelector('pf-admin-page')!;
page.authority = base;
page.model = role;
const carried = new URLSearchParams(location.search).getAll('authority');
page.demo = new DemoController(carried.map((url) => `authority=${encodeURIComponent(url)}`).join('&'));
role.start();
