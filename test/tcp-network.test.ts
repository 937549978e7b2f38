/**
 * TCP on simulated hosts (src/devices, src/world): through a switch and two routers, with ARP,
 * Ethernet FCS and IPv4 below it; loopback to the host's own address; an MTU smaller on a
 * router link than at the hosts (RFC 1191 path MTU discovery through ICMP "fragmentation
 * needed" from the router).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MS, SECOND } from '../src/sim/time.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { TcpLayer } from '../src/stack/tcp/layer.js';
import type { TcpSocket } from '../src/stack/tcp/socket.js';
import { Network } from '../src/world/network.js';
import { netstatNapt } from '../src/apps/tools/netstat.js';
import { ssTan } from '../src/apps/tools/ss.js';

function world(mtuMiddle = 1500): { net: Network; layers: Map<string, TcpLayer> } {
  const layers = new Map<string, TcpLayer>();
  const net = new Network({
    seed: 3,
    tcp: (h) => {
      const l = new TcpLayer(h);
      layers.set(h.name, l);
      return l;
    },
  });
  net.host('a', { eth0: '10.0.1.10/24' }, { default: '10.0.1.1' });
  net.switch('sw1', 2);
  net.router(
    'r1',
    { eth0: '10.0.1.1/24', eth1: { address: '10.0.0.1/30', mtu: mtuMiddle } },
    { default: '10.0.0.2' },
  );
  net.router(
    'r2',
    { eth0: { address: '10.0.0.2/30', mtu: mtuMiddle }, eth1: '10.0.2.1/24' },
    { default: '10.0.0.1' },
  );
  net.host('b', { eth0: '10.0.2.20/24' }, { default: '10.0.2.1' });
  const props = { bandwidth: 100e6, delay: 1 * MS };
  net.link('a.eth0', 'sw1.port1', props);
  net.link('r1.eth0', 'sw1.port2', props);
  net.link('r1.eth1', 'r2.eth0', { ...props, mtu: mtuMiddle });
  net.link('r2.eth1', 'b.eth0', props);
  return { net, layers };
}

function transfer(net: Network, size: number): { got: number; client: TcpSocket } {
  const a = net.hostNamed('a');
  const b = net.hostNamed('b');
  let got = 0;
  b.net!.createServer((s) => s.on('data', (d) => (got += d.length))).listen(80);
  const c = a.net!.connect({ host: parseIpv4('10.0.2.20')!, port: 80 }) as TcpSocket;
  c.on('connect', () => c.end(new Uint8Array(size).fill(1)));
  net.clock.runSync({ until: 30 * SECOND });
  return { got, client: c };
}

test('a → switch → r1 → r2 → b: a transfer arrives whole, netstat shows the connection', () => {
  const { net, layers } = world();
  const a = net.hostNamed('a');
  const b = net.hostNamed('b');
  let got = 0;
  b.net!.createServer((s) => s.on('data', (d) => (got += d.length))).listen(80);
  const c = a.net!.connect({ host: parseIpv4('10.0.2.20')!, port: 80 }) as TcpSocket;
  c.on('connect', () => c.write(new Uint8Array(300_000)));
  net.clock.runSync({ until: 2 * SECOND });
  assert.equal(got, 300_000);
  assert.match(netstatNapt(layers.get('b')!), /10\.0\.2\.20:80 +10\.0\.1\.10:\d+ +ESTABLISHED/);
  assert.match(ssTan(layers.get('a')!), /ESTAB +0 +0 +10\.0\.1\.10:\d+ +10\.0\.2\.20:80/);
});

test('path MTU discovery: a 1200-byte middle link lowers the MSS via ICMP (RFC 1191)', () => {
  const { net, layers } = world(1200);
  const { got, client } = transfer(net, 100_000);
  assert.equal(got, 100_000);
  assert.ok(layers.get('a')!.stats.pmtuUpdates >= 1);
  assert.equal(client.state, 'TIME-WAIT');
});

test("loopback: connecting to the host's own address", () => {
  const { net } = world();
  const a = net.hostNamed('a');
  let got = '';
  a.net!.createServer((s) => s.on('data', (d) => (got += new TextDecoder().decode(d)))).listen(
    8080,
  );
  const c = a.net!.connect({ host: parseIpv4('10.0.1.10')!, port: 8080 });
  c.on('connect', () => c.end(new TextEncoder().encode('to myself')));
  net.clock.runSync({ until: 1 * SECOND });
  assert.equal(got, 'to myself');
});

test('local congestion: segments our own device queue refuses are sent later, not lost', () => {
  // a's transmit queue holds 8 frames; slow start soon offers more than the 100 Mbit/s link
  // and those 8 frames can take. Linux's answer (tcp_transmit_skb seeing NET_XMIT_DROP): the
  // segment never left, so it is not retransmitted later — it simply goes out on a later ACK —
  // and the window is reduced once per window (CWR).
  const layers = new Map<string, TcpLayer>();
  const net = new Network({
    seed: 5,
    tcp: (h) => {
      const l = new TcpLayer(h, { congestion: 'newreno' });
      layers.set(h.name, l);
      return l;
    },
  });
  net.host('a', { eth0: '10.0.1.10/24' }, { default: '10.0.1.1' });
  net.router('r1', { eth0: '10.0.1.1/24', eth1: '10.0.2.1/24' });
  net.host('b', { eth0: '10.0.2.20/24' }, { default: '10.0.2.1' });
  net.link('a.eth0', 'r1.eth0', { bandwidth: 100e6, delay: 1 * MS, queue: 8 });
  net.link('r1.eth1', 'b.eth0', { bandwidth: 100e6, delay: 1 * MS });
  const { got } = transfer(net, 2_000_000);
  assert.equal(got, 2_000_000);
  const st = layers.get('a')!.stats;
  assert.ok(st.localCongestion > 0, 'the device queue refused segments');
  assert.equal(st.drops['ip-send-queue-full'], st.localCongestion);
  assert.equal(st.retransSegs, 0, 'none of them counted as lost');
  assert.equal(st.timeouts, 0);
  assert.equal(net.hostNamed('a').iface('eth0')!.counters.txDropped, st.localCongestion);
});

test('ECN end to end: a router queue marks CE, the sender slows down without losing a segment', () => {
  // a (ECN on) → r1 → b; r1's 10 Mbit/s link to b marks CE once 20 frames are queued (RFC 3168).
  const layers = new Map<string, TcpLayer>();
  const net = new Network({
    seed: 7,
    tcp: (h) => {
      const l = new TcpLayer(h, { congestion: 'newreno', ecn: h.name === 'a' ? 'on' : 'passive' });
      layers.set(h.name, l);
      return l;
    },
  });
  net.host('a', { eth0: '10.0.1.10/24' }, { default: '10.0.1.1' });
  net.router('r1', { eth0: '10.0.1.1/24', eth1: '10.0.2.1/24' });
  net.host('b', { eth0: '10.0.2.20/24' }, { default: '10.0.2.1' });
  net.link('a.eth0', 'r1.eth0', { bandwidth: 100e6, delay: 1 * MS });
  net.link('r1.eth1', 'b.eth0', { bandwidth: 10e6, delay: 5 * MS, ecnThreshold: 20 });
  const { got } = transfer(net, 1_000_000);
  assert.equal(got, 1_000_000);
  const marked = net.hostNamed('r1').iface('eth1')!.counters.ecnMarked;
  const st = layers.get('a')!.stats;
  assert.ok(marked > 0, 'the bottleneck queue marked CE');
  assert.ok(st.ecnEceRecv > 0, 'a reduced its window on ECN-Echo');
  assert.equal(st.retransSegs, 0, 'nothing was lost');
  assert.equal(net.hostNamed('r1').iface('eth1')!.counters.txDropped, 0);
});

test('connect to an address nobody has: the router reports host unreachable, connect fails fast (as Linux)', () => {
  const { net } = world();
  const a = net.hostNamed('a');
  const c = a.net!.connect({ host: parseIpv4('10.0.2.99')!, port: 80 }) as TcpSocket;
  let code = '';
  let at = 0;
  c.on('error', (e) => {
    code = (e as { code?: string }).code ?? '';
    at = net.clock.now();
  });
  net.clock.runSync({ until: 30 * SECOND });
  // r2's ARP for 10.0.2.99 fails after 3 requests 1 s apart; its ICMP host unreachable aborts
  // the connecting socket (Linux tcp_v4_err) instead of two minutes of SYN retries.
  assert.equal(code, 'EHOSTUNREACH');
  assert.ok(at > 2 * SECOND && at < 5 * SECOND, `failed after ${at / SECOND} s`);
});

test('with icmpSoftErrorsAbortConnect off, the same error stays soft until the SYNs time out', () => {
  const { net, layers } = world();
  const a = net.hostNamed('a');
  layers.get('a')!.configure({ icmpSoftErrorsAbortConnect: false, synRetries: 2 });
  const c = a.net!.connect({ host: parseIpv4('10.0.2.99')!, port: 80 }) as TcpSocket;
  let code = '';
  let at = 0;
  c.on('error', (e) => {
    code = (e as { code?: string }).code ?? '';
    at = net.clock.now();
  });
  net.clock.runSync({ until: 30 * SECOND });
  // RFC 1122 § 4.2.3.9: reported (as the remembered soft error) only when connecting gives up.
  assert.equal(code, 'EHOSTUNREACH');
  assert.ok(at > 5 * SECOND, `failed after ${at / SECOND} s`);
});
