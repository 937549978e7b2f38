// IPv4 across the simulated network: MAC rewrite at every router hop while the IP addresses
// stay, TTL expiry with ICMP time exceeded, fragmentation to the egress MTU and reassembly,
// DF with ICMP fragmentation needed, header checks as counted drops, loopback, broadcasts,
// UDP port unreachable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep } from '../src/sim/async.js';
import { TraceRecorder } from '../src/sim/trace.js';
import { MS, SECOND } from '../src/sim/time.js';
import { formatIpv4, formatMac, parseIpv4, readIpv4, readMac } from '../src/wire/addr.js';
import { emitIpv4, parseIpv4 as parseIpv4Header } from '../src/wire/ipv4.js';
import { onesSum } from '../src/wire/checksum.js';
import type { IcmpErrorInfo } from '../src/stack/api.js';
import { Network } from '../src/world/network.js';
import { lan, threeRouters } from './sim-helpers.js';

const ip = (s: string): number => parseIpv4(s)!;

test('at every router hop the MACs change and the IP addresses stay; TTL drops by one', async () => {
  const net = threeRouters();
  const pc = net.hostNamed('pc');
  const srv = net.hostNamed('srv');
  const sink = srv.udp.createSocket();
  sink.bind(5000);
  const got: Uint8Array[] = [];
  sink.on('message', (m) => got.push(m));
  const rec = new TraceRecorder(
    net.trace,
    (e) => e.kind === 'link.rx' || e.kind === 'router.forward',
  );
  const run = async (): Promise<void> => {
    await sleep(net.clock, 1 * SECOND);
    pc.udp.createSocket().send(new TextEncoder().encode('hello'), 5000, ip('10.0.1.80'));
    await sleep(net.clock, 1 * SECOND);
  };
  await net.runUntilSettled(run());
  assert.equal(got.length, 1);
  const hops = rec
    .ofKind('link.rx')
    .filter((e) => e.frame[12] === 0x08 && e.frame[13] === 0x00 && e.frame[14 + 9] === 17)
    .map((e) => ({
      at: e.to,
      srcMac: formatMac(readMac(e.frame, 6)),
      dstMac: formatMac(readMac(e.frame, 0)),
      srcIp: formatIpv4(readIpv4(e.frame, 26)),
      dstIp: formatIpv4(readIpv4(e.frame, 30)),
      ttl: e.frame[22],
      checksumOk: onesSum(e.frame, 14, 34) === 0xffff,
    }));
  const mac = (n: string, i: string): string => formatMac(net.hostNamed(n).iface(i)!.mac);
  assert.deepEqual(
    hops.map((h) => [h.at, h.srcMac, h.dstMac, h.ttl]),
    [
      ['sw1.port1', mac('pc', 'eth0'), mac('r1', 'eth0'), 64],
      ['r1.eth0', mac('pc', 'eth0'), mac('r1', 'eth0'), 64],
      ['r2.eth0', mac('r1', 'eth1'), mac('r2', 'eth0'), 63],
      ['r3.eth0', mac('r2', 'eth1'), mac('r3', 'eth0'), 62],
      ['sw2.port1', mac('r3', 'eth1'), mac('srv', 'eth0'), 61],
      ['srv.eth0', mac('r3', 'eth1'), mac('srv', 'eth0'), 61],
    ],
  );
  for (const h of hops) {
    assert.equal(h.srcIp, '192.168.3.10');
    assert.equal(h.dstIp, '10.0.1.80');
    assert.ok(h.checksumOk, `header checksum after the incremental update at ${h.at}`);
  }
  const fw = rec.ofKind('router.forward');
  assert.deepEqual(
    fw.map((e) => [e.node, e.ttlIn, e.ttlOut, e.route, e.inSrcMac === e.srcMac]),
    [
      ['r1', 64, 63, 'default via 10.0.0.2 dev eth1', false],
      ['r2', 63, 62, 'default via 10.0.0.6 dev eth1', false],
      ['r3', 62, 61, '10.0.1.0/24 dev eth1', false],
    ],
  );
});

