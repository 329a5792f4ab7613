// Part of the job worker script (see sandbox-document.ts): estimates the structured-clone size of a job's
// result, so one above CONFIG.resultMaxBytes is refused before it is posted to the iframe, the page
// and the network. Browsers expose no serializer to measure with, so this counts what V8's
// serializer writes, rounded up: 8 bytes per value tag, 2 bytes per UTF-16 code unit of a string,
// every byte of an ArrayBuffer (a typed-array view clones its whole buffer) and of a Blob. An
// array counts by its length, holes included: a sparse array is overestimated, never under.
// It runs on a structured clone of the result, so it only meets cloneable types and no getters.

/** Bytes counted for every value: its tag and, for numbers, the payload. */
const VALUE_BYTES = 8;

/**
 * Returns the estimated size in bytes, or a number just above `limitBytes` as soon as the estimate
 * passes it (the walk stops early, so a huge result costs no more than the limit to reject).
 */
function estimateCloneBytes(root, limitBytes) {
  const seen = new Set();
  const pending = [root];
  let bytes = 0;
  while (pending.length > 0 && bytes <= limitBytes) {
    const value = pending.pop();
    bytes += VALUE_BYTES + primitiveBytes(value);
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    bytes += objectBytes(value, pending, limitBytes - bytes);
  }
  return bytes;
}

function primitiveBytes(value) {
  if (typeof value === 'string') return value.length * 2;
  if (typeof value === 'bigint') return Math.ceil(value.toString(16).length / 2);
  return 0;
}

/** Bytes an object holds itself; its children go onto `pending` unless they would pass the budget. */
function objectBytes(value, pending, budgetBytes) {
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return pushAll(pending, [value.buffer]);
  if (value instanceof Blob) return value.size;
  if (value instanceof Date) return 0;
  if (value instanceof RegExp) return value.source.length * 2;
  if (value instanceof Map) return pushEntries(pending, value.entries(), value.size, budgetBytes);
  if (value instanceof Set) return pushAll(pending, value.values(), value.size, budgetBytes);
  if (Array.isArray(value)) return pushAll(pending, value, value.length, budgetBytes);
  const keys = Object.keys(value);
  return pushEntries(pending, keys.map((key) => [key, value[key]]), keys.length, budgetBytes);
}

function pushAll(pending, values, count = 1, budgetBytes = Infinity) {
  if (count * VALUE_BYTES > budgetBytes) return count * VALUE_BYTES;
  for (const value of values) pending.push(value);
  return 0;
}

function pushEntries(pending, entries, count, budgetBytes) {
  if (count * 2 * VALUE_BYTES > budgetBytes) return count * 2 * VALUE_BYTES;
  for (const [key, value] of entries) pending.push(key, value);
  return 0;
}
