// Properties of the Handler (handler.ts) over an in-memory link: whatever frames a peer sends (random
// text, valid and invalid commands of the echo test protocols, oversize and binary frames, frames
// before the handshake, floods past the rate limit), the handler never throws, answers every frame that is not
// rate-limited exactly once (or not at all for a command with no reply), declares its own side once
// when it accepts a protocol, and a last `say` still gets its answer. fast-check picks a new seed
// each run and prints the seed and path of any failure.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { memoryPair } from '../../src/net/memory-link.ts';
import { formatList } from '../../src/protocol/format.ts';
import { Handler } from '../../src/protocol/handler.ts';
import { ParseError, parseCommand, parseList } from '../../src/protocol/parse.ts';
import { RateLimiter } from '../../src/protocol/rate-limit.ts';
import { echo1, echo1Binding, echo2, echo2Binding, tester1, tester2 } from '../helpers/echo-protocols.ts';

const NUM_RUNS = 150;
const MAX_FRAME_BYTES = 512;
const COMMANDS_PER_S = 50;
/** How long a group's answers may take: `slow` waits at most SLOW_MAX_MS, the rest is slack. */
const SLOW_MAX_MS = 3;
const ANSWER_WAIT_MS = 500;
/** Long enough for any token bucket here to fill up again. */
const REFILL_MS = 60_000;

const PROTOCOLS = [echo1.name, echo2.name];
/** The handler declares the mirror protocol of the one it accepts (DESIGN.md section 2: a mirror pair). */
const MIRRORS = new Map([[echo1.name, tester1.name], [echo2.name, tester2.name]]);
const REPLY_COMMANDS = new Set(['said', 'sum', 'done', 'exception']);
const RATE_NOTICE = /^rate limit exceeded/;

const TOKENS = ['{', '}', '"', '\\', ' ', '\n', '[', '$', '#', 'say', 'add', 'quiet', 'protocol', 'exception', 'identity',
  '1', '-', 'x', 'é', '\uD83D', '\0'];
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: 12 }),
  fc.string({ unit: codeUnit, maxLength: 30 }),
  fc.string({ maxLength: 30 }),
);
const smallText = fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: 4 });
const intWord = fc.oneof(fc.integer({ min: -5, max: 5 }).map(String), fc.constantFrom('x', '1.5', '', '99999999999999999'));

/** Frames of the echo protocols and of the handshake, well-formed or not, each at most 60 characters. */
const commandFrame = fc.oneof(
  fc.tuple(fc.constant('protocol'), fc.oneof(fc.constantFrom(...PROTOCOLS), smallText)).map(formatList),
  fc.constantFrom('protocol', `protocol ${echo1.name} extra`, 'protocol {}'),
  smallText.map((t) => formatList(['say', t])),
  fc.tuple(intWord, intWord).map(([a, b]) => formatList(['add', a, b])),
  fc.constantFrom('quiet', 'quiet 1', 'boom', 'say', 'add 1', 'shout hi', 'nope', 'toString', '__proto__'),
  fc.integer({ min: 0, max: SLOW_MAX_MS }).map((ms) => `slow ${ms}`),
  fc.constantFrom('slow -1', 'slow 1001', 'slow x'),
  fc.oneof(smallText, fc.string({ maxLength: 70 })).map((name) => formatList(['identity', name])),
  fc.array(smallText, { maxLength: 3 }).map((words) => formatList(['exception', ...words])),
);

/** Frames above the size limit (ASCII, so characters are bytes). */
const oversizeFrame = fc.integer({ min: MAX_FRAME_BYTES + 1, max: 2 * MAX_FRAME_BYTES })
  .map((n) => `say {${'x'.repeat(n)}}`);

/** A binary message, as a WebSocket may deliver one: the link reports only its size. */
interface Binary { readonly binaryBytes: number }
const binaryFrame: fc.Arbitrary<Binary> = fc.nat(4096).map((binaryBytes) => ({ binaryBytes }));

type Frame = string | Binary;
const frame: fc.Arbitrary<Frame> = fc.oneof(
  { arbitrary: binaryFrame, weight: 1 },
  { arbitrary: commandFrame, weight: 6 },
  { arbitrary: text, weight: 3 },
  { arbitrary: oversizeFrame, weight: 1 },
);

/** Frames sent back to back, after the clock moved on by `advanceMs`. */
const group = fc.record({ advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 })), frames: fc.array(frame, { minLength: 1, maxLength: 4 }) });
const scenario = fc.record({ burst: fc.integer({ min: 3, max: 40 }), groups: fc.array(group, { maxLength: 12 }) });

/**
 * What the handler should do with one frame that passed the rate limit: how many answers it owes,
 * and the protocol the frame declares, if it does. Written from DESIGN.md section 2, not from handler.ts.
 */
