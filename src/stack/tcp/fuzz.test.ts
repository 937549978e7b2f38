/**
 * Bad input is a counted drop, never a crash (DESIGN.md principle 5): random bytes and random
 * segments (RFC 9293 header fields, options) thrown at listeners and connections in every state.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MS } from '../../sim/time.js';
import { REMOTE_SEQ as R, TcpHarness } from './testing.js';
import { seqLe } from './seqnum.js';
import { userSend, userShutdown } from './conn.js';

const FLAGS = ['S', 'S.', '.', 'P.', 'F.', 'F', 'R', 'R.', 'SF', 'SR', 'FR.', ''];

test('random bytes never throw and are counted', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (bytes) => {
      const h = new TcpHarness();
      h.layer.listen(0, 80, 4);
      h.layer.input(
        {
          src: 0x0a000002,
          dst: 0x0a000001,
          protocol: 6,
          ttl: 64,
          tos: 0,
          iface: 'eth0',
          broadcast: false,
        },
        bytes,
      );
      assert.equal(h.layer.stats.inSegs, 1);
    }),
    { numRuns: 300 },
  );
});

test('random segment sequences keep the TCB invariants (SND.UNA ≤ SND.NXT ≤ SND.MAX)', () => {
  const seg = fc.record({
    flags: fc.constantFrom(...FLAGS),
    seqOff: fc.integer({ min: -70000, max: 70000 }),
    ackOff: fc.integer({ min: -70000, max: 70000 }),
    len: fc.integer({ min: 0, max: 3000 }),
    window: fc.integer({ min: 0, max: 65535 }),
    sack: fc.option(
      fc.tuple(fc.integer({ min: -5000, max: 50000 }), fc.integer({ min: 0, max: 5000 })),
    ),
    wait: fc.integer({ min: 0, max: 300 }),
  });
  fc.assert(
    fc.property(
      fc.array(seg, { minLength: 1, maxLength: 25 }),
      fc.boolean(),
      fc.boolean(),
      (segs, close, active) => {
        const h = new TcpHarness({ sack: true, timestamps: true, windowScaling: true });
        const { t, iss } = active ? h.connected() : h.established();
        userSend(t, new Uint8Array(20000));
        if (close) userShutdown(t);
        for (const s of segs) {
          h.send({
            flags: s.flags,
            seq: (R + 1 + s.seqOff) >>> 0,
            ack: (iss + 1 + s.ackOff) >>> 0,
            window: s.window,
            payload: s.len,
            sack: s.sack
              ? [[(iss + 1 + s.sack[0]) >>> 0, (iss + 1 + s.sack[0] + s.sack[1]) >>> 0]]
              : undefined,
            ts: [1000 + s.wait, 0],
          });
          h.advance(s.wait * MS);
          if (t.state !== 0) {
            assert.ok(seqLe(t.sndUna, t.sndNxt), 'SND.UNA ≤ SND.NXT');
            assert.ok(seqLe(t.sndNxt, t.sndMax), 'SND.NXT ≤ SND.MAX');
            assert.ok(t.recvQueued <= t.rcvBufSize + (1 << 14));
          }
        }
        h.advance(200_000 * MS);
        h.recv();
      },
    ),
    { numRuns: 200 },
  );
});
