import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32, crc32Patch } from './crc32.js';
import { naiveCrc32 } from './testkit.js';

test('check value: crc32("123456789") = cbf43926', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('empty input is 0; "a" is e8b7be43', () => {
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(new TextEncoder().encode('a')), 0xe8b7be43);
});

test('the FCS residue: CRC over data + little-endian CRC is 0x2144df1c', () => {
  const b = new Uint8Array(64);
  for (let i = 0; i < 60; i++) b[i] = i * 3;
  const c = crc32(b, 0, 60);
  b[60] = c & 0xff;
  b[61] = (c >>> 8) & 0xff;
  b[62] = (c >>> 16) & 0xff;
  b[63] = c >>> 24;
  assert.equal(crc32(b, 0, 64), 0x2144df1c);
});

test('slicing-by-8 equals the bitwise CRC for every alignment and length', () => {
  const big = new Uint8Array(2000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 131 + 7) & 255;
  for (let shift = 0; shift < 4; shift++) {
    const sub = big.subarray(shift);
    for (let s = 0; s < 9; s++) {
      for (let len = 0; len < 1600; len += 11) {
        assert.equal(crc32(sub, s, s + len), naiveCrc32(sub, s, s + len));
      }
    }
  }
});

test('property: continuation crc32(b, k, n, crc32(b, 0, k)) = crc32(b)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (b, k) => {
      const cut = Math.min(k, b.length);
      assert.equal(crc32(b, cut, b.length, crc32(b, 0, cut)), naiveCrc32(b));
    }),
  );
});

test('property: crc32Patch after changing leading bytes equals recomputing the CRC', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 2000 }),
      fc.uint8Array({ minLength: 1, maxLength: 60 }),
      fc.nat(3),
      (b, head, shift) => {
        const h = Math.min(head.length, b.length);
        const was = new Uint8Array(b.length + shift);
        was.set(b, shift);
        const now = was.slice();
        now.set(head.subarray(0, h), shift);
        const patched = crc32Patch(crc32(was, shift), b.length, was, shift, now, shift, h);
        assert.equal(patched, crc32(now, shift));
      },
    ),
  );
});

test('crc32Patch: a router rewriting MACs, TTL and IPv4 checksum of a 1514-byte frame', () => {
  const f = new Uint8Array(1514);
  for (let i = 0; i < f.length; i++) f[i] = (i * 2654435761) >>> 24;
  const g = f.slice();
  g.set([2, 0, 0, 0, 0, 9, 2, 0, 0, 0, 0, 8], 0);
  g[22]--;
  g[24] ^= 0x01;
  assert.equal(crc32Patch(crc32(f), f.length, f, 0, g, 0, 34), crc32(g));
  // nothing changed: the same CRC
  assert.equal(crc32Patch(crc32(f), f.length, f, 0, f.slice(), 0, 34), crc32(f));
});
