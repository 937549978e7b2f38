// Linux-shaped tool output across three routers: ping (iputils), traceroute (traceroute 2.x),
// arp -n / -a (net-tools), route -n (net-tools), ip route get / ip -s link (iproute2), and a
// switch's MAC table (brctl showmacs). Formats are asserted line by line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arpRows, formatArpA, formatArpN } from '../src/apps/tools/arp.js';
import { formatShowMacs } from '../src/apps/tools/bridge.js';
import { explainRouteGet, formatIpLink, ipRouteGet } from '../src/apps/tools/ip.js';
import { formatPingTime, ping } from '../src/apps/tools/ping.js';
import { routeN } from '../src/apps/tools/route.js';
import { traceroute } from '../src/apps/tools/traceroute.js';
import { ReverseNames } from '../src/apps/dns/reverse.js';
import { sleep } from '../src/sim/async.js';
import { formatIpv4, parseIpv4 } from '../src/wire/addr.js';
import { MS, SECOND } from '../src/sim/time.js';
import { Network } from '../src/world/network.js';
import { threeRouters } from './sim-helpers.js';

test('ping across three routers prints what iputils ping prints', async () => {
  const net = threeRouters();
  const r = await net.runUntilSettled(ping(net.hostNamed('pc'), { target: '10.0.1.80', count: 3 }));
  // First RTT includes ARP at every hop; the next two are the steady state:
  // 2 × (pc→sw1 58.8 µs + sw1→r1 1.88 + r1→r2 2088 + r2→r3 3000.88 + r3→sw2 1.88 + sw2→srv 1.88).
  assert.deepEqual(r.lines, [
    'PING 10.0.1.80 (10.0.1.80) 56(84) bytes of data.',
    '64 bytes from 10.0.1.80: icmp_seq=1 ttl=61 time=18.3 ms',
    '64 bytes from 10.0.1.80: icmp_seq=2 ttl=61 time=10.3 ms',
    '64 bytes from 10.0.1.80: icmp_seq=3 ttl=61 time=10.3 ms',
    '',
    '--- 10.0.1.80 ping statistics ---',
    '3 packets transmitted, 3 received, 0% packet loss, time 2000ms',
    'rtt min/avg/max/mdev = 10.306/12.974/18.311/3.773 ms',
  ]);
  assert.equal(r.exitCode, 0);
  // The general shapes, as a Linux user would recognise them.
  assert.match(
    r.lines[1],
    /^\d+ bytes from \d+\.\d+\.\d+\.\d+: icmp_seq=\d+ ttl=\d+ time=\d+(\.\d+)? ms$/,
  );
  assert.match(
    r.lines[6],
    /^\d+ packets transmitted, \d+ received, [\d.]+% packet loss, time \d+ms$/,
  );
  assert.match(
    r.lines[7],
    /^rtt min\/avg\/max\/mdev = \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms$/,
  );
});

test('ping prints ICMP errors like iputils: TTL exceeded, host unreachable, loss summary', async () => {
  const net = threeRouters();
  const pc = net.hostNamed('pc');
  const ttl = await net.runUntilSettled(ping(pc, { target: '10.0.1.80', count: 2, ttl: 2 }));
  assert.deepEqual(ttl.lines, [
    'PING 10.0.1.80 (10.0.1.80) 56(84) bytes of data.',
    'From 10.0.0.2 icmp_seq=1 Time to live exceeded',
    'From 10.0.0.2 icmp_seq=2 Time to live exceeded',
    '',
    '--- 10.0.1.80 ping statistics ---',
    '2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms',
  ]);
  assert.equal(ttl.exitCode, 1);
  const unreach = await net.runUntilSettled(ping(pc, { target: '192.168.3.99', count: 3 }));
  // ARP gives up after 3 requests 1 s apart; the queued requests come back as host unreachable
  // from the sender's own address, as Linux reports them.
  assert.deepEqual(unreach.lines.slice(0, 4), [
    'PING 192.168.3.99 (192.168.3.99) 56(84) bytes of data.',
    'From 192.168.3.10 icmp_seq=1 Destination Host Unreachable',
    'From 192.168.3.10 icmp_seq=2 Destination Host Unreachable',
    'From 192.168.3.10 icmp_seq=3 Destination Host Unreachable',
  ]);
  assert.equal(
    unreach.lines[6],
    '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2000ms',
  );
  const nonet = new Network();
  nonet.host('lonely', { eth0: '10.9.9.9/24' });
  const nr = await nonet.runUntilSettled(
    ping(nonet.hostNamed('lonely'), { target: '8.8.8.8', count: 1 }),
  );
  assert.deepEqual(nr.lines, ['ping: connect: Network is unreachable']);
  assert.equal(nr.exitCode, 2);
});

