/**
 * Reordering and spurious retransmissions, segment templates in, segments out: the adaptive
 * DupThresh (Linux tp->reordering, RFC 6675 § 2, RFC 4653 § 3), undo of a spurious fast
 * retransmit by D-SACK (RFC 2883 § 4, RFC 3708 § 3), and a spurious RTO detected with
 * timestamps (RFC 3522 § 2) and undone (RFC 4015 § 2).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MS } from '../../sim/time.js';
import { LOCAL_PORT, REMOTE_SEQ as R, TcpHarness } from './testing.js';
import type { SentSeg } from './testing.js';
import { userSend } from './conn.js';
import type { Tcb } from './tcb.js';

/** A passive connection with SACK (and optionally timestamps), MSS 1000, 10 segments in flight. */
/**
 * A SACK connection; `ts`: with timestamps (and no tail loss probe: those tests are about the
 * RTO). RACK is off: these tests are about the adaptive DupThresh and the undo, and in the
 * harness no time passes between a segment and its ACK (RACK's RTT would be 0).
 */
function sackConn(ts = false): {
  h: TcpHarness;
  t: Tcb;
  base: number;
  sent: SentSeg[];
  tsEcho: number;
} {
  const h = new TcpHarness({ sack: true, timestamps: ts, tlp: !ts, rack: false });
  const l = h.layer.listen(0, LOCAL_PORT, 4);
  h.send({
    flags: 'S',
    seq: R,
    mss: ts ? 1012 : 1000,
    sackPermitted: true,
    ts: ts ? [100, 0] : undefined,
  });
  const sa = h.recv()[0];
  h.send({ flags: '.', seq: R + 1, ack: sa.seq + 1, ts: ts ? [101, sa.ts![0]] : undefined });
  const t = l.accept()!;
  assert.equal(t.mss, 1000);
  userSend(t, new Uint8Array(100_000));
  const sent = h.recv();
  assert.equal(sent.length, 10);
  return { h, t, base: sa.seq + 1, sent, tsEcho: ts ? sent[0].ts![0] : 0 };
}

const blk = (base: number, from: number, to: number): [number, number] => [
  base + from * 1000,
  base + to * 1000,
];

test('a D-SACK for the only retransmission undoes a spurious fast retransmit (RFC 3708 § 3)', () => {
  const { h, t, base } = sackConn();
  const cwnd0 = t.cwnd;
  const ssthresh0 = t.ssthresh;
  // Segment 0 is delayed: segments 1–3 are SACKed first → fast retransmit of segment 0.
  for (let k = 2; k <= 4; k++)
    h.send({ flags: '.', seq: R + 1, ack: base, sack: [blk(base, 1, k)] });
  const fr = h.recv().filter((s) => s.seq === base);
  assert.equal(fr.length, 1, 'fast retransmit of the first segment');
  assert.equal(h.layer.stats.fastRetrans, 1);
  assert.ok(t.cwnd < cwnd0, 'cwnd reduced');
  // The original arrives: everything up to segment 10 is acknowledged (recovery ends) ...
  h.send({ flags: '.', seq: R + 1, ack: base + 10_000 });
  assert.ok(t.ssthresh < cwnd0 && t.cwnd < cwnd0, 'reduction still in place: no D-SACK yet');
  // ... then the retransmission arrives as a duplicate: D-SACK below the cumulative ACK.
  h.send({ flags: '.', seq: R + 1, ack: base + 10_000, sack: [blk(base, 0, 1)] });
  assert.equal(h.layer.stats.dsackRecv, 1);
  assert.equal(h.layer.stats.dsackUndo, 1);
  assert.ok(t.cwnd >= cwnd0, `cwnd restored (${t.cwnd} ≥ ${cwnd0})`);
  assert.equal(t.ssthresh, ssthresh0, 'ssthresh restored');
  assert.ok(t.reordering > 3, `reordering degree raised to ${t.reordering}`);
});

test('after the reordering degree adapted, a reordered segment does not trigger fast retransmit', () => {
  const { h, t, base } = sackConn();
  // Round 1: segment 0 arrives after segments 1–5; the fast retransmit is shown spurious.
  for (let k = 2; k <= 6; k++)
    h.send({ flags: '.', seq: R + 1, ack: base, sack: [blk(base, 1, k)] });
  h.send({ flags: '.', seq: R + 1, ack: base + 6000 });
  h.send({ flags: '.', seq: R + 1, ack: base + 6000, sack: [blk(base, 0, 1)] });
  assert.equal(h.layer.stats.fastRetrans, 1);
  assert.equal(h.layer.stats.dsackUndo, 1);
  assert.ok(t.reordering >= 6, `reordering ${t.reordering}`);
  const ackedTo = base + 10_000;
  h.send({ flags: '.', seq: R + 1, ack: ackedTo });
  const flight = h.recv();
  assert.ok(flight.length >= 4, 'new data flows');
  // Round 2: the segment at ackedTo is delayed behind 4 others: no retransmission.
  for (let k = 2; k <= 5; k++)
    h.send({ flags: '.', seq: R + 1, ack: ackedTo, sack: [[ackedTo + 1000, ackedTo + k * 1000]] });
  const out = h.recv();
  assert.ok(!out.some((s) => s.seq === ackedTo), 'no fast retransmit of the reordered segment');
  assert.ok(out.length > 0, 'SACKed segments leave the pipe: new data keeps flowing');
  assert.equal(h.layer.stats.fastRetrans, 1);
  // It arrives: the cumulative ACK covers it; it was sent once, so nothing is undone or counted lost.
  h.send({ flags: '.', seq: R + 1, ack: ackedTo + 5000 });
  assert.equal(h.layer.stats.fastRetrans, 1);
  assert.equal(h.layer.stats.timeouts, 0);
});

