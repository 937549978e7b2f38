// bench/tcp: how fast wiretrail's TCP moves data, and what an idle connection costs.
//
//   inprocess_gbit_per_s   bulk transfer between two TcpLayers joined directly in one process
//                          (no link, no delay), loopback-like MTU 65536, 4 MiB buffers, NewReno
//   loopback_gbit_per_s    the reference: Node `net` over 127.0.0.1 in the same run
//   idle_conn_bytes        heap per idle ESTABLISHED connection endpoint (TCB + socket object),
//                          measured over 10,000 connections (20,000 endpoints), buffers are not
//                          allocated until data flows
//   chain_bulk_segments_per_s / chain_bulk_wall_s
//                          A–R1–R2–B over point-to-point links of 1 Gbit/s and 1 ms, MTU 1500,
//                          one NewReno flow of 100 MB: data segments delivered to B per wall
//                          second (every hop does ARP, IPv4 checks, LPM, TTL; the FCS is
//                          offloaded — computed only where it can be observed, docs/sim.md).
//                          One 100 MB run first warms the JIT (the in-process runs before it
//                          never reach the routers' code, and the optimizing tiers settle
//                          during the first 100 MB); then CHAIN_RUNS runs of 100 MB, and the
//                          figure is their median (the table shows the spread, and frames
//                          and scheduler events per wall second of the same runs).
//   chain_bulk_eager_fcs_segments_per_s
//                          one more 100 MB run with setEagerFcs(true): every NIC computes and
//                          checks every FCS, as before FCS offload (for comparison; no target).
//
// Last line: the JSON object of docs/ENGINEERING.md.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Scheduler } from '../src/sim/scheduler.js';
import { MS, SECOND } from '../src/sim/time.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { TcpLayer } from '../src/stack/tcp/layer.js';
import type { TcpSocket } from '../src/stack/tcp/socket.js';
import { FakeHost, wire } from '../src/stack/tcp/testing.js';
import { Network } from '../src/world/network.js';
import { setEagerFcs } from '../src/stack/nic.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function inProcess(bytes: number, mtu: number): { gbps: number; segs: number; seconds: number } {
  const clock = new Scheduler();
  const ha = new FakeHost('a', clock, 0x0a000001);
  const hb = new FakeHost('b', clock, 0x0a000002);
  ha.record = hb.record = false;
  ha.mtu = hb.mtu = mtu;
  const cfg = { rcvBuf: 4 << 20, sndBuf: 4 << 20, maxBuf: 4 << 20 };
  const A = new TcpLayer(ha, cfg);
  const B = new TcpLayer(hb, cfg);
  wire(clock, ha, A, hb, B, 0);
  let rx = 0;
  B.createServer((s) => s.on('data', (d) => (rx += d.length))).listen(80);
  const c = A.connect({ host: 0x0a000002, port: 80 }) as TcpSocket;
  const chunk = new Uint8Array(1 << 20).fill(7);
  let sent = 0;
  const pump = (): void => {
    while (sent < bytes) {
      sent += chunk.length;
      if (!c.write(chunk)) return;
    }
    c.end();
  };
  c.on('connect', pump);
  c.on('drain', pump);
  const t0 = performance.now();
  clock.runSync();
  const seconds = (performance.now() - t0) / 1000;
  if (rx !== bytes) throw new Error(`in-process transfer delivered ${rx} of ${bytes}`);
  return { gbps: (rx * 8) / seconds / 1e9, segs: A.stats.outSegs + B.stats.outSegs, seconds };
}

function loopback(bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let t0 = 0;
    const srv = net.createServer((s) => {
      let n = 0;
      s.on('data', (d) => (n += d.length));
      s.on('end', () => {
        const dt = (performance.now() - t0) / 1000;
        srv.close();
        resolve((n * 8) / dt / 1e9);
      });
    });
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address() as net.AddressInfo;
      const c = net.connect(addr.port, '127.0.0.1', () => {
        t0 = performance.now();
        const buf = Buffer.alloc(1 << 20, 7);
        let sent = 0;
        const pump = (): void => {
          while (sent < bytes) {
            sent += buf.length;
            if (!c.write(buf)) return;
          }
          c.end();
        };
        c.on('drain', pump);
        pump();
      });
      c.on('error', reject);
    });
  });
}

function idleConnections(n: number): number {
  const clock = new Scheduler();
  const ha = new FakeHost('a', clock, 0x0a000001);
  const hb = new FakeHost('b', clock, 0x0a000002);
  ha.record = hb.record = false;
  const A = new TcpLayer(ha);
  const B = new TcpLayer(hb);
  wire(clock, ha, A, hb, B, 50_000);
  const server: TcpSocket[] = [];
  B.createServer((s) => server.push(s as TcpSocket)).listen(80);
  clock.runSync();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const clients: TcpSocket[] = [];
  for (let i = 0; i < n; i++) clients.push(A.connect({ host: 0x0a000002, port: 80 }) as TcpSocket);
  clock.runSync({ until: clock.now() + 1 * SECOND });
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const established = clients.filter((c) => c.state === 'ESTABLISHED').length;
  if (established !== n || server.length !== n)
    throw new Error(`only ${established}/${server.length} of ${n} established`);
  const perEndpoint = (after - before) / (2 * n);
  // keep them alive until measured
  if (clients.length + server.length < 0) console.log('');
  return perEndpoint;
}

interface ChainRun {
  wall: number;
  sim: number;
  segments: number;
  /** Frames delivered by the three links (both directions). */
  frames: number;
  /** Scheduler events run. */
  events: number;
}

