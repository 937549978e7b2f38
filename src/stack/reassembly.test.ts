import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from '../sim/scheduler.js';
import { SECOND } from '../sim/time.js';
import { emitIpv4, parseIpv4 } from '../wire/ipv4.js';
import { Reassembler } from './reassembly.js';
import type { ReasmExpired } from './reassembly.js';

/** The fragment of `data` at [off, off+len) as an IPv4 datagram. */
function frag(data: Uint8Array, off: number, len: number, more: boolean, ident = 7): Uint8Array {
  const b = new Uint8Array(20 + len);
  emitIpv4(
    {
      dscp: 0,
      ecn: 0,
      ident,
      dontFrag: false,
      moreFrags: more,
      fragOffset: off,
      ttl: 64,
      protocol: 17,
      src: 0x0a000001,
      dst: 0x0a000002,
      payloadLen: len,
    },
    b,
    0,
  );
  b.set(data.subarray(off, off + len), 20);
  return b;
}

function add(r: Reassembler, f: Uint8Array) {
  const ip = parseIpv4(f);
  assert.ok(ip.ok);
  return r.add(ip.value, f, 0, 20, f.length);
}

const DATA = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);

test('in order and out of order, the datagram comes back whole with a fresh header', () => {
  for (const order of [
    [0, 1, 2],
    [2, 0, 1],
    [1, 2, 0],
    [2, 1, 0],
  ]) {
    const r = new Reassembler(new Scheduler(), () => {});
    const pieces = [
      frag(DATA, 0, 1480, true),
      frag(DATA, 1480, 1480, true),
      frag(DATA, 2960, 40, false),
    ];
    let done: Uint8Array | undefined;
    for (const i of order) {
      const res = add(r, pieces[i]);
      if (res.event === 'complete') done = res.datagram;
    }
    assert.ok(done, `order ${order}`);
    const ip = parseIpv4(done!);
    assert.ok(ip.ok);
    assert.equal(ip.value.payloadLen, 3000);
    assert.equal(ip.value.moreFrags, false);
    assert.equal(ip.value.fragOffset, 0);
    assert.deepEqual(done!.subarray(20), DATA);
    assert.equal(r.inProgress, 0);
  }
});

test('exact duplicates are ignored; the datagram still completes', () => {
  const r = new Reassembler(new Scheduler(), () => {});
  assert.equal(add(r, frag(DATA, 0, 1480, true)).event, 'start');
  assert.equal(add(r, frag(DATA, 0, 1480, true)).event, 'duplicate');
  assert.equal(add(r, frag(DATA, 1480, 1480, true)).event, 'fragment');
  assert.equal(add(r, frag(DATA, 1480, 1480, true)).event, 'duplicate');
  assert.equal(add(r, frag(DATA, 2960, 40, false)).event, 'complete');
  assert.equal(r.stats.duplicates, 2);
});

test('overlapping fragments discard the whole datagram (Linux ≥ 4.19, RFC 5722 spirit)', () => {
  const r = new Reassembler(new Scheduler(), () => {});
  add(r, frag(DATA, 0, 1480, true));
  assert.equal(add(r, frag(DATA, 1000, 1480, true)).event, 'overlap');
  assert.equal(r.inProgress, 0);
  assert.equal(r.stats.overlaps, 1);
  // A later fragment of the same datagram starts a new (doomed) reassembly, nothing more.
  assert.equal(add(r, frag(DATA, 2960, 40, false)).event, 'start');
});

test('a fragment whose length is not a multiple of 8 (with MF) or past the end is refused', () => {
  const r = new Reassembler(new Scheduler(), () => {});
  assert.equal(add(r, frag(DATA, 0, 1001, true)).event, 'bad-length');
  const r2 = new Reassembler(new Scheduler(), () => {});
  add(r2, frag(DATA, 2960, 40, false));
  assert.equal(add(r2, frag(new Uint8Array(4000), 3000, 8, true)).event, 'bad-length');
});

test('timeout after 30 s: the expiry reports fragment zero (for ICMP time exceeded) when it came', () => {
  const clock = new Scheduler();
  const expired: ReasmExpired[] = [];
  const r = new Reassembler(clock, (e) => expired.push(e));
  add(r, frag(DATA, 0, 1480, true, 1));
  add(r, frag(DATA, 1480, 1480, true, 2)); // another datagram, no fragment zero
  clock.runSync({ until: 30 * SECOND - 1 });
  assert.equal(expired.length, 0);
  clock.runSync({ until: 30 * SECOND });
  assert.equal(expired.length, 2);
  assert.equal(expired[0].ident, 1);
  assert.ok(expired[0].firstFragment !== undefined);
  assert.equal(expired[1].firstFragment, undefined);
  assert.equal(r.stats.timeouts, 2);
});

test('limits: over maxDatagrams the oldest reassembly is evicted', () => {
  const clock = new Scheduler();
  const expired: ReasmExpired[] = [];
  const r = new Reassembler(clock, (e) => expired.push(e), { maxDatagrams: 2 });
  for (let id = 1; id <= 3; id++) add(r, frag(DATA, 0, 1480, true, id));
  assert.equal(r.inProgress, 2);
  assert.deepEqual(
    expired.map((e) => [e.ident, e.reason]),
    [[1, 'evicted']],
  );
});
