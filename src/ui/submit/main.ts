// Entry of the submit page: builds the ClientRole, exposes it as `window.peerfarm`, and joins at
// once, since the page is useless without the list of listening workers.
import type { WebSocketLike } from '../../net/ws-link.ts';
import { ClientRole } from '../../peer/client-role.ts';
import { createJobRunner } from '../../peer/job-runner.ts';
import { loadIdentity } from '../../peer/identity-store.ts';
import { readPageParams } from '../../peer/page-params.ts';
import { JobTrace } from '../../peer/farm/trace.ts';
import { SeriesStore } from '../../peer/farm/series-store.ts';
import '../shared/page.css';
import './pf-submit-page.ts';

const params = readPageParams(location);
JobTrace.enabled = params.trace;
const role: ClientRole = new ClientRole({
  identity: loadIdentity(params.ephemeral, 'client'),
  urls: params.authorityUrls,
  openSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  // The runner is made at the first job, after the authority pushed its options (sandbox_url).
  createRunner: (threads) => createJobRunner({ threads, sandboxUrl: role.options.get('sandbox_url') }),
  // An ephemeral tab is a throwaway client (tests, the demo): its series would outlive its identity,
  // and a resumed series must be paid by the client that escrowed it.
  ...(!params.ephemeral && { seriesStore: SeriesStore.open() }),
});
window.peerfarm = role;
document.querySelector('pf-submit-page')!.model = role;

void role.join();
