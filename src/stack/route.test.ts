import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpv4 } from '../wire/addr.js';
import { RouteTable } from './route.js';

const ip = (s: string): number => parseIpv4(s)!;

function table(): RouteTable {
  const t = new RouteTable();
  t.add({ dst: 0, prefix: 0, gateway: ip('192.168.3.1'), iface: 'eth0' });
  t.add({ dst: ip('10.0.0.0'), prefix: 8, gateway: ip('192.168.3.2'), iface: 'eth0' });
  t.add({ dst: ip('10.1.0.0'), prefix: 16, gateway: ip('192.168.3.3'), iface: 'eth0' });
  t.add({ dst: ip('10.1.2.0'), prefix: 24, iface: 'eth1' });
  t.add({ dst: ip('10.1.2.128'), prefix: 25, gateway: ip('10.1.2.1'), iface: 'eth1' });
  t.add({ dst: ip('10.1.2.200'), prefix: 32, gateway: ip('10.1.2.2'), iface: 'eth1' });
  t.add({ dst: ip('192.168.3.0'), prefix: 24, iface: 'eth0', proto: 'kernel' });
  return t;
}

test('longest prefix wins among overlapping routes; the default catches the rest', () => {
  const t = table();
  const via = (d: string): string => {
    const r = t.lookup(ip(d))!;
    return `${r.prefix}`;
  };
  assert.equal(via('10.1.2.200'), '32');
  assert.equal(via('10.1.2.201'), '25');
  assert.equal(via('10.1.2.5'), '24');
  assert.equal(via('10.1.9.9'), '16');
  assert.equal(via('10.9.9.9'), '8');
  assert.equal(via('11.0.0.1'), '0');
  assert.equal(via('192.168.3.77'), '24');
});

test('equal prefixes: the lower metric wins; a duplicate (prefix, metric) is refused', () => {
  const t = new RouteTable();
  assert.equal(
    t.add({ dst: 0, prefix: 0, gateway: ip('10.0.0.1'), iface: 'eth0', metric: 100 }),
    undefined,
  );
  assert.equal(
    t.add({ dst: 0, prefix: 0, gateway: ip('10.0.1.1'), iface: 'eth1', metric: 50 }),
    undefined,
  );
  assert.equal(t.lookup(ip('8.8.8.8'))!.iface, 'eth1');
  assert.match(
    t.add({ dst: 0, prefix: 0, gateway: ip('10.0.2.1'), iface: 'eth2', metric: 50 })!,
    /already exists/,
  );
  assert.equal(t.remove(0, 0, { metric: 50 }), 1);
  assert.equal(t.lookup(ip('8.8.8.8'))!.iface, 'eth0');
});

test('no route: lookup is undefined; host bits of the destination are masked on add', () => {
  const t = new RouteTable();
  t.add({ dst: ip('10.1.2.3'), prefix: 24, iface: 'eth0' });
  assert.equal(t.list()[0].dst, ip('10.1.2.0'));
  assert.equal(t.lookup(ip('10.1.3.1')), undefined);
});

test('explain lists every candidate with its verdict, as the seeds walk the table', () => {
  const t = new RouteTable();
  // The seeds' route -n: 192.168.3.0/24 eth0, 192.168.10.0/24 eth1, default via 192.168.3.1.
  t.add({ dst: ip('192.168.3.0'), prefix: 24, iface: 'eth0', proto: 'kernel' });
  t.add({ dst: ip('192.168.10.0'), prefix: 24, iface: 'eth1', proto: 'kernel' });
  t.add({ dst: 0, prefix: 0, gateway: ip('192.168.3.1'), iface: 'eth0' });
  const a = t.explain(ip('192.168.10.200'));
  assert.equal(a.route!.iface, 'eth1');
  assert.deepEqual(
    a.candidates.map((c) => c.verdict),
    ['no-match', 'chosen', 'less-specific'],
  );
  const b = t.explain(ip('10.100.20.100'));
  assert.equal(b.route!.prefix, 0);
  assert.deepEqual(
    b.candidates.map((c) => c.verdict),
    ['no-match', 'no-match', 'chosen'],
  );
  assert.deepEqual(
    b.candidates.map((c) => c.masked),
    [ip('10.100.20.0'), ip('10.100.20.0'), 0],
  );
  // Display order is /proc/net/route's: by destination, default first.
  assert.deepEqual(
    t.listForDisplay().map((r) => r.prefix),
    [0, 24, 24],
  );
});
