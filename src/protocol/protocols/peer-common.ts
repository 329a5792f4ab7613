// Commands of the links between tabs (worker↔worker overlay links and client→worker links).
// Catalogue with arguments and replies: docs/PROTOCOL.md.
import type { CommandSpec } from '../schema.ts';

/** A solicit travels at most this many hops whatever peer_time_to_live says. */
export const MAX_PATH_HOPS = 16;
/** Each hop adds itself and its recipients; 16 hops of a few dozen neighbours fit. */
export const MAX_AVOID_IDS = 512;
/** One proffer carries at most this many bids (a network larger than this needs a narrower solicit). */
export const MAX_BIDS = 1000;
export const MAX_JOB_SPEC_BYTES = 4096;

export const ping = {
  args: [{ name: 'token', type: 'token' }],
  reply: 'pong',
  doc: 'Measures the round trip of an overlay candidate; answered at once with `pong token`.',
} as const satisfies CommandSpec;

export const pong = {
  args: [{ name: 'token', type: 'token' }],
  reply: '',
  doc: 'The answer to `ping token`.',
} as const satisfies CommandSpec;

export const solicit = {
  args: [],
  options: {
    '-job': { type: 'dict', maxBytes: MAX_JOB_SPEC_BYTES, maxItems: 64 },
    '-path': { type: 'list', maxItems: MAX_PATH_HOPS },
    '-avoid': { type: 'list', maxItems: MAX_AVOID_IDS },
    '-token': { type: 'token' },
  },
  reply: 'proffer',
  doc: 'Asks for bids on a job. Flooded to neighbours not in -avoid while -path is shorter than peer_time_to_live; ' +
    'answered with one `proffer token bids` once all replies are in or the hop timeout passes.',
} as const satisfies CommandSpec;

export const proffer = {
  args: [
    { name: 'token', type: 'token' },
    { name: 'bids', type: 'list', maxItems: MAX_BIDS },
  ],
  reply: '',
  doc: 'The bids of a solicit: a list of dicts `id slots price wonks jobs valid`, one per worker, merged by id. ' +
    'A proffer whose token is not pending (late, or unknown) is ignored.',
} as const satisfies CommandSpec;

/** Job code is one ES module; a bigger one should be loaded as a library, not shipped per series. */
export const MAX_CODE_BYTES = 256 * 1024;
/** One job's input or result as JSON; peer links carry frames up to PEER_MAX_FRAME_BYTES. */
export const MAX_JOB_DATA_BYTES = 8 * 1024 * 1024;
export const PEER_MAX_FRAME_BYTES = MAX_JOB_DATA_BYTES + 64 * 1024;

/**
 * Limits of a link between two tabs: frames carry job inputs and results, and a fast worker sends
 * a result and a pull per job (thousands of 1 ms jobs a second), far above an authority link's rate.
 */
export const PEER_LINK_LIMITS = {
  maxFrameBytes: PEER_MAX_FRAME_BYTES,
  commandsPerSecond: 2000,
  burstCommands: 4000,
} as const;
