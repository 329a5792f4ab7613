// Entry of the worker page: builds this tab's WorkerRole, exposes it as `window.peerfarm`, and
// joins at once only with ?join; otherwise the person presses Join (as Folding@home asks first).
import type { WebSocketLike } from '../../net/ws-link.ts';
import { loadIdentity } from '../../peer/identity-store.ts';
import { readPageParams } from '../../peer/page-params.ts';
import { JobTrace } from '../../peer/farm/trace.ts';
import { WorkerRole } from '../../peer/worker-role.ts';
import { measureWonks } from '../../peer/wonks.ts';
import { probeCapabilities } from '../../peer/capabilities.ts';
import { createJobRunner } from '../../peer/job-runner.ts';
import '../shared/page.css';
import './pf-worker-page.ts';

const params = readPageParams(location);
JobTrace.enabled = params.trace;
const role: WorkerRole = new WorkerRole({
  identity: loadIdentity(params.ephemeral, 'worker'),
  urls: params.authorityUrls,
  openSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  measureWonks,
  probeCapabilities: () => probeCapabilities(),
  slots: params.threads ?? (navigator.hardwareConcurrency || 1),
  // The runner is made at the first job, after the authority pushed its options (sandbox_url).
  createRunner: (threads) => createJobRunner({ threads, sandboxUrl: role.options.get('sandbox_url') }),
});
window.peerfarm = role;

document.querySelector('pf-worker-page')!.model = role;

if (params.join) void role.join();
