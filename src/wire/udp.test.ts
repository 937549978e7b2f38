import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emitUdp, parseUdp, udpBufferLen, udpFields, udpSummary, UdpView } from './udp.js';
import type { UdpRepr } from './udp.js';
import { bytes, emitTwice, naiveChecksum, toHex } from './testkit.js';

const SRC = 0x0a0a0164; // 10.10.1.100
const DST = 0x08080808; // 8.8.8.8

// A DNS query for "a." sent from 40000 to 53: 8-byte header + 12-byte DNS header + question.
const PAYLOAD = bytes('1234 0100 0001 0000 0000 0000 0161 00 0001 0001');

function reference(payload: Uint8Array): Uint8Array {
  const len = 8 + payload.length;
  const b = new Uint8Array(len);
  b.set(bytes('9c40 0035'), 0); // ports 40000 → 53
  b[4] = len >>> 8;
  b[5] = len & 0xff;
  b.set(payload, 8);
  // Independent checksum: pseudo-header bytes followed by the datagram.
  const ph = new Uint8Array(12 + len);
  ph.set(bytes('0a0a0164 08080808 00 11'), 0);
  ph[10] = len >>> 8;
  ph[11] = len & 0xff;
  ph.set(b, 12);
  let c = naiveChecksum(ph);
  if (c === 0) c = 0xffff;
  b[6] = c >>> 8;
  b[7] = c & 0xff;
  return b;
}

test('emit matches the independently computed checksum, at an offset too', () => {
  const ref = reference(PAYLOAD);
  const repr: UdpRepr = { srcPort: 40000, dstPort: 53, payloadLen: PAYLOAD.length };
  const { exact, shifted, guardOk } = emitTwice(
    udpBufferLen(repr),
    (b, o) => emitUdp(repr, b, o, SRC, DST),
    (b, o) => b.set(PAYLOAD, o + 8),
  );
  assert.ok(guardOk);
  assert.equal(toHex(exact), toHex(ref));
  assert.equal(toHex(shifted), toHex(ref));
  const p = parseUdp(ref, 0, ref.length, SRC, DST);
  assert.ok(p.ok);
  assert.deepEqual(p.value, repr);
  assert.equal(udpSummary(p.value), '40000 → 53 Len=19');
});

test('checksum 0 means none (RFC 768) and round-trips', () => {
  const ref = reference(PAYLOAD);
  ref[6] = 0;
  ref[7] = 0;
  const p = parseUdp(ref, 0, ref.length, SRC, DST);
  assert.ok(p.ok);
  assert.equal(p.value.noChecksum, true);
  const out = ref.slice();
  out.fill(0xee, 0, 8);
  emitUdp(p.value, out, 0, SRC, DST);
  assert.equal(toHex(out), toHex(ref));
  assert.match(udpFields(ref, 0, p.value, SRC, DST)[3].value, /none/);
});

test('a computed 0 is sent as ffff (RFC 768)', () => {
  // Find a 2-byte payload whose checksum computes to 0: search the value space.
  const repr: UdpRepr = { srcPort: 1, dstPort: 2, payloadLen: 2 };
  const b = new Uint8Array(10);
  let found = false;
  for (let v = 0; v <= 0xffff && !found; v++) {
    b[8] = v >>> 8;
    b[9] = v & 0xff;
    emitUdp({ ...repr, noChecksum: true }, b, 0, SRC, DST);
    const ph = new Uint8Array(22);
    ph.set(bytes('0a0a0164 08080808 0011 000a'));
    ph.set(b, 12);
    if (naiveChecksum(ph) === 0) {
      emitUdp(repr, b, 0, SRC, DST);
      assert.equal((b[6] << 8) | b[7], 0xffff);
      assert.ok(parseUdp(b, 0, 10, SRC, DST).ok);
      found = true;
    }
  }
  assert.ok(found);
});

test('errors: bad checksum, length < 8, length > buffer, truncated', () => {
  const ref = reference(PAYLOAD);
  const e = (b: Uint8Array, end = b.length) =>
    (parseUdp(b, 0, end, SRC, DST) as { error: string }).error;
  assert.equal(
    (parseUdp(ref, 0, ref.length, SRC, DST + 1) as { error: string }).error,
    'bad-checksum',
  );
  const l7 = ref.slice();
  l7[5] = 7;
  assert.equal(e(l7), 'bad-length');
  assert.equal(e(ref, ref.length - 1), 'truncated');
  assert.equal(e(ref, 7), 'truncated');
});

test('UDP length shorter than the IP payload: the rest is ignored', () => {
  const ref = reference(PAYLOAD);
  const b = new Uint8Array(ref.length + 6);
  b.set(ref);
  const p = parseUdp(b, 0, b.length, SRC, DST);
  assert.ok(p.ok);
  assert.equal(p.value.payloadLen, PAYLOAD.length);
  const v = UdpView.check(b);
  assert.ok(v.ok);
  assert.equal(v.value.payloadEnd, ref.length);
});

test('property: parse never throws; emit(parse(x)) reproduces x', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 40 }),
      fc.nat(),
      fc.nat(),
      (b, s, d) => void parseUdp(b, 0, b.length, s, d),
    ),
  );
  fc.assert(
    fc.property(
      fc.nat(0xffff),
      fc.nat(0xffff),
      fc.uint8Array({ maxLength: 100 }),
      fc.boolean(),
      fc.nat(0xffffffff),
      fc.nat(0xffffffff),
      (sp, dp, pl, none, s, d) => {
        const repr: UdpRepr = none
          ? { srcPort: sp, dstPort: dp, payloadLen: pl.length, noChecksum: true }
          : { srcPort: sp, dstPort: dp, payloadLen: pl.length };
        const x = new Uint8Array(udpBufferLen(repr));
        x.set(pl, 8);
        emitUdp(repr, x, 0, s, d);
        const p = parseUdp(x, 0, x.length, s, d);
        assert.ok(p.ok);
        assert.deepEqual(p.value, repr);
        const y = x.slice();
        y.fill(0, 0, 8);
        emitUdp(p.value, y, 0, s, d);
        assert.equal(toHex(y), toHex(x));
      },
    ),
  );
});
