import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  arpFields,
  arpGratuitous,
  arpReply,
  arpRequest,
  arpSummary,
  emitArp,
  isGratuitousArp,
  parseArp,
  ARP_LEN,
} from './arp.js';
import { bytes, emitTwice, toHex } from './testkit.js';

const REQUEST = bytes(`
  0001          # hardware type Ethernet
  0800          # protocol type IPv4
  06 04         # sizes 6 and 4
  0001          # opcode request
  020000000001  # sender MAC 02:00:00:00:00:01
  0a0a0164      # sender IP 10.10.1.100
  000000000000  # target MAC unknown
  0a0a0101      # target IP 10.10.1.1
`);

test('parse a request', () => {
  const r = parseArp(REQUEST);
  assert.ok(r.ok);
  assert.deepEqual(r.value, arpRequest(0x020000000001, 0x0a0a0164, 0x0a0a0101));
  assert.equal(arpSummary(r.value), 'Who has 10.10.1.1? Tell 10.10.1.100');
});

test('emit a reply at offset 0 and inside a larger buffer', () => {
  const rep = arpReply(0x0200000000fe, 0x0a0a0101, 0x020000000001, 0x0a0a0164);
  const { exact, shifted, guardOk } = emitTwice(ARP_LEN, (b, o) => emitArp(rep, b, o));
  assert.ok(guardOk);
  assert.equal(
    toHex(exact),
    toHex(bytes('0001 0800 0604 0002 0200000000fe 0a0a0101 020000000001 0a0a0164')),
  );
  assert.equal(toHex(shifted), toHex(exact));
  assert.equal(arpSummary(rep), '10.10.1.1 is at 02:00:00:00:00:fe');
});

test('gratuitous ARP and probe summaries', () => {
  const g = arpGratuitous(0x020000000001, 0x0a000001);
  assert.ok(isGratuitousArp(g));
  assert.equal(arpSummary(g), 'ARP Announcement for 10.0.0.1');
  assert.equal(
    arpSummary({ ...g, op: 2, targetMac: 0xffffffffffff }),
    'Gratuitous ARP for 10.0.0.1 (Reply)',
  );
  assert.equal(
    arpSummary(arpRequest(0x020000000001, 0, 0x0a000001)),
    'Who has 10.0.0.1? (ARP Probe)',
  );
});

test('unsupported hardware/protocol/opcode and truncation', () => {
  const b = REQUEST.slice();
  b[1] = 6; // IEEE 802 hardware
  assert.equal((parseArp(b) as { error: string }).error, 'unsupported');
  const c = REQUEST.slice();
  c[7] = 3; // RARP request
  assert.equal((parseArp(c) as { error: string }).error, 'unsupported');
  assert.equal((parseArp(REQUEST.subarray(0, 27)) as { error: string }).error, 'truncated');
  assert.equal((parseArp(REQUEST.subarray(0, 3)) as { error: string }).error, 'truncated');
});

test('fields cover the 28 bytes in order', () => {
  const r = parseArp(REQUEST);
  assert.ok(r.ok);
  const f = arpFields(14, r.value);
  assert.equal(f[0].start, 14);
  assert.equal(f[f.length - 1].end, 42);
  assert.equal(f.find((x) => x.name === 'arp.dst.proto_ipv4')?.value, '10.10.1.1');
});

test('property: parse never throws; valid packets round-trip', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => void parseArp(b)));
  fc.assert(
    fc.property(
      fc.constantFrom(1 as const, 2 as const),
      fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      fc.nat(0xffffffff),
      fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      fc.nat(0xffffffff),
      (op, senderMac, senderIp, targetMac, targetIp) => {
        const repr = { op, senderMac, senderIp, targetMac, targetIp };
        const b = new Uint8Array(ARP_LEN);
        emitArp(repr, b);
        const p = parseArp(b);
        assert.ok(p.ok);
        assert.deepEqual(p.value, repr);
      },
    ),
  );
});
