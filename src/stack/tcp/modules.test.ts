/**
 * The small modules on their own: reassembly ranges and SACK blocks (RFC 2018 § 4, RFC 2883),
 * the sender scoreboard (RFC 6675 IsLost / SetPipe), ISNs and SYN cookies (RFC 6528, RFC 4987),
 * RTT/RTO (RFC 6298), NewReno and CUBIC arithmetic (RFC 5681, RFC 9438), byte rings.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../sim/rng.js';
import { MS, SECOND } from '../../sim/time.js';
import { RecvBuffer, SendBuffer } from './buffers.js';
import { windowScaleFor } from './config.js';
import { Cubic } from './congestion/cubic.js';
import { NewReno } from './congestion/newreno.js';
import type { CcConn } from './congestion/types.js';
import { COOKIE_MSS_TABLE, IsnGenerator, cookieMssIndex, halfSipHash } from './isn.js';
import { Assembler } from './reassembly.js';
import { rttSample } from './rtt.js';
import { Scoreboard } from './sack.js';

test('Assembler: merges ranges, keeps recency for SACK blocks, advances RCV.NXT', () => {
  const a = new Assembler(8);
  assert.ok(a.add(200, 300));
  assert.ok(a.add(400, 500));
  assert.ok(a.add(600, 700));
  assert.deepEqual(a.sackBlocks(4, undefined, 100), [600, 700, 400, 500, 200, 300]);
  assert.ok(a.add(250, 450));
  assert.deepEqual(a.ranges, [200, 500, 600, 700]);
  assert.deepEqual(a.sackBlocks(4, undefined, 100), [200, 500, 600, 700]);
  assert.deepEqual(a.sackBlocks(4, [50, 75], 100), [50, 75, 200, 500, 600, 700]);
  assert.equal(a.advance(150), 150);
  assert.equal(a.advance(200), 500);
  assert.deepEqual(a.ranges, [600, 700]);
  assert.deepEqual(a.overlap(650, 800), [650, 700]);
});

test('Assembler: refuses more than maxRanges separate ranges; wraps around 2^32', () => {
  const a = new Assembler(2);
  assert.ok(a.add(10, 20));
  assert.ok(a.add(30, 40));
  assert.equal(a.add(50, 60), false);
  assert.ok(a.add(20, 30), 'merging is always allowed');
  const w = new Assembler(4);
  assert.ok(w.add(0xfffffff0, 0x10));
  assert.equal(w.advance(0xffffffe0), 0xffffffe0);
  assert.equal(w.advance(0xfffffff0), 0x10);
});

test('Scoreboard: SACKed bytes, IsLost and pipe (RFC 6675 § 4)', () => {
  const sb = new Scoreboard();
  const una = 1000;
  const max = 11000;
  // Segments of 1000: [1000,2000) lost, [2000,5000) SACKed, [5000,6000) lost, [6000,11000) SACKed
  assert.equal(sb.update([2000, 5000, 6000, 11000], una, max), 8000);
  assert.equal(sb.sacked, 8000);
  assert.ok(sb.isLost(1000, 1000));
  assert.ok(sb.isLost(5000, 1000));
  assert.ok(!sb.isLost(11000, 1000));
  assert.equal(sb.pipe(una, max, una, 1000), 0, 'both holes lost, nothing retransmitted yet');
  assert.equal(sb.pipe(una, max, 2000, 1000), 1000, 'one retransmission in flight');
  assert.equal(sb.skipSacked(2500), 5000);
  assert.equal(sb.nextSackedAbove(5000, max), 6000);
  // A D-SACK block below SND.UNA adds nothing (RFC 2883).
  assert.equal(sb.update([500, 900], una, max), 0);
  sb.advance(5500);
  assert.equal(sb.sacked, 5000);
  assert.deepEqual(sb.ranges, [6000, 11000]);
});

test('HalfSipHash is a keyed 32-bit PRF; ISNs follow RFC 6528 (4 µs clock + F(4-tuple, key))', () => {
  assert.equal(halfSipHash(1, 2, 3, 4, 5, 6), halfSipHash(1, 2, 3, 4, 5, 6));
  // Pinned outputs (ISNs and cookies, hence captures, depend on them byte for byte).
  assert.equal(halfSipHash(1, 2, 3, 4, 5, 6), 2430126976);
  assert.equal(halfSipHash(0x12345678, -5, 7, 8, 9, 10), 3829730206);
  assert.equal(halfSipHash(0, 0, 0, 0, 0, 0), 3801905982);
  assert.notEqual(halfSipHash(1, 2, 3, 4, 5, 6), halfSipHash(1, 3, 3, 4, 5, 6));
  const g = new IsnGenerator(new Rng(1, 'x'));
  const a = g.isn(0, 1, 2, 3, 4);
  assert.equal(g.isn(4000, 1, 2, 3, 4), (a + 1) >>> 0, 'M ticks every 4 µs');
  assert.notEqual(g.isn(0, 1, 2, 3, 5), a, 'F depends on the 4-tuple');
  const g2 = new IsnGenerator(new Rng(2, 'x'));
  assert.notEqual(g2.isn(0, 1, 2, 3, 4), a, 'and on the secret');
});

test('SYN cookies round-trip, encode the MSS, expire after two periods, resist forgery', () => {
  const g = new IsnGenerator(new Rng(5, 'c'));
  const idx = cookieMssIndex(1460);
  assert.equal(COOKIE_MSS_TABLE[idx], 1460);
  assert.equal(COOKIE_MSS_TABLE[cookieMssIndex(1000)], 536);
  const c = g.cookie(10 * SECOND, 1, 80, 2, 5000, 777, idx);
  assert.deepEqual(g.checkCookie(10 * SECOND, 1, 80, 2, 5000, 777, c), { mssIndex: idx });
  assert.deepEqual(g.checkCookie(70 * SECOND, 1, 80, 2, 5000, 777, c), { mssIndex: idx });
  assert.equal(g.checkCookie(200 * SECOND, 1, 80, 2, 5000, 777, c), undefined);
  assert.equal(g.checkCookie(10 * SECOND, 1, 80, 2, 5000, 778, c), undefined);
  assert.equal(g.checkCookie(10 * SECOND, 1, 80, 2, 5000, 777, c ^ 1), undefined);
});

test('RTT estimator: RFC 6298 § 2.2/2.3, min and max RTO', () => {
  const s = { srtt: 0, rttvar: 0, rto: 0, lastRtt: 0, minRtt: 0 };
  rttSample(s, 100 * MS, 200 * MS, 60 * SECOND);
  assert.equal(s.srtt, 100 * MS);
  assert.equal(s.rttvar, 50 * MS);
  assert.equal(s.rto, 300 * MS);
  rttSample(s, 100 * MS, 200 * MS, 60 * SECOND);
  assert.equal(s.rttvar, 37.5 * MS);
  assert.equal(s.rto, 250 * MS);
  rttSample(s, 1 * MS, 200 * MS, 60 * SECOND);
  assert.equal(s.minRtt, 1 * MS);
  const big = { srtt: 0, rttvar: 0, rto: 0, lastRtt: 0, minRtt: 0 };
  rttSample(big, 100 * SECOND, 200 * MS, 60 * SECOND);
  assert.equal(big.rto, 60 * SECOND);
});

function conn(mss = 1000): CcConn {
  return { cwnd: 0, ssthresh: 0x7fffffff, mss, bytesAcked: 0, srtt: 100 * MS, ccState: undefined };
}

test('NewReno: IW10, slow start with L = 2·SMSS, CA by byte counting, loss and timeout (RFC 5681)', () => {
  const c = conn();
  NewReno.init(c, 10);
  assert.equal(c.cwnd, 10000);
  NewReno.onAck(c, 5000, 0);
  assert.equal(c.cwnd, 12000);
  NewReno.onLoss(c, 12000, 0);
  assert.equal(c.ssthresh, 6000);
  assert.equal(c.cwnd, 6000);
  for (let i = 0; i < 6; i++) NewReno.onAck(c, 1000, 0);
  assert.equal(c.cwnd, 7000, 'one SMSS per cwnd of data acknowledged');
  NewReno.onRto(c, 7000, 0);
  assert.equal(c.cwnd, 1000);
  assert.equal(c.ssthresh, 3500);
  NewReno.onLoss(c, 1000, 0);
  assert.equal(c.ssthresh, 2000, 'never below 2·SMSS');
});

test('CUBIC: β = 0.7 decrease, fast convergence, concave then convex growth (RFC 9438)', () => {
  const c = conn();
  Cubic.init(c, 10);
  c.cwnd = 100_000;
  c.ssthresh = 100_000;
  Cubic.onLoss(c, 100_000, 0);
  assert.equal(c.cwnd, 70_000);
  assert.equal(c.ssthresh, 70_000);
  // Grow for simulated seconds with one ACK per segment per RTT (100 ms).
  let t = 0;
  const samples: number[] = [];
  for (let rtt = 0; rtt < 80; rtt++) {
    const segs = Math.floor(c.cwnd / c.mss);
    for (let i = 0; i < segs; i++) Cubic.onAck(c, c.mss, t);
    t += 100 * MS;
    samples.push(c.cwnd);
  }
  const k = Math.cbrt((100 - 70) / 0.4); // seconds to regain W_max = 100 segments
  const atK = samples[Math.round(k * 10)];
  assert.ok(Math.abs(atK - 100_000) < 12_000, `near W_max at K (${atK})`);
  const plateau = samples[Math.round(k * 10) + 5] - samples[Math.round(k * 10) - 5];
  const late = samples[79] - samples[69];
  assert.ok(samples[79] > 110_000, 'beyond W_max');
  assert.ok(late > plateau, 'convex growth after the plateau around W_max');
  // Fast convergence: a loss below the previous W_max lowers W_max further.
  c.cwnd = 80_000;
  Cubic.onLoss(c, 80_000, t);
  assert.equal(c.cwnd, 56_000);
});

test('byte rings: wrap-around, growth, peek, out-of-order writes', () => {
  const s = new SendBuffer(10_000);
  assert.equal(s.write(new Uint8Array(6000).fill(1)), 6000);
  s.consume(5000);
  assert.equal(s.write(new Uint8Array(8000).fill(2)), 8000);
  assert.equal(s.write(new Uint8Array(5000)), 1000);
  const out = new Uint8Array(3);
  s.copyOut(999, 3, out, 0);
  assert.deepEqual([...out], [1, 2, 2]);
  const r = new RecvBuffer(100);
  r.writeAt(10, new Uint8Array([9, 9]), 0, 2);
  r.writeAt(0, new Uint8Array(10).fill(5), 0, 10);
  r.commit(12);
  assert.deepEqual([...r.read(12, true)].slice(9), [5, 9, 9]);
  assert.equal(r.read(5).length, 5);
  assert.equal(r.length, 7);
});

test('window scale shift covers the largest buffer (RFC 7323 § 2.3, at most 14)', () => {
  assert.equal(windowScaleFor(65535), 0);
  assert.equal(windowScaleFor(65536), 1);
  assert.equal(windowScaleFor(2 * 1024 * 1024), 6);
  assert.equal(windowScaleFor(2 ** 40), 14);
});
