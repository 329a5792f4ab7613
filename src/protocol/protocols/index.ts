// Every protocol version this code base speaks, registered once.
import { ProtocolRegistry } from '../registry.ts';
import { authorityFromClient1, clientFromAuthority1 } from './authority-client.ts';
import { authorityFromClient2, clientFromAuthority2 } from './authority-client-2.ts';
import { authorityFromClient3, clientFromAuthority3 } from './authority-client-3.ts';
import { authorityFromWorker1 } from './authority-worker-1.ts';
import { authorityFromWorker2 } from './authority-worker-2.ts';
import { workerFromAuthority1, workerFromAuthority2 } from './worker-authority.ts';
import { peerFromWorker1, workerFromPeer1 } from './overlay.ts';
import { clientFromWorker1, workerFromClient1 } from './client-worker.ts';
import { clientFromWorker2, workerFromClient2 } from './client-worker-2.ts';
import { clientFromWorker3, workerFromClient3 } from './client-worker-3.ts';
import { authorityFromAuthority1 } from './authority-authority.ts';

export { authorityFromClient1, clientFromAuthority1, authorityFromClient2, clientFromAuthority2, authorityFromClient3, clientFromAuthority3 };
export { authorityFromWorker1, authorityFromWorker2 };
export { workerFromAuthority1, workerFromAuthority2, peerFromWorker1, workerFromPeer1, clientFromWorker1, workerFromClient1, clientFromWorker2, workerFromClient2 };
export { clientFromWorker3, workerFromClient3 };
export { authorityFromAuthority1 };

export function createRegistry(): ProtocolRegistry {
  return new ProtocolRegistry().register(
    authorityFromWorker1, authorityFromWorker2, workerFromAuthority1, workerFromAuthority2,
    authorityFromClient1, clientFromAuthority1, authorityFromClient2, clientFromAuthority2, authorityFromClient3, clientFromAuthority3,
    workerFromPeer1, peerFromWorker1, workerFromClient1, clientFromWorker1, workerFromClient2, clientFromWorker2,
    workerFromClient3, clientFromWorker3, authorityFromAuthority1,
  );
}