function expectedAnswers(frame: Frame, declared: string | undefined): { answers: 0 | 1; declares?: string } {
  if (typeof frame !== 'string') return { answers: 1 };
  if (Buffer.byteLength(frame, 'utf8') > MAX_FRAME_BYTES) return { answers: 1 };
  let words: string[];
  try {
    words = parseCommand(frame);
  } catch (error) {
    if (error instanceof ParseError) return { answers: 1 };
    throw error;
  }
  const [command, ...rest] = words as [string, ...string[]];
  if (command === 'exception') return { answers: 0 };
  if (declared === undefined) {
    const name = rest[0];
    return command === 'protocol' && rest.length === 1 && PROTOCOLS.includes(name!) ? { answers: 0, declares: name! } : { answers: 1 };
  }
  // identity's name is at most 64 characters (registry.ts); quiet (echo1 only) has no reply.
  if (command === 'identity' && rest.length === 1 && rest[0]!.length <= 64) return { answers: 0 };
  if (declared === echo1.name && command === 'quiet' && rest.length === 0) return { answers: 0 };
  return { answers: 1 };
}

interface Harness {
  /** Sends the frames back to back, waits for what they are owed and checks it; returns the answers. */
  send(frames: readonly Frame[]): Promise<string[]>;
  advance(ms: number): void;
  readonly handler: Handler;
  readonly thrown: unknown[];
  readonly declared: string | undefined;
}

function harness(burst: number): Harness {
  let nowMs = 0;
  const clock = () => nowMs;
  const [near, far] = memoryPair('echo-side', 'tester');
  const handler = new Handler({
    link: near,
    accepts: new Map([[echo1.name, echo1Binding], [echo2.name, echo2Binding]]),
    limits: { maxFrameBytes: MAX_FRAME_BYTES, commandsPerSecond: COMMANDS_PER_S, burstCommands: burst },
    clock,
  });
  const thrown: unknown[] = [];
  const guard = <T>(listener: (value: T) => void) => (value: T) => {
    try {
      listener(value);
    } catch (error) {
      thrown.push(error);
    }
  };
  near.onframe = guard(near.onframe!);
  const onBinary = guard(near.onbinary!);
  let received: string[] = [];
  far.onframe = (f) => received.push(f);
  // The same bucket as the handler's, fed the same clock: it tells which frames are rate-limited.
  const bucket = new RateLimiter(COMMANDS_PER_S, burst, clock);
  let declared: string | undefined;

  async function send(frames: readonly Frame[]): Promise<string[]> {
    received = [];
    let owed = 0;
    let limited = 0;
    const declarations: string[] = [];
    for (const f of frames) {
      if (!bucket.take()) {
        limited++;
      } else {
        const expected = expectedAnswers(f, declared);
        owed += expected.answers;
        if (expected.declares !== undefined) declarations.push(`protocol ${MIRRORS.get(expected.declares)!}`);
        declared ??= expected.declares;
      }
      // A binary message goes through the same microtask queue, so it keeps its place among the frames.
      if (typeof f === 'string') far.send(f);
      else queueMicrotask(() => onBinary(f.binaryBytes));
    }
    // What comes back: the handler's own protocol declaration, rate-limit notices, and answers.
    const sorted = () => {
      const words = received.map((r) => parseList(r));
      const isNotice = (w: string[]) => w[0] === 'exception' && RATE_NOTICE.test(w[1] ?? '');
      return {
        declarations: received.filter((_, i) => words[i]![0] === 'protocol'),
        notices: words.filter(isNotice).length,
        answers: received.filter((_, i) => words[i]![0] !== 'protocol' && !isNotice(words[i]!)),
      };
    };
    const deadline = Date.now() + ANSWER_WAIT_MS;
    while (sorted().answers.length < owed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setImmediate(resolve));
    const { declarations: declaredBack, notices, answers } = sorted();
    for (const answer of answers) expect(REPLY_COMMANDS).toContain(parseList(answer)[0]);
    expect({ answers: answers.length, frames }).toEqual({ answers: owed, frames });
    expect(declaredBack).toEqual(declarations);
    expect(notices).toBeLessThanOrEqual(Math.min(1, limited));
    expect(thrown).toEqual([]);
    return answers;
  }

  return {
    send,
    advance: (ms) => { nowMs += ms; },
    handler,
    thrown,
    get declared() { return declared; },
  };
}

describe('Handler properties', () => {
  beforeAll(() => {
    // `boom` is an internal error: the handler logs it with console.error, which would flood the output.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterAll(() => {
    vi.restoreAllMocks();
  });

  it('answers every frame that is not rate-limited once at most, never throws, and stays usable', async () => {
    await fc.assert(fc.asyncProperty(scenario, async ({ burst, groups }) => {
      const h = harness(burst);
      for (const { advanceMs, frames } of groups) {
        h.advance(advanceMs);
        await h.send(frames);
      }
      h.advance(REFILL_MS);
      if (h.declared === undefined) await h.send([`protocol ${echo1.name}`]);
      expect(h.handler.state).toBe('declared');
      const [answer] = await h.send(['say ping']);
      expect(parseList(answer!)[0]).toBe('said');
      expect(answer).toContain('ping');
    }), { numRuns: NUM_RUNS });
  });
});
