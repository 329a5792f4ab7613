// Random helpers shared by tabs and the authority (the original's random.tcl): sampling without
// replacement by a partial Fisher-Yates shuffle, so a sample of k costs O(k) swaps.

/** The first `max` places of a uniform shuffle of `items` (which it reorders in place). */
export function sample<T>(items: T[], max: number, random: () => number = Math.random): T[] {
  const count = Math.min(max, items.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (items.length - i));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items.slice(0, count);
}

export function shuffle<T>(items: T[], random: () => number = Math.random): T[] {
  return sample(items, items.length, random);
}

/** `length` random base-36 characters from the platform's CSPRNG: ids that must not repeat across tabs or reloads. */
export function randomTag(length: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte) => (byte % 36).toString(36)).join('');
}

/** `bytes` bytes from the platform's CSPRNG as lower-case hex: one-time nonces of challenges. */
export function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
