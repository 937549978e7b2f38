/**
 * The TAP driver and the real-time driver on their own (no simulated stack): Linux in a
 * namespace pings an address behind the TAP device; the test reads Linux's ARP request, answers
 * it with bytes built by src/wire/arp.ts, sees the ICMP echo request that follows addressed to
 * our MAC, and finds our MAC in `ip neigh`. Runs once per backend (addon, addon-inline, helper).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Scheduler } from '../../src/sim/scheduler.js';
import { RealtimeDriver } from '../../src/tap/realtime.js';
import { openTap } from '../../src/tap/device.js';
import { configureLink, nsExec } from '../../src/tap/netns.js';
import { formatMac, parseIpv4, parseMac } from '../../src/wire/addr.js';
import { ArpOp, arpReply, emitArp, parseArp } from '../../src/wire/arp.js';
import { emitEthernet, EtherType, parseEthernet, ETH_HEADER_LEN } from '../../src/wire/ethernet.js';
import { SKIP, neighbours, withNetns } from './harness.js';

const OUR_MAC = parseMac('02:77:74:00:00:02')!;
const OUR_IP = parseIpv4('10.77.0.2')!;

for (const backend of ['addon', 'addon-inline', 'helper'] as const) {
  describe(`TAP driver (${backend})`, { skip: SKIP }, () => {
    test('answers Linux ARP with src/wire/arp.ts bytes; Linux then sends ICMP to our MAC', async () => {
      await withNetns('wtarp', async (ns) => {
        const tap = await openTap({ name: 'wt0', netns: ns, backend });
        const sched = new Scheduler();
        const driver = new RealtimeDriver(sched);
        try {
          assert.equal(tap.name, 'wt0');
          assert.equal(tap.backend, backend);
          await configureLink(ns, 'wt0', { address: '10.77.0.1/24' });
          let arpRequests = 0;
          let echoToUs = 0;
          const seenAt: number[] = [];
          tap.onFrames((frames) => {
            for (const f of frames) {
              const copy = f.slice();
              driver.inject(() => {
                seenAt.push(sched.now());
                const eth = parseEthernet(copy, 0, copy.length, false);
                if (!eth.ok) return;
                if (eth.value.ethertype === EtherType.ARP) {
                  const arp = parseArp(copy, ETH_HEADER_LEN);
                  if (!arp.ok || arp.value.op !== ArpOp.REQUEST || arp.value.targetIp !== OUR_IP)
                    return;
                  arpRequests++;
                  const out = new Uint8Array(64);
                  const n = emitArp(
                    arpReply(OUR_MAC, OUR_IP, arp.value.senderMac, arp.value.senderIp),
                    out,
                    ETH_HEADER_LEN,
                  );
                  const len = emitEthernet(
                    {
                      dst: arp.value.senderMac,
                      src: OUR_MAC,
                      ethertype: EtherType.ARP,
                      payloadLen: n,
                    },
                    out,
                    0,
                    false, // TAP frames carry no FCS
                  );
                  tap.send(out.subarray(0, len));
                } else if (eth.value.ethertype === EtherType.IPv4 && eth.value.dst === OUR_MAC) {
                  if (copy[ETH_HEADER_LEN + 9] === 1 && copy[ETH_HEADER_LEN + 20] === 8) echoToUs++;
                }
              });
            }
          });
          driver.start();
          // No echo replies come back: ping exits 1, which is expected here.
          await nsExec(ns, ['ping', '-c', '2', '-i', '0.2', '-W', '1', '10.77.0.2']).catch(
            () => undefined,
          );
          assert.ok(arpRequests >= 1, 'Linux sent an ARP request for 10.77.0.2');
          assert.ok(echoToUs >= 1, 'Linux sent the ICMP echo request to our MAC after our reply');
          const neigh = await neighbours(ns, 'wt0');
          assert.equal(neigh.get('10.77.0.2')?.mac, formatMac(OUR_MAC));
          // Injected frames ran at increasing simulated instants that follow the wall clock.
          for (let i = 1; i < seenAt.length; i++) assert.ok(seenAt[i] >= seenAt[i - 1]);
          assert.ok(sched.now() > 0);
          const st = tap.stats();
          assert.ok(st.rxFrames >= 2 && st.txFrames >= 1, JSON.stringify(st));
        } finally {
          await driver.stop();
          await tap.close();
        }
      });
    });

    test('a missing namespace is a clear error', async () => {
      await assert.rejects(
        openTap({ name: 'wt0', netns: 'wt-no-such-ns', backend }),
        /does not exist/,
      );
    });
  });
}
