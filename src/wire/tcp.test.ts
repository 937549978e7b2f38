import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  emitTcp,
  parseTcp,
  tcpBufferLen,
  tcpFields,
  tcpFlagNames,
  TcpFlags,
  tcpHeaderLen,
  tcpOptionLayout,
  tcpSummary,
  TcpView,
} from './tcp.js';
import type { TcpOption, TcpRepr } from './tcp.js';
import { bytes, emitTwice, naiveChecksum, toHex } from './testkit.js';

const SRC = 0x0a0a0164; // 10.10.1.100
const DST = 0x0a0a02c8; // 10.10.2.200

/** Fills in the checksum of a segment independently of tcp.ts. */
function withChecksum(seg: Uint8Array, src = SRC, dst = DST): Uint8Array {
  const ph = new Uint8Array(12 + seg.length);
  ph[0] = src >>> 24;
  ph[1] = (src >>> 16) & 255;
  ph[2] = (src >>> 8) & 255;
  ph[3] = src & 255;
  ph[4] = dst >>> 24;
  ph[5] = (dst >>> 16) & 255;
  ph[6] = (dst >>> 8) & 255;
  ph[7] = dst & 255;
  ph[9] = 6;
  ph[10] = seg.length >>> 8;
  ph[11] = seg.length & 255;
  const s = seg.slice();
  s[16] = 0;
  s[17] = 0;
  ph.set(s, 12);
  const c = naiveChecksum(ph);
  s[16] = c >>> 8;
  s[17] = c & 255;
  return s;
}

// A SYN as Linux 6.x sends it (net.ipv4.tcp_sack=1, timestamps on, wscale 7).
const LINUX_SYN = withChecksum(
  bytes(`
  9c40 0050        # ports 40000 → 80
  1a2b3c4d         # sequence number
  00000000         # acknowledgment number
  a0 02            # data offset 10 (40 bytes), flags SYN
  faf0             # window 64240
  0000 0000        # checksum (filled), urgent pointer
  02 04 05b4       # MSS 1460
  04 02            # SACK permitted
  08 0a 0001e240 00000000  # timestamps TSval 123456 TSecr 0
  01               # NOP
  03 03 07         # window scale 7
`),
);

test('parse a Linux SYN: all options, summary like tshark', () => {
  const r = parseTcp(LINUX_SYN, 0, LINUX_SYN.length, SRC, DST);
  assert.ok(r.ok);
  const v = r.value;
  assert.equal(v.flags, TcpFlags.SYN);
  assert.equal(v.seq, 0x1a2b3c4d);
  assert.equal(v.mss, 1460);
  assert.equal(v.sackPermitted, true);
  assert.deepEqual(v.timestamp, { tsval: 123456, tsecr: 0 });
  assert.equal(v.windowScale, 7);
  assert.equal(v.payloadLen, 0);
  assert.equal(
    tcpSummary(v),
    '40000 → 80 [SYN] Seq=439041101 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=123456 TSecr=0 WS=128',
  );
});

test('emit from option fields chooses the Linux SYN layout byte for byte', () => {
  const repr: TcpRepr = {
    srcPort: 40000,
    dstPort: 80,
    seq: 0x1a2b3c4d,
    ack: 0,
    flags: TcpFlags.SYN,
    window: 64240,
    urgent: 0,
    mss: 1460,
    sackPermitted: true,
    timestamp: { tsval: 123456, tsecr: 0 },
    windowScale: 7,
    payloadLen: 0,
  };
  assert.equal(tcpHeaderLen(repr), 40);
  const { exact, shifted, guardOk } = emitTwice(40, (b, o) => emitTcp(repr, b, o, SRC, DST));
  assert.ok(guardOk);
  assert.equal(toHex(exact), toHex(LINUX_SYN));
  assert.equal(toHex(shifted), toHex(LINUX_SYN));
});

function sackCount(r: TcpRepr): number {
  const o = tcpOptionLayout(r).find((x) => x.kind === 'sack');
  return o?.kind === 'sack' ? o.blocks.length : 0;
}

