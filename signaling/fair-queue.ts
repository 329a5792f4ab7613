// Heavy work of many links, one task at a time, in turn: each link's tasks run in arrival order,
// links take turns, and the event loop gets a turn between tasks, so one link's burst of signed
// batches cannot hold up every other peer's answers (the points desk parses a batch of up to 1000
// entries here, ~3 ms; its ledger requests then go to the group commit, fair across links too).
import { CommandError, ErrorCode } from '../src/protocol/errors.ts';

/**
 * Tasks one link may have waiting; a well-behaved client has one or two batches in flight. The
 * points desk counts a link's requests against it until they are answered, not only while here.
 */
export const MAX_QUEUED_PER_LINK = 16;

type Task = () => Promise<void>;

export class FairQueue {
  /** Links with work, in turn order; a link is here once however many tasks it has. */
  private readonly turns: object[] = [];
  private readonly queues = new Map<object, Task[]>();
  private running = false;

  constructor(private readonly maxPerLink = MAX_QUEUED_PER_LINK) {}

  /** Queues `work` for `link`; rejects with BUSY when the link has too much waiting. */
  run<T>(link: object, work: () => Promise<T> | T): Promise<T> {
    const queue = this.queues.get(link) ?? [];
    if (queue.length >= this.maxPerLink) {
      return Promise.reject(new CommandError(ErrorCode.BUSY,
        `too many requests waiting on this link (${this.maxPerLink}): wait for the answers first`));
    }
    return new Promise<T>((resolve, reject) => {
      queue.push(async () => {
        try {
          resolve(await work());
        } catch (error) {
          reject(error);
        }
      });
      if (!this.queues.has(link)) {
        this.queues.set(link, queue);
        this.turns.push(link);
      }
      this.pump();
    });
  }

  /** Forgets a closed link's waiting tasks; their promises never settle (nobody is listening). */
  drop(link: object): void {
    if (!this.queues.delete(link)) return;
    this.turns.splice(this.turns.indexOf(link), 1);
  }

  private pump(): void {
    if (this.running) return;
    const link = this.turns.shift();
    if (link === undefined) return;
    const queue = this.queues.get(link)!;
    const task = queue.shift()!;
    if (queue.length > 0) this.turns.push(link);
    else this.queues.delete(link);
    this.running = true;
    void task().finally(() => {
      // setImmediate runs after pending I/O: other links' frames are read before the next task.
      setImmediate(() => {
        this.running = false;
        this.pump();
      });
    });
  }
}
