import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decrementTtl,
  emitIpv4,
  ipv4BufferLen,
  ipv4Fields,
  ipv4HeaderLen,
  ipv4Summary,
  Ipv4View,
  parseIpv4,
} from './ipv4.js';
import type { Ipv4Repr } from './ipv4.js';
import { internetChecksum } from './checksum.js';
import { bytes, emitTwice, toHex } from './testkit.js';

// A ping from 10.10.1.100 to 10.10.2.200, as Linux sends it (DF set, TTL 64).
const PING_HDR = bytes(
  `
  45          # version 4, IHL 5 (20 bytes)
  00          # DSCP 0, ECN 0
  0054        # total length 84 (20 + 8 ICMP + 56 data)
  1c46        # identification 0x1c46
  4000        # flags DF, fragment offset 0
  40          # TTL 64
  01          # protocol ICMP
  ____        # checksum, filled below
  0a0a0164    # source 10.10.1.100
  0a0a02c8    # destination 10.10.2.200
`.replace('____', '0000'),
);
const ck = internetChecksum(PING_HDR, 0, 20);
PING_HDR[10] = ck >>> 8;
PING_HDR[11] = ck & 0xff;

function withPayload(h: Uint8Array, n: number): Uint8Array {
  const b = new Uint8Array(h.length + n);
  b.set(h);
  return b;
}

test('parse a Linux ping header', () => {
  const r = parseIpv4(withPayload(PING_HDR, 64));
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    dscp: 0,
    ecn: 0,
    ident: 0x1c46,
    dontFrag: true,
    moreFrags: false,
    fragOffset: 0,
    ttl: 64,
    protocol: 1,
    src: 0x0a0a0164,
    dst: 0x0a0a02c8,
    payloadLen: 64,
  });
});

test('the textbook header b861 parses and re-emits byte for byte', () => {
  const h = bytes('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7');
  const b = withPayload(h, 95);
  const r = parseIpv4(b);
  assert.ok(r.ok);
  const { exact, shifted, guardOk } = emitTwice(20, (buf, o) => emitIpv4(r.value, buf, o));
  assert.ok(guardOk);
  assert.equal(toHex(exact), toHex(h));
  assert.equal(toHex(shifted), toHex(h));
});

test('link padding after total length is not payload', () => {
  const b = withPayload(PING_HDR, 64 + 10);
  const r = parseIpv4(b);
  assert.ok(r.ok);
  assert.equal(r.value.payloadLen, 64);
});

test('errors: truncated, version, IHL, total length, checksum', () => {
  const full = withPayload(PING_HDR, 64);
  const e = (b: Uint8Array) => (parseIpv4(b) as { error: string }).error;
  assert.equal(e(full.subarray(0, 19)), 'truncated');
  assert.equal(e(full.subarray(0, 60)), 'truncated'); // total length 84 > 60
  const v6 = full.slice();
  v6[0] = 0x65;
  assert.equal(e(v6), 'bad-version');
  const ihl4 = full.slice();
  ihl4[0] = 0x44;
  assert.equal(e(ihl4), 'bad-length');
  const ihl15 = full.slice(0, 40);
  ihl15[0] = 0x4f;
  assert.equal(e(ihl15), 'truncated'); // 60-byte header in 40 bytes
  const short = full.slice();
  short[2] = 0;
  short[3] = 19;
  assert.equal(e(short), 'bad-length');
  const bad = full.slice();
  bad[8] = 63;
  assert.equal(e(bad), 'bad-checksum');
  assert.ok(parseIpv4(bad, 0, bad.length, { verifyChecksum: false }).ok);
});

test('options are kept as bytes (Record Route, 3 slots + EOL pad)', () => {
  const repr: Ipv4Repr = {
    dscp: 46, // EF
    ecn: 1,
    ident: 7,
    dontFrag: false,
    moreFrags: false,
    fragOffset: 0,
    ttl: 1,
    protocol: 17,
    src: 0x0a000001,
    dst: 0x0a000002,
    // RR: type 7, length 15, pointer 4, 3 empty slots; 1 byte of EOL pads to 16.
    options: bytes('07 0f 04 00000000 00000000 00000000 00'),
    payloadLen: 8,
  };
  assert.equal(ipv4HeaderLen(repr), 36);
  const b = new Uint8Array(ipv4BufferLen(repr));
  emitIpv4(repr, b);
  assert.equal(b[0], 0x49);
  assert.equal(b[1], (46 << 2) | 1);
  const p = parseIpv4(b);
  assert.ok(p.ok);
  assert.deepEqual(p.value, repr);
  const f = ipv4Fields(b, 0, p.value);
  const opts = f.find((x) => x.name === 'ip.options');
  assert.ok(opts);
  assert.equal(opts.start, 20);
  assert.equal(opts.end, 36);
  assert.match(opts.children?.[0].value ?? '', /Record Route/);
});

