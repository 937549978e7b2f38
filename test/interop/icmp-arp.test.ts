/**
 * ICMP and ARP between Linux and wiretrail on the default internet (the Linux namespace plugged
 * into the home switch sw-home as 192.168.3.100/24):
 * - Linux ping to a simulated router and to the simulated web server behind four routers;
 * - Linux ping with a 4000-byte payload (fragmented both ways; the simulated host reassembles
 *   and fragments its reply, Linux reassembles it);
 * - wiretrail ping (the simulated pc) to Linux, also fragmented;
 * - `ip neigh` / `arp -n` on the Linux side show the simulated MACs, and pc's ARP cache shows
 *   Linux's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ping } from '../../src/apps/tools/ping.js';
import { arpRows } from '../../src/apps/tools/arp.js';
import { MS } from '../../src/sim/time.js';
import { nsExec } from '../../src/tap/netns.js';
import { formatMac } from '../../src/wire/addr.js';
import { SKIP, counterErrors, inSim, neighbours, nstat, withSession } from './harness.js';

describe('interop: ICMP and ARP', { skip: SKIP, timeout: 120_000 }, () => {
  test('Linux ping ↔ wiretrail, fragments both ways, neighbour tables', async () => {
    await withSession('wticmp', {}, async (s) => {
      const ns = s.linux.netns;
      assert.equal(s.port, 'sw-home.port4');
      assert.equal(s.linux.address, '192.168.3.100/24');

      // The home router (one switch away) and the web server (four routers away, TTL 64 - 4).
      const r1 = await nsExec(ns, ['ping', '-c', '3', '-i', '0.2', '-W', '2', '192.168.3.1']);
      assert.match(r1.stdout, /3 packets transmitted, 3 received, 0% packet loss/);
      const r2 = await nsExec(ns, ['ping', '-c', '3', '-i', '0.2', '-W', '2', '198.51.100.80']);
      assert.match(r2.stdout, /3 received, 0% packet loss/);
      assert.match(r2.stdout, /from 198\.51\.100\.80: icmp_seq=1 ttl=60 /);

      // Larger than the 1500-byte MTU: Linux fragments the request, web1 reassembles it and
      // fragments its reply, Linux reassembles that.
      const web1 = s.net.hostNamed('web1');
      const reasmBefore = web1.ipStats.ReasmOKs;
      const r3 = await nsExec(ns, [
        'ping',
        '-c',
        '2',
        '-i',
        '0.3',
        '-W',
        '2',
        '-s',
        '4000',
        '198.51.100.80',
      ]);
      assert.match(r3.stdout, /4008 bytes from 198\.51\.100\.80: icmp_seq=1 ttl=60/);
      assert.match(r3.stdout, /2 received, 0% packet loss/);
      assert.ok(web1.ipStats.ReasmOKs >= reasmBefore + 2, 'web1 reassembled the requests');
      assert.ok(web1.ipStats.FragCreates >= 6, 'web1 fragmented its replies');

      // wiretrail's ping (on the simulated pc) to Linux, plain and fragmented.
      const pc = s.net.hostNamed('pc');
      const lines: string[] = [];
      const p1 = await inSim(s, () =>
        ping(
          pc,
          { target: '192.168.3.100', count: 3, interval: 200 * MS, linger: 2000 * MS },
          (l) => lines.push(l),
        ),
      );
      assert.equal(p1.received, 3, lines.join('\n'));
      const p2 = await inSim(s, () =>
        ping(
          pc,
          { target: '192.168.3.100', count: 2, interval: 200 * MS, size: 3000, linger: 2000 * MS },
          (l) => lines.push(l),
        ),
      );
      assert.equal(p2.received, 2, lines.join('\n'));
      assert.ok(
        lines.some((l) => /^3008 bytes from 192\.168\.3\.100: icmp_seq=1 ttl=64/.test(l)),
        lines.join('\n'),
      );

      // Linux's neighbour table holds the simulated MACs; `arp -n` shows them too.
      const neigh = await neighbours(ns, s.linux.dev);
      assert.equal(neigh.get('192.168.3.1')?.mac, '02:00:00:00:01:01');
      assert.equal(neigh.get('192.168.3.10')?.mac, '02:00:00:00:00:0a');
      const arp = await nsExec(ns, ['arp', '-n']);
      assert.match(arp.stdout, /192\.168\.3\.1\s+ether\s+02:00:00:00:01:01\s+C\s+wt0/);
      assert.match(arp.stdout, /192\.168\.3\.10\s+ether\s+02:00:00:00:00:0a\s+C\s+wt0/);
      // ... and pc learned Linux's MAC.
      const row = arpRows(pc).find((r) => r.ip === 0xc0a80364);
      assert.equal(row && formatMac(row.mac), s.linux.mac);

      assert.deepEqual(counterErrors(await nstat(ns)), []);
    });
  });
});
