// The client's side of a link to a worker (p2p:worker<-client/3, /2 or /1 out, p2p:client<-worker/3,
// /2 or /1 in): the handshake, and the worker's answers handed to the series that runs on it.
import { openClient } from '../../protocol/client.ts';
import { bind, type Binding, type LogEvent } from '../../protocol/handler.ts';
import type { Link } from '../../protocol/link.ts';
import {
  clientFromWorker1, clientFromWorker2, clientFromWorker3, workerFromClient1, workerFromClient2, workerFromClient3,
} from '../../protocol/protocols/index.ts';
import { PEER_LINK_LIMITS } from '../../protocol/protocols/peer-common.ts';
import type { WorkerLink, WorkerReplies } from './foreman.ts';

export interface WorkerLinkOptions {
  /** Bids answering a solicit sent on this link. */
  readonly onProffer?: (token: string, bids: string[]) => void;
  readonly log?: (event: LogEvent) => void;
}

/** Completes the client handshake on `link` (the highest version both know); series traffic goes to `replies`. */
export function openWorkerLink(link: Link, replies: WorkerReplies, options: WorkerLinkOptions = {}): Promise<WorkerLink> {
  const answers = {
    pong: () => undefined,
    proffer: ({ token, bids }: { token: string; bids: string[] }) => options.onProffer?.(token, bids),
    pull: ({ series, count }: { series: string; count: number }) => replies.pull(series, count),
    progress: ({ series, lease, fraction }: { series: string; lease: string; fraction: number }) => replies.progress(series, lease, fraction),
    key: ({ series, key }: { series: string; key: string }) => replies.key(series, key),
    failed: ({ series, lease, code, message }: { series: string; lease: string; code: string; message: string }) => replies.failed(series, lease, code, message),
  };
  const bindings: Binding[] = [
    bind(clientFromWorker1, workerFromClient1, () => ({
      ...answers,
      result: ({ series, lease, value, signature }) => replies.result(series, lease, value, signature),
    })),
    bind(clientFromWorker2, workerFromClient2, () => ({
      ...answers,
      results: ({ series, entries, signature }) => replies.results(series, entries, signature),
    })),
    bind(clientFromWorker3, workerFromClient3, () => ({
      ...answers,
      results: ({ series, entries, signature }) => replies.results(series, entries, signature),
      log: ({ series, lease, level, text }) => replies.log(series, lease, level, text),
    })),
  ];
  return openClient<typeof workerFromClient1 | typeof workerFromClient2 | typeof workerFromClient3>({
    link, sends: [workerFromClient1, workerFromClient2, workerFromClient3], limits: PEER_LINK_LIMITS, bindings,
    ...(options.log && { log: options.log }),
  });
}
