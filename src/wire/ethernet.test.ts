import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  appendFcs,
  emitEthernet,
  ethernetBufferLen,
  ethernetFields,
  ethernetSummary,
  ethernetWireBytes,
  EthernetView,
  EtherType,
  parseEthernet,
  verifyFcs,
} from './ethernet.js';
import type { EthernetRepr } from './ethernet.js';
import { crc32 } from './crc32.js';
import { bytes, emitTwice, naiveCrc32, toHex } from './testkit.js';

// An ARP request as Linux sends it, padded to 60 bytes by the NIC, with its FCS.
const ARP_FRAME = bytes(`
  ff ff ff ff ff ff          # destination: broadcast
  02 00 00 00 00 01          # source 02:00:00:00:00:01 (locally administered)
  08 06                      # EtherType ARP
  0001 0800 06 04 0001       # ARP: Ethernet, IPv4, 6, 4, request
  020000000001 0a000001      # sender 02:00:00:00:00:01 10.0.0.1
  000000000000 0a000002      # target 00:00:00:00:00:00 10.0.0.2
  000000000000000000000000000000000000  # 18 bytes of padding up to 60
`);

test('parse a padded ARP frame without FCS', () => {
  assert.equal(ARP_FRAME.length, 60);
  const r = parseEthernet(ARP_FRAME, 0, 60, false);
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    dst: 0xffffffffffff,
    src: 0x020000000001,
    ethertype: EtherType.ARP,
    payloadLen: 46,
  });
  assert.equal(ethernetSummary(r.value), 'Src: 02:00:00:00:00:01, Dst: ff:ff:ff:ff:ff:ff');
});

test('emit pads to 60 and appends the FCS that the residue check accepts', () => {
  const repr: EthernetRepr = {
    dst: 0xffffffffffff,
    src: 0x020000000001,
    ethertype: EtherType.ARP,
    payloadLen: 28,
  };
  assert.equal(ethernetBufferLen(repr), 64);
  assert.equal(ethernetBufferLen(repr, false), 60);
  const { exact, shifted, guardOk } = emitTwice(
    64,
    (b, o) => emitEthernet(repr, b, o),
    (b, o) => {
      b.set(ARP_FRAME.subarray(14, 42), o + 14);
      b.fill(0x55, o + 42, o + 64); // garbage where padding goes: emit must zero it
    },
  );
  assert.ok(guardOk);
  assert.equal(toHex(exact), toHex(shifted));
  assert.equal(toHex(exact.subarray(0, 60)), toHex(ARP_FRAME));
  const fcs = naiveCrc32(exact, 0, 60);
  assert.equal(
    exact[60] | (exact[61] << 8) | (exact[62] << 16) | ((exact[63] << 24) >>> 0),
    fcs | 0,
  );
  assert.equal(crc32(exact), 0x2144df1c);
  assert.ok(verifyFcs(exact, 0, 64));
  const p = parseEthernet(exact);
  assert.ok(p.ok);
  assert.equal(p.value.payloadLen, 46);
});

test('a flipped bit anywhere fails the FCS with bad-checksum', () => {
  const f = new Uint8Array(64);
  f.set(ARP_FRAME);
  appendFcs(f, 0, 60);
  for (let i = 0; i < 64; i += 5) {
    const g = f.slice();
    g[i] ^= 0x10;
    const r = parseEthernet(g);
    assert.ok(!r.ok);
    assert.equal(r.error, 'bad-checksum');
  }
});

test('802.1Q tag: PCP 5, DEI 0, VID 100, inner IPv4', () => {
  const f = bytes(`
    02 00 00 00 00 02  02 00 00 00 00 01
    81 00  a0 64   # TPID, TCI: PCP 5 (101), DEI 0, VID 0x064 = 100
    08 00          # inner EtherType IPv4
    ${'00'.repeat(46)}
  `);
  const r = parseEthernet(f, 0, f.length, false);
  assert.ok(r.ok);
  assert.deepEqual(r.value.vlan, { pcp: 5, dei: false, vid: 100 });
  assert.equal(r.value.ethertype, 0x0800);
  assert.equal(r.value.payloadLen, 46);
  const out = new Uint8Array(ethernetBufferLen(r.value, false));
  out.set(f.subarray(18), 18);
  emitEthernet(r.value, out, 0, false);
  assert.equal(toHex(out), toHex(f));
  const fields = ethernetFields(f, 0, r.value, false, 20);
  assert.ok(fields.some((x) => x.name === 'vlan' && x.value.includes('ID: 100')));
  assert.ok(fields.some((x) => x.name === 'eth.padding' && x.start === 38 && x.end === 64));
});

