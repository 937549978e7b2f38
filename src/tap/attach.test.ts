/**
 * TapLink without a real device: a fake TapDevice stands in for Linux. Checks the FCS and
 * padding at the boundary, the trace events a capture needs, and the fault injection.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capture } from '../sim/capture.js';
import { Host } from '../devices/host.js';
import { Simulation } from '../sim/simulation.js';
import { MS } from '../sim/time.js';
import { parseIpv4, parseMac } from '../wire/addr.js';
import { ArpOp, arpRequest, emitArp, parseArp } from '../wire/arp.js';
import {
  emitEthernet,
  EtherType,
  ETH_HEADER_LEN,
  parseEthernet,
  verifyFcs,
} from '../wire/ethernet.js';
import { TapLink } from './attach.js';
import type { FramesListener, TapDevice, TapStats } from './device.js';
import { RealtimeDriver } from './realtime.js';

class FakeTap implements TapDevice {
  readonly name = 'fake0';
  readonly netns = undefined;
  readonly backend = 'helper' as const;
  sent: Uint8Array[] = [];
  listener: FramesListener | undefined;
  send(frame: Uint8Array): void {
    this.sent.push(frame.slice());
  }
  onFrames(fn: FramesListener): void {
    this.listener = fn;
  }
  stats(): TapStats {
    return { rxFrames: 0, rxBytes: 0, txFrames: this.sent.length, txBytes: 0, txDropped: 0 };
  }
  async close(): Promise<void> {}
}

const LINUX_MAC = parseMac('4a:00:00:00:00:01')!;
const LINUX_IP = parseIpv4('10.9.0.1')!;
const HOST_IP = parseIpv4('10.9.0.2')!;

/** The 42-byte ARP request Linux would write (no padding, no FCS). */
function linuxArpRequest(): Uint8Array {
  const f = new Uint8Array(42);
  emitArp(arpRequest(LINUX_MAC, LINUX_IP, HOST_IP), f, ETH_HEADER_LEN);
  const n = emitEthernet(
    { dst: 0xffff_ffff_ffff, src: LINUX_MAC, ethertype: EtherType.ARP, payloadLen: 28 },
    f,
    0,
    false,
  );
  assert.equal(n, 60); // emitEthernet pads; Linux does not: keep the first 42 bytes
  return f.subarray(0, 42);
}

async function setup() {
  const sim = new Simulation({ seed: 7 });
  const h = new Host(sim, 'h');
  h.addInterface('eth0', { mac: parseMac('02:00:00:00:00:02')! });
  h.addAddress('eth0', HOST_IP, 24);
  const tap = new FakeTap();
  const driver = new RealtimeDriver(sim.clock);
  const cap = new Capture(sim.trace, { points: ['tap:test'] });
  const link = new TapLink(sim, 'tap:test', h.port('eth0')!, tap, driver);
  driver.start();
  return { sim, h, tap, driver, cap, link };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

test('frames to Linux lose their FCS; frames from Linux get padding and an FCS; both are traced', async () => {
  const { tap, driver, cap, link } = await setup();
  try {
    await settle();
    tap.sent = []; // the gratuitous ARP sent when carrier came up
    const before = { ...link.stats };
    const packetsBefore = cap.packets;
    tap.listener!([linuxArpRequest()]);
    await settle();
    assert.equal(tap.sent.length, 1);
    const reply = tap.sent[0];
    assert.equal(reply.length, 60, 'padded to 60 bytes, FCS removed');
    const eth = parseEthernet(reply, 0, reply.length, false);
    assert.ok(eth.ok && eth.value.dst === LINUX_MAC && eth.value.ethertype === EtherType.ARP);
    const arp = parseArp(reply, ETH_HEADER_LEN);
    assert.ok(arp.ok && arp.value.op === ArpOp.REPLY && arp.value.senderIp === HOST_IP);
    assert.equal(link.stats.fromLinux - before.fromLinux, 1);
    assert.equal(link.stats.toLinux - before.toLinux, 1);
    // The link's capture point recorded both frames.
    assert.equal(cap.packets - packetsBefore, 2);
  } finally {
    await driver.stop();
  }
});

test('a frame from Linux reaches the port with a valid FCS', async () => {
  const { tap, driver, h } = await setup();
  try {
    const seen: Uint8Array[] = [];
    const nic = h.port('eth0')!;
    const orig = nic.frameIn.bind(nic);
    nic.frameIn = (f: Uint8Array) => {
      seen.push(f);
      orig(f);
    };
    tap.listener!([linuxArpRequest()]);
    await settle();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].length, 64);
    assert.ok(verifyFcs(seen[0], 0, 64));
  } finally {
    await driver.stop();
  }
});

test('faults: loss from Linux drops frames, reordering holds them back', async () => {
  const { tap, driver, link } = await setup();
  try {
    await settle();
    link.faults = { ...link.faults, lossFromLinux: 1 };
    tap.sent = [];
    tap.listener!([linuxArpRequest(), linuxArpRequest()]);
    await settle();
    assert.equal(tap.sent.length, 0);
    assert.equal(link.stats.lost, 2);
    link.faults = { ...link.faults, lossFromLinux: 0, reorderFromLinux: 1, reorderDelay: 20 * MS };
    tap.listener!([linuxArpRequest()]);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(tap.sent.length, 0, 'held back');
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(tap.sent.length, 1);
    assert.equal(link.stats.reordered, 1);
  } finally {
    await driver.stop();
  }
});

test('a port that is already connected is refused', async () => {
  const { sim, h, driver } = await setup();
  try {
    assert.throws(
      () => new TapLink(sim, 'tap:again', h.port('eth0')!, new FakeTap(), driver),
      /already connected/,
    );
  } finally {
    await driver.stop();
  }
});
