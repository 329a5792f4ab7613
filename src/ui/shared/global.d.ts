// `window.peerfarm`: each page's role object (DESIGN.md section 9), for tests, the demo and the console.
import type { AdminRole } from '../../peer/admin-role.ts';
import type { ClientRole } from '../../peer/client-role.ts';
import type { WorkerRole } from '../../peer/worker-role.ts';

declare global {
  interface Window {
    /** WorkerRole on the worker page, ClientRole on the submit page, AdminRole on the admin page. */
    peerfarm?: WorkerRole | ClientRole | AdminRole;
  }
}

export {};
