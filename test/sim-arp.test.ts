// ARP: cache lifecycle (INCOMPLETE → REACHABLE → STALE → DELAY → PROBE → REACHABLE / FAILED),
// request retries, queueing while resolving with a limit, host unreachable on failure,
// gratuitous ARP on address set-up, replies only for our own addresses (RFC 826, RFC 1122
// § 2.3.2, Linux neighbour defaults).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep } from '../src/sim/async.js';
import { TraceRecorder } from '../src/sim/trace.js';
import { SECOND } from '../src/sim/time.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { Network } from '../src/world/network.js';
import { lan } from './sim-helpers.js';

const ip = (s: string): number => parseIpv4(s)!;

test('lifecycle: resolve, reachable, stale after 30 s, delay, unicast probe, reachable again', async () => {
  const net = lan();
  const a = net.hostNamed('a');
  const rec = new TraceRecorder(net.trace, (e) => e.kind.startsWith('arp.') && e.node === 'a');
  const s = a.udp.createSocket();
  const b = ip('10.0.0.2');
  const sink = net.hostNamed('b').udp.createSocket();
  sink.bind(9999);
  const run = async (): Promise<void> => {
    await sleep(net.clock, 1 * SECOND); // let the gratuitous ARPs of start-up pass
    s.send(new Uint8Array(8), 9999, b);
    await sleep(net.clock, 1 * SECOND);
    assert.equal(a.iface('eth0')!.arp!.get(b)!.state, 'REACHABLE');
    await sleep(net.clock, 30 * SECOND);
    assert.equal(a.iface('eth0')!.arp!.get(b)!.state, 'STALE');
    s.send(new Uint8Array(8), 9999, b); // used while stale → DELAY, sent with the cached MAC
    assert.equal(a.iface('eth0')!.arp!.get(b)!.state, 'DELAY');
    await sleep(net.clock, 6 * SECOND); // 5 s later: PROBE (unicast), answered → REACHABLE
  };
  await net.runUntilSettled(run());
  const states = rec.ofKind('arp.state').map((e) => `${e.from}→${e.to}`);
  assert.deepEqual(states, [
    'NONE→INCOMPLETE',
    'INCOMPLETE→REACHABLE',
    'REACHABLE→STALE',
    'STALE→DELAY',
    'DELAY→PROBE',
    'PROBE→REACHABLE',
  ]);
  const reqs = rec.ofKind('arp.request').filter((e) => e.reason !== 'gratuitous');
  assert.deepEqual(
    reqs.map((e) => [e.reason, e.unicast ?? 'broadcast']),
    [
      ['resolve', 'broadcast'],
      ['probe', '02:00:00:00:00:02'],
    ],
  );
  // The lazy REACHABLE→STALE transition carries the instant it happened.
  const stale = rec.ofKind('arp.state').find((e) => e.to === 'STALE')!;
  assert.equal(stale.at - rec.ofKind('arp.state')[1].at, 30 * SECOND);
});

test('the target learns the requester (STALE); bystanders do not (RFC 826 merge)', async () => {
  const net = lan();
  const [a, b, c] = ['a', 'b', 'c'].map((n) => net.hostNamed(n));
  b.udp.createSocket().bind(7); // no ICMP answer: b will not use its entry for a
  a.udp.createSocket().send(new Uint8Array(1), 7, ip('10.0.0.2'));
  await net.run();
  assert.equal(b.iface('eth0')!.arp!.get(ip('10.0.0.1'))!.state, 'STALE');
  assert.equal(
    c.iface('eth0')!.arp!.get(ip('10.0.0.1')),
    undefined,
    'c saw the broadcast but was not the target',
  );
});