test('TTL expiry: the router that would decrement to 0 drops and sends time exceeded', async () => {
  const net = threeRouters();
  const pc = net.hostNamed('pc');
  const s = pc.udp.createSocket();
  const errs: IcmpErrorInfo[] = [];
  s.on('icmp', (e) => errs.push(e));
  s.setTTL(2);
  s.send(new Uint8Array(10), 5000, ip('10.0.1.80'));
  await net.run();
  assert.equal(errs.length, 1);
  assert.equal(errs[0].type, 11);
  assert.equal(errs[0].code, 0);
  assert.equal(formatIpv4(errs[0].from), '10.0.0.2');
  assert.equal(formatIpv4(errs[0].dst), '10.0.1.80');
  assert.equal(net.hostNamed('r2').drops.get('ip:ttl-expired'), 1);
  assert.equal(net.hostNamed('r2').icmp.stats.OutTimeExcds, 1);
});

test('no route at a router: net unreachable, and the datagram never reaches ip_forward (Linux routes first)', async () => {
  const net = new Network({ seed: 1 });
  net.host('pc', { eth0: '192.168.3.10/24' }, { default: '192.168.3.1' });
  net.router('r', { eth0: '192.168.3.1/24', eth1: '10.0.0.1/30' }, {});
  net.host('far', { eth0: '10.0.0.2/30' }, { default: '10.0.0.1' });
  net.link('pc.eth0', 'r.eth0');
  net.link('r.eth1', 'far.eth0');
  const rec = new TraceRecorder(net.trace, (e) => e.kind === 'stack.rx' && e.node === 'r');
  const s = net.hostNamed('pc').udp.createSocket();
  const errs: IcmpErrorInfo[] = [];
  s.on('icmp', (e) => errs.push(e));
  s.send(new Uint8Array(10), 5000, ip('203.0.113.9'));
  await net.run();
  assert.deepEqual(
    errs.map((e) => [e.type, e.code, formatIpv4(e.from)]),
    [[3, 0, '192.168.3.1']],
  );
  assert.equal(net.hostNamed('r').drops.get('ip:no-route'), 1);
  const stages = (): string[] => rec.ofKind('stack.rx').map((e) => e.stage);
  assert.ok(stages().includes('ip_rcv'));
  assert.ok(!stages().includes('ip_forward'), stages().join(' '));
  // a datagram with a route does reach ip_forward
  s.send(new Uint8Array(10), 5000, ip('10.0.0.2'));
  await net.run();
  assert.ok(stages().includes('ip_forward'));
});

test('fragmentation to the egress MTU at a router, reassembly at the destination', async () => {
  const net = threeRouters();
  // A narrow link in the middle: 576-byte MTU between r2 and r3.
  net.medium('r2.eth1-r3.eth0')!.update({ mtu: 576 });
  net.hostNamed('r2').iface('eth1')!.mtu = 576;
  net.hostNamed('r3').iface('eth0')!.mtu = 576;
  const srv = net.hostNamed('srv');
  const sink = srv.udp.createSocket();
  sink.bind(5000);
  const got: Uint8Array[] = [];
  sink.on('message', (m) => got.push(m));
  const rec = new TraceRecorder(net.trace, (e) => e.kind === 'ip.frag' || e.kind === 'ip.reasm');
  const payload = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
  net.hostNamed('pc').udp.createSocket().send(payload, 5000, ip('10.0.1.80'));
  await net.run();
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], payload);
  // pc splits 3028 bytes for its 1500-byte MTU (1480 + 1480 + 68 data bytes); r2 splits the
  // two big ones again for 576 (552 + 552 + 376); the 88-byte last one fits.
  const frags = rec.ofKind('ip.frag').map((e) => [e.node, e.mtu, e.fragments]);
  assert.deepEqual(frags, [
    ['pc', 1500, 3],
    ['r2', 576, 3],
    ['r2', 576, 3],
  ]);
  const reasm = rec.ofKind('ip.reasm').filter((e) => e.node === 'srv');
  assert.equal(reasm.length, 7);
  assert.equal(reasm.at(-1)!.event, 'complete');
  assert.equal(srv.ipStats.ReasmOKs, 1);
});

