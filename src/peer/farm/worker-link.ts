// The client's side of a link to a worker (p2p:worker<-client/1 out, p2p:client<-worker/1 in):
// the handshake, and the worker's answers handed to the series that runs on it.
import { openClient } from '../../protocol/client.ts';
import { bind, type LogEvent } from '../../protocol/handler.ts';
import type { Link } from '../../protocol/link.ts';
import { clientFromWorker1, workerFromClient1 } from '../../protocol/protocols/index.ts';
import { PEER_LINK_LIMITS } from '../../protocol/protocols/peer-common.ts';
import type { WorkerLink, WorkerReplies } from './foreman.ts';

export interface WorkerLinkOptions {
  /** Bids answering a solicit sent on this link. */
  readonly onProffer?: (token: string, bids: string[]) => void;
  readonly log?: (event: LogEvent) => void;
}

/** Completes the client handshake on `link`; series traffic goes to `replies`. */
export function openWorkerLink(link: Link, replies: WorkerReplies, options: WorkerLinkOptions = {}): Promise<WorkerLink> {
  return openClient<typeof workerFromClient1>({
    link, sends: [workerFromClient1], limits: PEER_LINK_LIMITS, ...(options.log && { log: options.log }),
    bindings: [bind(clientFromWorker1, workerFromClient1, () => ({
      pong: () => undefined,
      proffer: ({ token, bids }) => options.onProffer?.(token, bids),
      pull: ({ series, count }) => replies.pull(series, count),
      progress: ({ series, lease, fraction }) => replies.progress(series, lease, fraction),
      key: ({ series, key }) => replies.key(series, key),
      result: ({ series, lease, value, signature }) => replies.result(series, lease, value, signature),
      failed: ({ series, lease, code, message }) => replies.failed(series, lease, code, message),
    }))],
  });
}