test("ping's summary time runs from the first request to the last, as iputils' finish()", async () => {
  // iputils: cur_time (set by pinger() when it sends) − start_time. One request: 0ms, however
  // long its reply takes; n requests: (n − 1) intervals; replies after the last send add nothing.
  const net = threeRouters();
  const pc = net.hostNamed('pc');
  const one = await net.runUntilSettled(ping(pc, { target: '10.0.1.80', count: 1 }));
  assert.deepEqual(one.lines.slice(1), [
    '64 bytes from 10.0.1.80: icmp_seq=1 ttl=61 time=18.3 ms',
    '',
    '--- 10.0.1.80 ping statistics ---',
    '1 packets transmitted, 1 received, 0% packet loss, time 0ms',
    'rtt min/avg/max/mdev = 18.311/18.311/18.311/0.000 ms',
  ]);
  const fast = await net.runUntilSettled(
    ping(pc, { target: '10.0.1.80', count: 3, interval: 200 * MS, quiet: true }),
  );
  assert.equal(fast.lines[3], '3 packets transmitted, 3 received, 0% packet loss, time 400ms');
});

test('ping time= precision follows iputils (3, 2, 1, 0 decimals)', () => {
  assert.equal(formatPingTime(45), '0.045 ms');
  assert.equal(formatPingTime(1234), '1.23 ms');
  assert.equal(formatPingTime(12345), '12.3 ms');
  assert.equal(formatPingTime(123456), '123 ms');
});

test('traceroute across three routers prints what Linux traceroute prints', async () => {
  const net = threeRouters();
  const r = await net.runUntilSettled(traceroute(net.hostNamed('pc'), { target: '10.0.1.80' }));
  assert.deepEqual(r.lines, [
    'traceroute to 10.0.1.80 (10.0.1.80), 30 hops max, 60 byte packets',
    ' 1  192.168.3.1 (192.168.3.1)  0.174 ms  0.182 ms  0.190 ms',
    ' 2  10.0.0.2 (10.0.0.2)  6.250 ms  6.329 ms  6.407 ms',
    ' 3  10.0.0.6 (10.0.0.6)  18.488 ms  18.563 ms  18.638 ms',
    ' 4  10.0.1.80 (10.0.1.80)  18.714 ms  18.789 ms  18.864 ms',
  ]);
  assert.equal(r.reached, true);
  for (const l of r.lines.slice(1))
    assert.match(l, /^ {0,1}\d{1,2}  (\S+ \(\S+\)  \d+\.\d{3} ms)(  \d+\.\d{3} ms){2}$/);
  // Probes go to ports 33434, 33435, ... one per probe, with TTL 1, 1, 1, 2, ...
  assert.deepEqual(
    r.hops[0].map((p) => [p.ttl, p.port]),
    [
      [1, 33434],
      [1, 33435],
      [1, 33436],
    ],
  );
  const n = threeRouters();
  const rn = await n.runUntilSettled(
    traceroute(n.hostNamed('pc'), { target: '10.0.1.80', numeric: true, maxTtl: 5 }),
  );
  assert.equal(rn.lines[0], 'traceroute to 10.0.1.80 (10.0.1.80), 5 hops max, 60 byte packets');
  assert.equal(rn.lines[2], ' 2  10.0.0.2  6.250 ms  6.329 ms  6.407 ms');
});

test('traceroute marks silent hops with * and unreachable networks with !N', async () => {
  const net = threeRouters();
  // Without its default route r3 cannot answer pc: hop 3 and the target stay silent.
  const r3 = net.hostNamed('r3');
  r3.routes.remove(0, 0);
  const r = await net.runUntilSettled(
    traceroute(net.hostNamed('pc'), { target: '10.0.1.80', maxTtl: 4, wait: 1_000_000_000 }),
  );
  assert.equal(r.lines[3], ' 3  * * *');
  assert.equal(r.lines[4], ' 4  * * *');
  const net3 = threeRouters();
  net3.hostNamed('r2').routes.remove(0, 0);
  const r3b = await net3.runUntilSettled(
    traceroute(net3.hostNamed('pc'), { target: '172.16.0.1', numeric: true }),
  );
  assert.deepEqual(r3b.lines.slice(1), [
    ' 1  192.168.3.1  0.174 ms  0.182 ms  0.190 ms',
    ' 2  10.0.0.2  6.250 ms !N  6.329 ms !N  6.407 ms !N',
  ]);
});