test('truncated inputs are errors, not exceptions', () => {
  assert.equal(
    (parseEthernet(new Uint8Array(13), 0, 13, false) as { error: string }).error,
    'truncated',
  );
  assert.equal(
    (parseEthernet(new Uint8Array(17), 0, 17, true) as { error: string }).error,
    'truncated',
  );
  const tagged = bytes('ffffffffffff 020000000001 8100 0064 08');
  assert.equal((EthernetView.check(tagged) as { error: string }).error, 'truncated');
});

test('on-wire bytes: preamble 7 + SFD 1 + frame (≥ 64 with FCS) + IFG 12', () => {
  assert.equal(ethernetWireBytes(42, false), 84); // padded to 60, +4 FCS, +20
  assert.equal(ethernetWireBytes(64, true), 84);
  assert.equal(ethernetWireBytes(1514, false), 1538);
  assert.equal(ethernetWireBytes(1518, true), 1538);
});

test('fields carry byte ranges and the FCS status', () => {
  const f = new Uint8Array(64);
  f.set(ARP_FRAME);
  appendFcs(f, 0, 60);
  const r = parseEthernet(f);
  assert.ok(r.ok);
  const fields = ethernetFields(f, 0, r.value, true, 28);
  assert.deepEqual(
    fields.map((x) => [x.name, x.start, x.end]),
    [
      ['eth.dst', 0, 6],
      ['eth.src', 6, 12],
      ['eth.type', 12, 14],
      ['eth.padding', 42, 60],
      ['eth.fcs', 60, 64],
    ],
  );
  assert.match(fields[0].value, /Broadcast/);
  assert.match(fields[4].value, /correct/);
});

test('the FCS is shown as its bytes read on the wire, like Wireshark eth.fcs', () => {
  const f = new Uint8Array(64);
  f.set(ARP_FRAME);
  appendFcs(f, 0, 60);
  assert.equal(toHex(f.subarray(60)), 'e86f4df8'); // CRC register 0xf84d6fe8, sent LSB first
  const r = parseEthernet(f);
  assert.ok(r.ok);
  const fcs = (b: Uint8Array) => ethernetFields(b, 0, r.value, true, 28)[4].value;
  assert.equal(fcs(f), '0xe86f4df8 [correct]');
  f[63] = 0x00;
  assert.equal(fcs(f), '0xe86f4d00 [incorrect, should be 0xe86f4df8]');
  const bad = parseEthernet(f);
  assert.ok(!bad.ok);
  assert.equal(bad.detail, 'FCS 0xe86f4d00 does not match computed 0xe86f4df8');
});

test('property: parse never throws on arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.boolean(), (b, fcs) => {
      parseEthernet(b, 0, b.length, fcs);
    }),
  );
});

test('property: emit(parse(x)) reproduces valid frames, at any offset', () => {
  const arb = fc.record({
    dst: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
    src: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
    ethertype: fc.integer({ min: 0x600, max: 0xffff }).filter((t) => t !== 0x8100),
    vlan: fc.option(fc.record({ pcp: fc.nat(7), dei: fc.boolean(), vid: fc.nat(4095) }), {
      nil: undefined,
    }),
    payload: fc.uint8Array({ minLength: 46, maxLength: 200 }),
  });
  fc.assert(
    fc.property(arb, (a) => {
      const hl = a.vlan ? 18 : 14;
      const repr: EthernetRepr = a.vlan
        ? {
            dst: a.dst,
            src: a.src,
            ethertype: a.ethertype,
            vlan: { ...a.vlan },
            payloadLen: a.payload.length,
          }
        : { dst: a.dst, src: a.src, ethertype: a.ethertype, payloadLen: a.payload.length };
      const x = new Uint8Array(ethernetBufferLen(repr));
      x.set(a.payload, hl);
      emitEthernet(repr, x, 0);
      const p = parseEthernet(x);
      assert.ok(p.ok);
      assert.deepEqual(p.value, repr);
      const { exact, shifted, guardOk } = emitTwice(
        x.length,
        (b, o) => emitEthernet(p.value, b, o),
        (b, o) => b.set(a.payload, o + hl),
      );
      assert.ok(guardOk);
      assert.equal(toHex(exact), toHex(x));
      assert.equal(toHex(shifted), toHex(x));
    }),
  );
});
