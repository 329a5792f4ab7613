// Per-hop timings of jobs (DESIGN.md section 4: "measure it per hop"): the client and the worker
// each mark when a job passes a hop, on the machine's shared clock (performance.timeOrigin plus
// performance.now(): tabs of one machine agree to a fraction of a millisecond), and bench/farm
// lines the two sides up by lease to show where a job's time goes. Bounded: the oldest leases go.
// Off unless a page is opened with ?trace: eleven marks a job cost the client ~0.03 ms of its main
// thread per job (bench farm profile), for timings only the benches read.

/** Hops of one job, in order: the client's, then the worker's, then the client's again. */
export const HOPS = [
  'leased', 'escrowed', 'sent', // client: lease made, its price covered, the job frame sent
  'received', 'started', 'ran', 'signed', 'reported', // worker: frame read, sandbox started/answered, result signed and sent
  'arrived', 'verified', 'decided', // client: result frame read, signature checked, job done
] as const;
export type Hop = (typeof HOPS)[number];

/** Leases traced at most; a 2,000-job bench fits, a 100,000-job series keeps its last ones. */
export const TRACE_MAX_LEASES = 5000;

export class JobTrace {
  /** Whether jobs are traced in this tab (the page's ?trace; tests and benches in Node may set it). */
  static enabled = false;
  private readonly marks = new Map<string, Partial<Record<Hop, number>>>();

  constructor(private readonly now: () => number = () => performance.timeOrigin + performance.now()) {}

  mark(lease: string, hop: Hop): void {
    if (!JobTrace.enabled) return;
    let marks = this.marks.get(lease);
    if (!marks) {
      if (this.marks.size >= TRACE_MAX_LEASES) this.marks.delete(this.marks.keys().next().value!);
      marks = {};
      this.marks.set(lease, marks);
    }
    marks[hop] = this.now();
  }

  /** A plain copy: lease → hop → epoch milliseconds. */
  snapshot(): Record<string, Partial<Record<Hop, number>>> {
    return Object.fromEntries(this.marks);
  }
}