test('route -n, arp -n, arp -a, ip route get, ip -s link and brctl showmacs', async () => {
  const net = new Network();
  // The seeds' route -n example: two interfaces, default route via eth0.
  const pc = net.host(
    'pc',
    {
      eth0: { address: '192.168.3.10/24', mac: '02:00:00:00:00:0a' },
      eth1: { address: '192.168.10.10/24', mac: '02:00:00:00:00:0b' },
    },
    { default: '192.168.3.1' },
  );
  net.host('gw', { eth0: { address: '192.168.3.1/24', mac: '02:00:00:00:01:01' } });
  net.switch('sw', 4);
  net.link('pc.eth0', 'sw.port1');
  net.link('gw.eth0', 'sw.port2');
  await net.runUntilSettled(ping(pc, { target: '192.168.3.1', count: 1 }));
  await net.runUntilSettled(ping(pc, { target: '192.168.3.77', count: 1 }));
  assert.deepEqual(routeN(pc), [
    'Kernel IP routing table',
    'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface',
    '0.0.0.0         192.168.3.1     0.0.0.0         UG    0      0        0 eth0',
    '192.168.3.0     0.0.0.0         255.255.255.0   U     0      0        0 eth0',
    '192.168.10.0    0.0.0.0         255.255.255.0   U     0      0        0 eth1',
  ]);
  assert.deepEqual(formatArpN(arpRows(pc)), [
    'Address                  HWtype  HWaddress           Flags Mask            Iface',
    '192.168.3.1              ether   02:00:00:00:01:01   C                     eth0',
    '192.168.3.77                     (incomplete)                              eth0',
  ]);
  assert.deepEqual(formatArpA(arpRows(pc)), [
    '? (192.168.3.1) at 02:00:00:00:01:01 [ether] on eth0',
    '? (192.168.3.77) at <incomplete> on eth0',
  ]);
  // The seeds: 192.168.10.200 leaves through eth1 with eth1's address; 10.100.20.100 takes the default route.
  assert.deepEqual(ipRouteGet(pc, '192.168.10.200').lines, [
    '192.168.10.200 dev eth1 src 192.168.10.10 uid 0',
    '    cache',
  ]);
  assert.deepEqual(ipRouteGet(pc, '10.100.20.100').lines, [
    '10.100.20.100 via 192.168.3.1 dev eth0 src 192.168.3.10 uid 0',
    '    cache',
  ]);
  assert.deepEqual(ipRouteGet(pc, '192.168.3.10').lines, [
    'local 192.168.3.10 dev lo src 192.168.3.10 uid 0',
    '    cache <local>',
  ]);
  assert.deepEqual(explainRouteGet(pc, parseIpv4('10.100.20.100')!), [
    '192.168.3.0/24 dev eth0: 10.100.20.100 AND 255.255.255.0 = 10.100.20.0 ≠ 192.168.3.0: no match',
    '192.168.10.0/24 dev eth1: 10.100.20.100 AND 255.255.255.0 = 10.100.20.0 ≠ 192.168.10.0: no match',
    '0.0.0.0/0 via 192.168.3.1 dev eth0: 10.100.20.100 AND 0.0.0.0 = 0.0.0.0 = 0.0.0.0: match, chosen',
    'source address 192.168.3.10 (address of eth0 on the subnet of 192.168.3.1)',
  ]);
  const link = formatIpLink(pc, 1);
  assert.deepEqual(link.slice(0, 6), [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
    '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    '    RX:  bytes packets errors dropped  missed   mcast',
    '            56       1      0       0       0       0',
    '    TX:  bytes packets errors dropped carrier collsns',
    '            56       1      0       0       0       0',
  ]);
  assert.equal(
    link[6],
    '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode DEFAULT group default qlen 1000',
  );
  assert.equal(link[7], '    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff');
  assert.match(link[9], /^ {4}( {0,9}\d+)( {1,7}\d+){5}$/);
  assert.equal(
    link[12],
    '3: eth1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc pfifo_fast state DOWN mode DEFAULT group default qlen 1000',
  );
  const macs = formatShowMacs(net.switchNamed('sw'));
  assert.equal(macs[0], 'port no\tmac addr\t\tis local?\tageing timer');
  assert.match(macs[1], /^ {2}1\t02:00:00:00:00:0a\tno\t\t {2,3}\d+\.\d\d$/);
  assert.match(macs[2], /^ {2}2\t02:00:00:00:01:01\tno\t\t {2,3}\d+\.\d\d$/);
});

