// Learning switch: learn, forward known, flood unknown unicast and broadcast, filter same-port
// traffic, age entries out, drop bad FCS; a hub repeats everything; a link's timing and queue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceRecorder } from '../src/sim/trace.js';
import { SECOND, US } from '../src/sim/time.js';
import { Simulation } from '../src/sim/simulation.js';
import type { LinkPort, Wire } from '../src/sim/link.js';
import { frameTime } from '../src/sim/link.js';
import { Switch } from '../src/devices/switch.js';
import { Hub } from '../src/devices/hub.js';
import { writeMac } from '../src/wire/addr.js';
import { appendFcs } from '../src/wire/ethernet.js';

/** A bare port that records what it receives and can send raw frames. */
class Probe implements LinkPort {
  readonly id: string;
  wire: Wire | undefined;
  readonly txQueueLen = 100;
  got: { t: number; frame: Uint8Array }[] = [];
  constructor(
    private sim: Simulation,
    readonly node: string,
  ) {
    this.id = `${node}.eth0`;
  }
  frameIn(frame: Uint8Array): void {
    this.got.push({ t: this.sim.clock.now(), frame });
  }
}

function frame(dst: number, src: number, len = 60): Uint8Array {
  const f = new Uint8Array(len + 4);
  writeMac(f, 0, dst);
  writeMac(f, 6, src);
  f[12] = 0x08;
  f[13] = 0x00;
  appendFcs(f, 0, len);
  return f;
}

const A = 0x020000000001;
const B = 0x020000000002;
const C = 0x020000000003;
const BCAST = 0xffffffffffff;

function setup() {
  const sim = new Simulation({ seed: 1 });
  const sw = new Switch(sim, 'sw', { ports: 4, ageing: 300 * SECOND });
  const probes = ['a', 'b', 'c'].map((n) => new Probe(sim, n));
  probes.forEach((p, i) =>
    sim.connect(p, sw.port(`port${i + 1}`)!, { bandwidth: 1e9, delay: 1 * US }),
  );
  const rec = new TraceRecorder(sim.trace);
  return { sim, sw, probes, rec };
}

test('switch learns the source port, floods unknown unicast, then forwards to the known port only', () => {
  const { sim, sw, probes, rec } = setup();
  const [a, b, c] = probes;
  a.wire!.send(frame(B, A)); // B unknown: flood to ports 2 and 3
  sim.clock.runSync();
  assert.equal(b.got.length, 1);
  assert.equal(c.got.length, 1);
  assert.equal(a.got.length, 0, 'never back out of the source port');
  assert.deepEqual(
    rec.ofKind('switch.learn').map((e) => [e.port, e.mac]),
    [['port1', '02:00:00:00:00:01']],
  );
  assert.deepEqual(
    rec.ofKind('switch.forward').map((e) => [e.decision, e.outPorts]),
    [['flood', ['port2', 'port3']]],
  );
  b.wire!.send(frame(A, B)); // A known on port1
  sim.clock.runSync();
  assert.equal(a.got.length, 1);
  assert.equal(c.got.length, 1, 'known destination: not flooded');
  const sent = frame(B, A);
  a.wire!.send(sent); // now B is known too
  sim.clock.runSync();
  assert.equal(b.got.length, 2);
  assert.equal(c.got.length, 1);
  assert.deepEqual(
    rec.ofKind('switch.forward').map((e) => e.decision),
    ['flood', 'known', 'known'],
  );
  // The frame is forwarded unchanged (same bytes: a switch port has no MAC).
  assert.equal(b.got[1].frame, sent);
  assert.deepEqual(
    sw.macTable().map((e) => [e.mac, e.port.name]),
    [
      [A, 'port1'],
      [B, 'port2'],
    ],
  );
});

test('broadcast goes to every port but the source; a frame for the source port is filtered', () => {
  const { sim, probes, rec } = setup();
  const [a, b, c] = probes;
  a.wire!.send(frame(BCAST, A));
  sim.clock.runSync();
  assert.deepEqual([a.got.length, b.got.length, c.got.length], [0, 1, 1]);
  // Another station on port1 (behind a hub, say) sends to A: same port, so discarded.
  a.wire!.send(frame(A, C));
  sim.clock.runSync();
  assert.deepEqual(
    rec.ofKind('switch.forward').map((e) => e.decision),
    ['broadcast', 'filter'],
  );
  assert.deepEqual([b.got.length, c.got.length], [1, 1]);
});

