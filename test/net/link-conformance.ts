// One suite for every Link implementation (STYLE.md lesson 12); each adapter's spec calls it.
import { describe, expect, it } from 'vitest';
import type { Link } from '../../src/protocol/link.ts';
import { until } from '../helpers/until.ts';

export interface LinkPair {
  readonly a: Link;
  readonly b: Link;
  close?(): Promise<void>;
}

/**
 * Frames a link has received cannot be seen before someone listens, so the one test of queueing
 * waits this long for 'early' to arrive; every other test awaits what it expects.
 */
const ARRIVAL_WAIT_MS = 100;

export function linkConformance(name: string, makePair: () => Promise<LinkPair>): void {
  describe(`${name} link`, () => {
    it('delivers frames in order, both ways, byte for byte', async () => {
      const pair = await makePair();
      const atA: string[] = [];
      const atB: string[] = [];
      pair.a.onframe = (frame) => atA.push(frame);
      pair.b.onframe = (frame) => atB.push(frame);
      const frames = ['one', 'two {with braces}', 'ünïcødé 😀', '', 'x'.repeat(100_000)];
      for (const frame of frames) pair.a.send(frame);
      pair.b.send('back');
      await until(() => atB.length === frames.length && atA.length === 1, 10_000);
      expect(atB).toEqual(frames);
      expect(atA).toEqual(['back']);
      await pair.close?.();
    });

    it('keeps frames that arrive before anyone listens', async () => {
      const pair = await makePair();
      pair.a.send('early');
      await new Promise((resolve) => setTimeout(resolve, ARRIVAL_WAIT_MS));
      const got: string[] = [];
      pair.b.onframe = (frame) => got.push(frame);
      expect(got).toEqual(['early']);
      await pair.close?.();
    });

    it('tells both sides when one closes, with the reason', async () => {
      const pair = await makePair();
      const reasons: string[] = [];
      pair.a.onclose = (reason) => reasons.push(`a:${reason}`);
      pair.b.onclose = (reason) => reasons.push(`b:${reason}`);
      pair.a.close('bye now');
      await until(() => reasons.length === 2, 10_000);
      expect(reasons.sort()).toEqual(['a:bye now', 'b:bye now']);
      expect([pair.a.state, pair.b.state]).toEqual(['closed', 'closed']);
      await pair.close?.();
    });

    it('drops a frame sent after closing instead of throwing', async () => {
      const pair = await makePair();
      pair.a.close('done');
      await until(() => pair.a.state === 'closed' && pair.b.state === 'closed', 10_000);
      expect(() => pair.a.send('late')).not.toThrow();
      expect(() => pair.b.send('late')).not.toThrow();
      await pair.close?.();
    });
  });
}
