import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  seqAdd,
  seqBetween,
  seqGeq,
  seqGt,
  seqInWindow,
  seqLeq,
  seqLt,
  seqMax,
  seqMin,
  seqSub,
} from './seq.js';

test('wrap-around at 2^32', () => {
  assert.equal(seqAdd(0xffff_fff0, 0x20), 0x10);
  assert.equal(seqAdd(5, -10), 0xffff_fffb);
  assert.equal(seqSub(0x10, 0xffff_fff0), 0x20);
  assert.equal(seqSub(0xffff_fff0, 0x10), -0x20);
  assert.ok(seqLt(0xffff_fff0, 0x10));
  assert.ok(seqGt(0x10, 0xffff_fff0));
  assert.ok(seqLeq(7, 7) && seqGeq(7, 7) && !seqLt(7, 7) && !seqGt(7, 7));
  assert.equal(seqMax(0xffff_fff0, 0x10), 0x10);
  assert.equal(seqMin(0xffff_fff0, 0x10), 0xffff_fff0);
});

test('window membership across the wrap', () => {
  assert.ok(seqInWindow(0xffff_ffff, 0xffff_fff0, 0x20));
  assert.ok(seqInWindow(0x0f, 0xffff_fff0, 0x20));
  assert.ok(!seqInWindow(0x10, 0xffff_fff0, 0x20));
  assert.ok(!seqInWindow(0xffff_ffef, 0xffff_fff0, 0x20));
  assert.ok(!seqInWindow(5, 5, 0));
  assert.ok(seqBetween(0xffff_fff0, 0x10, 0x10));
  assert.ok(!seqBetween(0xffff_fff0, 0x11, 0x10));
});

const u32 = fc.nat(0xffff_ffff);

test('property: comparisons agree with integer order for numbers < 2^31 apart', () => {
  fc.assert(
    fc.property(u32, fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }), (a, d) => {
      const b = seqAdd(a, d);
      assert.equal(seqSub(b, a), d);
      assert.equal(seqLt(a, b), d > 0);
      assert.equal(seqGt(a, b), d < 0);
      assert.equal(seqLeq(a, b), d >= 0);
      assert.equal(seqGeq(a, b), d <= 0);
      assert.equal(seqInWindow(b, a, 1000), d >= 0 && d < 1000);
    }),
  );
});