test('entries age out after the ageing time; the next frame is flooded again', () => {
  const { sim, sw, probes, rec } = setup();
  const [a, b, c] = probes;
  b.wire!.send(frame(A, B));
  sim.clock.runSync();
  assert.equal(sw.lookup(B)?.port.name, 'port2');
  sim.clock.runSync({ until: sim.clock.now() + 299 * SECOND });
  assert.equal(sw.lookup(B)?.port.name, 'port2', 'still valid before 300 s');
  sim.clock.runSync({ until: sim.clock.now() + 2 * SECOND });
  a.wire!.send(frame(B, A));
  sim.clock.runSync();
  assert.equal(c.got.length, 2, 'B aged out: flooded (c saw the first flood and this one)');
  const aged = rec.ofKind('switch.age');
  assert.equal(aged.length, 1);
  assert.equal(aged[0].mac, '02:00:00:00:00:02');
  // Last seen when its frame arrived: 72 bytes at 1 Gbit/s (576 ns) + 1 µs propagation.
  assert.equal(aged[0].at, 300 * SECOND + 1_576, 'expired 300 s after it was last seen');
  // A station that moves is re-learned on its new port.
  c.wire!.send(frame(A, B));
  sim.clock.runSync();
  assert.equal(sw.lookup(B)?.port.name, 'port3');
});

test('store-and-forward: a frame with a bad FCS is dropped by the switch', () => {
  const { sim, probes, rec, sw } = setup();
  const [a, b] = probes;
  const f = frame(BCAST, A);
  f[20] ^= 0x01;
  a.wire!.send(f);
  sim.clock.runSync();
  assert.equal(b.got.length, 0);
  assert.deepEqual(
    rec.ofKind('switch.drop').map((e) => e.reason),
    ['bad-fcs'],
  );
  assert.equal(sw.port('port1')!.counters.rxCrcErrors, 1);
});

test('hub repeats every frame to every other port, bad FCS included', () => {
  const sim = new Simulation();
  const hub = new Hub(sim, 'hub', { ports: 3 });
  const probes = ['a', 'b', 'c'].map((n) => new Probe(sim, n));
  probes.forEach((p, i) => sim.connect(p, hub.port(`port${i + 1}`)!));
  const f = frame(B, A);
  f[30] ^= 0x80;
  probes[0].wire!.send(f);
  sim.clock.runSync();
  assert.deepEqual(
    probes.map((p) => p.got.length),
    [0, 1, 1],
  );
});

test('link timing: preamble + SFD + 64-byte minimum + IFG, propagation delay, drop-tail queue', () => {
  const sim = new Simulation();
  const a = new Probe(sim, 'a');
  const b = new Probe(sim, 'b');
  const link = sim.connect(a, b, { bandwidth: 10e6, delay: 100 * US, queue: 2 });
  const rec = new TraceRecorder(sim.trace);
  // A 20-byte frame still costs 64 bytes + 8 preamble/SFD: 72 × 0.8 µs = 57.6 µs to the last bit.
  for (let i = 0; i < 5; i++) a.wire!.send(frame(B, A, 16));
  sim.clock.runSync();
  assert.equal(b.got.length, 3, 'one on the wire + 2 queued; 2 dropped');
  assert.equal(b.got[0].t, 57_600 + 100_000);
  // Back to back: each later frame starts after the previous one's 12-byte gap (84 × 0.8 µs).
  assert.equal(b.got[1].t - b.got[0].t, 67_200);
  assert.deepEqual(
    rec.ofKind('link.drop').map((e) => e.reason),
    ['queue-full', 'queue-full'],
  );
  assert.equal(frameTime(64, 10e6), 67_200);
  // Oversized frames are giants.
  a.wire!.send(new Uint8Array(1600));
  assert.equal(rec.ofKind('link.drop').at(-1)!.reason, 'too-big');
  assert.equal(link.props.mtu, 1500);
});

test('segment: every station hears every frame; one transmitter for all', () => {
  const sim = new Simulation();
  const ps = ['a', 'b', 'c'].map((n) => new Probe(sim, n));
  sim.segment(ps, { bandwidth: 10e6, delay: 0 });
  ps[0].wire!.send(frame(B, A));
  ps[1].wire!.send(frame(A, B)); // must wait for the medium
  sim.clock.runSync();
  assert.deepEqual(
    ps.map((p) => p.got.length),
    [1, 1, 2],
  );
  assert.equal(ps[0].got[0].t - ps[1].got[0].t, 67_200);
});
