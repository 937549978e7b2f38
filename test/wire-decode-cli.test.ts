// `wiretrail decode`: hex and capture input, errors with exit codes (CLI UX, issue 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/main.js';
import { arpRequest } from '../src/wire/arp.js';
import { arpPacket, ethernetFrame, ipv4Frame, ipv4Header, tcpSegment } from '../src/wire/build.js';
import { EtherType } from '../src/wire/ethernet.js';
import { concatBytes, PcapngWriter, PcapWriter } from '../src/wire/pcapng.js';
import { TcpFlags } from '../src/wire/tcp.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => void (out += s), err: (s) => void (err += s), exitCode: 0 };
  const code = await main(argv, io);
  return { code, out, err };
}

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
