// `wiretrail topology [name|file]`: the diagram, the tables, --routes, --json, and errors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TopologyDescription } from '../src/world/describe.js';
import {
  describeWorld,
  formatBandwidth,
  formatDelay,
  formatTopology,
} from '../src/world/describe.js';
import { buildWorld } from '../src/world/visit.js';
import { run } from './cli-helpers.js';

test('the default internet: a tree from pc outwards with interfaces, MACs and link properties', async () => {
  const r = await run('topology');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.match(lines[0], /^internet \(internet\.yaml, seed 1\) — the default internet/);
  assert.match(lines[1], /^21 nodes \(13 hosts, 4 routers, 4 switches\) · 20 links/);
  assert.equal(lines[3], 'pc  host — your computer, where the browser runs');
  assert.equal(lines[4], '│  eth0  192.168.3.10/24   02:00:00:00:00:0a');
  assert.equal(lines[5], '│  eth1  192.168.10.10/24  02:00:00:00:00:0b');
  assert.equal(
    lines[6],
    '│  resolver 203.0.113.53 · /etc/hosts nas.home=192.168.10.200, router.home=192.168.3.1',
  );
  assert.equal(lines[7], '├─ eth0 ──[1 Gbit/s, 5 µs]── sw-home.port1');
  assert.ok(lines.includes('│  │  └─ eth1 ══[100 Mbit/s, 3 ms]══ r-isp.eth0'), 'the access line');
  assert.ok(
    lines.some((l) => /^[│ ]+web1  host — www\.server\.com, the web server of the seeds$/.test(l)),
  );
  assert.ok(lines.some((l) => /^[│ ]+runs web server \(www\.server\.com\)$/.test(l)));
  assert.ok(lines.some((l) => /^[│ ]+runs authoritative DNS \(com\. net\.\)$/.test(l)));
  assert.ok(lines.includes('└─ eth1 ──[1 Gbit/s, 5 µs]── nas.eth0'), 'the second home LAN last');
  // every node appears once as a title
  for (const n of [
    'pc',
    'sw-home',
    'r-home',
    'r-isp',
    'dns-local',
    'r-core',
    'a-root',
    'gtld',
    'r-dc',
    'web1',
    'ns1',
    'nas',
    'phone',
  ])
    assert.equal(
      lines.filter((l) => new RegExp(`^[│├└─ ]*${n}  (host|router|switch)`).test(l)).length,
      1,
      n,
    );
});

test('the tables: links, route -n of every host and router, switches, DNS and web servers', async () => {
  const r = await run('topology', 'internet');
  const out = r.out;
  assert.match(out, /^  r-home\.eth1 ↔ r-isp\.eth0 +100 Mbit\/s +3 ms +1500 +-$/m);
  const pc = out.slice(out.indexOf('  pc (host) $ route -n'));
  assert.deepEqual(pc.split('\n').slice(0, 6), [
    '  pc (host) $ route -n',
    '  Kernel IP routing table',
    '  Destination     Gateway         Genmask         Flags Metric Ref    Use Iface',
    '  0.0.0.0         192.168.3.1     0.0.0.0         UG    0      0        0 eth0',
    '  192.168.3.0     0.0.0.0         255.255.255.0   U     0      0        0 eth0',
    '  192.168.10.0    0.0.0.0         255.255.255.0   U     0      0        0 eth1',
  ]);
  assert.match(out, /^  r-core \(router, forwards\) \$ route -n$/m);
  assert.match(out, /^  sw-home \(switch, 4 ports · MAC table ageing 300 s, 8192 entries max\)$/m);
  assert.match(out, /^    port4  \(free\)$/m);
  assert.match(
    out,
    /^  dns-local +203\.0\.113\.53 +recursive +resolver\.isp\.net +recursion for pc, phone$/m,
  );
  assert.match(
    out,
    /^  a-root +198\.41\.0\.4 +authoritative +a\.root-servers\.net +\. \(\d+ records\), 0\.41\.198\.in-addr\.arpa\. \(\d+ records\), /m,
  );
  assert.match(
    out,
    /^  ns1 +198\.51\.100\.2 +authoritative +ns1\.server\.com +isp\.net\. \(\d+ records\), server\.com\. \(\d+ records\), 64\.100\.in-addr\.arpa\. \(\d+ records\), 100\.51\.198\.in-addr\.arpa\./m,
  );
  assert.match(
    out,
    /^  web1 +198\.51\.100\.80:80 +www\.server\.com +server\.com, www\.server\.com +\/404\.html \d+ B, .*\/index\.html 1668 B/m,
  );
});

