// The automation hooks of DESIGN.md section 9: ?ephemeral, ?join, ?authority=ws://host:port/ws,
// ?threads=N (a worker tab's job slots, 1..32; by default one per core) and ?trace (per-hop
// timings of every job, src/peer/farm/trace.ts: the benches read them; off, they cost nothing).
import { MAX_THREADS } from './job-runner.ts';

export interface PageParams {
  readonly ephemeral: boolean;
  readonly join: boolean;
  readonly authorityUrls: string[];
  /** Job slots asked for with ?threads=N; undefined when absent or not a whole number 1..32. */
  readonly threads: number | undefined;
  readonly trace: boolean;
}

export function readPageParams(location: Location): PageParams {
  const params = new URLSearchParams(location.search);
  const given = params.getAll('authority').flatMap((value) => value.split(/[\s,]+/)).filter(Boolean);
  return {
    ephemeral: params.has('ephemeral'),
    join: params.has('join'),
    authorityUrls: given.length > 0 ? given : [defaultAuthorityUrl(location)],
    threads: wholeNumber(params.get('threads'), 1, MAX_THREADS),
    trace: params.has('trace'),
  };
}

/** The authority that served the page: same host, /ws. */
export function defaultAuthorityUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

function wholeNumber(text: string | null, min: number, max: number): number | undefined {
  if (text === null || !/^\d{1,3}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}
