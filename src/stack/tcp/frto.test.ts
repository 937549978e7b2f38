/**
 * F-RTO (frto.ts, RFC 5682), segment templates in, segments out, without timestamps (so the
 * Eifel check of recovery.ts cannot see anything): 10 segments of 1000 bytes in flight, no ACK
 * for 200 ms, the RTO retransmits the first. Spurious timeout — the ACKs of the originals were
 * only late: the first ACK covers the retransmitted segment, two new segments go out instead
 * of more retransmissions (step 2b), the next ACK covers originals that were never
 * retransmitted (step 3b) and the window reduction is undone (RFC 4015 response). Real loss —
 * the next ACK is a duplicate that SACKs only the new data (step 3a): slow-start
 * retransmission from SND.UNA. With SACK the § 3 variant, without it § 2.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from '../../sim/scheduler.js';
import { MS } from '../../sim/time.js';
import { userSend } from './conn.js';
import type { TcpConfig } from './config.js';
import { TcpLayer } from './layer.js';
import type { TcpSocket } from './socket.js';
import { FakeHost, LOCAL_PORT, REMOTE_SEQ as R, TcpHarness, rxMeta } from './testing.js';
import { FRTO_STEP3 } from './tcb.js';

const INITIAL_SSTHRESH = 0x7fffffff;

function conn(cfg: Partial<TcpConfig>) {
  const h = new TcpHarness({ timestamps: false, tlp: false, ...cfg });
  const l = h.layer.listen(0, LOCAL_PORT, 4);
  h.send({ flags: 'S', seq: R, mss: 1000, sackPermitted: cfg.sack === true });
  const sa = h.recv()[0];
  const base = sa.seq + 1;
  h.send({ flags: '.', seq: R + 1, ack: base });
  const t = l.accept()!;
  userSend(t, new Uint8Array(100_000));
  assert.equal(h.recv().length, 10);
  h.advance(201 * MS); // RTO (200 ms minimum)
  const rto = h.recv();
  assert.equal(rto.length, 1);
  assert.equal(rto[0].seq, base, 'the RTO retransmits the first segment');
  assert.equal(t.cwnd, 1000, 'loss window');
  return {
    h,
    t,
    base,
    ack: (n: number, sack?: [number, number][]) =>
      h.send({
        flags: '.',
        seq: R + 1,
        ack: base + n,
        sack: sack?.map(([s, e]) => [base + s, base + e]),
      }),
  };
}

const rel = (base: number, segs: { seq: number }[]) => segs.map((s) => s.seq - base);

for (const sack of [true, false]) {
  const v = sack ? 'SACK (§ 3.1)' : 'basic (§ 2.1)';

  test(`F-RTO ${v}: ACKs of never-retransmitted data after the RTO undo it`, () => {
    const { h, t, base, ack } = conn({ sack });
    // Step 2: the ACK of segments 0–1 (late, not lost): two new segments, no retransmission.
    ack(2000);
    assert.deepEqual(rel(base, h.recv()), [10_000, 11_000], 'step 2b: two new segments');
    assert.equal(t.frto, FRTO_STEP3);
    // Step 3: segments 2–3, sent once, are acknowledged: the timeout was spurious.
    ack(4000);
    const s = h.layer.stats;
    assert.equal(s.frtoSpurious, 1);
    assert.equal(s.spuriousRtos, 1);
    assert.equal(s.lossUndo, 1);
    assert.equal(t.ssthresh, INITIAL_SSTHRESH, 'ssthresh restored');
    // RFC 4015: cwnd = FlightSize (12000 − 4000) + min(bytes ACKed, IW).
    assert.equal(t.cwnd, 8000 + 2000);
    const out = h.recv();
    assert.ok(out.length > 0, 'sending resumes');
    assert.ok(
      out.every((x) => x.seq - base >= 12_000),
      `only new data, no go-back-N: ${rel(base, out).join(',')}`,
    );
    assert.equal(s.retransSegs, 1, 'the RTO retransmission was the only one');
  });

  test(`F-RTO ${v}: a duplicate ACK after the new segments means the loss was real`, () => {
    const { h, t, base, ack } = conn({ sack });
    // Segments 0 and 1 were lost, 2–9 arrived (their ACKs were lost too).
    ack(1000, sack ? [[2000, 10_000]] : undefined);
    assert.deepEqual(rel(base, h.recv()), [10_000, 11_000], 'step 2b');
    // The first new segment arrives: a duplicate ACK (SACKing only new data).
    ack(1000, sack ? [[2000, 11_000]] : undefined);
    const out = h.recv();
    assert.equal(out[0].seq, base + 1000, 'step 3a: retransmission from SND.UNA');
    if (sack)
      assert.ok(
        !out.some((x) => x.seq - base >= 2000 && x.seq - base < 11_000),
        'SACKed data skipped',
      );
    assert.ok(t.cwnd <= 3000, `cwnd ${t.cwnd} ≤ 3·SMSS`);
    assert.equal(t.frto, 0);
    assert.equal(h.layer.stats.frtoSpurious, 0);
    assert.equal(h.layer.stats.lossUndo, 0);
  });
}

test('without F-RTO the same late ACKs go back N and nothing is undone (control)', () => {
  const { h, t, base, ack } = conn({ sack: true, frto: false });
  ack(2000);
  assert.deepEqual(rel(base, h.recv()), [2000, 3000, 4000], 'go-back-N retransmissions');
  ack(4000);
  assert.equal(h.layer.stats.lossUndo, 0);
  assert.equal(h.layer.stats.frtoSpurious, 0);
  assert.ok(t.ssthresh < 10_000, 'the reduction stays');
  assert.ok(
    h.recv().every((x) => x.seq - base < 10_000),
    'still retransmitting',
  );
});

test('F-RTO without SACK: a partial ACK of the retransmission is no evidence (§ 2.1 step 2a)', () => {
  const { h, t, ack } = conn({ sack: false });
  ack(500); // acknowledges only part of the retransmitted segment
  assert.equal(t.frto, 0, 'conventional recovery');
  assert.equal(h.layer.stats.frtoSpurious, 0);
});

/**
 * End to end: 3 MB over a 10 ms RTT path whose ACK direction stalls from 200 to 600 ms (a
 * delay spike: the ACKs come late, in order, none lost). Without timestamps only F-RTO can
 * tell that the timeout it causes was spurious.
 */
