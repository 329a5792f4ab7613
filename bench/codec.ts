// Benchmark: the Tcl-style wire codec (formatList + parseList) against JSON.stringify + JSON.parse of the
// same word arrays, in the same process, in alternating rounds so machine noise hits both alike.
// Run with `npm run bench -- codec`; the last line printed is the JSON summary (docs/BENCHMARKS.md).
import { formatList } from '../src/protocol/format.ts';
import { parseList } from '../src/protocol/parse.ts';

const WARMUP_ROUNDS = 2;
const MEASURED_ROUNDS = 5;
// Each round runs whole passes over the message mix until this much time has passed.
const ROUND_MS = 400;

type Codec = { name: string; roundTrip: (words: readonly string[]) => number };

const ours: Codec = { name: 'tcl list', roundTrip: (words) => parseList(formatList(words)).length };
const json: Codec = { name: 'json', roundTrip: (words) => (JSON.parse(JSON.stringify(words)) as string[]).length };

function sdp(): string {
  const lines = [
    'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
    'a=extmap-allow-mixed', 'a=msid-semantic: WMS', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0', 'a=ice-ufrag:Xq7/', 'a=ice-pwd:3n$Yd+o/[k]Wc9\\Z;"quoted"',
    'a=ice-options:trickle', 'a=fingerprint:sha-256 6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35',
    'a=setup:actpass', 'a=mid:0', 'a=sctp-port:5000', 'a=max-message-size:262144',
  ];
  return lines.join('\r\n') + '\r\n';
}

/** A realistic mix of protocol messages, as word arrays (nested values are already formatted lists). */
function messageMix(): string[][] {
  const ids = Array.from({ length: 40 }, (_, i) => `p${(i * 7919).toString(36)}-${i}`);
  const job = formatList(['code', 'return input.n * 2', 'input', formatList(['n', '21']), 'price', '3']);
  const bids = Array.from({ length: 8 }, (_, i) => formatList(['bid', ids[i] ?? '', String(3 + i), '{cpu 4}']));
  return [
    ['solicit', '-job', job, '-path', formatList(ids.slice(0, 3)), '-avoid', formatList(ids.slice(3, 9)), '-token', '17'],
    ['proffer', '17', bids.join('\n')],
    ['signal', ids[5] ?? '', formatList(['type', 'offer', 'sdp', sdp()])],
    ['peers', formatList(ids)],
    ['options', 'maxPeers', '8', 'pingMs', '5000', 'leaseMs', '30000', 'motd', 'welcome to the farm', 'address', '127.0.0.1'],
    ['ping'],
    ['result', '17', ids[2] ?? '', formatList(['ok', '42', 'ms', '118'])],
    ['exception', 'list element in braces followed by "}" instead of space'],
  ];
}

/** Runs whole passes over the mix until ROUND_MS passed; returns round trips per second. */
function round(codec: Codec, mix: readonly string[][]): number {
  let ops = 0;
  let checksum = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ROUND_MS) {
    for (let pass = 0; pass < 100; pass++) {
      for (const words of mix) checksum += codec.roundTrip(words);
    }
    ops += 100 * mix.length;
    elapsed = performance.now() - start;
  }
  if (checksum === 0) throw new Error('the codec produced nothing');
  return (ops / elapsed) * 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function checkRoundTrips(mix: readonly string[][]): void {
  for (const words of mix) {
    const back = parseList(formatList(words));
    if (JSON.stringify(back) !== JSON.stringify(words)) throw new Error(`round trip failed for ${JSON.stringify(words)}`);
  }
}

function bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

function main(): void {
  const mix = messageMix();
  checkRoundTrips(mix);
  const oursBytes = mix.reduce((sum, words) => sum + bytes(formatList(words)), 0);
  const jsonBytes = mix.reduce((sum, words) => sum + bytes(JSON.stringify(words)), 0);
  console.log(`codec: ${mix.length} messages per pass; encoded size ${oursBytes} B (tcl list) vs ${jsonBytes} B (json)`);
  for (let i = 0; i < WARMUP_ROUNDS; i++) {
    round(ours, mix);
    round(json, mix);
  }
  const results = { ours: [] as number[], json: [] as number[] };
  for (let i = 0; i < MEASURED_ROUNDS; i++) {
    // Alternate which codec goes first, so neither always runs on a warmer or cooler machine.
    const order = i % 2 === 0 ? [ours, json] : [json, ours];
    for (const codec of order) {
      const opsPerS = round(codec, mix);
      (codec === ours ? results.ours : results.json).push(opsPerS);
      console.log(`round ${i + 1}  ${codec.name.padEnd(8)} ${Math.round(opsPerS).toLocaleString('en-US').padStart(12)} round trips/s`);
    }
  }
  const oursOps = median(results.ours);
  const jsonOps = median(results.json);
  console.log(`median   tcl list ${Math.round(oursOps).toLocaleString('en-US')} /s, json ${Math.round(jsonOps).toLocaleString('en-US')} /s`);
  console.log(JSON.stringify({
    bench: 'codec',
    ours_ops_per_s: Math.round(oursOps),
    json_ops_per_s: Math.round(jsonOps),
    ours_bytes: oursBytes,
    json_bytes: jsonBytes,
    ratio: Number((oursOps / jsonOps).toFixed(3)),
  }));
}

main();
