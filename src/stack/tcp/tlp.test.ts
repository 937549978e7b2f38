/**
 * Tail loss probe (tlp.ts, RFC 8985 § 7) with Early Retransmit (RFC 5827): a 30 kB response
 * whose last two segments are lost once. Without them the sender can only wait for the RTO;
 * with them a probe two RTTs after the last ACK retransmits the last segment, its SACK marks
 * the other one lost (ER: two segments outstanding, threshold one) and the response completes
 * about 2 RTTs later (140 ms in all here, against 380 ms with the RTO), without a timeout.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from '../../sim/scheduler.js';
import { MS } from '../../sim/time.js';
import { TcpLayer } from './layer.js';
import type { TcpConfig } from './config.js';
import type { TcpSocket } from './socket.js';
import { FakeHost, rxMeta } from './testing.js';

const SIZE = 30_000;

function tailLoss(cfg: Partial<TcpConfig>) {
  const clock = new Scheduler();
  const ha = new FakeHost('a', clock, 0x0a000001);
  const hb = new FakeHost('b', clock, 0x0a000002);
  const client = new TcpLayer(ha, cfg);
  const server = new TcpLayer(hb, { ...cfg, delayedAck: false });
  const seqs: number[] = [];
  const dropped = new Set<number>();
  hb.onSend = (d) => {
    const hl = (d.bytes[12] >>> 4) << 2;
    const seq = ((d.bytes[4] << 24) | (d.bytes[5] << 16) | (d.bytes[6] << 8) | d.bytes[7]) >>> 0;
    if (d.bytes.length > hl) {
      seqs.push(seq);
      // The response is 21 segments of 1448 bytes (the last one shorter): lose 20 and 21, once.
      const n = new Set(seqs).size;
      if ((n === 20 || n === 21) && !dropped.has(seq)) {
        dropped.add(seq);
        return;
      }
    }
    clock.schedule(10 * MS, () => client.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  };
  ha.onSend = (d) =>
    clock.schedule(10 * MS, () => server.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  server.createServer((s) => s.end(new Uint8Array(SIZE))).listen(80);
  const c = client.connect({ host: 0x0a000002, port: 80 }) as TcpSocket;
  let got = 0;
  let doneAt = 0;
  c.on('data', (d) => {
    got += d.length;
    if (got === SIZE) doneAt = clock.now();
  });
  clock.runSync();
  assert.equal(got, SIZE);
  assert.equal(dropped.size, 2);
  return { doneAt, stats: server.stats };
}

test('a lost tail is repaired by a probe and early retransmit, not by the RTO (RFC 8985 § 7, RFC 5827)', () => {
  const withTlp = tailLoss({ tlp: true, earlyRetransmit: true });
  const without = tailLoss({ tlp: false, earlyRetransmit: false });
  assert.equal(withTlp.stats.lossProbes, 1);
  assert.equal(withTlp.stats.timeouts, 0);
  assert.equal(without.stats.lossProbes, 0);
  assert.equal(without.stats.timeouts, 1);
  assert.ok(
    withTlp.doneAt < without.doneAt - 100 * MS,
    `with TLP done at ${withTlp.doneAt / MS} ms, without at ${without.doneAt / MS} ms`,
  );
});