test('Linux layouts without timestamps and for data segments', () => {
  const base = {
    srcPort: 1,
    dstPort: 2,
    seq: 0,
    ack: 0,
    flags: TcpFlags.SYN,
    window: 0,
    urgent: 0,
    payloadLen: 0,
  };
  const kinds = (r: TcpRepr) =>
    tcpOptionLayout(r)
      .map((o) => o.kind)
      .join(' ');
  assert.equal(
    kinds({ ...base, mss: 1460, sackPermitted: true, windowScale: 7 }),
    'mss nop nop sack-perm nop ws',
  );
  assert.equal(kinds({ ...base, timestamp: { tsval: 1, tsecr: 2 } }), 'nop nop ts');
  const blocks = [1, 2, 3, 4].map((k) => ({ left: k * 1000, right: k * 1000 + 500 }));
  // With timestamps only 3 SACK blocks fit (RFC 2018 § 3).
  const withTs = { ...base, flags: TcpFlags.ACK, timestamp: { tsval: 1, tsecr: 2 }, sack: blocks };
  assert.equal(kinds(withTs), 'nop nop ts nop nop sack');
  assert.equal(sackCount(withTs), 3);
  assert.equal(tcpHeaderLen(withTs), 60);
  const noTs = { ...base, flags: TcpFlags.ACK, sack: blocks };
  assert.equal(sackCount(noTs), 4);
  assert.equal(tcpHeaderLen(noTs), 56);
});

test('data segment with SACK blocks and payload, at an offset', () => {
  const payload = new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n');
  const repr: TcpRepr = {
    srcPort: 80,
    dstPort: 40000,
    seq: 0xfffffff0,
    ack: 5000,
    flags: TcpFlags.ACK | TcpFlags.PSH,
    window: 502,
    urgent: 0,
    timestamp: { tsval: 7, tsecr: 6 },
    sack: [
      { left: 6000, right: 7000 },
      { left: 8000, right: 9000 },
    ],
    payloadLen: payload.length,
  };
  const len = tcpBufferLen(repr);
  assert.equal(len, 20 + 12 + 20 + payload.length);
  const hl = tcpHeaderLen(repr);
  const { exact, shifted, guardOk } = emitTwice(
    len,
    (b, o) => emitTcp(repr, b, o, SRC, DST),
    (b, o) => b.set(payload, o + hl),
  );
  assert.ok(guardOk);
  assert.equal(toHex(exact), toHex(shifted));
  assert.equal(toHex(exact), toHex(withChecksum(exact)));
  assert.equal(
    toHex(exact.subarray(20, 52)),
    '0101080a0000000700000006' + '0101051200001770' + '00001b5800001f4000002328',
  );
  const p = parseTcp(exact, 0, len, SRC, DST);
  assert.ok(p.ok);
  assert.deepEqual(p.value.sack, repr.sack);
  assert.match(
    tcpSummary(p.value),
    /\[PSH, ACK\] Seq=4294967280 Ack=5000 Win=502 Len=18 SLE=6000 SRE=7000 SLE=8000 SRE=9000 TSval=7 TSecr=6$/,
  );
  const f = tcpFields(exact, 0, len, p.value, SRC, DST);
  const opts = f.find((x) => x.name === 'tcp.options');
  assert.ok(
    opts?.children?.some((c) => c.name === 'tcp.options.sack' && c.start === 34 && c.end === 52),
  );
  assert.ok(f.some((x) => x.name === 'tcp.payload' && x.start === 52 && x.end === len));
  assert.match(f.find((x) => x.name === 'tcp.checksum')?.value ?? '', /correct/);
});

test('all flags incl. ECE, CWR, URG and AE round-trip', () => {
  for (const [flags, names] of [
    [TcpFlags.FIN | TcpFlags.ACK, 'FIN, ACK'],
    [TcpFlags.RST, 'RST'],
    [TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR, 'SYN, ECE, CWR'],
    [TcpFlags.URG | TcpFlags.ACK | TcpFlags.AE, 'ACK, URG, AE'],
  ] as const) {
    const repr: TcpRepr = {
      srcPort: 1,
      dstPort: 2,
      seq: 3,
      ack: 4,
      flags,
      window: 5,
      urgent: 6,
      payloadLen: 0,
    };
    const b = new Uint8Array(20);
    emitTcp(repr, b, 0, SRC, DST);
    const p = parseTcp(b, 0, 20, SRC, DST);
    assert.ok(p.ok);
    assert.deepEqual(p.value, repr);
    assert.equal(tcpFlagNames(flags), names);
  }
});

