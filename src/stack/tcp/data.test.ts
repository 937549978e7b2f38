/**
 * Data transfer, flow control, loss recovery, options and ICMP — segment templates in,
 * segments out. RFC 9293 § 3.7 / § 3.8, RFC 5681, RFC 6582, RFC 6675, RFC 6298, RFC 7323,
 * RFC 2018/2883, RFC 1122 § 4.2.3, RFC 1191, RFC 4987.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MS, SECOND } from '../../sim/time.js';
import { LOCAL_PORT, REMOTE_PORT, REMOTE_SEQ as R, TcpHarness } from './testing.js';
import type { SentSeg } from './testing.js';
import { setNoDelay, userRecv, userSend } from './conn.js';
import { F_KEEPALIVE, F_SACK_OK, F_TS_OK, F_WS_OK } from './tcb.js';
import { armKeepalive } from './timers.js';

function flagsOf(segs: SentSeg[]): string[] {
  return segs.map((s) => `${s.flags} ${s.len}`);
}

test('segmentation by MSS; PSH on the last segment of a write (RFC 9293 § 3.7.1)', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established({ mss: 1000 });
  assert.equal(userSend(t, new Uint8Array(2500)), 2500);
  const s = h.recv();
  assert.deepEqual(flagsOf(s), ['. 1000', '. 1000', 'P. 500']);
  assert.deepEqual(
    s.map((x) => x.seq - iss),
    [1, 1001, 2001],
  );
});

test('the initial window is 10 segments (RFC 6928); ACKs open cwnd (slow start)', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established({ mss: 1000 });
  userSend(t, new Uint8Array(30000));
  assert.equal(h.recv().length, 10);
  h.send({ flags: '.', seq: R + 1, ack: iss + 1 + 2000 });
  // 2 segments acknowledged: cwnd grows by 2·SMSS (RFC 3465 L = 2), so 4 more go out.
  assert.equal(h.recv().length, 4);
});

test('Nagle: a small segment waits while data is unacknowledged; TCP_NODELAY sends it (RFC 9293 § 3.7.4)', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  userSend(t, new Uint8Array(10));
  assert.equal(h.recv().length, 1);
  userSend(t, new Uint8Array(10));
  assert.equal(h.recv().length, 0, 'held by Nagle');
  h.send({ flags: '.', seq: R + 1, ack: iss + 11 });
  assert.deepEqual(flagsOf(h.recv()), ['P. 10']);
  setNoDelay(t, true);
  userSend(t, new Uint8Array(10));
  userSend(t, new Uint8Array(10));
  assert.equal(h.recv().length, 2);
});

test('delayed ACK: every second segment at once, a single one after 40 ms (RFC 5681 § 4.2)', () => {
  const h = new TcpHarness();
  const { iss } = h.established();
  h.send({ flags: 'P.', seq: R + 1, ack: iss + 1, payload: 100 });
  assert.equal(h.recv().length, 0);
  h.send({ flags: 'P.', seq: R + 101, ack: iss + 1, payload: 100 });
  const a = h.recv();
  assert.equal(a.length, 1);
  assert.equal(a[0].ack, R + 201);
  h.send({ flags: 'P.', seq: R + 201, ack: iss + 1, payload: 100 });
  assert.equal(h.recv().length, 0);
  h.advance(39 * MS);
  assert.equal(h.recv().length, 0);
  h.advance(2 * MS);
  const d = h.recv();
  assert.equal(d.length, 1);
  assert.equal(d[0].ack, R + 301);
  assert.equal(h.layer.stats.delayedAcks, 1);
});

test('out-of-order data: immediate duplicate ACK with SACK; filling the hole ACKs at once (RFC 2018 § 4)', () => {
  const h = new TcpHarness({ sack: true });
  const l = h.layer.listen(0, LOCAL_PORT, 4);
  h.send({ flags: 'S', seq: R, mss: 1460, sackPermitted: true });
  const iss = h.recv()[0].seq;
  h.send({ flags: '.', seq: R + 1, ack: iss + 1 });
  const t = l.accept()!;
  assert.ok(t.flags & F_SACK_OK);
  h.send({ flags: 'P.', seq: R + 101, ack: iss + 1, payload: 100 });
  let s = h.recv();
  assert.equal(s.length, 1);
  assert.equal(s[0].ack, R + 1);
  assert.deepEqual(s[0].sack, [[R + 101, R + 201]]);
  h.send({ flags: 'P.', seq: R + 301, ack: iss + 1, payload: 100 });
  s = h.recv();
  assert.deepEqual(s[0].sack, [
    [R + 301, R + 401],
    [R + 101, R + 201],
  ]);
  h.send({ flags: 'P.', seq: R + 1, ack: iss + 1, payload: 100 });
  s = h.recv();
  assert.equal(s.length, 1, 'a segment that fills a hole is acknowledged at once');
  assert.equal(s[0].ack, R + 201);
  assert.deepEqual(s[0].sack, [[R + 301, R + 401]]);
  assert.equal(userRecv(t, 1000).length, 200);
});

test('D-SACK reports a duplicate segment (RFC 2883 § 4)', () => {
  const h = new TcpHarness({ sack: true });
  const l = h.layer.listen(0, LOCAL_PORT, 4);
  h.send({ flags: 'S', seq: R, sackPermitted: true });
  const iss = h.recv()[0].seq;
  h.send({ flags: '.', seq: R + 1, ack: iss + 1 });
  l.accept();
  h.send({ flags: 'P.', seq: R + 1, ack: iss + 1, payload: 100 });
  h.send({ flags: 'P.', seq: R + 1, ack: iss + 1, payload: 100 });
  const s = h.recv();
  assert.deepEqual(s[s.length - 1].sack, [[R + 1, R + 101]]);
});

test('zero window: the sender probes with one octet on the persist timer, then resumes', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  userSend(t, new Uint8Array(3000));
  h.recv();
  h.send({ flags: '.', seq: R + 1, ack: iss + 3001, window: 0 });
  userSend(t, new Uint8Array(100));
  assert.equal(h.recv().length, 0);
  h.advance(250 * MS);
  const probe = h.recv();
  assert.deepEqual(flagsOf(probe), ['. 1']);
  assert.equal(probe[0].seq, iss + 3001);
  // Still closed: the probe is not accepted; probes back off.
  h.send({ flags: '.', seq: R + 1, ack: iss + 3001, window: 0 });
  h.advance(2 * SECOND);
  assert.ok(h.recv().length >= 1);
  assert.equal(t.stateName, 'ESTABLISHED');
  h.send({ flags: '.', seq: R + 1, ack: iss + 3001, window: 65535 });
  const rest = h.recv();
  assert.equal(rest.reduce((n, s) => n + s.len, 0) >= 99, true);
  assert.ok(h.layer.stats.lossProbes >= 1);
});

test('receiver: the window closes as the buffer fills and reopens with a window update', () => {
  const h = new TcpHarness({ rcvBuf: 4000, roundRcvBufToMss: false });
  const { t, iss } = h.established({ mss: 1000 });
  for (let i = 0; i < 4; i++)
    h.send({ flags: 'P.', seq: R + 1 + i * 1000, ack: iss + 1, payload: 1000 });
  const acks = h.recv();
  assert.equal(acks[acks.length - 1].window, 0, 'buffer full: zero window');
  userRecv(t, 4000);
  const upd = h.recv();
  assert.equal(upd.length, 1, 'a window update after reading');
  assert.equal(upd[0].window, 4000);
});

test('RTO: retransmission of the first unacknowledged segment with exponential back-off (RFC 6298 § 5)', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  userSend(t, new Uint8Array(100));
  h.recv();
  h.advance(10 * SECOND);
  const s = h.recv();
  assert.ok(s.length >= 3);
  assert.ok(s.every((x) => x.seq === iss + 1 && x.len === 100));
  const gaps = s.slice(1).map((x, i) => x.t - s[i].t);
  for (let i = 1; i < gaps.length; i++) assert.equal(gaps[i], gaps[i - 1] * 2);
  assert.ok(h.layer.stats.retransSegs >= 3);
  assert.equal(t.cwnd, t.mss, 'cwnd = LW after a timeout (RFC 5681)');
});

test('RTT measurement sets SRTT and RTO (RFC 6298 § 2), with the 200 ms minimum', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  userSend(t, new Uint8Array(100));
  h.recv();
  h.advance(30 * MS);
  h.send({ flags: '.', seq: R + 1, ack: iss + 101 });
  assert.equal(t.srtt, 30 * MS);
  assert.equal(t.rto, 200 * MS);
});

test('fast retransmit on the third duplicate ACK and NewReno partial ACKs (RFC 5681, RFC 6582)', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established({ mss: 1000 });
  userSend(t, new Uint8Array(8000));
  assert.equal(h.recv().length, 8);
  for (let i = 0; i < 2; i++) h.send({ flags: '.', seq: R + 1, ack: iss + 1 });
  // Limited transmit (RFC 3042) may send new data on the first two; no retransmission yet.
  assert.ok(h.recv().every((s) => s.seq !== iss + 1));
  h.send({ flags: '.', seq: R + 1, ack: iss + 1 });
  const fr = h.recv();
  assert.equal(fr[0].seq, iss + 1, 'fast retransmit of the first segment');
  assert.equal(h.layer.stats.fastRetrans, 1);
  assert.equal(t.ssthresh, 4000);
  // Partial ACK: the next hole is retransmitted at once (RFC 6582 step 4).
  h.send({ flags: '.', seq: R + 1, ack: iss + 3001 });
  const p = h.recv();
  assert.equal(p[0].seq, iss + 3001);
  // Full ACK leaves recovery.
  h.send({ flags: '.', seq: R + 1, ack: t.sndMax });
  assert.equal(t.cwnd <= t.ssthresh, true);
});

test('SACK recovery retransmits only the holes (RFC 6675)', () => {
  const h = new TcpHarness({ sack: true });
  const l = h.layer.listen(0, LOCAL_PORT, 4);
  h.send({ flags: 'S', seq: R, mss: 1000, sackPermitted: true });
  const iss = h.recv()[0].seq;
  h.send({ flags: '.', seq: R + 1, ack: iss + 1 });
  const t = l.accept()!;
  userSend(t, new Uint8Array(10000));
  assert.equal(h.recv().length, 10);
  const base = iss + 1;
  // Segments 2 and 5 (0-based 1 and 4) are lost; the rest arrive.
  h.send({ flags: '.', seq: R + 1, ack: base + 1000, sack: [[base + 2000, base + 3000]] });
  h.send({ flags: '.', seq: R + 1, ack: base + 1000, sack: [[base + 2000, base + 4000]] });
  h.send({
    flags: '.',
    seq: R + 1,
    ack: base + 1000,
    sack: [
      [base + 5000, base + 6000],
      [base + 2000, base + 4000],
    ],
  });
  const s1 = h.recv();
  const rtx = s1.filter((s) => s.seq - base < 10000);
  assert.ok(
    rtx.some((s) => s.seq === base + 1000),
    'hole 1 retransmitted',
  );
  assert.ok(
    !rtx.some((s) => s.seq === base + 2000 || s.seq === base + 3000),
    'SACKed data not resent',
  );
  assert.equal(h.layer.stats.sackRecovery, 1);
  h.send({ flags: '.', seq: R + 1, ack: base + 4000, sack: [[base + 5000, base + 10000]] });
  const s2 = h.recv();
  assert.ok(
    s2.some((s) => s.seq === base + 4000),
    'hole 2 retransmitted',
  );
  h.send({ flags: '.', seq: R + 1, ack: base + 10000 });
  assert.equal(t.sendQueued, 0);
});

test('window scaling is negotiated and applied (RFC 7323 § 2)', () => {
  const h = new TcpHarness({ windowScaling: true, rcvBuf: 1 << 20, maxBuf: 1 << 20 });
  const l = h.layer.listen(0, LOCAL_PORT, 4);
  h.send({ flags: 'S', seq: R, wscale: 3, window: 1000 });
  const sa = h.recv()[0];
  assert.equal(sa.wscale, 5, '2^5 · 65535 ≥ 1 MiB');
  assert.equal(sa.window, 65535, 'SYN windows are never scaled');
  h.send({ flags: '.', seq: R + 1, ack: sa.seq + 1, window: 1000 });
  const t = l.accept()!;
  assert.ok(t.flags & F_WS_OK);
  assert.equal(t.sndWnd, 8000);
  h.send({ flags: 'P.', seq: R + 1, ack: sa.seq + 1, window: 1000, payload: 10 });
  h.send({ flags: 'P.', seq: R + 11, ack: sa.seq + 1, window: 1000, payload: 10 });
  const ack = h.recv()[0];
  assert.ok(ack.window * 32 > 1_000_000, 'advertised window is scaled by 2^5');
});

test('no window scaling without the peer offering it (RFC 7323 § 2.2)', () => {
  const h = new TcpHarness({ windowScaling: true });
  const l = h.layer.listen(0, LOCAL_PORT, 4);
  h.send({ flags: 'S', seq: R });
  const sa = h.recv()[0];
  assert.equal(sa.wscale, undefined);
  h.send({ flags: '.', seq: R + 1, ack: sa.seq + 1 });
  assert.ok(!(l.accept()!.flags & F_WS_OK));
});

test('timestamps: TSecr echoes TS.Recent; PAWS drops an old TSval with an ACK (RFC 7323 § 4, § 5)', () => {
  const h = new TcpHarness({ timestamps: true });
  const l = h.layer.listen(0, LOCAL_PORT, 4);
  h.send({ flags: 'S', seq: R, mss: 1460, ts: [1000, 0] });
  const sa = h.recv()[0];
  assert.equal(sa.ts![1], 1000);
  h.send({ flags: '.', seq: R + 1, ack: sa.seq + 1, ts: [1001, sa.ts![0]] });
  const t = l.accept()!;
  assert.ok(t.flags & F_TS_OK);
  assert.equal(t.mss, 1448, 'MSS less the 12 option bytes (RFC 6691)');
  h.send({ flags: 'P.', seq: R + 1, ack: sa.seq + 1, ts: [1005, sa.ts![0]], payload: 10 });
  h.send({ flags: 'P.', seq: R + 11, ack: sa.seq + 1, ts: [1006, sa.ts![0]], payload: 10 });
  const a = h.recv();
  assert.equal(a[a.length - 1].ts![1], 1005, 'TS.Recent from the segment covering Last.ACK.sent');
  h.send({ flags: 'P.', seq: R + 21, ack: sa.seq + 1, ts: [900, sa.ts![0]], payload: 10 });
  const p = h.recv();
  assert.equal(p.length, 1);
  assert.equal(p[0].ack, R + 21, 'PAWS: the old segment is not accepted');
  assert.equal(h.layer.stats.pawsEstab, 1);
  assert.equal(t.recvQueued, 20);
});

test("MSS: ours from the route MTU, the peer's honoured, 536 when absent (RFC 9293 § 3.7.1)", () => {
  const h = new TcpHarness();
  h.host.mtu = 9000;
  const l = h.layer.listen(0, LOCAL_PORT, 4);
  h.send({ flags: 'S', seq: R });
  const sa = h.recv()[0];
  assert.equal(sa.mss, 8960);
  h.send({ flags: '.', seq: R + 1, ack: sa.seq + 1 });
  assert.equal(l.accept()!.mss, 536);
});

test('ICMP fragmentation needed lowers the MSS and resends (RFC 1191)', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  userSend(t, new Uint8Array(1460));
  h.recv();
  const q = new Uint8Array(8);
  new DataView(q.buffer).setUint16(0, LOCAL_PORT);
  new DataView(q.buffer).setUint16(2, REMOTE_PORT);
  new DataView(q.buffer).setUint32(4, (iss + 1) >>> 0);
  h.layer.icmpError({
    type: 3,
    code: 4,
    from: 0x0a0000fe,
    src: 0x0a000001,
    dst: 0x0a000002,
    protocol: 6,
    quoted: q,
    mtu: 1000,
  });
  assert.equal(t.mss, 960);
  const s = h.recv();
  assert.deepEqual(flagsOf(s), ['. 960', 'P. 500']);
  assert.equal(h.layer.stats.pmtuUpdates, 1);
});

test('ICMP: port unreachable during SYN-SENT refuses; an ICMP for a sequence not in flight is ignored (RFC 5927)', () => {
  const h = new TcpHarness();
  const t = h.layer.openActive({
    remoteAddr: 0x0a000002,
    remotePort: REMOTE_PORT,
    localPort: LOCAL_PORT,
  });
  const errs: string[] = [];
  t.user = {
    onEstablished() {},
    onReadable() {},
    onWritable() {},
    onEof() {},
    onClosed: (e) => errs.push(String(e)),
  };
  const q = new Uint8Array(8);
  const dv = new DataView(q.buffer);
  dv.setUint16(0, LOCAL_PORT);
  dv.setUint16(2, REMOTE_PORT);
  dv.setUint32(4, (t.iss + 7) >>> 0);
  const info = {
    type: 3,
    code: 3,
    from: 0x0a000002,
    src: 0x0a000001,
    dst: 0x0a000002,
    protocol: 6,
    quoted: q,
    mtu: 0,
  };
  h.layer.icmpError(info);
  assert.equal(t.stateName, 'SYN-SENT');
  dv.setUint32(4, t.iss);
  h.layer.icmpError(info);
  assert.equal(t.stateName, 'CLOSED');
  assert.deepEqual(errs, ['ECONNREFUSED']);
});

test('keep-alive: probes after the idle time, abort after keepCount unanswered (RFC 1122 § 4.2.3.6)', () => {
  const h = new TcpHarness({ keepIdle: 10 * SECOND, keepInterval: 1 * SECOND, keepCount: 3 });
  const { t, iss, user } = h.established();
  t.flags |= F_KEEPALIVE;
  armKeepalive(t);
  h.advance(10 * SECOND + 1);
  const p = h.recv();
  assert.equal(p.length, 1);
  assert.equal(p[0].seq, iss, 'probe at SND.UNA − 1');
  h.send({ flags: '.', seq: R + 1, ack: iss + 1 });
  h.advance(9 * SECOND);
  assert.equal(h.recv().length, 0, 'an answer resets the idle time');
  h.advance(20 * SECOND);
  assert.equal(t.stateName, 'CLOSED');
  assert.equal(user.error, 'ETIMEDOUT');
  assert.equal(h.layer.stats.keepaliveProbes, 4);
});

test('SYN cookies when the SYN queue is full (RFC 4987 § 3.6)', () => {
  const h = new TcpHarness({ synQueueMin: 1 });
  const l = h.layer.listen(0, LOCAL_PORT, 1);
  h.send({ flags: 'S', seq: R, mss: 1460 }, { from: 40001 });
  h.send({ flags: 'S', seq: R + 1000, mss: 1460 }, { from: 40002 });
  const s = h.recv();
  assert.equal(s.length, 2);
  assert.equal(h.layer.stats.syncookiesSent, 1);
  assert.equal(h.layer.connectionCount, 1, 'no state kept for the cookie');
  // A forged ACK fails; the real one creates the connection.
  h.send({ flags: '.', seq: R + 1001, ack: s[1].seq + 2 }, { from: 40002 });
  assert.equal(h.layer.stats.syncookiesFailed, 1);
  h.recv();
  l.backlog = 4;
  h.send({ flags: '.', seq: R + 1001, ack: s[1].seq + 1 }, { from: 40002 });
  assert.equal(h.layer.stats.syncookiesRecv, 1);
  const t = l.accept()!;
  assert.equal(t.stateName, 'ESTABLISHED');
  assert.equal(t.remotePort, 40002);
  assert.equal(t.mss, 1460);
});

test('a full accept queue drops new SYNs (ListenDrops) until accept()', () => {
  const h = new TcpHarness();
  const l = h.layer.listen(0, LOCAL_PORT, 1);
  h.send({ flags: 'S', seq: R }, { from: 40001 });
  const sa = h.recv()[0];
  h.send({ flags: '.', seq: R + 1, ack: sa.seq + 1 }, { from: 40001 });
  h.send({ flags: 'S', seq: R }, { from: 40002 });
  assert.equal(h.recv().length, 0);
  assert.equal(h.layer.stats.listenDrops, 1);
  l.accept();
  h.send({ flags: 'S', seq: R }, { from: 40002 });
  assert.equal(h.recv().length, 1);
});

test('receiver SWS avoidance: no window update for a small read (RFC 9293 § 3.8.6.2.2)', () => {
  const h = new TcpHarness({ rcvBuf: 10000, roundRcvBufToMss: false });
  const { t, iss } = h.established({ mss: 1000 });
  for (let i = 0; i < 9; i++)
    h.send({ flags: 'P.', seq: R + 1 + i * 1000, ack: iss + 1, payload: 1000 });
  h.advance(100 * MS);
  h.recv();
  userRecv(t, 100);
  assert.equal(h.recv().length, 0, 'reading 100 bytes does not reopen the window');
  userRecv(t, 2000);
  assert.equal(h.recv().length, 1, 'reading two segments does');
});