test('DF set and too big for the next hop: dropped with ICMP fragmentation needed and the MTU', async () => {
  const net = threeRouters();
  net.medium('r2.eth1-r3.eth0')!.update({ mtu: 1400 });
  net.hostNamed('r2').iface('eth1')!.mtu = 1400;
  net.hostNamed('r3').iface('eth0')!.mtu = 1400;
  const pc = net.hostNamed('pc');
  const ping = pc.icmp.openPing();
  const errs: { code: number; mtu: number; from: string }[] = [];
  ping.on('error', (e) => errs.push({ code: e.code, mtu: e.mtu, from: formatIpv4(e.from) }));
  assert.equal(
    ping.send(ip('10.0.1.80'), 1, new Uint8Array(1472), { dontFragment: true }),
    undefined,
  );
  assert.equal(
    ping.send(ip('10.0.1.80'), 2, new Uint8Array(1473), { dontFragment: true }),
    'too-big',
    'EMSGSIZE locally',
  );
  await net.run();
  // Like Linux (icmp_errors_use_inbound_ifaddr = 0), the error comes from the address of the
  // interface the error leaves by: r2's eth0, towards pc.
  assert.deepEqual(errs, [{ code: 4, mtu: 1400, from: '10.0.0.2' }]);
  assert.equal(net.hostNamed('r2').drops.get('ip:frag-needed'), 1);
});

test('reassembly at a host: out of order with a duplicate; an overlap is dropped; a timeout sends ICMP', async () => {
  const net = lan();
  const b = net.hostNamed('b');
  const a = net.hostNamed('a');
  const sink = b.udp.createSocket();
  sink.bind(9);
  const got: number[] = [];
  sink.on('message', (m) => got.push(m.length));
  const errs: IcmpErrorInfo[] = [];
  const s = a.udp.createSocket();
  s.bind(4000);
  s.on('icmp', (e) => errs.push(e));
  // A 2000-byte UDP datagram built by hand and cut into fragments of 800 data bytes.
  const udp = new Uint8Array(2008);
  udp[0] = 0x0f;
  udp[1] = 0xa0; // sport 4000
  udp[3] = 9; // dport 9
  udp[4] = 2008 >> 8;
  udp[5] = 2008 & 0xff; // checksum 0: none (RFC 768)
  const fragment = (ident: number, off: number, len: number, more: boolean): Uint8Array => {
    const f = new Uint8Array(20 + len);
    emitIpv4(
      {
        dscp: 0,
        ecn: 0,
        ident,
        dontFrag: false,
        moreFrags: more,
        fragOffset: off,
        ttl: 64,
        protocol: 17,
        src: ip('10.0.0.1'),
        dst: ip('10.0.0.2'),
        payloadLen: len,
      },
      f,
      0,
    );
    f.set(udp.subarray(off, off + len), 20);
    return f;
  };
  const inject = (f: Uint8Array): void => b.ipInput(b.iface('eth0')!, f, 0, f.length, 'host');
  inject(fragment(1, 1600, 408, false));
  inject(fragment(1, 0, 800, true));
  inject(fragment(1, 0, 800, true));
  inject(fragment(1, 800, 800, true));
  assert.deepEqual(got, [2000]);
  inject(fragment(2, 0, 800, true));
  inject(fragment(2, 400, 800, true)); // overlaps [0, 800)
  inject(fragment(2, 1600, 408, false));
  assert.deepEqual(got, [2000]);
  assert.equal(b.drops.get('ip:reasm-overlap'), 1);
  inject(fragment(3, 0, 800, true)); // never completed
  const run = async (): Promise<void> => {
    await sleep(net.clock, 31 * SECOND);
  };
  await net.runUntilSettled(run());
  assert.equal(b.ipStats.ReasmTimeout, 2, 'datagram 2 (restarted by its last fragment) and 3');
  assert.deepEqual(
    errs.map((e) => [e.type, e.code]),
    [[11, 1]],
    'time exceeded (reassembly) only where fragment zero arrived',
  );
});

