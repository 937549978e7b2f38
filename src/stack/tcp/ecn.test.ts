/**
 * ECN in TCP (ecn.ts, RFC 3168 § 6.1) between two layers: negotiation, ECT(0) on new data
 * only, the receiver's ECE echo until CWR, and one window reduction per CE episode with no
 * retransmission. (The handshake cases against FreeBSD's expectations are in the packetdrill
 * battery: snd-syn-with-ecn*, syn-rcvd-via-syn-sent-ipv4-ecn*, getsockopt-tcpinfo.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from '../../sim/scheduler.js';
import { MS } from '../../sim/time.js';
import { TcpLayer } from './layer.js';
import type { TcpConfig } from './config.js';
import { CWR, ECE, SYN } from './segment.js';
import type { TcpSocket } from './socket.js';
import { FakeHost, rxMeta } from './testing.js';
import type { SentDatagram } from './testing.js';

interface Run {
  fromA: SentDatagram[];
  fromB: SentDatagram[];
  received: number;
  a: TcpLayer;
  b: TcpLayer;
  cwndBefore: number;
  client: TcpSocket;
}

const flags = (d: SentDatagram): number => d.bytes[13];
const payloadLen = (d: SentDatagram): number => d.bytes.length - ((d.bytes[12] >>> 4) << 2);

/**
 * A sends 200 kB to B over 5 ms; `markCe(i)` decides whether A's i-th data datagram gets the CE
 * codepoint on the way (a router's AQM marking it).
 */
function transfer(
  cfgA: Partial<TcpConfig>,
  cfgB: Partial<TcpConfig>,
  markCe: (i: number) => boolean,
): Run {
  const clock = new Scheduler();
  const ha = new FakeHost('a', clock, 0x0a000001);
  const hb = new FakeHost('b', clock, 0x0a000002);
  const a = new TcpLayer(ha, cfgA);
  const b = new TcpLayer(hb, cfgB);
  let dataIndex = 0;
  let cwndBefore = 0;
  let client: TcpSocket | undefined;
  ha.onSend = (d) => {
    let tos = d.tos;
    if (payloadLen(d) > 0 && (tos & 3) !== 0 && markCe(dataIndex++)) {
      tos |= 3;
      cwndBefore = client!.tcb!.cwnd;
    }
    clock.schedule(5 * MS, () => b.input(rxMeta(d.src, d.dst, d.ttl, tos), d.bytes));
  };
  hb.onSend = (d) =>
    clock.schedule(5 * MS, () => a.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  let received = 0;
  b.createServer((s) => s.on('data', (x) => (received += x.length))).listen(80);
  client = a.connect({ host: 0x0a000002, port: 80 }) as TcpSocket;
  client.on('connect', () => client!.end(new Uint8Array(200_000).fill(9)));
  clock.runSync();
  return { fromA: ha.sent, fromB: hb.sent, received, a, b, cwndBefore, client };
}

test('ECN negotiated (on ↔ passive): ECT(0) on new data only; SYN ECE+CWR, SYN-ACK ECE', () => {
  const r = transfer({ ecn: 'on' }, {}, () => false);
  assert.equal(r.received, 200_000);
  const syn = r.fromA[0];
  const synAck = r.fromB[0];
  assert.equal(flags(syn) & (SYN | ECE | CWR), SYN | ECE | CWR);
  assert.equal(flags(synAck) & (ECE | CWR), ECE);
  // RFC 3168 § 6.1.1 / 6.1.4: SYN, SYN-ACK and pure ACKs are not ECT.
  assert.equal(syn.tos & 3, 0);
  assert.equal(synAck.tos & 3, 0);
  for (const d of r.fromB) assert.equal(d.tos & 3, 0);
  const data = r.fromA.filter((d) => payloadLen(d) > 0);
  assert.ok(data.length > 100);
  for (const d of data) assert.equal(d.tos & 3, 2, 'new data goes out ECT(0)');
  // No CE: no ECE, no CWR, no reduction.
  assert.ok(r.fromB.every((d) => (flags(d) & ECE) === 0 || (flags(d) & SYN) !== 0));
  assert.ok(r.fromA.every((d) => (flags(d) & CWR) === 0 || (flags(d) & SYN) !== 0));
});

test('no ECN unless asked: passive ↔ passive sends plain SYNs and Not-ECT data', () => {
  const r = transfer({}, {}, () => false);
  assert.equal(flags(r.fromA[0]) & (ECE | CWR), 0);
  assert.equal(flags(r.fromB[0]) & (ECE | CWR), 0);
  for (const d of r.fromA) assert.equal(d.tos & 3, 0);
});

test('a CE mark: ECE until CWR, one reduction, nothing retransmitted (RFC 3168 § 6.1.2–6.1.3)', () => {
  const r = transfer({ ecn: 'on', congestion: 'newreno' }, {}, (i) => i === 40);
  assert.equal(r.received, 200_000);
  const st = r.a.stats;
  assert.equal(st.retransSegs, 0, 'a CE mark is not a loss');
  assert.equal(st.ecnEceRecv, 1, 'one reduction for the episode');
  // The sender halved its window (NewReno, RFC 5681 eq. 4 on the flight size).
  assert.ok(r.client.tcb!.ssthresh < r.cwndBefore, 'ssthresh below the cwnd at marking time');
  // B echoes ECE on its ACKs from the CE packet on, and stops once A's CWR arrived.
  const eceAcks = r.fromB.filter((d) => (flags(d) & (ECE | SYN)) === ECE);
  assert.ok(eceAcks.length >= 1);
  const cwr = r.fromA.filter((d) => (flags(d) & (CWR | SYN)) === CWR);
  assert.equal(cwr.length, 1, 'CWR on exactly one (new data) segment');
  assert.ok(payloadLen(cwr[0]) > 0 && (cwr[0].tos & 3) === 2);
  const lastEce = eceAcks[eceAcks.length - 1];
  assert.ok(lastEce.t <= cwr[0].t + 5 * MS, 'no ECE after the CWR reached B');
});
