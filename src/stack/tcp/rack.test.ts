/**
 * RACK time-based loss detection (rack.ts, RFC 8985 § 6): one segment lost in a flight too
 * small for the duplicate-ACK threshold in force (here a reordering degree of 40, as after
 * reordering was seen). Counting never reaches 40 SACKed segments; RACK marks the hole lost
 * once a segment sent after it was delivered and an RTT plus the reordering window passed,
 * and the fast retransmit goes out without waiting for the RTO.
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

function oneLoss(cfg: Partial<TcpConfig>) {
  const clock = new Scheduler();
  const ha = new FakeHost('a', clock, 0x0a000001);
  const hb = new FakeHost('b', clock, 0x0a000002);
  const base = { reordering: 40, tlp: false, ...cfg };
  const sender = new TcpLayer(ha, base);
  const receiver = new TcpLayer(hb, base);
  let n = 0;
  let dropped = false;
  ha.onSend = (d) => {
    const hl = (d.bytes[12] >>> 4) << 2;
    // The 6th data segment is lost, once.
    if (d.bytes.length > hl && ++n === 6 && !dropped) {
      dropped = true;
      return;
    }
    clock.schedule(10 * MS, () => receiver.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  };
  hb.onSend = (d) =>
    clock.schedule(10 * MS, () => sender.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  let got = 0;
  let doneAt = 0;
  receiver
    .createServer((s) =>
      s.on('data', (x) => {
        got += x.length;
        if (got === SIZE) doneAt = clock.now();
      }),
    )
    .listen(80);
  const c = sender.connect({ host: 0x0a000002, port: 80 }) as TcpSocket;
  c.on('connect', () => c.end(new Uint8Array(SIZE)));
  clock.runSync();
  assert.equal(got, SIZE);
  return { doneAt, stats: sender.stats };
}

test('RACK repairs a loss the duplicate-ACK count cannot see, without the RTO (RFC 8985 § 6)', () => {
  const withRack = oneLoss({ rack: true });
  const without = oneLoss({ rack: false });
  assert.equal(withRack.stats.timeouts, 0);
  assert.equal(withRack.stats.fastRetrans, 1);
  assert.equal(withRack.stats.retransSegs, 1);
  assert.equal(without.stats.timeouts, 1, 'DupThresh 40: only the RTO finds it');
  assert.ok(
    withRack.doneAt < without.doneAt - 100 * MS,
    `with RACK done at ${withRack.doneAt / MS} ms, without at ${without.doneAt / MS} ms`,
  );
});
