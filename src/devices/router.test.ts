/**
 * Forwarding without copies (src/stack/netstack.ts forward/xmit, src/sim/link.ts exclusive
 * delivery): a router rewrites a frame in place only when nobody else can see it, and the FCS
 * it amends is the FCS a full CRC would give.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Simulation } from '../sim/simulation.js';
import { TraceRecorder } from '../sim/trace.js';
import { US } from '../sim/time.js';
import { parseIpv4 } from '../wire/addr.js';
import { ETH_FCS_LEN, verifyFcs } from '../wire/ethernet.js';
import { FRAME_EXCLUSIVE, FRAME_FCS_LATER, settleFcs } from '../sim/link.js';
import { setEagerFcs } from '../stack/nic.js';
import type { Nic } from '../stack/nic.js';
import { Host } from './host.js';
import { Router } from './router.js';
import { Switch } from './switch.js';

interface Seen {
  frame: Uint8Array;
  exclusive: boolean;
  fcsLater: boolean;
  bytes: Uint8Array;
}

/** Records what reaches a NIC (the object, the flags, a copy of the bytes at arrival). */
function tap(nic: Nic): Seen[] {
  const seen: Seen[] = [];
  const inner = nic.frameIn.bind(nic);
  nic.frameIn = (frame: Uint8Array, flags = 0) => {
    seen.push({
      frame,
      exclusive: (flags & FRAME_EXCLUSIVE) !== 0,
      fcsLater: (flags & FRAME_FCS_LATER) !== 0,
      bytes: frame.slice(),
    });
    inner(frame, flags);
  };
  return seen;
}

/** a ── r1 ── r2 ── b (optionally a switch between a and r1). */
function chain(viaSwitch: boolean) {
  const sim = new Simulation({ seed: 7 });
  const a = new Host(sim, 'a');
  const r1 = new Router(sim, 'r1');
  const r2 = new Router(sim, 'r2');
  const b = new Host(sim, 'b');
  a.addInterface('eth0');
  r1.addInterface('eth0');
  r1.addInterface('eth1');
  r2.addInterface('eth0');
  r2.addInterface('eth1');
  b.addInterface('eth0');
  a.addAddress('eth0', parseIpv4('10.0.1.10')!, 24);
  r1.addAddress('eth0', parseIpv4('10.0.1.1')!, 24);
  r1.addAddress('eth1', parseIpv4('10.0.0.1')!, 30);
  r2.addAddress('eth0', parseIpv4('10.0.0.2')!, 30);
  r2.addAddress('eth1', parseIpv4('10.0.2.1')!, 24);
  b.addAddress('eth0', parseIpv4('10.0.2.20')!, 24);
  a.addRoute({ dst: 0, prefix: 0, gateway: parseIpv4('10.0.1.1')!, iface: 'eth0' });
  r1.addRoute({ dst: 0, prefix: 0, gateway: parseIpv4('10.0.0.2')!, iface: 'eth1' });
  r2.addRoute({ dst: 0, prefix: 0, gateway: parseIpv4('10.0.0.1')!, iface: 'eth0' });
  b.addRoute({ dst: 0, prefix: 0, gateway: parseIpv4('10.0.2.1')!, iface: 'eth0' });
  const props = { bandwidth: 1e9, delay: 1 * US };
  if (viaSwitch) {
    const sw = new Switch(sim, 'sw', { ports: 3 });
    sim.connect(a.port('eth0')!, sw.port('port1')!, props);
    sim.connect(r1.port('eth0')!, sw.port('port2')!, props);
  } else {
    sim.connect(a.port('eth0')!, r1.port('eth0')!, props);
  }
  sim.connect(r1.port('eth1')!, r2.port('eth0')!, props);
  sim.connect(r2.port('eth1')!, b.port('eth0')!, props);
  const got: number[] = [];
  const sink = b.udp.createSocket();
  sink.bind(9);
  sink.on('message', (m) => got.push(m.length));
  const send = (size: number): void => {
    const src = a.udp.createSocket();
    src.send(new Uint8Array(size).fill(0x5a), 9, parseIpv4('10.0.2.20')!);
  };
  return { sim, a, r1, r2, b, got, send };
}

/** Sends three datagrams a → b after ARP; returns what r1 and b received. */
function forwardThree(viaSwitch: boolean) {
  const { sim, r1, b, got, send } = chain(viaSwitch);
  send(10); // ARP everywhere first
  sim.clock.runSync();
  const atR1 = tap(r1.iface('eth0')!.nic!);
  const atB = tap(b.iface('eth0')!.nic!);
  for (const size of [18, 300, 1400]) send(size);
  sim.clock.runSync();
  assert.deepEqual(got, [10, 18, 300, 1400]);
  assert.equal(b.iface('eth0')!.counters.rxCrcErrors, 0);
  const ip = (s: Seen[]) => s.filter((x) => x.bytes[12] === 0x08 && x.bytes[13] === 0x00);
  return { r1In: ip(atR1), bIn: ip(atB) };
}

