/**
 * traceroute across the simulated internet, from both ends:
 * - Linux traceroute (UDP, ICMP echo with -I, TCP SYN with -T) from the home LAN to the web
 *   server shows each simulated router — every one decrements the TTL and answers with ICMP
 *   time exceeded from the address of its ingress interface — then the server itself;
 * - wiretrail's traceroute from the web server back to Linux shows the same routers in the
 *   other direction and ends at Linux's port unreachable.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { traceroute } from '../../src/apps/tools/traceroute.js';
import { SECOND } from '../../src/sim/time.js';
import { nsExec } from '../../src/tap/netns.js';
import { formatIpv4 } from '../../src/wire/addr.js';
import { SKIP, inSim, withSession } from './harness.js';

const FORWARD = ['192.168.3.1', '100.64.0.1', '100.64.1.2', '100.64.2.2', '198.51.100.80'];
const BACK = ['198.51.100.1', '100.64.2.1', '100.64.1.1', '100.64.0.2', '192.168.3.100'];

/** The address on each hop line of traceroute -n output ("*" when nothing answered). */
function hops(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /^\s*\d+\s/.test(l))
    .map((l) => /^\s*\d+\s+(\S+)/.exec(l)![1]);
}

describe('interop: traceroute', { skip: SKIP, timeout: 120_000 }, () => {
  test('Linux traceroute (UDP, ICMP, TCP) shows every simulated hop; wiretrail traceroute back', async (t) => {
    await withSession('wttrace', {}, async (s) => {
      const ns = s.linux.netns;
      for (const mode of [[], ['-I'], ['-T', '-p', '80']]) {
        const { stdout } = await nsExec(
          ns,
          ['traceroute', '-n', '-q', '1', '-w', '2', ...mode, '198.51.100.80'],
          {
            timeoutMs: 60_000,
          },
        );
        t.diagnostic(`traceroute ${mode.join(' ')}\n${stdout}`);
        assert.deepEqual(hops(stdout), FORWARD, `traceroute ${mode.join(' ')}`);
      }
      const web1 = s.net.hostNamed('web1');
      const r = await inSim(s, () =>
        traceroute(web1, { target: '192.168.3.100', numeric: true, queries: 1, wait: 2 * SECOND }),
      );
      t.diagnostic(r.lines.join('\n'));
      assert.ok(r.reached, r.lines.join('\n'));
      assert.deepEqual(
        r.hops.map((h) => formatIpv4(h[0].from)),
        BACK,
      );
    });
  });
});
