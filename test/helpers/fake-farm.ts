// A job series over memory links: real Foreman and JobService, the sandbox replaced by a
// function, and workers that may misbehave. For farming tests and the hostile suite.
import { memoryPair } from '../../src/net/memory-link.ts';
import { bind, type Implementation } from '../../src/protocol/handler.ts';
import {
  clientFromWorker1, clientFromWorker2, clientFromWorker3, createRegistry, workerFromClient1, workerFromClient2, workerFromClient3,
} from '../../src/protocol/protocols/index.ts';
import { PEER_LINK_LIMITS } from '../../src/protocol/protocols/peer-common.ts';
import { Server } from '../../src/protocol/server.ts';
import { Foreman, type ForemanDeps, type SeriesSpec, type WorkerLink, type WorkerReplies } from '../../src/peer/farm/foreman.ts';
import { JobService, type ClientLink, type Runner } from '../../src/peer/farm/job-service.ts';
import { openWorkerLink } from '../../src/peer/farm/worker-link.ts';
import { generateIdentity, type Identity } from '../../src/protocol/identity.ts';

export type Behaviour = (input: number) => unknown;

export interface FakeWorker {
  readonly identity: Identity;
  readonly server: Server;
  ran: number[];
}

/** A tick: jobs finish on their own, in turn with everything else. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A worker whose sandbox is replaced by `behaviour`; each job ends when `done()` resolves. */
export async function worker(behaviour: Behaviour, slots = 2, signer?: Identity, done: () => Promise<unknown> = tick, newest: 2 | 3 = 3): Promise<FakeWorker> {
  const identity = await generateIdentity();
  const ran: number[] = [];
  const runner: Runner = {
    runJson: async (_code, input, { signal }) => {
      ran.push(input as number);
      await done();
      if (signal?.aborted) throw Object.assign(new Error('aborted'), { code: 'ABORTED' });
      return JSON.stringify((await behaviour(input as number)) ?? null);
    },
  };
  const service = new JobService({
    runner: async () => runner, slots: () => slots, paused: () => false, onChange: () => undefined, identity: () => signer ?? identity,
  });
  return { identity, ran, server: workerServer((handler) => service.commands(handler), true, newest === 3) };
}

type SeriesCommands = Pick<Implementation<typeof workerFromClient1, typeof clientFromWorker1>, 'series' | 'job' | 'cancel' | 'end'>;

/**
 * A worker's accepting side with these series commands (a misbehaving worker writes its own); with
 * `batched` it speaks /2 too (the commands then include `jobs`), with `args` /3 as well, else /1 only.
 */
export function workerServer(series: (handler: ClientLink) => SeriesCommands, batched = false, args = false): Server {
  const common = { ping: ({ token }: { token: string }) => ['pong', { token }] as const, solicit: () => undefined };
  const bindings = [bind(workerFromClient1, clientFromWorker1, (handler) => ({ ...common, ...series(handler as ClientLink) }))];
  if (batched) bindings.push(bind(workerFromClient2, clientFromWorker2, (handler) => ({ ...common, ...series(handler as ClientLink) }) as never));
  if (args) bindings.push(bind(workerFromClient3, clientFromWorker3, (handler) => ({ ...common, ...series(handler as ClientLink) }) as never));
  return new Server({ registry: createRegistry(), limits: PEER_LINK_LIMITS, bindings });
}

export function farm(workers: Map<string, { server: Server }>, spec: Partial<SeriesSpec> & { inputs: number[] }, deps: Partial<ForemanDeps> = {}) {
  const handlers = new Map<string, WorkerLink>();
  const foreman = new Foreman({ code: 'export default (x) => x', redundancy: 1, leaseMs: 2000, timeoutMs: 1000, poisonAfter: 3, ...spec }, {
    onChange: () => undefined,
    connect: async (id: string, replies: WorkerReplies) => {
      const [near, far] = memoryPair('client', id);
      workers.get(id)!.server.accept(far);
      const handler = await openWorkerLink(near, replies);
      handlers.set(id, handler);
      return handler;
    },
    ...deps,
  }, 'series-1');
  return { foreman, handlers, run: () => foreman.run(new Map([...workers.keys()].map((id) => [id, 1]))) };
}

/** Workers by their real ids (results are signed), with a name → id map for the assertions. */
export async function crew(named: [string, Promise<FakeWorker>][]) {
  const workers = new Map<string, FakeWorker>();
  const ids: Record<string, string> = {};
  for (const [name, pending] of named) {
    const w = await pending;
    workers.set(w.identity.id, w);
    ids[name] = w.identity.id;
  }
  return { workers, ids };
}

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);