test('unknown options, EOL and padding after it are kept exactly', () => {
  const seg = withChecksum(
    bytes(`
    0001 0002 00000003 00000004
    80 10 0100 0000 0000  # data offset 8 (32 bytes), ACK
    1e 04 abcd            # unknown kind 30 (MPTCP-like), 2 data bytes
    01                    # NOP
    00                    # EOL
    000000 00000000       # padding after EOL
  `),
  );
  const p = parseTcp(seg, 0, seg.length, SRC, DST);
  assert.ok(p.ok);
  const kinds = (p.value.options ?? []).map((o: TcpOption) => o.kind);
  assert.deepEqual(kinds, ['unknown', 'nop', 'eol', 'padding']);
  const out = new Uint8Array(seg.length);
  emitTcp(p.value, out, 0, SRC, DST);
  assert.equal(toHex(out), toHex(seg));
});

test('errors: truncated, data offset, options, checksum', () => {
  const e = (b: Uint8Array, end = b.length) =>
    (parseTcp(b, 0, end, SRC, DST) as { error: string }).error;
  assert.equal(e(LINUX_SYN, 19), 'truncated');
  assert.equal(e(LINUX_SYN, 39), 'truncated');
  const off4 = LINUX_SYN.slice();
  off4[12] = 0x40;
  assert.equal(e(withChecksum(off4)), 'bad-length');
  const badMss = LINUX_SYN.slice();
  badMss[21] = 5;
  assert.equal(e(withChecksum(badMss)), 'bad-option');
  const zeroLen = LINUX_SYN.slice();
  zeroLen[23] = 0xff;
  zeroLen[24] = 0x1e; // kind 30 with
  zeroLen[25] = 0x00; // length 0
  assert.equal(e(withChecksum(zeroLen)), 'bad-option');
  const flip = LINUX_SYN.slice();
  flip[5] ^= 1;
  assert.equal(e(flip), 'bad-checksum');
  assert.ok(parseTcp(flip, 0, flip.length, SRC, DST, false).ok);
  const v = TcpView.check(LINUX_SYN);
  assert.ok(v.ok);
  assert.equal(v.value.headerLen, 40);
  assert.ok(v.value.verifyChecksum(SRC, DST));
});

const optArb: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant({ kind: 'nop' } as const),
  fc.record({ kind: fc.constant('mss' as const), value: fc.nat(0xffff) }),
  fc.record({ kind: fc.constant('ws' as const), shift: fc.nat(14) }),
  fc.constant({ kind: 'sack-perm' } as const),
  fc.record({
    kind: fc.constant('ts' as const),
    tsval: fc.nat(0xffffffff),
    tsecr: fc.nat(0xffffffff),
  }),
  fc.record({
    kind: fc.constant('sack' as const),
    blocks: fc.array(fc.record({ left: fc.nat(0xffffffff), right: fc.nat(0xffffffff) }), {
      minLength: 1,
      maxLength: 2,
    }),
  }),
  fc.record({
    kind: fc.constant('unknown' as const),
    type: fc.integer({ min: 9, max: 255 }),
    data: fc.uint8Array({ maxLength: 6 }),
  }),
);

test('property: parse never throws on arbitrary bytes', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 80 }),
      (b) => void parseTcp(b, 0, b.length, SRC, DST, false),
    ),
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 40, maxLength: 60 }), (b) => {
      b[12] = (b[12] & 0x0f) | 0xa0; // valid data offset so that option parsing runs
      void parseTcp(b, 0, b.length, SRC, DST, false);
    }),
  );
});

