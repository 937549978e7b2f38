import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  concatBytes,
  LINKTYPE_ETHERNET,
  PcapngWriter,
  PcapWriter,
  readCapture,
  readPcapng,
} from './pcapng.js';
import { bytes, toHex } from './testkit.js';

test('section header block bytes (pcapng § 4.1)', () => {
  const shb = new PcapngWriter().header();
  assert.equal(
    toHex(shb),
    toHex(
      bytes(`
      0a0d0d0a            # block type SHB
      1c000000            # total length 28
      4d3c2b1a            # byte-order magic, little-endian
      0100 0000           # version 1.0
      ffffffffffffffff    # section length unknown
      1c000000            # total length again
    `),
    ),
  );
});

test('interface block with if_name, if_tsresol = 9 and if_fcslen = 4', () => {
  const w = new PcapngWriter();
  const { id, block } = w.addInterface({ name: 'pc1:eth0', fcsLen: 4 });
  assert.equal(id, 0);
  assert.equal(
    toHex(block),
    toHex(
      bytes(`
      01000000            # block type IDB
      34000000            # total length 52
      0100 0000           # LINKTYPE_ETHERNET, reserved
      00000000            # snaplen 0 (no limit)
      0200 0800 7063313a65746830   # if_name "pc1:eth0"
      0900 0100 09000000  # if_tsresol 9 (nanoseconds), padded
      0d00 0100 04000000  # if_fcslen 4, padded
      0000 0000           # opt_endofopt
      34000000
    `),
    ),
  );
});

test('enhanced packet block: ns timestamp split in two words, padded data, comment', () => {
  const w = new PcapngWriter();
  const t = 5 * 2 ** 32 + 7; // exercises the high word
  const epb = w.packet(0, t, bytes('0102030405'), { comment: 'hi' });
  assert.equal(
    toHex(epb),
    toHex(
      bytes(`
      06000000 34000000   # EPB, total length 52
      00000000            # interface 0
      05000000 07000000   # timestamp high, low
      05000000 05000000   # captured, original length
      0102030405 000000   # data + padding
      0100 0200 68690000  # opt_comment "hi"
      0000 0000           # opt_endofopt
      34000000
    `),
    ),
  );
});

test('writer → reader round trip with two interfaces, comments and direction', () => {
  const w = new PcapngWriter({ application: 'wiretrail test', os: 'sim' });
  const a = w.addInterface({ name: 'pc1:eth0', fcsLen: 4, description: 'PC1' });
  const b = w.addInterface({ name: 'r1:eth1' });
  const file = concatBytes([
    w.header(),
    a.block,
    b.block,
    w.packet(a.id, 1_000_000_123, bytes('aabbcc'), {
      comment: 'ARP request because the cache missed',
      direction: 'out',
    }),
    w.packet(b.id, 2_000_000_000, new Uint8Array(1514).fill(7)),
  ]);
  const r = readCapture(file);
  assert.ok(r.ok);
  const c = r.value;
  assert.equal(c.format, 'pcapng');
  assert.deepEqual(c.interfaces, [
    { linkType: LINKTYPE_ETHERNET, nsPerTick: 1, fcsLen: 4, name: 'pc1:eth0', description: 'PC1' },
    { linkType: LINKTYPE_ETHERNET, nsPerTick: 1, fcsLen: 0, name: 'r1:eth1' },
  ]);
  assert.equal(c.packets.length, 2);
  assert.equal(c.packets[0].timeNs, 1_000_000_123);
  assert.deepEqual(c.packets[0].comments, ['ARP request because the cache missed']);
  assert.equal(toHex(c.packets[0].data), 'aabbcc');
  assert.equal(c.packets[1].interfaceId, 1);
  assert.equal(c.packets[1].data.length, 1514);
});

test('classic pcap: nanosecond magic, FCS bits in the link type, round trip', () => {
  const w = new PcapWriter(LINKTYPE_ETHERNET, 4);
  const h = w.header();
  assert.equal(
    toHex(h),
    toHex(
      bytes(`
      4d3cb2a1            # magic 0xa1b23c4d (ns), little-endian
      0200 0400           # version 2.4
      00000000 00000000   # thiszone, sigfigs
      00000400            # snaplen 262144
      01000024            # link type 1 | P bit (1 << 26) | FCS len 2 words (<< 28)
    `),
    ),
  );
  const file = concatBytes([h, w.packet(3_500_000_001, bytes('01020304'))]);
  const r = readCapture(file);
  assert.ok(r.ok);
  assert.equal(r.value.format, 'pcap');
  assert.deepEqual(r.value.interfaces, [{ linkType: 1, nsPerTick: 1, fcsLen: 4 }]);
  assert.equal(r.value.packets[0].timeNs, 3_500_000_001);
  assert.equal(toHex(r.value.packets[0].data), '01020304');
});

test('reader errors: unknown magic, cut blocks, bad interface id', () => {
  const e = (b: Uint8Array) => (readCapture(b) as { error: string }).error;
  assert.equal(e(bytes('00112233 44556677')), 'bad-version');
  assert.equal(e(bytes('0a0d')), 'truncated');
  const w = new PcapngWriter();
  const shb = w.header();
  assert.equal(e(shb.subarray(0, 20)), 'truncated');
  const orphan = concatBytes([shb, w.packet(3, 0, bytes('00'))]);
  assert.equal(e(orphan), 'bad-field');
  const full = concatBytes([shb, w.addInterface({ name: 'x' }).block, w.packet(0, 0, bytes('00'))]);
  assert.equal(e(full.subarray(0, full.length - 2)), 'truncated');
});

test('property: the reader never throws on arbitrary or mutated bytes', () => {
  const w = new PcapngWriter({ application: 'x' });
  const good = concatBytes([
    w.header(),
    w.addInterface({ name: 'e', fcsLen: 4 }).block,
    w.packet(0, 99, bytes('0102030405'), { comment: 'c' }),
  ]);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => void readCapture(b)));
  fc.assert(
    fc.property(fc.nat(good.length - 1), fc.nat(255), (i, v) => {
      const m = good.slice();
      m[i] = v;
      void readCapture(m);
      void readPcapng(m.subarray(0, i));
    }),
  );
});
