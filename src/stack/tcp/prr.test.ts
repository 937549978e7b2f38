/**
 * Proportional Rate Reduction (RFC 6937, config.prr) in SACK recovery: one segment lost in a
 * large window. With PRR the sender keeps sending in step with the ACKs during the first RTT
 * of recovery; with RFC 6675 alone it stays silent until the pipe falls below ssthresh. Both
 * end the recovery with cwnd = ssthresh and retransmit exactly one segment.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from '../../sim/scheduler.js';
import { MS } from '../../sim/time.js';
import { TcpLayer } from './layer.js';
import type { TcpSocket } from './socket.js';
import { FakeHost, rxMeta } from './testing.js';

const RTT = 20 * MS;

interface Sent {
  t: number;
  seq: number;
  len: number;
}

function lossOfOne(prr: boolean) {
  const clock = new Scheduler();
  const ha = new FakeHost('a', clock, 0x0a000001);
  const hb = new FakeHost('b', clock, 0x0a000002);
  const cfg = { prr, congestion: 'newreno' as const, rcvBuf: 1 << 20, sndBuf: 1 << 20 };
  const a = new TcpLayer(ha, cfg);
  const b = new TcpLayer(hb, cfg);
  const sent: Sent[] = [];
  let dropped = -1;
  ha.onSend = (d) => {
    const hl = (d.bytes[12] >>> 4) << 2;
    const len = d.bytes.length - hl;
    const seq = ((d.bytes[4] << 24) | (d.bytes[5] << 16) | (d.bytes[6] << 8) | d.bytes[7]) >>> 0;
    if (len > 0) sent.push({ t: clock.now(), seq, len });
    // The 120th data segment is lost, once.
    if (len > 0 && sent.length === 120 && dropped < 0) {
      dropped = seq;
      return;
    }
    clock.schedule(RTT / 2, () => b.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  };
  hb.onSend = (d) =>
    clock.schedule(RTT / 2, () => a.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  let received = 0;
  b.createServer((s) => s.on('data', (x) => (received += x.length))).listen(80);
  const c = a.connect({ host: 0x0a000002, port: 80 }) as TcpSocket;
  c.on('connect', () => c.end(new Uint8Array(600_000)));
  let cwndAtEnd = 0;
  let ssthreshAtEnd = 0;
  a.host.trace.subscribe((e) => {
    if (e.kind === 'tcp.cwnd' && e.why === 'recovery done') {
      cwndAtEnd = e.cwnd;
      ssthreshAtEnd = e.ssthresh;
    }
  });
  clock.runSync();
  assert.equal(received, 600_000);
  // The fast retransmit: the second transmission of the dropped sequence number.
  const first = sent.findIndex((s) => s.seq === dropped);
  const rtx = sent.findIndex((s, i) => i > first && s.seq === dropped);
  const rtxAt = sent[rtx].t;
  const highestBefore = Math.max(...sent.slice(0, rtx).map((s) => s.seq));
  // New data sent during the first half RTT of the recovery.
  const early = sent.filter((s) => s.t >= rtxAt && s.t < rtxAt + RTT / 2 && s.seq > highestBefore);
  return { early: early.length, retrans: a.stats.retransSegs, cwndAtEnd, ssthreshAtEnd };
}

test('PRR keeps sending in step with ACKs during recovery; RFC 6675 alone waits (RFC 6937)', () => {
  const withPrr = lossOfOne(true);
  const without = lossOfOne(false);
  assert.equal(withPrr.retrans, 1);
  assert.equal(without.retrans, 1);
  assert.ok(withPrr.early > 0, `PRR sent ${withPrr.early} new segments in the first half RTT`);
  assert.equal(without.early, 0, 'RFC 6675 waits for the pipe to drain below ssthresh');
  for (const r of [withPrr, without]) assert.equal(r.cwndAtEnd, r.ssthreshAtEnd);
});