test('with the default DupThresh the same reordering does trigger fast retransmit (control)', () => {
  const { h, base } = sackConn();
  for (let k = 2; k <= 5; k++)
    h.send({ flags: '.', seq: R + 1, ack: base, sack: [blk(base, 1, k)] });
  assert.ok(h.recv().some((s) => s.seq === base));
  assert.equal(h.layer.stats.fastRetrans, 1);
});

test('a spurious RTO is detected with timestamps and undone (RFC 3522 § 2, RFC 4015 § 2)', () => {
  const { h, t, base, tsEcho } = sackConn(true);
  const cwnd0 = t.cwnd;
  // No ACK for a while (the ACKs are delayed, not the data): the RTO fires.
  h.advance(201 * MS); // RTO: 200 ms minimum (the handshake's RTT sample is ~0)
  const rto = h.recv();
  assert.equal(rto.length, 1);
  assert.equal(rto[0].seq, base, 'RTO retransmission of the first segment');
  assert.ok(rto[0].ts![0] > tsEcho, 'the retransmission carries a newer TSval');
  assert.equal(t.cwnd, t.mss, 'loss window');
  // The delayed ACK of the originals arrives: it echoes the original TSval.
  h.send({ flags: '.', seq: R + 1, ack: base + 2000, ts: [200, tsEcho] });
  assert.equal(h.layer.stats.spuriousRtos, 1);
  assert.equal(h.layer.stats.lossUndo, 1);
  assert.ok(t.ssthresh >= cwnd0, `ssthresh restored (${t.ssthresh})`);
  // RFC 4015: cwnd = FlightSize + min(acked, IW); resume with new data, no go-back-N.
  const out = h.recv();
  assert.ok(out.length > 0);
  assert.ok(
    out.every((s) => s.seq >= base + 10_000),
    `only new data after the undo: ${out.map((s) => s.seq - base).join(',')}`,
  );
  assert.equal(t.cwnd, 8000 + 2000, 'FlightSize + bytes acknowledged');
});

test('a genuine RTO is not undone: the ACK echoes the retransmission', () => {
  const { h, t, base } = sackConn(true);
  h.advance(201 * MS);
  const rto = h.recv();
  assert.equal(rto.length, 1);
  h.send({ flags: '.', seq: R + 1, ack: base + 1000, ts: [200, rto[0].ts![0]] });
  assert.equal(h.layer.stats.lossUndo, 0);
  assert.ok(t.cwnd <= 3 * t.mss, 'slow start from the loss window');
  // F-RTO (on by default, RFC 5682 step 2b) answers with two new segments; the next ACK
  // tells (frto.test.ts). Here a duplicate ACK: the loss was real, go-back-N continues.
  assert.deepEqual(
    h.recv().map((s) => s.seq - base),
    [10_000, 11_000],
  );
  h.send({ flags: '.', seq: R + 1, ack: base + 1000, ts: [201, rto[0].ts![0]] });
  assert.equal(h.layer.stats.lossUndo, 0);
  const out = h.recv();
  assert.ok(
    out.some((s) => s.seq === base + 1000),
    'go-back-N continues with the next segment',
  );
});

test('the undo and adaptive reordering can be turned off (config)', () => {
  const h = new TcpHarness({ sack: true, undo: false, maxReordering: 0 });
  const l = h.layer.listen(0, LOCAL_PORT, 4);
  h.send({ flags: 'S', seq: R, mss: 1000, sackPermitted: true });
  const base = h.recv()[0].seq + 1;
  h.send({ flags: '.', seq: R + 1, ack: base });
  const t = l.accept()!;
  userSend(t, new Uint8Array(20_000));
  h.recv();
  for (let k = 2; k <= 4; k++)
    h.send({ flags: '.', seq: R + 1, ack: base, sack: [blk(base, 1, k)] });
  h.send({ flags: '.', seq: R + 1, ack: base + 10_000 });
  h.send({ flags: '.', seq: R + 1, ack: base + 10_000, sack: [blk(base, 0, 1)] });
  assert.equal(h.layer.stats.dsackUndo, 0);
  assert.equal(t.reordering, 3);
  assert.ok(t.ssthresh < 10_000, 'the reduction stays');
});