test('header checks: bad checksum, bad version, truncated, martian source are counted drops', () => {
  const net = lan();
  const b = net.hostNamed('b');
  const eth0 = b.iface('eth0')!;
  const good = new Uint8Array(28);
  emitIpv4(
    {
      dscp: 0,
      ecn: 0,
      ident: 1,
      dontFrag: false,
      moreFrags: false,
      fragOffset: 0,
      ttl: 64,
      protocol: 17,
      src: ip('10.0.0.1'),
      dst: ip('10.0.0.2'),
      payloadLen: 8,
    },
    good,
    0,
  );
  const badSum = good.slice();
  badSum[10] ^= 0xff;
  const badVer = good.slice();
  badVer[0] = 0x65;
  const martian = new Uint8Array(28);
  emitIpv4(
    {
      dscp: 0,
      ecn: 0,
      ident: 1,
      dontFrag: false,
      moreFrags: false,
      fragOffset: 0,
      ttl: 64,
      protocol: 17,
      src: ip('127.0.0.1'),
      dst: ip('10.0.0.2'),
      payloadLen: 8,
    },
    martian,
    0,
  );
  b.ipInput(eth0, badSum, 0, 28, 'host');
  b.ipInput(eth0, badVer, 0, 28, 'host');
  b.ipInput(eth0, good, 0, 20, 'host');
  b.ipInput(eth0, martian, 0, 28, 'host');
  b.ipInput(eth0, good, 0, 28, 'otherhost');
  assert.deepEqual(Object.fromEntries(b.drops), {
    'ip:bad-checksum': 1,
    'ip:bad-version': 1,
    'ip:truncated': 1,
    'ip:martian-source': 1,
    'ip:other-host': 1,
  });
  assert.equal(b.ipStats.InCsumErrors, 1);
  assert.ok(parseIpv4Header(good).ok);
});

test('loopback, limited and directed broadcast, port unreachable', async () => {
  const net = lan();
  const [a, b, c] = ['a', 'b', 'c'].map((n) => net.hostNamed(n));
  const got: string[] = [];
  for (const h of [a, b, c]) {
    const s = h.udp.createSocket();
    s.bind(7);
    s.on('message', (m, r) => got.push(`${h.name}<-${formatIpv4(r.address)}:${m.length}`));
  }
  const s = a.udp.createSocket();
  // Bound to an address: Linux then sends limited broadcasts out of that address's interface
  // even without a default route.
  s.bind(0, ip('10.0.0.1'));
  const errs: number[] = [];
  s.on('icmp', (e) => errs.push(e.code));
  const run = async (): Promise<void> => {
    s.send(new Uint8Array(1), 7, ip('127.0.0.1'));
    s.send(new Uint8Array(2), 7, ip('10.0.0.1'));
    await sleep(net.clock, 10 * MS);
    s.send(new Uint8Array(3), 7, ip('255.255.255.255'));
    s.send(new Uint8Array(4), 7, ip('10.0.0.255'));
    s.send(new Uint8Array(5), 8, ip('10.0.0.255')); // nobody on 8: no ICMP for broadcasts
    s.send(new Uint8Array(6), 8, ip('10.0.0.3'));
    await sleep(net.clock, 10 * MS);
  };
  await net.runUntilSettled(run());
  assert.deepEqual(
    got.sort(),
    [
      'a<-10.0.0.1:1',
      'a<-10.0.0.1:2',
      'b<-10.0.0.1:3',
      'b<-10.0.0.1:4',
      'c<-10.0.0.1:3',
      'c<-10.0.0.1:4',
    ].sort(),
  );
  assert.deepEqual(errs, [3], 'port unreachable for the unicast only');
  assert.equal(c.udp.stats.NoPorts, 2);
  assert.equal(c.icmp.stats.OutDestUnreachs, 1);
});

test('a router answers ARP and ping only on its own addresses; a host does not forward', async () => {
  const net = new Network();
  net.host('a', { eth0: '10.0.0.1/24' }, { default: '10.0.0.254' });
  net.host('h', { eth0: '10.0.0.254/24', eth1: '10.0.1.254/24' }); // forwarding off
  net.host('z', { eth0: '10.0.1.1/24' }, { default: '10.0.1.254' });
  net.link('a.eth0', 'h.eth0');
  net.link('z.eth0', 'h.eth1');
  const a = net.hostNamed('a');
  const p = a.icmp.openPing();
  let replies = 0;
  p.on('reply', () => replies++);
  p.send(ip('10.0.1.1'), 1, new Uint8Array(8));
  p.send(ip('10.0.1.254'), 2, new Uint8Array(8)); // h's other address: answered (weak host model)
  await net.run();
  assert.equal(replies, 1);
  assert.equal(net.hostNamed('h').drops.get('ip:not-for-me'), 1);
});
