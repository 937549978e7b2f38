import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checksumUpdate16,
  checksumUpdate32,
  foldSum,
  internetChecksum,
  onesSum,
  pseudoHeaderSum,
} from './checksum.js';
import { bytes, naiveChecksum } from './testkit.js';

test('RFC 1071 § 3 worked example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2', () => {
  const b = bytes('0001 f203 f4f5 f6f7');
  assert.equal(onesSum(b, 0, b.length), 0xddf2);
  assert.equal(internetChecksum(b, 0, b.length), 0x220d);
});

test('IPv4 header with checksum b861 (a classic textbook header) verifies', () => {
  const h = bytes(`
    45 00 0073   # version 4, IHL 5, TOS 0, total length 115
    0000 4000    # id 0, DF
    40 11 b861   # TTL 64, UDP, checksum 0xb861
    c0a8 0001    # 192.168.0.1
    c0a8 00c7    # 192.168.0.199
  `);
  assert.equal(onesSum(h, 0, 20), 0xffff);
  h[10] = 0;
  h[11] = 0;
  assert.equal(internetChecksum(h, 0, 20), 0xb861);
});

test('odd length pads with a zero byte (RFC 1071 § 4.1)', () => {
  const b = bytes('01 02 03');
  assert.equal(internetChecksum(b, 0, 3), ~(0x0102 + 0x0300) & 0xffff);
});

test('fast path equals the naive sum for every alignment and length', () => {
  const big = new Uint8Array(3100);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + 13) & 255;
  for (let shift = 0; shift < 4; shift++) {
    const sub = big.subarray(shift);
    for (let s = 0; s < 6; s++) {
      for (let len = 0; len < 1600; len += 13) {
        assert.equal(
          internetChecksum(sub, s, s + len),
          naiveChecksum(sub, s, s + len),
          `shift ${shift} start ${s} len ${len}`,
        );
      }
    }
  }
});

test('all-ones and all-zero buffers', () => {
  assert.equal(internetChecksum(new Uint8Array(1500).fill(0xff), 0, 1500), 0);
  assert.equal(internetChecksum(new Uint8Array(1500), 0, 1500), 0xffff);
  assert.equal(internetChecksum(new Uint8Array(65536).fill(0xff), 0, 65536), 0);
});

test('property: equals the naive checksum on arbitrary bytes, offsets and initial sums', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(8), fc.nat(0x3ffff), (b, cut, init) => {
      const s = Math.min(cut, b.length);
      assert.equal(internetChecksum(b, s, b.length, init), naiveChecksum(b, s, b.length, init));
    }),
  );
});

test('pseudo-header sum folds like the summed bytes', () => {
  const ph = bytes('0a000001 0a000002 0011 001c');
  assert.equal(foldSum(pseudoHeaderSum(0x0a000001, 0x0a000002, 17, 28)), onesSum(ph, 0, 12));
});

test('RFC 1624 incremental update equals recomputation', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 20, maxLength: 20 }),
      fc.nat(9),
      fc.nat(0xffff),
      (h, w, nv) => {
        h[10] = 0;
        h[11] = 0;
        const c = internetChecksum(h, 0, 20);
        h[10] = c >>> 8;
        h[11] = c & 0xff;
        const idx = w === 5 ? 4 : w; // not the checksum word itself
        const old = (h[idx * 2] << 8) | h[idx * 2 + 1];
        const upd = checksumUpdate16(c, old, nv);
        h[idx * 2] = nv >>> 8;
        h[idx * 2 + 1] = nv & 0xff;
        // The updated checksum must make the header verify (RFC 1624 § 3: eqn. 3 never yields the
        // -0 ambiguity of eqn. 2 for a verifying receiver).
        h[10] = upd >>> 8;
        h[11] = upd & 0xff;
        assert.equal(onesSum(h, 0, 20), 0xffff);
      },
    ),
  );
});

test('RFC 1624 § 4 example: eqn. 3 gives 0x0000 where eqn. 2 gave 0xffff', () => {
  // HC = 0xdd2f, m = 0x5555 changed to m' = 0x3285: HC' = 0x0000.
  assert.equal(checksumUpdate16(0xdd2f, 0x5555, 0x3285), 0x0000);
});

test('32-bit update equals two 16-bit updates and recomputation', () => {
  const h = bytes('4500 0054 1234 4000 4001 0000 0a000001 0a000002');
  const c = internetChecksum(h, 0, 20);
  const upd = checksumUpdate32(c, 0x0a000001, 0xc0a80101);
  h[12] = 0xc0;
  h[13] = 0xa8;
  h[14] = 0x01;
  h[15] = 0x01;
  assert.equal(upd, internetChecksum(h, 0, 20));
});