function delaySpike(cfg: Partial<TcpConfig>) {
  const SIZE = 3_000_000;
  const clock = new Scheduler();
  const ha = new FakeHost('a', clock, 0x0a000001);
  const hb = new FakeHost('b', clock, 0x0a000002);
  const base = { timestamps: false, tlp: false, ...cfg };
  const a = new TcpLayer(ha, base);
  const b = new TcpLayer(hb, base);
  ha.onSend = (d) => clock.schedule(5 * MS, () => b.input(rxMeta(d.src, d.dst), d.bytes));
  let last = 0;
  hb.onSend = (d) => {
    const now = clock.now();
    let at = now + 5 * MS;
    if (now >= 200 * MS && now < 600 * MS) at = 600 * MS + (now - 200 * MS) / 100;
    last = Math.max(at, last);
    clock.schedule(last - now, () => a.input(rxMeta(d.src, d.dst), d.bytes));
  };
  let got = 0;
  let doneAt = 0;
  b.createServer((s) =>
    s.on('data', (x) => {
      got += x.length;
      if (got === SIZE) doneAt = clock.now();
    }),
  ).listen(80);
  const c = a.connect({ host: 0x0a000002, port: 80 }) as TcpSocket;
  c.on('connect', () => c.end(new Uint8Array(SIZE)));
  clock.runSync();
  assert.equal(got, SIZE);
  return { doneAt, stats: a.stats };
}

for (const sack of [true, false]) {
  test(`a delay spike: F-RTO ${sack ? 'with' : 'without'} SACK avoids the go-back-N resend`, () => {
    const on = delaySpike({ sack, frto: true });
    const off = delaySpike({ sack, frto: false });
    assert.equal(on.stats.timeouts, 1);
    assert.equal(off.stats.timeouts, 1);
    assert.equal(on.stats.frtoSpurious, 1);
    assert.equal(on.stats.retransSegs, 1, 'only the RTO retransmission');
    assert.ok(off.stats.retransSegs > 50, `without F-RTO: ${off.stats.retransSegs} resent`);
    assert.ok(
      on.doneAt < off.doneAt - 40 * MS,
      `with F-RTO done at ${on.doneAt / MS} ms, without at ${off.doneAt / MS} ms`,
    );
  });
}
