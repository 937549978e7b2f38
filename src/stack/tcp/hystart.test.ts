/**
 * HyStart++ (hystart.ts, RFC 9406), segment templates in, segments out: the peer ACKs every
 * segment of each flight after a chosen RTT. While the RTT stays at 10 ms the window doubles
 * every flight (slow start, one MSS per ACK); when it rises to 30 ms — more than
 * max(4 ms, 10 ms / 8) above the previous round's minimum — the sender moves to Conservative
 * Slow Start and grows a quarter as fast (§ 4.2); after CSS_ROUNDS rounds of it, ssthresh =
 * cwnd (congestion avoidance); if the RTT falls back below the CSS baseline, slow start
 * resumes. With `hystart: false` the same ACKs keep slow start going.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MS } from '../../sim/time.js';
import { userSend } from './conn.js';
import type { TcpConfig } from './config.js';
import { REMOTE_SEQ as R, TcpHarness } from './testing.js';
import type { Tcb } from './tcb.js';

const INITIAL_SSTHRESH = 0x7fffffff;

interface Ack {
  rtt: number;
  grew: number;
  cwnd: number;
  ssthresh: number;
}

/** Flights ACKed segment by segment after the given RTTs (ms); what each ACK did to cwnd. */
function flights(
  rtts: number[],
  cfg: Partial<TcpConfig> = {},
): { t: Tcb; h: TcpHarness; acks: Ack[][] } {
  const h = new TcpHarness({ sndBuf: 4 << 20, ...cfg });
  const { t } = h.established({ mss: 1000 });
  // The peer's window must not be what limits: scale its 65535 by 2^6 (4 MiB).
  t.sndScale = 6;
  userSend(t, new Uint8Array(3 << 20));
  let flight = h.recv().filter((s) => s.len > 0);
  assert.equal(flight.length, 10, 'IW10');
  const acks: Ack[][] = [];
  for (const rtt of rtts) {
    h.advance(rtt * MS);
    const round: Ack[] = [];
    for (const s of flight) {
      const before = t.cwnd;
      h.send({ flags: '.', seq: R + 1, ack: s.seq + s.len, window: 65535 });
      round.push({ rtt, grew: t.cwnd - before, cwnd: t.cwnd, ssthresh: t.ssthresh });
    }
    acks.push(round);
    flight = h.recv().filter((s) => s.len > 0);
  }
  return { t, h, acks };
}

for (const congestion of ['newreno', 'cubic'] as const)
  test(`${congestion}: an RTT rise in slow start moves to conservative slow start, then congestion avoidance (RFC 9406 § 4.2)`, () => {
    const { h, acks } = flights([10, 10, 30, 30, 30, 30, 30, 30, 30], { congestion });
    const stats = h.layer.stats;
    // Flights 1–2 (10 ms): slow start, one MSS per ACK.
    for (const a of [...acks[0], ...acks[1]]) assert.equal(a.grew, 1000);
    // The rise is seen once 8 samples of a round are all ≥ 10 + 4 ms: HyStart's rounds end
    // with the ACK of what was sent when the round began, so the round that holds flight 3
    // also holds two 10 ms ACKs of flight 2; the next one has its 8th sample at the 2nd ACK of
    // flight 4 (cwnd 80 after flight 3, + 2).
    assert.equal(stats.hystartDelayDetect, 1);
    assert.equal(stats.hystartDelayCwnd, 82);
    const all = acks.flat();
    const css = all.findIndex((a) => a.grew === 250);
    assert.ok(css > 0 && all[css].rtt === 30, 'CSS began after the RTT rose');
    assert.ok(
      all.slice(0, css).every((a) => a.grew === 1000),
      'slow start before',
    );
    // CSS: cwnd += MSS / CSS_GROWTH_DIVISOR per ACK, until CSS_ROUNDS rounds passed ...
    const end = all.findIndex((a) => a.ssthresh !== INITIAL_SSTHRESH);
    assert.ok(end > css, 'CSS ended');
    assert.ok(
      all.slice(css, end).every((a) => a.grew === 250),
      'a quarter of the growth in CSS',
    );
    // ... then ssthresh = cwnd and congestion avoidance (about one MSS per window).
    assert.equal(stats.hystartExits, 1);
    assert.equal(all[end].ssthresh, all[end].cwnd);
    const after = all.slice(end + 1);
    const ca = after.reduce((n, a) => n + a.grew, 0);
    assert.ok(
      after.length > 50 && ca <= 2000,
      `congestion avoidance: +${ca} over ${after.length} ACKs`,
    );
    assert.equal(stats.hystartCssBack, 0);
  });

test('the RTT falling back below the CSS baseline resumes slow start (RFC 9406 § 4.2)', () => {
  const { h, acks } = flights([10, 10, 30, 30, 10, 10, 10]);
  const stats = h.layer.stats;
  assert.equal(stats.hystartDelayDetect, 1);
  assert.equal(stats.hystartCssBack, 1);
  assert.equal(stats.hystartExits, 0);
  const all = acks.flat();
  const css = all.findIndex((a) => a.grew === 250);
  const back = all.findIndex((a, i) => i > css && a.grew === 1000);
  assert.ok(css > 0 && back > css, 'slow start, CSS, slow start again');
  assert.equal(all[back].rtt, 10);
  assert.ok(all.slice(back).every((a) => a.grew === 1000 && a.ssthresh === INITIAL_SSTHRESH));
});

test('without HyStart++ the same RTT rise leaves slow start running (control)', () => {
  const { h, acks } = flights([10, 10, 30, 30, 30], { hystart: false });
  assert.ok(acks.flat().every((a) => a.grew === 1000 && a.ssthresh === INITIAL_SSTHRESH));
  assert.equal(h.layer.stats.hystartDelayDetect, 0);
});
