// A scenario that exercises most of the stack: ARP, forwarding across three routers,
// fragmentation and reassembly, UDP (with an echo server), traceroute, ICMP errors, and
// optionally faults on the slow link. Used by the determinism and tshark batteries.
import { ping } from '../src/apps/tools/ping.js';
import { traceroute } from '../src/apps/tools/traceroute.js';
import { Capture } from '../src/sim/capture.js';
import { sleep } from '../src/sim/async.js';
import { MS } from '../src/sim/time.js';
import { parseIpv4 } from '../src/wire/addr.js';
import type { Network } from '../src/world/network.js';
import { TcpLayer } from '../src/stack/tcp/layer.js';
import { threeRouters } from './sim-helpers.js';

export interface ScenarioResult {
  net: Network;
  /** Every port of every node. */
  pcapng: Uint8Array;
  packets: number;
  /** Only pc's interface (what tcpdump on pc would show). */
  pcPcapng: Uint8Array;
  pcPackets: number;
  lines: string[];
}

export async function scenario(seed: number, faults: boolean): Promise<ScenarioResult> {
  const net = threeRouters(seed);
  if (faults) {
    net
      .medium('r1.eth1-r2.eth0')!
      .update({ loss: 0.05, duplicate: 0.05, jitter: 1 * MS, corrupt: 0.05 });
  }
  const cap = new Capture(net.trace);
  const pcCap = new Capture(net.trace, { points: ['pc.*'] });
  const pc = net.hostNamed('pc');
  const srv = net.hostNamed('srv');
  const lines: string[] = [];
  // A UDP echo server on srv:7.
  const echo = srv.udp.createSocket();
  echo.bind(7);
  echo.on('message', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
  // A TCP echo server on srv:80.
  pc.attachTcp((h) => new TcpLayer(h));
  srv.attachTcp((h) => new TcpLayer(h));
  srv
    .net!.createServer((sock) => {
      sock.on('data', (d) => sock.write(d));
      sock.on('end', () => sock.end());
    })
    .listen(80);
  const client = pc.udp.createSocket();
  client.on('message', (msg) => lines.push(`udp echo ${msg.length} bytes`));
  const run = async (): Promise<void> => {
    lines.push(...(await ping(pc, { target: '10.0.1.80', count: 3 })).lines);
    lines.push(...(await ping(pc, { target: '10.0.1.80', count: 1, size: 4000 })).lines);
    for (let i = 0; i < 5; i++) {
      client.send(new Uint8Array(100 + i * 700).fill(i), 7, parseIpv4('10.0.1.80')!);
      await sleep(net.clock, 50 * MS);
    }
    client.send(new Uint8Array(10), 9, parseIpv4('10.0.1.80')!); // port unreachable
    await sleep(net.clock, 100 * MS);
    lines.push(...(await traceroute(pc, { target: '10.0.1.80', wait: 1000 * MS })).lines);
    lines.push(...(await ping(pc, { target: '10.0.1.80', count: 1, ttl: 2 })).lines);
    const s = pc.net!.connect({ host: parseIpv4('10.0.1.80')!, port: 80 });
    await new Promise<void>((resolve, reject) => {
      s.on('connect', () => resolve());
      s.on('error', reject);
    });
    s.write(new Uint8Array(12_000).fill(0x5a));
    s.end();
    let got = 0;
    try {
      for await (const chunk of s) got += chunk.length;
    } catch (e) {
      lines.push(`tcp error ${(e as Error).message}`);
    }
    lines.push(`tcp echo ${got} bytes`);
  };
  await net.runUntilSettled(run());
  cap.stop();
  pcCap.stop();
  return {
    net,
    pcapng: cap.bytes(),
    packets: cap.packets,
    pcPcapng: pcCap.bytes(),
    pcPackets: pcCap.packets,
    lines,
  };
}
