// `wiretrail decode`: hex and capture input, errors with exit codes (CLI UX, issue 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arpRequest } from '../src/wire/arp.js';
import {
  arpPacket,
  ethernetFrame,
  icmpMessage,
  ipv4Frame,
  ipv4Header,
  tcpSegment,
  udpDatagram,
} from '../src/wire/build.js';
import { EtherType } from '../src/wire/ethernet.js';
import { concatBytes, PcapngWriter, PcapWriter } from '../src/wire/pcapng.js';
import { TcpFlags } from '../src/wire/tcp.js';
import { run } from './cli-helpers.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
const ARP = ethernetFrame(
  { dst: 0xffffffffffff, src: 0x020000000001 },
  EtherType.ARP,
  arpPacket(arpRequest(0x020000000001, 0x0a000001, 0x0a000002)),
);

test('hex with colons, FCS detected', async () => {
  const r = await run('decode', hex(ARP));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Frame 1: 64 bytes \(512 bits\), ending with a valid FCS$/m);
  assert.match(r.out, /^Address Resolution Protocol, Who has 10\.0\.0\.2\? Tell 10\.0\.0\.1$/m);
  assert.match(r.out, /Frame check sequence: 0x[0-9a-f]{8} \[correct\]/);
});

test('hex split over several arguments and lines, --no-fcs, --hex', async () => {
  const noFcs = ARP.subarray(0, 60);
  const text = hex(noFcs).replace(/:/g, ' ');
  const r = await run(
    'decode',
    '--no-fcs',
    '--hex',
    text.slice(0, 30),
    text.slice(30).replace(/ /, '\n'),
  );
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, /Frame check sequence/);
  assert.match(r.out, /^0030  00 00 00 00 00 00 00 00  00 00 00 00 /m);
});

test('bad input: odd hex, not hex, missing file → exit 2 with one line', async () => {
  for (const [arg, msg] of [
    ['abc', /odd number of digits/],
    ['hello', /not hex: unexpected "h"/],
    ['missing.pcapng', /no such file: missing\.pcapng/],
  ] as const) {
    const r = await run('decode', arg);
    assert.equal(r.code, 2);
    assert.match(r.err, msg);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});

test('truncated frame: shows what parsed and why it stopped, exit 1', async () => {
  const f = ipv4Frame(
    { dst: 2, src: 1 },
    ipv4Header(1, 2, 6),
    tcpSegment(
      { srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TcpFlags.SYN, window: 0, urgent: 0 },
      1,
      2,
    ),
    false,
  );
  const r = await run('decode', '--no-fcs', hex(f.subarray(0, 44)));
  assert.equal(r.code, 1);
  assert.match(r.out, /^Ethernet II, Src: 00:00:00:00:00:01, Dst: 00:00:00:00:00:02$/m);
  assert.match(
    r.out,
    /\[Malformed: ip at byte 14: truncated — total length 40 but only 30 bytes\]/,
  );
});

test('pcapng and pcap files, --frame, comments, damaged capture', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wiretrail-decode-'));
  try {
    const w = new PcapngWriter({ application: 'test' });
    const i = w.addInterface({ name: 'pc1:eth0', fcsLen: 4 });
    const file = concatBytes([
      w.header(),
      i.block,
      w.packet(0, 1_500_000_000, ARP, { comment: 'cache miss' }),
      w.packet(0, 2_000_000_000, ARP),
    ]);
    const p1 = join(dir, 'a.pcapng');
    writeFileSync(p1, file);
    const r = await run('decode', p1);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^Frame 1: 64 bytes on wire \(512 bits\), 64 bytes captured, interface pc1:eth0, time 1\.500000000 s$/m,
    );
    assert.match(r.out, /^    \[Comment: cache miss\]$/m);
    assert.match(r.out, /^Frame 2: /m);
    const r2 = await run('decode', p1, '--frame', '2');
    assert.doesNotMatch(r2.out, /^Frame 1:/m);
    assert.equal((await run('decode', p1, '--frame', '3')).code, 2);
    const pw = new PcapWriter(1, 4);
    const p2 = join(dir, 'b.pcap');
    writeFileSync(p2, concatBytes([pw.header(), pw.packet(0, ARP)]));
    const r3 = await run('decode', p2);
    assert.equal(r3.code, 0, r3.err);
    assert.match(r3.out, /\[correct\]/);
    const p3 = join(dir, 'c.pcapng');
    writeFileSync(p3, file.subarray(0, file.length - 10));
    const r4 = await run('decode', p3);
    assert.equal(r4.code, 1);
    assert.match(r4.err, /damaged capture: block at byte \d+ needs \d+ bytes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a wrong checksum says what it should be, as tshark does (IPv4 header, TCP, UDP, ICMP)', async () => {
  const A = 0xc0a8030a; // 192.168.3.10
  const B = 0xc6336450; // 198.51.100.80
  const payload = new Uint8Array([1, 2, 3, 4, 5]);
  const frames = [
    ipv4Frame(
      { dst: 2, src: 1 },
      ipv4Header(A, B, 6),
      tcpSegment(
        {
          srcPort: 33564,
          dstPort: 80,
          seq: 7,
          ack: 0,
          flags: TcpFlags.SYN,
          window: 64240,
          urgent: 0,
        },
        A,
        B,
      ),
      false,
    ),
    ipv4Frame(
      { dst: 2, src: 1 },
      ipv4Header(A, B, 17),
      udpDatagram({ srcPort: 40000, dstPort: 9 }, A, B, payload),
      false,
    ),
    ipv4Frame(
      { dst: 2, src: 1 },
      ipv4Header(A, B, 1),
      icmpMessage({ kind: 'echo-request', ident: 0x1234, seq: 1 }, payload),
      false,
    ),
  ];
  // where each frame's TCP, UDP and ICMP checksum is
  const transport = [14 + 20 + 16, 14 + 20 + 6, 14 + 20 + 2];
  const word = (f: Uint8Array, at: number) =>
    `0x${((f[at] << 8) | f[at + 1]).toString(16).padStart(4, '0')}`;
  for (const [i, good] of frames.entries()) {
    const at = transport[i];
    const ip = word(good, 14 + 10);
    const tp = word(good, at);
    const bad = good.slice();
    bad.fill(0, 14 + 10, 14 + 12);
    // (0x0000 would mean "no checksum" for UDP)
    bad.fill(0x11, at, at + 2);
    assert.notEqual(tp, '0x1111');
    const r = await run('decode', '--no-fcs', hex(bad));
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      new RegExp(`^    Header Checksum: 0x0000 \\[incorrect, should be ${ip}\\]$`, 'm'),
    );
    assert.match(r.out, new RegExp(`^    Checksum: 0x1111 \\[incorrect, should be ${tp}\\]$`, 'm'));
    // the frame as built is correct, and says only that
    const ok = await run('decode', '--no-fcs', hex(good));
    assert.match(ok.out, new RegExp(`^    Header Checksum: ${ip} \\[correct\\]$`, 'm'));
    assert.doesNotMatch(ok.out, /incorrect/);
  }
});
