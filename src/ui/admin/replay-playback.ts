// The replay's clock: the current time, stepping to the previous or next event time (`<` `>`),
// seeking, and playing at 1×, 5× or 20× on animation frames. Emits `change` whenever the time or
// the play state changes; views redraw on it, and the player bar re-renders once per frame.
import { lowerBound, upperBound, type ReplayIndex } from './replay-index.ts';

export const SPEEDS = [1, 5, 20] as const;
export type Speed = (typeof SPEEDS)[number];

export class ReplayPlayback extends EventTarget {
  time = 0;
  playing = false;
  speed: Speed = 1;
  private index: ReplayIndex | undefined;
  private frame: number | undefined;
  private lastFrameMs = 0;

  get start(): number {
    return this.index?.start ?? 0;
  }

  get end(): number {
    return this.index?.end ?? 0;
  }

  /** Which distinct event time the clock is at or just past (0-based), and how many there are. */
  get position(): { step: number; steps: number } {
    const times = this.index?.times ?? new Float64Array();
    return { step: Math.max(0, upperBound(times, this.time) - 1), steps: times.length };
  }

  /**
   * Follows a rebuilt index. The clock starts at the end (the network as it is now), and a clock at
   * the end stays at the (new) end, so a replay left there keeps up with the live network.
   */
  setIndex(index: ReplayIndex): void {
    const atEnd = this.index === undefined || this.time >= this.end;
    this.index = index;
    if (atEnd) this.time = index.end;
    this.time = Math.min(Math.max(this.time, index.start), index.end);
    this.emit();
  }

  /** Jumps to `time`; with `snap`, onward to the next event time (as the original's slider did). */
  seek(time: number, snap = false): void {
    const index = this.index;
    if (!index) return;
    let target = Math.min(Math.max(time, index.start), index.end);
    if (snap) target = index.times[lowerBound(index.times, target)] ?? index.end;
    this.time = target;
    this.emit();
  }

  /** To the next (+1) or previous (-1) distinct event time. */
  step(direction: 1 | -1): void {
    const times = this.index?.times;
    if (!times || times.length === 0) return;
    this.pause();
    const next = direction > 0 ? times[upperBound(times, this.time)] : times[lowerBound(times, this.time) - 1];
    if (next !== undefined) this.seek(next);
  }

  play(): void {
    if (this.playing || !this.index) return;
    if (this.time >= this.end) this.time = this.start;
    this.playing = true;
    this.lastFrameMs = performance.now();
    this.frame = requestAnimationFrame(this.tick);
    this.emit();
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.emit();
  }

  setSpeed(speed: Speed): void {
    this.speed = speed;
    this.emit();
  }

  private readonly tick = (nowMs: number): void => {
    // A hidden tab gets no frames; do not leap over the whole gap when it comes back.
    const elapsed = Math.min(nowMs - this.lastFrameMs, 250);
    this.lastFrameMs = nowMs;
    this.time = Math.min(this.time + elapsed * this.speed, this.end);
    if (this.time >= this.end) {
      this.playing = false;
      this.frame = undefined;
    } else {
      this.frame = requestAnimationFrame(this.tick);
    }
    this.emit();
  };

  private emit(): void {
    this.dispatchEvent(new Event('change'));
  }
}
