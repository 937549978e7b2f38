import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32 } from './crc32.js';
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
