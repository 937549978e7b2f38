import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  emitIcmp,
  icmpBufferLen,
  icmpFields,
  icmpQuoteLen,
  icmpSummary,
  mayQuote,
  parseIcmp,
  parseIcmpQuote,
  UnreachCode,
} from './icmp.js';
import type { IcmpRepr } from './icmp.js';
import { emitIpv4, ipv4BufferLen, parseIpv4 } from './ipv4.js';
import type { Ipv4Repr } from './ipv4.js';
import { bytes, emitTwice, naiveChecksum, toHex } from './testkit.js';

// Echo request as Linux ping sends it: id 0x0e3f, seq 1, 8 bytes timestamp + 48 pattern bytes
// (shortened here to 8 data bytes).
const ECHO = bytes(
  `
  08 00         # type 8 echo request, code 0
  ____          # checksum (computed below)
  0e3f 0001     # identifier 0x0e3f, sequence 1
  1011121314151617  # data
`.replace('____', '0000'),
);
const c = naiveChecksum(ECHO);
ECHO[2] = c >>> 8;
ECHO[3] = c & 0xff;

test('parse an echo request; summary like tshark', () => {
  const r = parseIcmp(ECHO);
  assert.ok(r.ok);
  assert.deepEqual(r.value, { kind: 'echo-request', ident: 0x0e3f, seq: 1, payloadLen: 8 });
  assert.equal(icmpSummary(r.value, 64), 'Echo (ping) request  id=0x0e3f, seq=1/256, ttl=64');
});

test('emit an echo reply at an offset', () => {
  const rep: IcmpRepr = { kind: 'echo-reply', ident: 0x0e3f, seq: 1, payloadLen: 8 };
  const { exact, shifted, guardOk } = emitTwice(
    16,
    (b, o) => emitIcmp(rep, b, o),
    (b, o) => b.set(ECHO.subarray(8), o + 8),
  );
  assert.ok(guardOk);
  assert.equal(toHex(exact), toHex(shifted));
  assert.equal(exact[0], 0);
  assert.equal(naiveChecksum(exact), 0);
  assert.equal(toHex(exact.subarray(4)), toHex(ECHO.subarray(4)));
});

const ORIG: Ipv4Repr = {
  dscp: 0,
  ecn: 0,
  ident: 0x4321,
  dontFrag: true,
  moreFrags: false,
  fragOffset: 0,
  ttl: 1,
  protocol: 17,
  src: 0x0a0a0164,
  dst: 0x08080808,
  payloadLen: 1472,
};

function original(): Uint8Array {
  const b = new Uint8Array(ipv4BufferLen(ORIG));
  emitIpv4(ORIG, b);
  b.set(bytes('9c40 0035 05c8 0000'), 20); // UDP 40000 → 53, length 1480
  return b;
}

test('time exceeded quotes the header + 8 bytes; the quote parses back', () => {
  const orig = original();
  const q = icmpQuoteLen(orig, 0, orig.length);
  assert.equal(q, 28);
  const repr: IcmpRepr = { kind: 'time-exceeded', code: 0, payloadLen: q };
  const b = new Uint8Array(icmpBufferLen(repr));
  b.set(orig.subarray(0, q), 8);
  emitIcmp(repr, b);
  assert.equal(toHex(b.subarray(0, 2)), '0b00');
  const p = parseIcmp(b);
  assert.ok(p.ok);
  assert.deepEqual(p.value, repr);
  const quote = parseIcmpQuote(b, 8, b.length);
  assert.ok(quote.ok);
  assert.equal(quote.value.ip.dst, 0x08080808);
  assert.equal(quote.value.ip.payloadLen, 1472);
  assert.equal(toHex(b.subarray(quote.value.dataStart, quote.value.dataEnd)), '9c40003505c80000');
  assert.equal(icmpSummary(p.value), 'Time-to-live exceeded (Time to live exceeded in transit)');
  const f = icmpFields(b, 0, b.length, p.value);
  assert.ok(f.some((x) => x.name === 'icmp.quoted' && x.value.includes('8.8.8.8')));
});

