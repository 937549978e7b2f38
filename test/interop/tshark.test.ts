/**
 * Captures on both sides of the TAP device read cleanly in tshark:
 * - tcpdump on the Linux side (inside the namespace) records ARP, ICMP with fragments, DNS,
 *   HTTP over TCP and traceroute probes exchanged with the simulated internet;
 * - the TAP side's own capture point (the session's pcapng, frames with their FCS) holds the
 *   same exchange;
 * and tshark, with IP/TCP/UDP checksum and Ethernet FCS verification turned on, finds no
 * malformed packet, no bad checksum and no expert error in either.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ping } from '../../src/apps/tools/ping.js';
import { MS } from '../../src/sim/time.js';
import { nsExec, nsSpawn, sh, stopProcess } from '../../src/tap/netns.js';
import { SKIP, inSim, sleep, withSession } from './harness.js';

const CHECKS = [
  '-o',
  'ip.check_checksum:TRUE',
  '-o',
  'tcp.check_checksum:TRUE',
  '-o',
  'udp.check_checksum:TRUE',
];

/** Frames tshark flags (malformed, bad checksum, expert errors), and the protocols it saw. */
async function inspect(
  file: string,
  extra: string[] = [],
): Promise<{ bad: string; protocols: Set<string>; frames: number }> {
  const bad = await sh(
    [
      'tshark',
      '-n',
      '-r',
      file,
      ...CHECKS,
      ...extra,
      '-Y',
      '_ws.malformed || _ws.expert.severity >= "Error" || ip.checksum.status == "Bad" || ' +
        'tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || eth.fcs.status == "Bad"',
    ],
    { timeoutMs: 60_000 },
  );
  const fields = await sh(
    ['tshark', '-n', '-r', file, ...CHECKS, ...extra, '-T', 'fields', '-e', 'frame.protocols'],
    {
      timeoutMs: 60_000,
    },
  );
  const lines = fields.stdout.split('\n').filter((l) => l !== '');
  const protocols = new Set(lines.flatMap((l) => l.split(':')));
  return { bad: bad.stdout.trim(), protocols, frames: lines.length };
}

describe('interop: captures read by tshark', { skip: SKIP, timeout: 180_000 }, () => {
  test('tcpdump on Linux and the TAP-side pcapng: no malformed packet, no bad checksum', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-cap-'));
    try {
      await withSession('wtcap', { capture: true }, async (s) => {
        const ns = s.linux.netns;
        const linuxPcap = join(dir, 'linux.pcap');
        const dump = nsSpawn(ns, [
          'tcpdump',
          '--immediate-mode',
          '-i',
          s.linux.dev,
          '-n',
          '-U',
          '-s',
          '0',
          '-w',
          linuxPcap,
        ]);
        let err = '';
        dump.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        for (let i = 0; !err.includes('listening on'); i++) {
          if (i > 100 || dump.exitCode !== null) throw new Error(`tcpdump did not start: ${err}`);
          await sleep(50);
        }
        try {
          await nsExec(ns, ['ping', '-c', '2', '-i', '0.2', '-s', '3000', '198.51.100.80']);
          await nsExec(ns, ['dig', '+tries=2', 'www.server.com']);
          await nsExec(ns, ['dig', '+tcp', '@198.51.100.2', 'server.com', 'MX']);
          await nsExec(ns, ['curl', '-sS', '-o', '/dev/null', 'http://www.server.com/']);
          await nsExec(ns, ['traceroute', '-n', '-q', '1', '-w', '2', '198.51.100.80'], {
            timeoutMs: 60_000,
          });
          const pc = s.net.hostNamed('pc');
          await inSim(s, () =>
            ping(pc, {
              target: '192.168.3.100',
              count: 2,
              interval: 100 * MS,
              size: 2000,
              linger: 2000 * MS,
            }),
          );
          await sleep(300);
        } finally {
          await stopProcess(dump);
        }

        const linux = await inspect(linuxPcap);
        t.diagnostic(
          `Linux side: ${linux.frames} frames, protocols ${[...linux.protocols].sort().join(' ')}`,
        );
        assert.equal(linux.bad, '', 'tshark flags frames in the Linux-side capture');
        for (const p of ['arp', 'icmp', 'dns', 'tcp', 'http', 'udp'])
          assert.ok(linux.protocols.has(p), `Linux capture has ${p}`);

        s.capture!.stop();
        const ours = join(dir, 'tap-side.pcapng');
        writeFileSync(ours, s.capture!.bytes());
        const tap = await inspect(ours, ['-o', 'eth.check_fcs:TRUE']);
        t.diagnostic(`TAP side (wiretrail capture): ${tap.frames} frames`);
        assert.equal(tap.bad, '', 'tshark flags frames in the TAP-side capture');
        assert.ok(
          tap.frames >= linux.frames,
          `the TAP side saw ${tap.frames} frames, Linux ${linux.frames}`,
        );
        for (const p of ['arp', 'icmp', 'dns', 'tcp', 'http', 'eth'])
          assert.ok(tap.protocols.has(p), `TAP capture has ${p}`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
