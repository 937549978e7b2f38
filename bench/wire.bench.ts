/**
 * bench/wire: Internet checksum and CRC-32 throughput on 1500-byte buffers, and the cost of
 * parsing and emitting an Ethernet/IPv4/TCP frame, each beside a plain memory copy
 * (Uint8Array.prototype.set) of the same bytes measured in the same run.
 *
 * Each measurement runs 15 trials of ~60 ms after a warm-up and reports the best trial: on a
 * shared 2-core machine other processes only ever slow a trial down, so the fastest trial is
 * the closest to the code's own cost (the median is printed beside it).
 * Last line: {"bench": "wire", "figures": {...}} (ENGINEERING.md).
 */
import { internetChecksum } from '../src/wire/checksum.js';
import { crc32 } from '../src/wire/crc32.js';
import { emitEthernet, ETH_HEADER_LEN, parseEthernet } from '../src/wire/ethernet.js';
import type { EthernetRepr } from '../src/wire/ethernet.js';
import { emitIpv4, parseIpv4 } from '../src/wire/ipv4.js';
import type { Ipv4Repr } from '../src/wire/ipv4.js';
import { emitTcp, parseTcp, TcpFlags, tcpHeaderLen } from '../src/wire/tcp.js';
import type { TcpRepr } from '../src/wire/tcp.js';

const TRIAL_MS = 60;
const TRIALS = 15;

let sink = 0;

const medians: number[] = [];

/** Runs `body(iterations)` repeatedly; returns the best trial's ns per iteration. */
function measure(body: (n: number) => void, batch: number): number {
  const warm = performance.now();
  while (performance.now() - warm < 100) body(batch);
  const results: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < TRIAL_MS) {
      body(batch);
      n += batch;
      now = performance.now();
    }
    results.push(((now - start) * 1e6) / n);
  }
  results.sort((a, b) => a - b);
  medians.push(results[Math.floor(results.length / 2)]);
  return results[0];
}

// ── 1500-byte buffers: a pool so that the data is not one hot cache line ──
const POOL = 64;
const LEN = 1500;
const arena = new Uint8Array(POOL * LEN + 8);
for (let i = 0; i < arena.length; i++) arena[i] = (i * 2654435761) >>> 24;
const bufs = Array.from({ length: POOL }, (_, i) => arena.subarray(i * LEN, (i + 1) * LEN));
const dst = new Uint8Array(LEN);

const checksumNs = measure((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += internetChecksum(bufs[i & (POOL - 1)], 0, LEN);
  sink += s;
}, 1024);
const crcNs = measure((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s ^= crc32(bufs[i & (POOL - 1)], 0, LEN);
  sink += s;
}, 1024);
const copyNs = measure((n) => {
  for (let i = 0; i < n; i++) dst.set(bufs[i & (POOL - 1)]);
  sink += dst[7];
}, 1024);

// ── An Ethernet/IPv4/TCP frame: a pure ACK with timestamps, as Linux sends it (66 + FCS) ──
const SRC = 0x0a0a0164;
const DST = 0x0a0a02c8;
const ethRepr = (payloadLen: number): EthernetRepr => ({
  dst: 0x0200000000fe,
  src: 0x020000000001,
  ethertype: 0x0800,
  payloadLen,
});
const ipRepr = (payloadLen: number): Ipv4Repr => ({
  dscp: 0,
  ecn: 0,
  ident: 0x1234,
  dontFrag: true,
  moreFrags: false,
  fragOffset: 0,
  ttl: 64,
  protocol: 6,
  src: SRC,
  dst: DST,
  payloadLen,
});
const tcpRepr = (payloadLen: number): TcpRepr => ({
  srcPort: 40000,
  dstPort: 80,
  seq: 0x11223344,
  ack: 0x55667788,
  flags: TcpFlags.ACK,
  window: 502,
  urgent: 0,
  timestamp: { tsval: 123456, tsecr: 654321 },
  payloadLen,
});

/** Emits a whole frame (TCP, IPv4, Ethernet + FCS) into `b` at 0; returns its length. */
function emitFrame(b: Uint8Array, payloadLen: number): number {
  const t = tcpRepr(payloadLen);
  const tl = tcpHeaderLen(t) + payloadLen;
  emitTcp(t, b, ETH_HEADER_LEN + 20, SRC, DST);
  emitIpv4(ipRepr(tl), b, ETH_HEADER_LEN);
  return emitEthernet(ethRepr(20 + tl), b, 0, true);
}

/**
 * Parses Ethernet, IPv4 and TCP and verifies the IPv4 header checksum, the TCP checksum and
 * options; with `fcs` also the Ethernet FCS (which a real NIC checks in hardware before the
 * stack sees the frame).
 */
function parseFrame(b: Uint8Array, len: number, fcs: boolean): number {
  const e = parseEthernet(b, 0, fcs ? len : len - 4, fcs);
  if (!e.ok) throw new Error('eth');
  const ip = parseIpv4(b, ETH_HEADER_LEN, ETH_HEADER_LEN + e.value.payloadLen);
  if (!ip.ok) throw new Error('ip');
  const ts = ETH_HEADER_LEN + 20;
  const t = parseTcp(b, ts, ts + ip.value.payloadLen, ip.value.src, ip.value.dst);
  if (!t.ok) throw new Error('tcp');
  return t.value.window;
}

const small = new Uint8Array(1518);
const smallLen = emitFrame(small, 0);
const full = new Uint8Array(1518);
for (let i = 66; i < 1514; i++) full[i] = i & 0xff;
const fullLen = emitFrame(full, 1448);
const scratch = new Uint8Array(1518);