test('traceroute with names: "name (address)", the lookup holds up the loop but not the times', async () => {
  // A slow name service (2 s per address, as a resolver that times out once would be): the
  // probes' times are taken when their answers arrive, so they equal the plain run's.
  const net = threeRouters();
  const asked: string[] = [];
  const names = new ReverseNames(async (a) => {
    asked.push(formatIpv4(a));
    await sleep(net.clock, 2 * SECOND);
    return a === parseIpv4('10.0.0.2') ? 'r2.example.net' : undefined;
  });
  const r = await net.runUntilSettled(
    traceroute(net.hostNamed('pc'), { target: '10.0.1.80', names }),
  );
  assert.deepEqual(r.lines, [
    'traceroute to 10.0.1.80 (10.0.1.80), 30 hops max, 60 byte packets',
    ' 1  192.168.3.1 (192.168.3.1)  0.174 ms  0.182 ms  0.190 ms',
    ' 2  r2.example.net (10.0.0.2)  6.250 ms  6.329 ms  6.407 ms',
    ' 3  10.0.0.6 (10.0.0.6)  18.488 ms  18.563 ms  18.638 ms',
    ' 4  10.0.1.80 (10.0.1.80)  18.714 ms  18.789 ms  18.864 ms',
  ]);
  assert.deepEqual(asked, ['192.168.3.1', '10.0.0.2', '10.0.0.6', '10.0.1.80'], 'once each');
  assert.ok(net.clock.now() >= 8 * SECOND, 'four lookups of 2 s, one after the other');
  // -n: the names are not asked for
  const n = threeRouters();
  const none = new ReverseNames(() => assert.fail('no lookup with -n'));
  const rn = await n.runUntilSettled(
    traceroute(n.hostNamed('pc'), { target: '10.0.1.80', numeric: true, names: none }),
  );
  assert.equal(rn.lines[2], ' 2  10.0.0.2  6.250 ms  6.329 ms  6.407 ms');
});

test('ping with names: pr_addr blocks the loop (the next request waits), even with -q', async () => {
  const slow = (net: Network, asked: string[]) =>
    new ReverseNames(async (a) => {
      asked.push(formatIpv4(a));
      await sleep(net.clock, 3 * SECOND);
      return 'web.example.net';
    });
  const net = threeRouters();
  const asked: string[] = [];
  const r = await net.runUntilSettled(
    ping(net.hostNamed('pc'), { target: '10.0.1.80', count: 3, names: slow(net, asked) }),
  );
  assert.deepEqual(asked, ['10.0.1.80']);
  assert.match(
    r.lines[1],
    /^64 bytes from web\.example\.net \(10\.0\.1\.80\): icmp_seq=1 ttl=61 time=/,
  );
  assert.match(r.lines[3], /^64 bytes from web\.example\.net \(10\.0\.1\.80\): icmp_seq=3 /);
  // the second request went out when the 3 s lookup was done, not at 1 s; RTTs are unchanged
  assert.match(
    r.lines.at(-2)!,
    /^3 packets transmitted, 3 received, 0% packet loss, time 40\d\dms$/,
  );
  const p = threeRouters();
  const plain = await p.runUntilSettled(ping(p.hostNamed('pc'), { target: '10.0.1.80', count: 1 }));
  assert.equal(r.rtts[0], plain.rtts[0]);
  // -q: no reply lines, but iputils still calls pr_addr for each reply (one lookup here)
  const q = threeRouters();
  const askedQ: string[] = [];
  const rq = await q.runUntilSettled(
    ping(q.hostNamed('pc'), { target: '10.0.1.80', count: 1, quiet: true, names: slow(q, askedQ) }),
  );
  assert.deepEqual(askedQ, ['10.0.1.80']);
  assert.equal(rq.lines.filter((l) => l.includes('bytes from')).length, 0);
});