test('fragmentation needed carries the next-hop MTU (RFC 1191)', () => {
  const orig = original();
  const repr: IcmpRepr = {
    kind: 'dest-unreachable',
    code: UnreachCode.FRAG_NEEDED,
    nextHopMtu: 1400,
    payloadLen: 28,
  };
  const b = new Uint8Array(36);
  b.set(orig.subarray(0, 28), 8);
  emitIcmp(repr, b);
  assert.equal(toHex(b.subarray(0, 8)).slice(0, 4), '0304');
  assert.equal(toHex(b.subarray(4, 8)), '00000578');
  const p = parseIcmp(b);
  assert.ok(p.ok);
  assert.deepEqual(p.value, repr);
  assert.equal(icmpSummary(p.value), 'Destination unreachable (Fragmentation needed)');
  assert.equal(icmpFields(b, 0, 36, p.value).find((x) => x.name === 'icmp.mtu')?.value, '1400');
});

test('port unreachable, other types, bad checksum, truncation', () => {
  const repr: IcmpRepr = { kind: 'dest-unreachable', code: 3, nextHopMtu: 0, payloadLen: 0 };
  const b = new Uint8Array(8);
  emitIcmp(repr, b);
  assert.equal(icmpSummary(repr), 'Destination unreachable (Port unreachable)');
  b[1] = 2;
  assert.equal((parseIcmp(b) as { error: string }).error, 'bad-checksum');
  assert.equal((parseIcmp(b.subarray(0, 7)) as { error: string }).error, 'truncated');
  const redirect: IcmpRepr = { kind: 'other', type: 5, code: 1, rest: 0x0a000001, payloadLen: 0 };
  emitIcmp(redirect, b);
  assert.deepEqual((parseIcmp(b) as { value: IcmpRepr }).value, redirect);
});

test('mayQuote follows RFC 1122 § 3.2.2', () => {
  const ok = (parseIpv4(original()) as { value: Ipv4Repr }).value;
  assert.ok(mayQuote(ok, -1));
  assert.ok(!mayQuote({ ...ok, fragOffset: 8 }, -1));
  assert.ok(!mayQuote({ ...ok, dst: 0xffffffff }, -1));
  assert.ok(!mayQuote({ ...ok, protocol: 1 }, 3));
  assert.ok(mayQuote({ ...ok, protocol: 1 }, 8));
});

const reprArb: fc.Arbitrary<IcmpRepr> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('echo-request' as const, 'echo-reply' as const),
    ident: fc.nat(0xffff),
    seq: fc.nat(0xffff),
    payloadLen: fc.nat(64),
  }),
  fc.record({
    kind: fc.constant('dest-unreachable' as const),
    code: fc.nat(255),
    nextHopMtu: fc.nat(0xffff),
    payloadLen: fc.nat(64),
  }),
  fc.record({
    kind: fc.constant('time-exceeded' as const),
    code: fc.nat(255),
    payloadLen: fc.nat(64),
  }),
  fc.record({
    kind: fc.constant('other' as const),
    type: fc.constantFrom(4, 5, 9, 10, 12, 13, 14, 42),
    code: fc.nat(255),
    rest: fc.nat(0xffffffff),
    payloadLen: fc.nat(64),
  }),
);

test('property: parse never throws; emit(parse(x)) reproduces x', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => void parseIcmp(b)));
  fc.assert(
    fc.property(reprArb, fc.uint8Array({ minLength: 64, maxLength: 64 }), (r0, data) => {
      const repr = { ...r0 } as IcmpRepr;
      const x = new Uint8Array(icmpBufferLen(repr));
      x.set(data.subarray(0, repr.payloadLen), 8);
      emitIcmp(repr, x);
      const p = parseIcmp(x);
      assert.ok(p.ok);
      assert.deepEqual(p.value, repr);
      const y = x.slice();
      emitIcmp(p.value, y);
      assert.equal(toHex(y), toHex(x));
    }),
  );
});