test('packets wait while resolving and leave in order; the queue drops the oldest when full', async () => {
  const net = new Network();
  net.host('a', { eth0: '10.0.0.1/24' }, {}, { neighbor: { queueLen: 3 } });
  net.host('b', { eth0: '10.0.0.2/24' });
  net.link('a.eth0', 'b.eth0');
  const a = net.hostNamed('a');
  const b = net.hostNamed('b');
  const got: number[] = [];
  const server = b.udp.createSocket();
  server.bind(7);
  server.on('message', (m) => got.push(m[0]));
  const rec = new TraceRecorder(net.trace);
  const s = a.udp.createSocket();
  for (let i = 1; i <= 5; i++) s.send(Uint8Array.of(i), 7, ip('10.0.0.2'));
  await net.run();
  assert.deepEqual(got, [3, 4, 5], 'the two oldest were discarded (Linux unres_qlen behaviour)');
  assert.equal(a.iface('eth0')!.arp!.stats.unresDiscards, 2);
  assert.deepEqual(
    rec.ofKind('arp.queue').map((e) => [e.queued, e.dropped]),
    [
      [1, false],
      [2, false],
      [3, false],
      [3, true],
      [3, true],
    ],
  );
});

test('no answer: 3 requests 1 s apart, then FAILED; queued datagrams get ICMP host unreachable', async () => {
  const net = lan();
  const a = net.hostNamed('a');
  const rec = new TraceRecorder(net.trace, (e) => e.node === 'a');
  const s = a.udp.createSocket();
  const errors: number[] = [];
  s.on('icmp', (info) => errors.push(info.type * 100 + info.code));
  s.send(new Uint8Array(4), 7, ip('10.0.0.99'));
  s.send(new Uint8Array(4), 7, ip('10.0.0.99'));
  await net.run();
  const reqs = rec.ofKind('arp.request').filter((e) => e.target === '10.0.0.99');
  assert.deepEqual(
    reqs.map((e) => [e.t, e.reason, e.attempt]),
    [
      [0, 'resolve', 1],
      [SECOND, 'retry', 2],
      [2 * SECOND, 'retry', 3],
    ],
  );
  const fail = rec.ofKind('arp.fail');
  assert.equal(fail.length, 1);
  assert.equal(fail[0].t, 3 * SECOND);
  assert.equal(fail[0].dropped, 2);
  assert.deepEqual(
    errors,
    [301, 301],
    'destination unreachable / host unreachable, delivered to the socket',
  );
  assert.equal(a.iface('eth0')!.arp!.get(ip('10.0.0.99'))!.state, 'FAILED');
  // Using a failed entry starts resolution again.
  s.send(new Uint8Array(4), 7, ip('10.0.0.99'));
  assert.equal(a.iface('eth0')!.arp!.get(ip('10.0.0.99'))!.state, 'INCOMPLETE');
});

test('gratuitous ARP when carrier comes up and when an address is added; replies only for own addresses', async () => {
  const net = new Network();
  const a = net.host('a', { eth0: '10.0.0.1/24' });
  const b = net.host('b', { eth0: '10.0.0.2/24' });
  const rec = new TraceRecorder(net.trace);
  net.link('a.eth0', 'b.eth0');
  const garps = (): string[] =>
    rec
      .ofKind('arp.request')
      .filter((e) => e.reason === 'gratuitous')
      .map((e) => `${e.node} ${e.target}`);
  assert.deepEqual(garps(), ['a 10.0.0.1', 'b 10.0.0.2']);
  b.addAddress('eth0', ip('10.0.0.3'), 24);
  assert.deepEqual(garps().slice(2), ['b 10.0.0.3']);
  await net.run();
  // Nobody is the target of an announcement, so nobody created an entry from it.
  assert.equal(a.iface('eth0')!.arp!.list().length, 0);
  // b answers for its second address; nobody answers for 10.0.0.4.
  b.udp.createSocket().bind(7);
  const s = a.udp.createSocket();
  s.send(new Uint8Array(1), 7, ip('10.0.0.3'));
  s.send(new Uint8Array(1), 7, ip('10.0.0.4'));
  await net.run();
  assert.equal(a.iface('eth0')!.arp!.get(ip('10.0.0.3'))!.state, 'REACHABLE');
  assert.equal(a.iface('eth0')!.arp!.get(ip('10.0.0.3'))!.mac, b.iface('eth0')!.mac);
  assert.equal(a.iface('eth0')!.arp!.get(ip('10.0.0.4'))!.state, 'FAILED');
  assert.deepEqual(
    rec.ofKind('arp.reply').map((e) => `${e.node} ${e.ip} → ${e.to}`),
    ['b 10.0.0.3 → 10.0.0.1'],
  );
});