async function chainBulk(bytes: number): Promise<ChainRun> {
  const netw = new Network({
    seed: 1,
    tcp: (h) =>
      new TcpLayer(h, { rcvBuf: 4 << 20, sndBuf: 4 << 20, maxBuf: 4 << 20, congestion: 'newreno' }),
  });
  netw.host('a', { eth0: '10.0.1.10/24' }, { default: '10.0.1.1' });
  netw.router('r1', { eth0: '10.0.1.1/24', eth1: '10.0.0.1/30' }, { default: '10.0.0.2' });
  netw.router('r2', { eth0: '10.0.0.2/30', eth1: '10.0.2.1/24' }, { default: '10.0.0.1' });
  netw.host('b', { eth0: '10.0.2.20/24' }, { default: '10.0.2.1' });
  const props = { bandwidth: 1e9, delay: 1 * MS, mtu: 1500, queue: 1000 };
  netw.link('a.eth0', 'r1.eth0', props);
  netw.link('r1.eth1', 'r2.eth0', props);
  netw.link('r2.eth1', 'b.eth0', props);
  const a = netw.hostNamed('a');
  const b = netw.hostNamed('b');
  let rx = 0;
  let segments = 0;
  let end = 0;
  b.net!.createServer((s) => {
    s.on('data', (d) => {
      rx += d.length;
      segments++;
    });
    s.on('end', () => (end = netw.clock.now()));
  }).listen(5001);
  const c = a.net!.connect({ host: parseIpv4('10.0.2.20')!, port: 5001 }) as TcpSocket;
  const chunk = new Uint8Array(1 << 20).fill(7);
  let sent = 0;
  let start = 0;
  const pump = (): void => {
    while (sent < bytes) {
      const n = Math.min(chunk.length, bytes - sent);
      sent += n;
      if (!c.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return;
    }
    c.end();
  };
  c.on('connect', () => {
    start = netw.clock.now();
    pump();
  });
  c.on('drain', pump);
  const events0 = netw.clock.processed;
  const t0 = performance.now();
  netw.clock.runSync();
  const wall = (performance.now() - t0) / 1000;
  if (rx !== bytes) throw new Error(`chain transfer delivered ${rx} of ${bytes}`);
  const frames = netw.media.reduce((n, m) => n + m.delivered, 0);
  const events = netw.clock.processed - events0;
  return { wall, sim: (end - start) / SECOND, segments, frames, events };
}

const CHAIN_RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const ip = inProcess(1 << 30, 65536);
  const ip1500 = inProcess(256 << 20, 1500);
  const lo = await loopback(2 ** 31);
  const idle = idleConnections(10_000);
  await chainBulk(100_000_000); // warm-up: the JIT is still tiering up during the first 100 MB
  const runs: ChainRun[] = [];
  for (let i = 0; i < CHAIN_RUNS; i++) runs.push(await chainBulk(100_000_000));
  setEagerFcs(true);
  const eager = await chainBulk(100_000_000);
  setEagerFcs(false);
  const eagerRate = eager.segments / eager.wall;
  const rates = runs.map((r) => r.segments / r.wall);
  const segps = median(rates);
  const chain = runs[rates.indexOf(segps)] ?? runs[0];
  console.log('measure                               value');
  console.log(
    `in-process, MTU 65536 (Gbit/s)        ${ip.gbps.toFixed(2)}   (${(ip.segs / ip.seconds).toFixed(0)} segments/s)`,
  );
  console.log(
    `in-process, MTU 1500 (Gbit/s)         ${ip1500.gbps.toFixed(2)}   (${(ip1500.segs / ip1500.seconds).toFixed(0)} segments/s)`,
  );
  console.log(`Node net over 127.0.0.1 (Gbit/s)      ${lo.toFixed(2)}`);
  console.log(`idle connection endpoint (bytes)      ${idle.toFixed(0)}`);
  console.log(
    `chain-bulk 100 MB: wall s             ${chain.wall.toFixed(2)}  (median of ${CHAIN_RUNS}: ${runs.map((r) => r.wall.toFixed(2)).join(', ')})`,
  );
  console.log(
    `chain-bulk 100 MB: simulated s        ${chain.sim.toFixed(3)}  (${((100_000_000 * 8) / chain.sim / 1e6).toFixed(0)} Mbit/s simulated)`,
  );
  console.log(
    `chain-bulk segments delivered/wall s  ${segps.toFixed(0)}  (${chain.segments} segments; runs ${rates.map((r) => r.toFixed(0)).join(', ')})`,
  );
  console.log(
    `chain-bulk frames on links/wall s     ${(chain.frames / chain.wall).toFixed(0)}  (${chain.frames} frames, ${(chain.events / chain.wall).toFixed(0)} scheduler events/s)`,
  );
  console.log(
    `chain-bulk, every FCS computed+checked ${eagerRate.toFixed(0)}  (segments/wall s, one run, setEagerFcs)`,
  );
  console.log(
    JSON.stringify({
      bench: 'tcp',
      figures: {
        inprocess_gbit_per_s: {
          value: round(ip.gbps),
          unit: 'Gbit/s',
          target: round(0.3 * lo),
          better: 'higher',
        },
        loopback_gbit_per_s: { value: round(lo), unit: 'Gbit/s', better: 'higher' },
        idle_conn_bytes: { value: Math.round(idle), unit: 'bytes', target: 8192, better: 'lower' },
        chain_bulk_segments_per_s: {
          value: Math.round(segps),
          unit: 'segments/s',
          target: 150000,
          better: 'higher',
        },
        chain_bulk_wall_s: { value: round(chain.wall), unit: 's', better: 'lower' },
        chain_bulk_eager_fcs_segments_per_s: {
          value: Math.round(eagerRate),
          unit: 'segments/s',
          better: 'higher',
        },
      },
    }),
  );
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

await main();
