// Applications await the socket API over simulated time: a continuation woken by an event runs
// before the clock moves past that event (DESIGN.md "Time and application code"); TCP attaches
// to a host in one line and runs across the routed network.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MS } from '../src/sim/time.js';
import { TcpLayer } from '../src/stack/tcp/layer.js';
import type { UdpSocket } from '../src/stack/udp.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { threeRouters } from './sim-helpers.js';

function nextMessage(s: UdpSocket): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const on = (m: Uint8Array): void => {
      s.off('message', on);
      resolve(m);
    };
    s.on('message', on);
  });
}

test('an app awaiting UDP replies observes the arrival instant, even with later events queued', async () => {
  const net = threeRouters();
  const pc = net.hostNamed('pc');
  const srv = net.hostNamed('srv');
  const echo = srv.udp.createSocket();
  echo.bind(7);
  echo.on('message', (m, r) => echo.send(m, r.port, r.address));
  const arrivals: number[] = [];
  net.trace.subscribe((e) => {
    if (e.kind === 'udp.rx' && e.node === 'pc') arrivals.push(e.t);
  });
  // Unrelated events every millisecond that would move the clock if continuations were late.
  for (let i = 1; i < 200; i++) net.clock.schedule(i * MS, () => {});
  const c = pc.udp.createSocket();
  const seen: number[] = [];
  const app = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      c.send(Uint8Array.of(i), 7, parseIpv4('10.0.1.80')!);
      const m = await nextMessage(c);
      await Promise.resolve(); // more awaits: still the same instant
      seen.push(net.clock.now());
      assert.equal(m[0], i);
    }
  };
  await net.runUntilSettled(app());
  assert.deepEqual(seen, arrivals);
});

test('TCP attaches in one line and carries data across three routers', async () => {
  const net = threeRouters();
  const pc = net.hostNamed('pc');
  const srv = net.hostNamed('srv');
  pc.attachTcp((h) => new TcpLayer(h));
  srv.attachTcp((h) => new TcpLayer(h));
  assert.ok(pc.net !== undefined);
  srv
    .net!.createServer((sock) => {
      sock.on('data', (d) => sock.write(d));
      sock.on('end', () => sock.end());
    })
    .listen(80);
  const app = async (): Promise<number> => {
    const s = pc.net!.connect({ host: parseIpv4('10.0.1.80')!, port: 80 });
    await new Promise<void>((resolve) => s.on('connect', () => resolve()));
    s.write(new Uint8Array(20_000).fill(0x41));
    s.end();
    let got = 0;
    for await (const chunk of s) got += chunk.length;
    return got;
  };
  assert.equal(await net.runUntilSettled(app()), 20_000);
  assert.ok(net.hostNamed('r2').ipStats.ForwDatagrams > 20);
});