for (const viaSwitch of [false, true]) {
  const how = viaSwitch ? ' (through a switch)' : '';
  test(`no listener, eager FCS: routers rewrite the frame in place, FCS amended${how}`, () => {
    setEagerFcs(true);
    try {
      const { r1In, bIn } = forwardThree(viaSwitch);
      assert.equal(bIn.length, 3);
      for (let i = 0; i < 3; i++) {
        // The very buffer a's NIC sent reaches b: no copy at r1 or r2.
        assert.equal(bIn[i].frame, r1In[i].frame);
        assert.ok(r1In[i].exclusive && bIn[i].exclusive);
        assert.ok(!r1In[i].fcsLater && !bIn[i].fcsLater);
        // What r1 saw: TTL 64 and a valid FCS; what b saw: TTL 62, new MACs, a valid FCS.
        assert.equal(r1In[i].bytes[14 + 8], 64);
        assert.equal(bIn[i].bytes[14 + 8], 62);
        assert.ok(verifyFcs(r1In[i].bytes, 0, r1In[i].bytes.length));
        assert.ok(verifyFcs(bIn[i].bytes, 0, bIn[i].bytes.length));
        assert.notDeepEqual(bIn[i].bytes.subarray(0, 12), r1In[i].bytes.subarray(0, 12));
      }
    } finally {
      setEagerFcs(false);
    }
  });

  test(`no listener, FCS offload: frames travel FCS-later, byte-identical once settled${how}`, () => {
    setEagerFcs(true);
    let eager;
    try {
      eager = forwardThree(viaSwitch);
    } finally {
      setEagerFcs(false);
    }
    const lazy = forwardThree(viaSwitch);
    assert.equal(lazy.bIn.length, 3);
    for (let i = 0; i < 3; i++) {
      assert.equal(lazy.bIn[i].frame, lazy.r1In[i].frame);
      assert.ok(lazy.r1In[i].fcsLater && lazy.bIn[i].fcsLater && lazy.bIn[i].exclusive);
      for (const [l, e] of [
        [lazy.r1In[i], eager.r1In[i]],
        [lazy.bIn[i], eager.bIn[i]],
      ]) {
        // Not computed on the way: the FCS bytes are still the buffer's zeros...
        assert.deepEqual(l.bytes.subarray(-4), new Uint8Array(4));
        // ...and once written, the frame is the one the eager NICs sent, bit for bit.
        settleFcs(l.bytes);
        assert.deepEqual(l.bytes, e.bytes);
      }
    }
  });
}

test('with a listener: every hop sends its own frame, and recorded frames never change', () => {
  const { sim, b, got, send } = chain(true);
  send(10);
  sim.clock.runSync();
  const rec = new TraceRecorder(sim.trace);
  const atB = tap(b.iface('eth0')!.nic!);
  send(1400);
  sim.clock.runSync();
  rec.stop();
  assert.deepEqual(got, [10, 1400]);
  assert.ok(atB.every((x) => !x.exclusive));
  const tx = rec.ofKind('link.tx').filter((e) => e.frame.length > 1000);
  assert.deepEqual(
    tx.map((e) => e.from),
    ['a.eth0', 'sw.port2', 'r1.eth1', 'r2.eth1'],
  );
  // The switch sends the frame it received; routers send new ones.
  assert.equal(tx[0].frame, tx[1].frame);
  assert.notEqual(tx[1].frame, tx[2].frame);
  assert.notEqual(tx[2].frame, tx[3].frame);
  assert.deepEqual(
    tx.map((e) => e.frame[14 + 8]),
    [64, 64, 63, 62],
  );
  for (const e of tx) assert.ok(verifyFcs(e.frame, 0, e.frame.length));
  // The FCS r2 amended equals a CRC of the whole frame (verifyFcs above), and the frame ends
  // exactly at it.
  assert.equal(tx[3].frame.length, 14 + 20 + 8 + 1400 + ETH_FCS_LEN);
});

test('a flooding switch never hands the same frame out exclusive', () => {
  const { sim, r1, a, send } = chain(true);
  // Resolve ARP, then empty the switch's table so that the next datagram is flooded.
  send(10);
  sim.clock.runSync();
  const sw = sim.node('sw') as Switch;
  sw.flush();
  const atR1 = tap(r1.iface('eth0')!.nic!);
  send(500);
  sim.clock.runSync();
  const ipIn = atR1.filter((x) => x.bytes.length > 500);
  assert.equal(ipIn.length, 1);
  assert.equal(ipIn[0].exclusive, false);
  assert.ok(a.iface('eth0')!.counters.txPackets > 0);
});