test('--routes prints only the routing tables; --json the description', async () => {
  const r = await run('topology', 'simple', '--routes');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split('\n')[0], 'pc (host) $ route -n');
  assert.doesNotMatch(r.out, /Links|Switches/);
  assert.match(
    r.out,
    /^r-server \(router, forwards\) \$ route -n\nKernel IP routing table\n.*\n192\.168\.3\.0     203\.0\.113\.1     255\.255\.255\.0   UG /m,
  );
  const j = await run('topology', 'internet', '--json');
  assert.equal(j.code, 0, j.err);
  const d = JSON.parse(j.out) as TopologyDescription;
  assert.equal(d.name, 'internet');
  assert.equal(d.nodes.length, 21);
  assert.equal(d.links.length, 20);
  const pc = d.nodes.find((n) => n.name === 'pc')!;
  assert.deepEqual(pc.interfaces[0], {
    name: 'eth0',
    addresses: ['192.168.3.10/24'],
    mac: '02:00:00:00:00:0a',
    mtu: 1500,
  });
  assert.deepEqual(pc.nameservers, ['203.0.113.53']);
  assert.deepEqual(pc.routes[0], {
    destination: '0.0.0.0',
    gateway: '192.168.3.1',
    genmask: '0.0.0.0',
    flags: 'UG',
    metric: 0,
    iface: 'eth0',
  });
  const access = d.links.find((l) => l.ends.includes('r-home.eth1'))!;
  assert.equal(access.bandwidth, 100e6);
  assert.equal(access.delay, 3e6);
  assert.deepEqual(
    d.dns.filter((s) => s.role === 'authoritative').map((s) => s.names[0]),
    [
      'a.root-servers.net',
      'b.root-servers.net',
      'a.gtld-servers.net',
      'a.dns.cn',
      'd0.org.afilias-nst.org',
      'ns1.example.org',
      'ns1.server.com',
    ],
  );
  assert.deepEqual(
    d.web.map((w) => [w.node, w.site]),
    [
      ['web-org', 'www.example.org'],
      ['web1', 'www.server.com'],
    ],
  );
});

test('a file with a hub, a segment, a loop, faults and named links', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wiretrail-topo-'));
  try {
    const f = join(dir, 'lab.yaml');
    writeFileSync(
      f,
      `name: lab
nodes:
  a: { kind: host, interfaces: { eth0: 10.0.0.1/24, eth1: 10.0.1.1/24 } }
  b: { kind: host, interfaces: { eth0: 10.0.0.2/24, eth1: 10.0.2.2/24 } }
  c: { kind: host, interfaces: { eth0: 10.0.1.3/24, eth1: 10.0.2.3/24, eth2: 10.0.3.3/24 } }
  d: { kind: host, interfaces: { eth0: 10.0.3.4/24 } }
  e: { kind: host, interfaces: { eth0: 10.0.3.5/24 } }
  h: { kind: hub, ports: 2 }
links:
  - between: [a.eth0, b.eth0]
    name: wan
    loss: 1%
    mtu: 1400
    delay: 10ms
  - [a.eth1, c.eth0]
  - [b.eth1, c.eth1]
  - segment: [c.eth2, d.eth0, h.port1]
  - [e.eth0, h.port2]
`,
    );
    const r = await run('topology', f);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.equal(lines[0], 'lab (lab.yaml, seed 1)');
    assert.ok(lines.includes('├─ eth0 ══[1 Gbit/s, 10 ms, mtu 1400, loss 1%]══ b.eth0'), r.out);
    assert.ok(
      lines.some((l) => l.endsWith('── c.eth0  (loop: already shown above)')),
      r.out,
    );
    assert.ok(
      lines.some((l) => /eth2 ┄┄\[shared segment, 1 Gbit\/s, 1 µs\]┄┄ d\.eth0$/.test(l)),
      'a segment reaches each station',
    );
    assert.match(r.out, /^  link +ends +bandwidth +delay +mtu +faults$/m);
    assert.match(r.out, /^  wan +a\.eth0 ↔ b\.eth0 +1 Gbit\/s +10 ms +1400 +loss 1%$/m);
    assert.match(r.out, /^Switches and hubs /m);
    assert.match(r.out, /^  h \(hub, 2 ports\)$/m);
    assert.doesNotMatch(r.out, /DNS servers|Web servers/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('errors: unknown topology, broken file, conflicting options are one line, exit 2', async () => {
  const none = await run('topology', 'nowhere');
  assert.equal(none.code, 2);
  assert.equal(
    none.err,
    'wiretrail: no topology "nowhere": not a file, nor a shipped topology (internet, simple)\n',
  );
  const both = await run('topology', '--routes', '--json');
  assert.equal(both.code, 2);
  const dir = mkdtempSync(join(tmpdir(), 'wiretrail-topo-'));
  try {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'nodes:\n  a: { kind: host, interfaces: { eth0: 10.0.0.300/24 } }\n');
    const bad = await run('topology', f);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^bad\.yaml:2:\d+: nodes\.a\.interfaces\.eth0/m);
    assert.match(bad.err, /wiretrail: .*bad\.yaml: 1 problem in the topology\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('describe/format are pure: same world, same text; units read like people write them', () => {
  const a = formatTopology(describeWorld(buildWorld(undefined, { seed: 1 })));
  const b = formatTopology(describeWorld(buildWorld(undefined, { seed: 1 })));
  assert.deepEqual(a, b);
  assert.equal(formatBandwidth(1e9), '1 Gbit/s');
  assert.equal(formatBandwidth(2.5e9), '2.5 Gbit/s');
  assert.equal(formatBandwidth(64e3), '64 kbit/s');
  assert.equal(formatBandwidth(null), 'unlimited');
  assert.equal(formatDelay(5000), '5 µs');
  assert.equal(formatDelay(1_500_000_000), '1.5 s');
  assert.equal(formatDelay(250), '250 ns');
});
