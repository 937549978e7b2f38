/**
 * The netsim matrix (as smoltcp's throughput-vs-loss table): two TcpLayers joined by a seeded
 * lossy channel (test/netsim/channel.ts) transfer 10 MiB across receive-buffer sizes and loss
 * rates 0–30 % with duplication and reordering. Every byte must arrive once and in order (an
 * FNV-1a hash of the stream and its length are compared); the throughput table is kept as a
 * snapshot (test/tcp-netsim.snapshot.txt, refresh with TCP_NETSIM_UPDATE=1); the same seed
 * gives the same trace hash.
 *
 * Size: 10 MiB in every cell. The sender uses NewReno+SACK (the defaults); the channel is a
 * 100 Mbit/s bottleneck with 5 ms one-way delay and a 200-packet queue.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Scheduler } from '../src/sim/scheduler.js';
import { TraceBus } from '../src/sim/trace.js';
import { MS, SECOND } from '../src/sim/time.js';
import { TcpLayer } from '../src/stack/tcp/layer.js';
import type { TcpSocket } from '../src/stack/tcp/socket.js';
import type { CongestionName } from '../src/stack/tcp/config.js';
import { FakeHost } from '../src/stack/tcp/testing.js';
import { LossyChannel } from './netsim/channel.js';

const SNAPSHOT = join(import.meta.dirname, 'tcp-netsim.snapshot.txt');
const MiB = 1 << 20;

interface Cell {
  rcvBuf: number;
  loss: number;
  congestion: CongestionName;
}

interface CellResult {
  bytes: number;
  simSeconds: number;
  mbps: number;
  retrans: number;
  hashOk: boolean;
  traceHash: number;
  events: number;
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
  };
  const A = new TcpLayer(ha, cfg);
  const B = new TcpLayer(hb, cfg);
  const dup = cell.loss > 0 ? 0.01 : 0;
  const reorder = cell.loss > 0 ? 0.02 : 0;
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
      reorderDelay: 3 * MS,
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
  };
}

const BUFFERS = [32 * 1024, 256 * 1024];
const LOSSES = [0, 0.01, 0.05, 0.1, 0.2, 0.3];

test('netsim matrix: 10 MiB in order across buffers and loss 0–30 % (dup 1 %, reorder 2 %)', () => {
  const rows: string[] = [];
  rows.push('rcvbuf   loss   Mbit/s   sim-s  retrans');
  for (const rcvBuf of BUFFERS) {
    for (const loss of LOSSES) {
      const r = runCell({ rcvBuf, loss, congestion: 'newreno' }, 42, 10 * MiB);
      assert.ok(
        r.hashOk,
        `rcvbuf ${rcvBuf} loss ${loss}: ${r.bytes} bytes arrived, hash ${r.hashOk ? 'ok' : 'differs'}`,
      );
      rows.push(
        `${String(rcvBuf / 1024).padStart(4)}K  ${(loss * 100).toFixed(0).padStart(3)} %  ${r.mbps.toFixed(2).padStart(7)}  ${r.simSeconds
          .toFixed(2)
          .padStart(6)}  ${String(r.retrans).padStart(7)}`,
      );
    }
  }
  const table = rows.join('\n') + '\n';
  console.log(table);
  if (process.env.TCP_NETSIM_UPDATE === '1' || !existsSync(SNAPSHOT))
    writeFileSync(SNAPSHOT, table);
  assert.equal(table, readFileSync(SNAPSHOT, 'utf8'), 'throughput table differs from the snapshot');
});

test('netsim: CUBIC delivers the stream intact under loss too', () => {
  const r = runCell({ rcvBuf: 256 * 1024, loss: 0.05, congestion: 'cubic' }, 7, 4 * MiB);
  assert.ok(r.hashOk);
});

test('netsim: the same seed gives the same trace hash; another seed another', () => {
  const cell: Cell = { rcvBuf: 64 * 1024, loss: 0.05, congestion: 'newreno' };
  const a = runCell(cell, 1234, 1 * MiB, true);
  const b = runCell(cell, 1234, 1 * MiB, true);
  const c = runCell(cell, 4321, 1 * MiB, true);
  assert.ok(a.hashOk && c.hashOk);
  assert.ok(a.events > 1000);
  assert.equal(a.traceHash, b.traceHash);
  assert.equal(a.events, b.events);
  assert.notEqual(a.traceHash, c.traceHash);
});
