/**
 * One netsim transfer (the cells of test/tcp-netsim.test.ts): two TcpLayers on FakeHosts joined
 * by a LossyChannel (100 Mbit/s bottleneck, 5 ms one-way, 200-packet queue), `size` bytes from A
 * to B, hash-compared.
 */
import { Scheduler } from '../../src/sim/scheduler.js';
import { TraceBus } from '../../src/sim/trace.js';
import { MS, SECOND } from '../../src/sim/time.js';
import { TcpLayer } from '../../src/stack/tcp/layer.js';
import type { TcpSocket } from '../../src/stack/tcp/socket.js';
import type { CongestionName, TcpConfig } from '../../src/stack/tcp/config.js';
import type { TcpStats } from '../../src/stack/tcp/stats.js';
import { FakeHost } from '../../src/stack/tcp/testing.js';
import { LossyChannel } from './channel.js';

export interface Cell {
  rcvBuf: number;
  loss: number;
  congestion: CongestionName;
  /** Channel overrides; by default duplication 1 % and reordering 2 % (3 ms) when loss > 0. */
  duplicate?: number;
  reorder?: number;
  reorderDelay?: number;
  /** TcpConfig overrides for both layers. */
  config?: Partial<TcpConfig>;
}

export interface CellResult {
  bytes: number;
  simSeconds: number;
  mbps: number;
  retrans: number;
  hashOk: boolean;
  traceHash: number;
  events: number;
  /** The sender's counters. */
  stats: TcpStats;
}

function fnv(h: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

/** Deterministic pattern byte at stream offset i. */
function patternChunk(off: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = off + i;
    out[i] = (x * 2654435761) >>> 24;
  }
  return out;
}

export function runCell(cell: Cell, seed: number, size: number, traced = false): CellResult {
  const clock = new Scheduler();
  const bus = new TraceBus(() => clock.now());
  let traceHash = 0x811c9dc5;
  let events = 0;
  if (traced) {
    const enc = new TextEncoder();
    bus.subscribe((e) => {
      events++;
      traceHash = fnv(traceHash, enc.encode(JSON.stringify(e)));
    });
  }
  const ha = new FakeHost('a', clock, 0x0a000001, seed, bus);
  const hb = new FakeHost('b', clock, 0x0a000002, seed, bus);
  const cfg = {
    rcvBuf: cell.rcvBuf,
    sndBuf: Math.max(cell.rcvBuf, 256 * 1024),
    congestion: cell.congestion,
    retries2: 30,
    ...cell.config,
  };
  const A = new TcpLayer(ha, cfg);
  const B = new TcpLayer(hb, cfg);
  const dup = cell.duplicate ?? (cell.loss > 0 ? 0.01 : 0);
  const reorder = cell.reorder ?? (cell.loss > 0 ? 0.02 : 0);
  new LossyChannel(
    clock,
    seed,
    {
      delay: 5 * MS,
      bandwidth: 100e6,
      queue: 200,
      loss: cell.loss,
      duplicate: dup,
      reorder,
      reorderDelay: cell.reorderDelay ?? 3 * MS,
    },
    ha,
    A,
    hb,
    B,
  );
  let rxHash = 0x811c9dc5;
  let rxBytes = 0;
  let doneAt = 0;
  const server = B.createServer((s) => {
    s.on('data', (d) => {
      rxHash = fnv(rxHash, d);
      rxBytes += d.length;
    });
    s.on('end', () => (doneAt = clock.now()));
  });
  server.listen(5001);
  const c = A.connect({ host: 0x0a000002, port: 5001 }) as TcpSocket;
  let txHash = 0x811c9dc5;
  let sent = 0;
  const CHUNK = 64 * 1024;
  const pump = (): void => {
    while (sent < size) {
      const n = Math.min(CHUNK, size - sent);
      const chunk = patternChunk(sent, n);
      txHash = fnv(txHash, chunk);
      sent += n;
      if (!c.write(chunk)) return;
    }
    c.end();
  };
  let start = 0;
  c.on('connect', () => {
    start = clock.now();
    pump();
  });
  c.on('drain', pump);
  clock.runSync({ until: 48 * 3600 * SECOND });
  const simSeconds = (doneAt - start) / SECOND;
  return {
    bytes: rxBytes,
    simSeconds,
    mbps: doneAt > 0 ? (rxBytes * 8) / simSeconds / 1e6 : 0,
    retrans: A.stats.retransSegs,
    hashOk: rxBytes === size && rxHash === txHash && doneAt > 0,
    traceHash,
    events,
    stats: A.stats,
  };
}