test('fragments: offset in bytes, MF flag, summary', () => {
  const repr: Ipv4Repr = {
    dscp: 0,
    ecn: 0,
    ident: 0xabcd,
    dontFrag: false,
    moreFrags: true,
    fragOffset: 1480,
    ttl: 64,
    protocol: 17,
    src: 0x0a000001,
    dst: 0x0a000002,
    payloadLen: 1480,
  };
  const b = new Uint8Array(ipv4BufferLen(repr));
  emitIpv4(repr, b);
  assert.equal(toHex(b.subarray(6, 8)), '20b9'); // MF | 1480/8 = 185 = 0xb9
  const p = parseIpv4(b);
  assert.ok(p.ok);
  assert.deepEqual(p.value, repr);
  assert.equal(ipv4Summary(repr), 'Fragmented IP protocol (proto=UDP 17, off=1480, ID=abcd)');
  // Offset 65528 + 1480 bytes exceeds 65535.
  const over = b.slice();
  over[6] = 0x3f;
  over[7] = 0xff;
  const c = internetChecksum(((over[10] = 0), (over[11] = 0), over), 0, 20);
  over[10] = c >>> 8;
  over[11] = c & 0xff;
  assert.equal((parseIpv4(over) as { error: string }).error, 'bad-length');
});

test('TTL decrement patches the checksum incrementally (RFC 1624)', () => {
  const b = withPayload(PING_HDR, 64);
  for (let i = 0; i < 64; i++) {
    const before = b[8];
    assert.equal(decrementTtl(b), before - 1);
    const v = Ipv4View.check(b);
    assert.ok(v.ok);
    assert.ok(v.value.verifyChecksum(), `ttl ${b[8]}`);
    const copy = b.slice(0, 20);
    copy[10] = 0;
    copy[11] = 0;
    assert.equal(internetChecksum(copy, 0, 20), (b[10] << 8) | b[11]);
  }
  assert.equal(b[8], 0);
});

test('view accessors and setters', () => {
  const b = withPayload(PING_HDR, 64);
  const v = Ipv4View.check(b);
  assert.ok(v.ok);
  const view = v.value;
  assert.equal(view.headerLen, 20);
  assert.equal(view.totalLen, 84);
  assert.equal(view.payloadStart, 20);
  assert.equal(view.payloadEnd, 84);
  view.dst = 0xc0a80001;
  assert.ok(!view.verifyChecksum());
  view.fillChecksum();
  assert.ok(view.verifyChecksum());
});

const reprArb = fc.record({
  dscp: fc.nat(63),
  ecn: fc.nat(3),
  ident: fc.nat(0xffff),
  dontFrag: fc.boolean(),
  moreFrags: fc.boolean(),
  fragOffset: fc.nat(4000).map((x) => x * 8),
  ttl: fc.nat(255),
  protocol: fc.nat(255),
  src: fc.nat(0xffffffff),
  dst: fc.nat(0xffffffff),
  optWords: fc.nat(10),
  payloadLen: fc.nat(300),
});

test('property: parse never throws on arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (b, partial) => {
      parseIpv4(b, 0, b.length, { partial });
      parseIpv4(b, 0, b.length, { verifyChecksum: false });
    }),
  );
});

test('property: emit(parse(x)) reproduces valid x, at any offset', () => {
  fc.assert(
    fc.property(reprArb, fc.uint8Array({ minLength: 40, maxLength: 40 }), (a, optBytes) => {
      const { optWords, ...rest } = a;
      const repr: Ipv4Repr =
        optWords > 0 ? { ...rest, options: optBytes.slice(0, optWords * 4) } : { ...rest };
      const x = new Uint8Array(ipv4BufferLen(repr));
      emitIpv4(repr, x);
      const p = parseIpv4(x);
      assert.ok(p.ok);
      assert.deepEqual(p.value, repr);
      const hl = ipv4HeaderLen(repr);
      const { exact, shifted, guardOk } = emitTwice(hl, (b, o) => emitIpv4(p.value, b, o));
      assert.ok(guardOk);
      assert.equal(toHex(exact), toHex(x.subarray(0, hl)));
      assert.equal(toHex(shifted), toHex(x.subarray(0, hl)));
    }),
  );
});

test('options past 40 bytes are cut (IHL is 4 bits), the version nibble stays 4', () => {
  const repr: Ipv4Repr = {
    dscp: 0,
    ecn: 0,
    ident: 1,
    dontFrag: false,
    moreFrags: false,
    fragOffset: 0,
    ttl: 1,
    protocol: 17,
    src: 1,
    dst: 2,
    options: new Uint8Array(44).fill(1),
    payloadLen: 0,
  };
  assert.equal(ipv4HeaderLen(repr), 60);
  const b = new Uint8Array(ipv4BufferLen(repr));
  emitIpv4(repr, b);
  assert.equal(b[0], 0x4f);
  assert.ok(parseIpv4(b).ok);
});
