// bench/sim: how fast the simulator moves frames.
//
//   empty_events_per_s  no-op events through the Scheduler (the baseline, same run)
//   events_per_s        scheduler events/s while frames cross the chain below
//   frames_per_s        frames delivered across links per second of wall time (each of the 5
//                       links a datagram crosses counts once: host→switch, switch→router,
//                       router→router, router→switch, switch→host)
//
// Chain: host a ── sw1 ── r1 ══ r2 ── sw2 ── host b, 1 Gbit/s links, UDP datagrams with 18
// bytes of payload (64-byte frames with FCS), one every 1 µs of simulated time, tracing off.
// After a warm-up, RUNS runs of 200,000 datagrams; the figures are the median run's (by
// frames/s), the table shows the spread; the empty-scheduler baseline likewise.
// Every hop does the real work: FCS (CRC-32) on transmit and on receive at each NIC and
// switch port, MAC learning and lookup, IPv4 header checks, LPM, TTL decrement with
// incremental checksum, ARP cache lookup, new Ethernet header per router hop.
import { performance } from 'node:perf_hooks';
import { Scheduler } from '../src/sim/scheduler.js';
import { US } from '../src/sim/time.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { Network } from '../src/world/network.js';

function emptyScheduler(n: number): { eps: number } {
  const s = new Scheduler();
  let left = n;
  // A chain of events, each scheduling the next (plus a standing population of 1,000 timers so
  // the heap is not trivially small).
  for (let i = 0; i < 1000; i++) s.schedule(1e15 + i, () => {});
  const tick = (): void => {
    if (--left > 0) s.schedule(1, tick);
  };
  s.schedule(1, tick);
  const t0 = performance.now();
  s.runSync({ until: 1e14 });
  const dt = (performance.now() - t0) / 1000;
  return { eps: n / dt };
}

function chain(datagrams: number): {
  eps: number;
  fps: number;
  pps: number;
  frames: number;
  events: number;
  seconds: number;
} {
  const net = new Network({ seed: 1 });
  net.host('a', { eth0: '10.0.1.10/24' }, { default: '10.0.1.1' });
  net.switch('sw1', 2);
  net.router('r1', { eth0: '10.0.1.1/24', eth1: '10.0.0.1/30' }, { default: '10.0.0.2' });
  net.router('r2', { eth0: '10.0.0.2/30', eth1: '10.0.2.1/24' }, { default: '10.0.0.1' });
  net.switch('sw2', 2);
  net.host('b', { eth0: '10.0.2.20/24' }, { default: '10.0.2.1' });
  const props = { bandwidth: 1e9, delay: 1 * US };
  net.link('a.eth0', 'sw1.port1', props);
  net.link('r1.eth0', 'sw1.port2', props);
  net.link('r1.eth1', 'r2.eth0', props);
  net.link('r2.eth1', 'sw2.port1', props);
  net.link('b.eth0', 'sw2.port2', props);
  const a = net.hostNamed('a');
  const b = net.hostNamed('b');
  let received = 0;
  const sink = b.udp.createSocket();
  sink.bind(9);
  sink.on('message', () => received++);
  const src = a.udp.createSocket();
  const dst = parseIpv4('10.0.2.20')!;
  const data = new Uint8Array(18);
  // Warm up: resolve ARP everywhere, let start-up settle.
  src.send(data, 9, dst);
  net.clock.runSync();
  received = 0;
  const delivered0 = net.media.reduce((n, m) => n + m.delivered, 0);
  const events0 = net.clock.processed;
  let left = datagrams;
  const send = (): void => {
    src.send(data, 9, dst);
    if (--left > 0) net.clock.schedule(1 * US, send);
  };
  net.clock.schedule(1 * US, send);
  const t0 = performance.now();
  net.clock.runSync();
  const seconds = (performance.now() - t0) / 1000;
  const frames = net.media.reduce((n, m) => n + m.delivered, 0) - delivered0;
  const events = net.clock.processed - events0;
  if (received !== datagrams) throw new Error(`lost datagrams: ${received} of ${datagrams}`);
  return {
    eps: events / seconds,
    fps: frames / seconds,
    pps: received / seconds,
    frames,
    events,
    seconds,
  };
}

// Warm the JIT, then measure RUNS times and keep the median run.
const RUNS = 3;
emptyScheduler(200_000);
chain(20_000);
const empties = Array.from({ length: RUNS }, () => emptyScheduler(3_000_000));
const chains = Array.from({ length: RUNS }, () => chain(200_000));
const byEps = [...empties].sort((x, y) => x.eps - y.eps);
const empty = byEps[RUNS >> 1];
const byFps = [...chains].sort((x, y) => x.fps - y.fps);
const c = byFps[RUNS >> 1];
const spread = (xs: number[]): string => xs.map((x) => fmt(x)).join(', ');

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log('bench/sim — frames through host–switch–router–router–switch–host');
console.log('');
console.log(
  `  empty scheduler          ${fmt(empty.eps).padStart(12)} events/s   (runs ${spread(empties.map((e) => e.eps))})`,
);
console.log(
  `  chain: scheduler         ${fmt(c.eps).padStart(12)} events/s   (${fmt(c.events)} events in ${c.seconds.toFixed(2)} s)`,
);
console.log(
  `  chain: frames on links   ${fmt(c.fps).padStart(12)} frames/s   (${fmt(c.frames)} frames, 5 per datagram; runs ${spread(chains.map((x) => x.fps))})`,
);
console.log(`  chain: datagrams a → b   ${fmt(c.pps).padStart(12)} datagrams/s`);
console.log('');
console.log(
  JSON.stringify({
    bench: 'sim',
    figures: {
      events_per_s: {
        value: Math.round(c.eps),
        unit: 'events/s',
        target: 1_000_000,
        better: 'higher',
      },
      frames_per_s: {
        value: Math.round(c.fps),
        unit: 'frames/s',
        target: 300_000,
        better: 'higher',
      },
      empty_events_per_s: { value: Math.round(empty.eps), unit: 'events/s', better: 'higher' },
      datagrams_per_s: { value: Math.round(c.pps), unit: 'datagrams/s', better: 'higher' },
    },
  }),
);