const parseSmallNs = measure((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += parseFrame(small, smallLen, false);
  sink += s;
}, 4096);
const parseSmallFcsNs = measure((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += parseFrame(small, smallLen, true);
  sink += s;
}, 4096);
const emitSmallNs = measure((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += emitFrame(scratch, 0);
  sink += s;
}, 4096);
const copySmallNs = measure((n) => {
  const src = small.subarray(0, smallLen);
  for (let i = 0; i < n; i++) scratch.set(src);
  sink += scratch[3];
}, 4096);
const parseFullNs = measure((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += parseFrame(full, fullLen, true);
  sink += s;
}, 1024);
const emitFullNs = measure((n) => {
  let s = 0;
  for (let i = 0; i < n; i++) {
    scratch.set(full.subarray(66, 1514), 66); // the payload is there before the headers go on
    s += emitFrame(scratch, 1448);
  }
  sink += s;
}, 1024);
const copyFullNs = measure((n) => {
  const src = full.subarray(0, fullLen);
  for (let i = 0; i < n; i++) scratch.set(src);
  sink += scratch[3];
}, 1024);

const gbps = (bytes: number, ns: number) => bytes / ns; // bytes per ns = GB/s
const mbps = (bytes: number, ns: number) => (bytes / ns) * 1000;

const rows: [string, string, string][] = [
  [
    'Internet checksum, 1500 B',
    `${mbps(LEN, checksumNs).toFixed(0)} MB/s`,
    `${checksumNs.toFixed(1)} ns/buffer`,
  ],
  [
    'CRC-32 (IEEE 802.3), 1500 B',
    `${mbps(LEN, crcNs).toFixed(0)} MB/s`,
    `${crcNs.toFixed(1)} ns/buffer`,
  ],
  [
    'memcpy (Uint8Array.set), 1500 B',
    `${mbps(LEN, copyNs).toFixed(0)} MB/s`,
    `${copyNs.toFixed(1)} ns/buffer`,
  ],
  [
    `parse eth+ip+tcp ACK, ${smallLen - 4} B, IP+TCP checksums`,
    `${mbps(smallLen - 4, parseSmallNs).toFixed(0)} MB/s`,
    `${parseSmallNs.toFixed(1)} ns/frame`,
  ],
  [
    `parse eth+ip+tcp ACK, ${smallLen} B, + FCS`,
    `${mbps(smallLen, parseSmallFcsNs).toFixed(0)} MB/s`,
    `${parseSmallFcsNs.toFixed(1)} ns/frame`,
  ],
  [
    `emit eth+ip+tcp ACK, ${smallLen} B, + FCS`,
    `${mbps(smallLen, emitSmallNs).toFixed(0)} MB/s`,
    `${emitSmallNs.toFixed(1)} ns/frame`,
  ],
  [
    `memcpy, ${smallLen} B`,
    `${mbps(smallLen, copySmallNs).toFixed(0)} MB/s`,
    `${copySmallNs.toFixed(1)} ns/frame`,
  ],
  [
    `parse eth+ip+tcp data, ${fullLen} B, + FCS`,
    `${mbps(fullLen, parseFullNs).toFixed(0)} MB/s`,
    `${parseFullNs.toFixed(1)} ns/frame`,
  ],
  [
    `emit eth+ip+tcp data, ${fullLen} B, + FCS`,
    `${mbps(fullLen, emitFullNs).toFixed(0)} MB/s`,
    `${emitFullNs.toFixed(1)} ns/frame`,
  ],
  [
    `memcpy, ${fullLen} B`,
    `${mbps(fullLen, copyFullNs).toFixed(0)} MB/s`,
    `${copyFullNs.toFixed(1)} ns/frame`,
  ],
];
const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
// Rows are in measurement order, so medians[i] belongs to rows[i].
const w2 = Math.max(...rows.map((r) => r[2].length));
console.log(`${'measurement'.padEnd(w0)}  ${'best'.padStart(w1)}  ${'time'.padEnd(w2)}  median`);
rows.forEach(([a, b, c], i) =>
  console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padEnd(w2)}  ${medians[i].toFixed(1)} ns`),
);
console.log(
  'frame_parse_ns: Ethernet + IPv4 + TCP parsed, IPv4 header checksum, TCP checksum and options\n' +
    'verified (the stack\'s work; a NIC checks the FCS in hardware). "+ FCS" rows verify the FCS\n' +
    'too. Emit = TCP, IPv4 and Ethernet headers, both checksums, padding and FCS.',
);
if (sink === 0.5) console.log('');

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
console.log(
  JSON.stringify({
    bench: 'wire',
    figures: {
      checksum_gbytes_per_s: {
        value: round(gbps(LEN, checksumNs), 3),
        unit: 'GB/s',
        target: 2.5,
        better: 'higher',
      },
      crc32_gbytes_per_s: {
        value: round(gbps(LEN, crcNs), 3),
        unit: 'GB/s',
        target: 1.5,
        better: 'higher',
      },
      frame_parse_ns: { value: round(parseSmallNs, 1), unit: 'ns', target: 150, better: 'lower' },
      frame_parse_fcs_ns: { value: round(parseSmallFcsNs, 1), unit: 'ns' },
      frame_emit_ns: { value: round(emitSmallNs, 1), unit: 'ns' },
      memcpy_gbytes_per_s: { value: round(gbps(LEN, copyNs), 3), unit: 'GB/s' },
    },
  }),
);
