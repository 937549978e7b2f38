// tshark reads the simulator's captures: no malformed packet, no bad checksum or FCS, no expert
// error, the same number of packets we wrote. tshark missing is a failure, not a skip (CI
// installs Debian's tshark). A second run with bit corruption checks the other side: the
// corrupted frames a receiver's capture shows are exactly the ones tshark calls bad-FCS.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { scenario } from './sim-scenario.js';

const TSHARK = process.env.TSHARK ?? '/usr/bin/tshark';
const FIELDS = [
  'frame.number',
  'eth.fcs.status',
  'ip.checksum.status',
  'icmp.checksum.status',
  'udp.checksum.status',
  'tcp.checksum.status',
  '_ws.expert.severity',
  '_ws.expert.group',
  '_ws.malformed',
  'frame.protocols',
];

function tshark(bytes: Uint8Array, extra: string[] = []): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'wiretrail-sim-tshark-'));
  try {
    const file = join(dir, 'capture.pcapng');
    writeFileSync(file, bytes);
    const args = [
      '-r',
      file,
      '-o',
      'eth.check_fcs:TRUE',
      '-o',
      'ip.check_checksum:TRUE',
      '-o',
      'udp.check_checksum:TRUE',
      '-o',
      'tcp.check_checksum:TRUE',
      '-T',
      'fields',
      '-E',
      'separator=|',
      '-E',
      'occurrence=a',
      '-E',
      'aggregator=,',
    ];
    args.push(...extra);
    for (const f of FIELDS) args.push('-e', f);
    const r = spawnSync(TSHARK, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
      assert.fail(
        `tshark is not installed (looked for ${TSHARK}): install Debian's tshark package to run this battery`,
      );
    }
    assert.equal(r.status, 0, `tshark failed: ${r.stderr}`);
    return r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('|'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SEVERITY_ERROR = 0x00800000;
const CHECKSUM_GROUP = 0x01000000;
const MALFORMED_GROUP = 0x07000000;

function check(rows: string[][]): { failures: string[]; protocols: Set<string> } {
  const failures: string[] = [];
  const protocols = new Set<string>();
  for (const [num, fcs, ip, icmp, udp, tcp, sev, group, malformed, proto] of rows) {
    protocols.add(proto);
    if (fcs !== '1') failures.push(`frame ${num}: FCS status ${fcs}`);
    // Checksum status: 0 bad, 1 good, 2 unverified (a UDP header quoted in an ICMP error).
    for (const [name, v] of [
      ['ip', ip],
      ['icmp', icmp],
      ['udp', udp],
      ['tcp', tcp],
    ] as const) {
      if (v.split(',').includes('0')) failures.push(`frame ${num}: bad ${name} checksum`);
    }
    if (malformed !== '') failures.push(`frame ${num}: malformed`);
    const sevs = sev === '' ? [] : sev.split(',').map(Number);
    const groups = group === '' ? [] : group.split(',').map(Number);
    groups.forEach((g, k) => {
      if (g === CHECKSUM_GROUP || g === MALFORMED_GROUP || (sevs[k] ?? 0) >= SEVERITY_ERROR) {
        failures.push(
          `frame ${num}: expert group 0x${g.toString(16)} severity 0x${(sevs[k] ?? 0).toString(16)}`,
        );
      }
    });
  }
  return { failures, protocols };
}

test('tshark reads the captures: nothing malformed, every checksum and FCS good', async () => {
  const s = await scenario(3, false);
  // One interface, as tcpdump on pc would capture: tshark's full TCP analysis applies.
  const pcRows = tshark(s.pcPcapng);
  assert.equal(pcRows.length, s.pcPackets, 'tshark saw a different number of packets');
  assert.deepEqual(check(pcRows).failures.slice(0, 20), []);
  // Every port of every node: each TCP segment appears at several capture points, which
  // tshark's TCP reassembly would take for overlapping retransmissions; reassembly is off.
  const rows = tshark(s.pcapng, ['-o', 'tcp.desegment_tcp_streams:FALSE']);
  assert.equal(rows.length, s.packets, 'tshark saw a different number of packets');
  const { failures, protocols } = check(rows);
  assert.deepEqual(failures.slice(0, 20), []);
  const all = [...protocols].join(' ');
  for (const p of ['eth:ethertype:arp', ':ip:icmp', ':ip:udp', ':echo', ':ip:tcp'])
    assert.ok(all.includes(p), `expected ${p} frames, saw ${all}`);
});

test('with bit corruption on a link, tshark flags exactly the corrupted frames as bad FCS', async () => {
  const s = await scenario(5, true);
  // Every bad-FCS frame must be a receive-side record on the faulty link, dropped by that NIC.
  const rows = tshark(s.pcapng);
  let bad = 0;
  for (const [num, fcs] of rows) {
    if (fcs === '0') bad++;
    else assert.equal(fcs, '1', `frame ${num}: FCS status ${fcs}`);
  }
  assert.ok(bad > 0, 'expected some corrupted frames with corrupt = 5%');
  const nicDrops = ['r1', 'r2'].reduce(
    (n, r) =>
      n +
      [...s.net.hostNamed(r).interfaces.values()].reduce((m, i) => m + i.counters.rxCrcErrors, 0),
    0,
  );
  assert.equal(
    bad,
    nicDrops,
    'every corrupted frame in the capture was dropped by a NIC FCS check',
  );
});
