/**
 * DNS between Linux and wiretrail on the default internet:
 * - Linux dig against the simulated authoritative servers (root referral, ns1.server.com with
 *   the AA bit, over UDP and TCP) and against the simulated recursive resolver (dns-local);
 * - unbound in the namespace as a recursive resolver whose root hints are the simulated root
 *   servers: Linux's resolver walks wiretrail's root, TLD and authoritative servers;
 * - a wiretrail resolver recursing through unbound: unbound serves the root zone (auth-zone
 *   ".") at 192.168.3.101, and a second wiretrail resolver on dns-local (port 5353) takes it as
 *   its only root server;
 * and the answers of the three resolvers are compared (rcode and answer records, TTLs aside).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { RecursiveResolver } from '../../src/apps/dns/resolver.js';
import { nsExec, nsSpawn, sh, stopProcess } from '../../src/tap/netns.js';
import { ROOT_HINTS, ZONE_FILES } from '../../src/world/zones/index.js';
import { parseIpv4 } from '../../src/wire/addr.js';
import { SKIP, counterErrors, nstat, sleep, withSession } from './harness.js';

interface DigAnswer {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
}

/** Runs dig in the namespace and keeps what can be compared: rcode, flags, records sans TTL. */
async function dig(ns: string, args: string[]): Promise<DigAnswer> {
  const { stdout } = await nsExec(
    ns,
    ['dig', '+tries=2', '+time=4', '+nottlid', '+nocookie', ...args],
    {
      timeoutMs: 30_000,
    },
  );
  const status = /status: (\w+)/.exec(stdout)?.[1] ?? '?';
  const flags = (/;; flags: ([a-z ]+);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/);
  const section = (name: string) => {
    const m = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(stdout);
    return (m?.[1] ?? '')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith(';'))
      .map((l) => l.replace(/\s+/g, ' ').toLowerCase())
      .sort();
  };
  return { status, flags, answer: section('ANSWER'), authority: section('AUTHORITY') };
}

async function startUnbound(
  ns: string,
  dir: string,
  conf: string,
  addr: string,
): Promise<() => Promise<void>> {
  const file = join(dir, `unbound-${addr}.conf`);
  writeFileSync(file, conf);
  await sh(['unbound-checkconf', file]);
  const p = nsSpawn(ns, ['unbound', '-d', '-c', file]);
  let stderr = '';
  p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; ; i++) {
    const { stdout } = await nsExec(ns, ['ss', '-Hlun', `src ${addr}:53`]);
    if (stdout.trim() !== '') break;
    if (p.exitCode !== null || i > 100) {
      await stopProcess(p);
      throw new Error(`unbound did not start on ${addr}: ${stderr}`);
    }
    await sleep(50);
  }
  return () => stopProcess(p);
}

const common = (dir: string, addr: string) =>
  [
    'server:',
    `  interface: ${addr}`,
    '  port: 53',
    '  do-daemonize: no',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${dir}"`,
    `  pidfile: "${dir}/unbound-${addr}.pid"`,
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 1',
    '  do-ip6: no',
    '  access-control: 0.0.0.0/0 allow',
    '  module-config: "iterator"',
    '  prefetch: no',
  ].join('\n');

const QUESTIONS: [string, string][] = [
  ['www.server.com', 'A'],
  ['server.com', 'MX'],
  ['server.com', 'TXT'],
  ['static.server.com', 'A'], // CNAME → www
  ['img.server.com', 'A'], // CNAME → CNAME → www
  ['blog.server.com', 'A'], // CNAME into another zone (www.example.org)
  ['www.example.org', 'A'],
  ['nope.server.com', 'A'], // NXDOMAIN
  ['www.server.com', 'AAAA'], // NODATA
];

