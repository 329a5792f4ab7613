// Small text helpers for the pages: short peer ids, relative times, durations.

/** Peer ids are 32 hex characters; the first 8 tell peers apart on one screen. */
export const SHORT_ID_CHARS = 8;

export function shortId(id: string): string {
  return id.length > SHORT_ID_CHARS ? `${id.slice(0, SHORT_ID_CHARS)}…` : id;
}

/** A stable hue per peer id, so the same peer has the same colour on every page. */
export function peerHue(id: string): number {
  const head = Number.parseInt(id.slice(0, 6), 16);
  return Number.isFinite(head) ? head % 360 : 0;
}

/** "just now", "12 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function relativeTime(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 3) return 'just now';
  return `${duration(seconds)} ago`;
}

/** A duration in seconds, in its largest sensible unit: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function duration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return joinUnits(hours, 'h', minutes % 60, 'min');
  return joinUnits(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

function joinUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small > 0 ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
}

/** Wall-clock time for a title attribute, e.g. "14:03:27". */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString();
}

/** "1 job", "3 jobs": `word` with an s unless there is exactly one. */
export function plural(count: number, word: string): string {
  return `${count} ${count === 1 ? word : `${word}s`}`;
}

/** Milliseconds with one decimal, e.g. a round trip: "12.3 ms". */
export function milliseconds(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

/** A wonks figure (benchmark µs, lower is faster) as milliseconds: 5321 → "5.3 ms". */
export function wonksAsMs(wonks: number): string {
  return milliseconds(wonks / 1000);
}

/** A share 0..1 as a whole percentage: 0.981 → "98 %". */
export function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

/** A short span of time: "320 ms" under a second, "12.3 s" under a minute, then as `duration`. */
export function elapsed(ms: number): string {
  const clamped = Math.max(0, ms);
  if (clamped < 1000) return `${Math.round(clamped)} ms`;
  if (clamped < 60_000) return `${(clamped / 1000).toFixed(1)} s`;
  return duration(clamped / 1000);
}

/** A whole number with thousands separators: 664579 → "664,579". */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** Points with thousands separators: 1 → "1 point", 1000 → "1,000 points". */
export function points(value: number): string {
  return `${count(value)} ${value === 1 ? 'point' : 'points'}`;
}

/** A change of points with its sign: +12, −3 (a true minus sign), 0. */
export function signedPoints(delta: number): string {
  if (delta > 0) return `+${count(delta)}`;
  if (delta < 0) return `−${count(-delta)}`;
  return '0';
}

/** Wall-clock time to the millisecond, e.g. "14:03:27.123": the replay's event times. */
export function clockTimeMs(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Time since a start, to the millisecond: 12345 → "+12.345 s". */
export function offsetSeconds(ms: number): string {
  return `+${(Math.max(0, ms) / 1000).toFixed(3)} s`;
}