test('property: emit(parse(x)) reproduces valid x', () => {
  const arb = fc.record({
    srcPort: fc.nat(0xffff),
    dstPort: fc.nat(0xffff),
    seq: fc.nat(0xffffffff),
    ack: fc.nat(0xffffffff),
    flags: fc.nat(0x1ff),
    window: fc.nat(0xffff),
    urgent: fc.nat(0xffff),
    options: fc.array(optArb, { maxLength: 5 }),
    payload: fc.uint8Array({ maxLength: 50 }),
  });
  fc.assert(
    fc.property(arb, (a) => {
      const { payload, options, ...rest } = a;
      // Keep only what fits in 40 bytes (emit drops the rest).
      let used = 0;
      const fit: TcpOption[] = [];
      for (const o of options) {
        const l =
          o.kind === 'nop'
            ? 1
            : o.kind === 'mss'
              ? 4
              : o.kind === 'ws'
                ? 3
                : o.kind === 'sack-perm'
                  ? 2
                  : o.kind === 'ts'
                    ? 10
                    : o.kind === 'sack'
                      ? 2 + 8 * o.blocks.length
                      : 2 + (o as { data: Uint8Array }).data.length;
        if (used + l > 40) break;
        used += l;
        fit.push(o);
      }
      const repr: TcpRepr = { ...rest, options: fit, payloadLen: payload.length };
      const x = new Uint8Array(tcpBufferLen(repr));
      x.set(payload, tcpHeaderLen(repr));
      emitTcp(repr, x, 0, SRC, DST);
      const p = parseTcp(x, 0, x.length, SRC, DST);
      assert.ok(p.ok, JSON.stringify(p));
      const { exact, shifted, guardOk } = emitTwice(
        x.length,
        (b, o) => emitTcp(p.value, b, o, SRC, DST),
        (b, o) => b.set(payload, o + tcpHeaderLen(repr)),
      );
      assert.ok(guardOk);
      assert.equal(toHex(exact), toHex(x));
      assert.equal(toHex(shifted), toHex(x));
    }),
  );
});

test('options list only for layouts emit would not choose', () => {
  const linux = parseTcp(LINUX_SYN, 0, LINUX_SYN.length, SRC, DST);
  assert.ok(linux.ok);
  assert.equal(linux.value.options, undefined); // MSS, SACK_PERM, TS, NOP, WS: Linux layout
  // Windows 10 SYN layout: MSS, NOP, WS, NOP, NOP, SACK_PERM (no timestamps).
  const win = withChecksum(
    bytes(`
    c350 01bb 00000001 00000000
    80 02 faf0 0000 0000   # data offset 8 (32 bytes), SYN
    02 04 05b4             # MSS 1460
    01 03 03 08            # NOP, WS 8
    01 01 04 02            # NOP, NOP, SACK_PERM
  `),
  );
  const p = parseTcp(win, 0, win.length, SRC, DST);
  assert.ok(p.ok);
  assert.equal(p.value.mss, 1460);
  assert.equal(p.value.windowScale, 8);
  assert.equal(p.value.sackPermitted, true);
  assert.deepEqual(
    p.value.options?.map((o) => o.kind),
    ['mss', 'nop', 'ws', 'nop', 'nop', 'sack-perm'],
  );
  const out = new Uint8Array(win.length);
  emitTcp(p.value, out, 0, SRC, DST);
  assert.equal(toHex(out), toHex(win));
  // Dropping the list re-lays the same options out the Linux way.
  const { options: _drop, ...fields } = p.value;
  void _drop;
  assert.deepEqual(
    tcpOptionLayout(fields).map((o) => o.kind),
    ['mss', 'nop', 'nop', 'sack-perm', 'nop', 'ws'],
  );
});

test('property: the direct Linux-layout writer equals writing tcpOptionLayout', () => {
  const u32 = fc.nat(0xffffffff);
  fc.assert(
    fc.property(
      fc.option(fc.nat(0xffff), { nil: undefined }),
      fc.option(fc.nat(14), { nil: undefined }),
      fc.option(fc.constant(true), { nil: undefined }),
      fc.option(fc.record({ tsval: u32, tsecr: u32 }), { nil: undefined }),
      fc.array(fc.record({ left: u32, right: u32 }), { maxLength: 5 }),
      (mss, windowScale, sackPermitted, timestamp, sack) => {
        const base = {
          srcPort: 1,
          dstPort: 2,
          seq: 3,
          ack: 4,
          flags: TcpFlags.ACK,
          window: 5,
          urgent: 0,
          payloadLen: 0,
        };
        const fields: TcpRepr = { ...base, mss, windowScale, sackPermitted, timestamp, sack };
        const listed: TcpRepr = { ...base, options: tcpOptionLayout(fields) };
        assert.equal(tcpHeaderLen(fields), tcpHeaderLen(listed));
        const a = new Uint8Array(tcpHeaderLen(fields)).fill(0xee);
        const b = new Uint8Array(tcpHeaderLen(listed)).fill(0xdd);
        emitTcp(fields, a, 0, SRC, DST);
        emitTcp(listed, b, 0, SRC, DST);
        assert.equal(toHex(a), toHex(b));
      },
    ),
  );
});