describe('interop: DNS', { skip: SKIP, timeout: 180_000 }, () => {
  test('Linux dig ↔ wiretrail servers; unbound ↔ wiretrail both ways; answers compared', async (t) => {
    await withSession('wtdns', {}, async (s) => {
      const ns = s.linux.netns;
      const dir = mkdtempSync(join(tmpdir(), 'wt-dns-'));
      const stops: (() => Promise<void>)[] = [];
      try {
        // Authoritative: the root refers to .com; ns1.server.com answers with AA, UDP and TCP.
        const root = await dig(ns, ['@198.41.0.4', '+norec', 'www.server.com', 'A']);
        assert.equal(root.status, 'NOERROR');
        assert.deepEqual(root.answer, []);
        assert.ok(!root.flags.includes('aa'));
        assert.ok(
          root.authority.includes('com. in ns a.gtld-servers.net.'),
          root.authority.join('\n'),
        );
        for (const tcp of [[], ['+tcp']]) {
          const a = await dig(ns, ['@198.51.100.2', '+norec', ...tcp, 'www.server.com', 'A']);
          assert.equal(a.status, 'NOERROR');
          assert.ok(a.flags.includes('aa'), `AA ${tcp}`);
          assert.deepEqual(a.answer, ['www.server.com. in a 198.51.100.80']);
        }
        const nx = await dig(ns, ['@198.51.100.2', '+norec', 'nope.server.com', 'A']);
        assert.equal(nx.status, 'NXDOMAIN');
        assert.ok(nx.flags.includes('aa'));
        assert.match(nx.authority.join('\n'), /^server\.com\. in soa ns1\.server\.com\. /);

        // unbound, recursive, rooted at the simulated root servers.
        writeFileSync(join(dir, 'root.hints'), ROOT_HINTS);
        stops.push(
          await startUnbound(
            ns,
            dir,
            `${common(dir, '192.168.3.100')}\n  root-hints: "${dir}/root.hints"\n`,
            '192.168.3.100',
          ),
        );

        // unbound serving the root zone at 192.168.3.101, and a wiretrail resolver using it.
        await sh(['ip', '-n', ns, 'addr', 'add', '192.168.3.101/24', 'dev', s.linux.dev]);
        writeFileSync(join(dir, 'root.zone'), ZONE_FILES.find((z) => z.origin === '.')!.text);
        stops.push(
          await startUnbound(
            ns,
            dir,
            `${common(dir, '192.168.3.101')}\nauth-zone:\n  name: "."\n  zonefile: "${dir}/root.zone"\n` +
              '  for-downstream: yes\n  for-upstream: no\n  fallback-enabled: no\n',
            '192.168.3.101',
          ),
        );
        const viaUnbound = s.net.hostNamed('dns-local');
        const r2 = new RecursiveResolver({
          dgram: viaUnbound.dgram,
          net: viaUnbound.net,
          clock: s.net.clock,
          rng: viaUnbound.rng('dns-resolver-via-unbound'),
          trace: s.net.trace,
          node: 'dns-local',
          rootHints: [{ name: 'a.root-servers.net.', address: parseIpv4('192.168.3.101')! }],
        });
        s.driver.inject(() => r2.serve({ port: 5353 }));

        const rootViaUnbound = await dig(ns, ['@192.168.3.101', '+norec', 'www.server.com', 'A']);
        assert.ok(
          rootViaUnbound.authority.includes('com. in ns a.gtld-servers.net.'),
          'unbound serves the root zone',
        );

        for (const [name, type] of QUESTIONS) {
          const wire = await dig(ns, ['@203.0.113.53', name, type]);
          const unbound = await dig(ns, ['@192.168.3.100', name, type]);
          const through = await dig(ns, ['@203.0.113.53', '-p', '5353', name, type]);
          t.diagnostic(`${name} ${type}: ${wire.status} ${wire.answer.join(' | ')}`);
          assert.ok(
            ['NOERROR', 'NXDOMAIN'].includes(wire.status),
            `${name} ${type}: ${wire.status}`,
          );
          assert.ok(wire.flags.includes('ra'), 'the wiretrail resolver offers recursion');
          assert.deepEqual(
            { status: unbound.status, answer: unbound.answer },
            { status: wire.status, answer: wire.answer },
            `${name} ${type}: unbound (recursing through wiretrail) ≠ wiretrail resolver`,
          );
          assert.deepEqual(
            { status: through.status, answer: through.answer },
            { status: wire.status, answer: wire.answer },
            `${name} ${type}: wiretrail resolver through unbound's root ≠ wiretrail resolver`,
          );
        }
        assert.ok(r2.stats.queriesSent > 0, 'the second resolver did recurse');
        assert.deepEqual(counterErrors(await nstat(ns)), []);
      } finally {
        for (const stop of stops.reverse()) await stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
