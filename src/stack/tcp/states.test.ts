/**
 * RFC 9293 state machine, segment templates in, segments out (in the manner of smoltcp's TCP
 * tests): every transition of § 3.3.2 Figure 5 plus simultaneous open/close, half-close,
 * TIME-WAIT, resets, and the RFC 5961 defences.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MS, SECOND } from '../../sim/time.js';
import { REMOTE_SEQ as R, RecordingUser, TcpHarness } from './testing.js';
import type { SentSeg } from './testing.js';
import { userClose, userRecv, userSend, userShutdown } from './conn.js';

function one(h: TcpHarness): SentSeg {
  const s = h.recv();
  assert.equal(
    s.length,
    1,
    `expected one segment, got ${s.map((x) => x.flags).join(' ') || 'none'}`,
  );
  return s[0];
}

function none(h: TcpHarness): void {
  const s = h.recv();
  assert.deepEqual(
    s.map((x) => `${x.flags} ${x.seq}`),
    [],
  );
}

function like(s: SentSeg, want: { flags: string; seq?: number; ack?: number; len?: number }): void {
  assert.equal(s.flags, want.flags);
  if (want.seq !== undefined) assert.equal(s.seq, want.seq >>> 0, 'seq');
  if (want.ack !== undefined) assert.equal(s.ack, want.ack >>> 0, 'ack');
  if (want.len !== undefined) assert.equal(s.len, want.len, 'len');
}

// ───────────────────────────── opening ─────────────────────────────

test('CLOSED → SYN-SENT: connect sends a SYN with MSS from the route MTU', () => {
  const h = new TcpHarness();
  h.host.mtu = 1400;
  const t = h.layer.openActive({ remoteAddr: 0x0a000002, remotePort: 80 });
  assert.equal(t.stateName, 'SYN-SENT');
  const syn = one(h);
  like(syn, { flags: 'S', seq: t.iss, len: 0 });
  assert.equal(syn.mss, 1360);
});

test('SYN-SENT → ESTABLISHED on SYN-ACK; the ACK acknowledges SEG.SEQ + 1 (RFC 9293 § 3.10.7.3)', () => {
  const h = new TcpHarness();
  const { t, iss, user } = h.connected();
  assert.equal(t.stateName, 'ESTABLISHED');
  assert.deepEqual(user.events, ['established']);
  assert.equal(t.sndUna, (iss + 1) >>> 0);
  assert.equal(t.rcvNxt, R + 1);
});

test('SYN-SENT: RST acknowledging the SYN refuses the connection (ECONNREFUSED)', () => {
  const h = new TcpHarness();
  const t = h.layer.openActive({ remoteAddr: 0x0a000002, remotePort: 49500, localPort: 80 });
  const user = new RecordingUser();
  t.user = user;
  const syn = one(h);
  h.send({ flags: 'R.', seq: 0, ack: syn.seq + 1 });
  assert.equal(t.stateName, 'CLOSED');
  assert.equal(user.error, 'ECONNREFUSED');
  none(h);
});

test('SYN-SENT: RST without an acceptable ACK is ignored (RFC 5961 § 3.2)', () => {
  const h = new TcpHarness();
  const t = h.layer.openActive({ remoteAddr: 0x0a000002, remotePort: 49500, localPort: 80 });
  const syn = one(h);
  h.send({ flags: 'R.', seq: 0, ack: syn.seq + 5 });
  assert.equal(t.stateName, 'SYN-SENT');
  h.send({ flags: 'R', seq: 0 });
  assert.equal(t.stateName, 'SYN-SENT');
  none(h);
});

test('SYN-SENT: an ACK for something never sent gets <SEQ=SEG.ACK><CTL=RST>', () => {
  const h = new TcpHarness();
  const t = h.layer.openActive({ remoteAddr: 0x0a000002, remotePort: 49500, localPort: 80 });
  const syn = one(h);
  h.send({ flags: '.', seq: R, ack: syn.seq + 100 });
  like(one(h), { flags: 'R', seq: syn.seq + 100 });
  assert.equal(t.stateName, 'SYN-SENT');
});

test('simultaneous open: SYN-SENT → SYN-RECEIVED → ESTABLISHED (RFC 9293 § 3.5 Figure 8)', () => {
  const h = new TcpHarness();
  const t = h.layer.openActive({ remoteAddr: 0x0a000002, remotePort: 49500, localPort: 80 });
  const syn = one(h);
  h.send({ flags: 'S', seq: R, mss: 1460 });
  assert.equal(t.stateName, 'SYN-RECEIVED');
  like(one(h), { flags: 'S.', seq: syn.seq, ack: R + 1 });
  h.send({ flags: 'S.', seq: R, ack: syn.seq + 1 });
  // Their SYN-ACK repeats the SYN we already have: the ACK completes the handshake.
  assert.equal(t.stateName, 'ESTABLISHED');
});

test('SYN-SENT: CLOSE deletes the TCB without sending anything (RFC 9293 § 3.10.4)', () => {
  const h = new TcpHarness();
  const t = h.layer.openActive({ remoteAddr: 0x0a000002, remotePort: 49500, localPort: 80 });
  one(h);
  userClose(t);
  assert.equal(t.stateName, 'CLOSED');
  none(h);
  assert.equal(h.layer.connectionCount, 0);
});

test('SYN retransmissions back off (1, 2, 4 s ...) and end in ETIMEDOUT (RFC 6298 § 5)', () => {
  const h = new TcpHarness({ synRetries: 3 });
  const t = h.layer.openActive({ remoteAddr: 0x0a000002, remotePort: 49500, localPort: 80 });
  const user = new RecordingUser();
  t.user = user;
  h.advance(60 * SECOND);
  const syns = h.recv();
  assert.deepEqual(
    syns.map((s) => s.t / SECOND),
    [0, 1, 3, 7],
  );
  assert.ok(syns.every((s) => s.flags === 'S' && s.seq === t.iss));
  assert.equal(user.error, 'ETIMEDOUT');
});

test('LISTEN → SYN-RECEIVED → ESTABLISHED; accept() hands the connection over', () => {
  const h = new TcpHarness();
  const l = h.layer.listen(0, 80, 4);
  h.send({ flags: 'S', seq: R, mss: 1000 });
  const sa = one(h);
  like(sa, { flags: 'S.', ack: R + 1 });
  assert.equal(sa.mss, 1460);
  assert.equal(l.synQueue, 1);
  assert.equal(l.accept(), undefined);
  h.send({ flags: '.', seq: R + 1, ack: sa.seq + 1 });
  const t = l.accept()!;
  assert.equal(t.stateName, 'ESTABLISHED');
  assert.equal(t.mss, 1000, 'the peer MSS is honoured');
  none(h);
});

test('LISTEN: RST is ignored, an ACK gets a RST, data-only segments are dropped (RFC 9293 § 3.10.7.2)', () => {
  const h = new TcpHarness();
  h.layer.listen(0, 80, 4);
  h.send({ flags: 'R', seq: R });
  none(h);
  h.send({ flags: '.', seq: R, ack: 777 });
  like(one(h), { flags: 'R', seq: 777 });
  h.send({ flags: 'P', seq: R, payload: 5 });
  none(h);
});

test('CLOSED port: SYN gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (RFC 9293 § 3.10.7.1)', () => {
  const h = new TcpHarness();
  h.send({ flags: 'S', seq: R, payload: 3 });
  like(one(h), { flags: 'R.', seq: 0, ack: R + 4 });
  h.send({ flags: 'R', seq: R });
  none(h);
});

test('SYN-RECEIVED (passive): RST returns to LISTEN; the listener keeps working', () => {
  const h = new TcpHarness();
  const l = h.layer.listen(0, 80, 4);
  h.send({ flags: 'S', seq: R });
  one(h);
  h.send({ flags: 'R', seq: R + 1 });
  assert.equal(l.synQueue, 0);
  assert.equal(h.layer.connectionCount, 0);
  h.send({ flags: 'S', seq: R + 100 });
  like(one(h), { flags: 'S.', ack: R + 101 });
});

test('SYN-RECEIVED: an unacceptable ACK gets a RST, a duplicate SYN the SYN-ACK again', () => {
  const h = new TcpHarness();
  h.layer.listen(0, 80, 4);
  h.send({ flags: 'S', seq: R });
  const sa = one(h);
  h.send({ flags: '.', seq: R + 1, ack: sa.seq + 9 });
  like(one(h), { flags: 'R', seq: sa.seq + 9 });
  h.send({ flags: 'S', seq: R });
  like(one(h), { flags: 'S.', seq: sa.seq, ack: R + 1 });
});

test('SYN-RECEIVED: SYN-ACK retransmitted with back-off, then the embryo is dropped', () => {
  const h = new TcpHarness({ synAckRetries: 2 });
  const l = h.layer.listen(0, 80, 4);
  h.send({ flags: 'S', seq: R });
  h.advance(30 * SECOND);
  const s = h.recv();
  assert.deepEqual(
    s.map((x) => [x.flags, x.t / SECOND]),
    [
      ['S.', 0],
      ['S.', 1],
      ['S.', 3],
    ],
  );
  assert.equal(l.synQueue, 0);
  assert.equal(h.layer.connectionCount, 0);
});

// ───────────────────────────── closing ─────────────────────────────

test('active close: ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT → CLOSED after 2·MSL', () => {
  const h = new TcpHarness({ msl: 10 * SECOND });
  const { t, iss, user } = h.established();
  userShutdown(t);
  assert.equal(t.stateName, 'FIN-WAIT-1');
  like(one(h), { flags: 'F.', seq: iss + 1, ack: R + 1 });
  h.send({ flags: '.', seq: R + 1, ack: iss + 2 });
  assert.equal(t.stateName, 'FIN-WAIT-2');
  none(h);
  h.send({ flags: 'F.', seq: R + 1, ack: iss + 2 });
  assert.equal(t.stateName, 'TIME-WAIT');
  like(one(h), { flags: '.', seq: iss + 2, ack: R + 2 });
  assert.deepEqual(user.events, ['eof', 'closed']);
  h.advance(19 * SECOND);
  assert.equal(t.stateName, 'TIME-WAIT');
  h.advance(2 * SECOND);
  assert.equal(t.stateName, 'CLOSED');
  assert.equal(h.layer.connectionCount, 0);
});

test('simultaneous close: FIN-WAIT-1 → CLOSING → TIME-WAIT', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  userShutdown(t);
  one(h);
  h.send({ flags: 'F.', seq: R + 1, ack: iss + 1 });
  assert.equal(t.stateName, 'CLOSING');
  // The ACK of their FIN carries our (unacknowledged) FIN again.
  like(one(h), { flags: 'F.', seq: iss + 1, ack: R + 2 });
  h.send({ flags: '.', seq: R + 2, ack: iss + 2 });
  assert.equal(t.stateName, 'TIME-WAIT');
});

test('FIN-WAIT-1 → TIME-WAIT when FIN and the ACK of our FIN arrive together', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  userShutdown(t);
  one(h);
  h.send({ flags: 'F.', seq: R + 1, ack: iss + 2 });
  assert.equal(t.stateName, 'TIME-WAIT');
  like(one(h), { flags: '.', ack: R + 2 });
});

test('passive close: ESTABLISHED → CLOSE-WAIT → LAST-ACK → CLOSED', () => {
  const h = new TcpHarness();
  const { t, iss, user } = h.established();
  h.send({ flags: 'F.', seq: R + 1, ack: iss + 1 });
  assert.equal(t.stateName, 'CLOSE-WAIT');
  like(one(h), { flags: '.', ack: R + 2 });
  assert.deepEqual(user.events, ['eof']);
  userShutdown(t);
  assert.equal(t.stateName, 'LAST-ACK');
  like(one(h), { flags: 'F.', seq: iss + 1, ack: R + 2 });
  h.send({ flags: '.', seq: R + 2, ack: iss + 2 });
  assert.equal(t.stateName, 'CLOSED');
  assert.deepEqual(user.events, ['eof', 'closed']);
});

test('half-close: data still flows from CLOSE-WAIT after the peer FIN', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  h.send({ flags: 'F.', seq: R + 1, ack: iss + 1 });
  h.recv();
  assert.equal(userSend(t, new Uint8Array(100)), 100);
  like(one(h), { flags: 'P.', seq: iss + 1, len: 100 });
  h.send({ flags: '.', seq: R + 2, ack: iss + 101 });
  assert.equal(t.sendQueued, 0);
});

test('half-close: data still arrives in FIN-WAIT-2 after our FIN', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  userShutdown(t);
  h.recv();
  h.send({ flags: '.', seq: R + 1, ack: iss + 2 });
  h.send({ flags: 'P.', seq: R + 1, ack: iss + 2, payload: 10 });
  assert.equal(userRecv(t, 100).length, 10);
});

test('TIME-WAIT: a retransmitted FIN is acknowledged and restarts 2·MSL; RST is ignored (RFC 1337)', () => {
  const h = new TcpHarness({ msl: 10 * SECOND });
  const { t, iss } = h.established();
  userShutdown(t);
  h.send({ flags: 'F.', seq: R + 1, ack: iss + 2 });
  h.recv();
  h.advance(15 * SECOND);
  h.send({ flags: 'F.', seq: R + 1, ack: iss + 2 });
  like(one(h), { flags: '.', seq: iss + 2, ack: R + 2 });
  h.advance(15 * SECOND);
  assert.equal(t.stateName, 'TIME-WAIT', '2·MSL restarted at the retransmitted FIN');
  h.send({ flags: 'R', seq: R + 2 });
  assert.equal(t.stateName, 'TIME-WAIT');
  h.advance(6 * SECOND);
  assert.equal(t.stateName, 'CLOSED');
});

test('FIN-WAIT-2 of a closed socket times out (finWait2Timeout)', () => {
  const h = new TcpHarness({ finWait2Timeout: 5 * SECOND });
  const { t, iss } = h.established();
  userClose(t);
  h.send({ flags: '.', seq: R + 1, ack: iss + 2 });
  assert.equal(t.stateName, 'FIN-WAIT-2');
  h.advance(6 * SECOND);
  assert.equal(t.stateName, 'CLOSED');
});

test('close() with unread data sends RST (RFC 9293 § 3.6.1, RFC 2525 § 2.17)', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  h.send({ flags: 'P.', seq: R + 1, ack: iss + 1, payload: 20 });
  h.recv();
  userClose(t);
  like(one(h), { flags: 'R.', seq: iss + 1, ack: R + 21 });
  assert.equal(t.stateName, 'CLOSED');
});

test('data arriving after close() is answered with RST (RFC 2525 § 2.17)', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  userClose(t);
  one(h);
  h.send({ flags: 'P.', seq: R + 1, ack: iss + 2, payload: 5 });
  like(one(h), { flags: 'R.' });
  assert.equal(t.stateName, 'CLOSED');
});

test('ESTABLISHED: RST at RCV.NXT resets the connection (ECONNRESET)', () => {
  const h = new TcpHarness();
  const { t, user } = h.established();
  h.send({ flags: 'R', seq: R + 1 });
  assert.equal(t.stateName, 'CLOSED');
  assert.equal(user.error, 'ECONNRESET');
  none(h);
});

// ───────────────────────────── RFC 5961 ─────────────────────────────

test('RFC 5961 § 3.2: an in-window RST not at RCV.NXT gets a challenge ACK', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  h.send({ flags: 'R', seq: R + 100 });
  assert.equal(t.stateName, 'ESTABLISHED');
  like(one(h), { flags: '.', seq: iss + 1, ack: R + 1 });
  assert.equal(h.layer.stats.challengeAcks, 1);
});

test('RFC 5961 § 3.2: a RST outside the window is dropped silently', () => {
  const h = new TcpHarness();
  const { t } = h.established();
  h.send({ flags: 'R', seq: R + 1_000_000 });
  h.send({ flags: 'R', seq: R - 5 });
  assert.equal(t.stateName, 'ESTABLISHED');
  none(h);
});

test('RFC 5961 § 4.2: a SYN in ESTABLISHED gets a challenge ACK, in or out of the window', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  h.send({ flags: 'S', seq: R + 1 });
  like(one(h), { flags: '.', seq: iss + 1, ack: R + 1 });
  h.send({ flags: 'S', seq: R + 5_000_000 });
  like(one(h), { flags: '.', seq: iss + 1, ack: R + 1 });
  assert.equal(t.stateName, 'ESTABLISHED');
  assert.equal(h.layer.stats.synChallenge, 2);
});

test('RFC 793 mode (rfc5961Syn/Rst off): in-window SYN and RST reset the connection', () => {
  const h = new TcpHarness({ rfc5961Syn: false, rfc5961Rst: false });
  const a = h.established();
  h.send({ flags: 'S', seq: R + 10 });
  like(one(h), { flags: 'R.' });
  assert.equal(a.t.stateName, 'CLOSED');
  assert.equal(a.user.error, 'ECONNRESET');
  const h2 = new TcpHarness({ rfc5961Rst: false });
  const b = h2.established();
  h2.send({ flags: 'R', seq: R + 10 });
  assert.equal(b.t.stateName, 'CLOSED');
});

test('RFC 5961 § 5.2: ACKs for unsent data and far too old ACKs are answered and dropped', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  h.send({ flags: 'P.', seq: R + 1, ack: iss + 50, payload: 10 });
  like(one(h), { flags: '.', seq: iss + 1, ack: R + 1 });
  assert.equal(t.recvQueued, 0, 'the data of the bad segment is not taken');
  h.send({ flags: '.', seq: R + 1, ack: iss - 200_000 });
  like(one(h), { flags: '.', ack: R + 1 });
  assert.equal(h.layer.stats.drops['ack-too-old'], 1);
});

test('RFC 5961 § 7: challenge ACKs are rate limited per second', () => {
  const h = new TcpHarness({ challengeAckLimit: 3 });
  h.established();
  for (let i = 0; i < 10; i++) h.send({ flags: 'R', seq: R + 100 + i });
  assert.equal(h.recv().length, 3);
  h.advance(1100 * MS);
  h.send({ flags: 'R', seq: R + 500 });
  assert.equal(h.recv().length, 1);
});

test('an unacceptable segment is answered with <SEQ=SND.NXT><ACK=RCV.NXT> and dropped', () => {
  const h = new TcpHarness();
  const { t, iss } = h.established();
  h.send({ flags: 'P.', seq: R + 200_000, ack: iss + 1, payload: 10 });
  like(one(h), { flags: '.', seq: iss + 1, ack: R + 1 });
  assert.equal(t.recvQueued, 0);
});
