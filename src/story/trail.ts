/**
 * Every hop of every packet of the first request (`wiretrail visit --detail hop`): the frames
 * of the document's TCP connection, from the SYN to the end of the response, grouped by packet,
 * each with the wires it crossed and the MACs, IPs and TTL it had on each.
 */
import type { TraceEvent } from '../sim/trace.js';
import { formatIpv4, formatMac } from '../wire/addr.js';
import { frameFacts, tcpFlagNames } from './frames.js';
import type { Ev, HopRow, ResponseStep, SocketStep, VisitStory } from './steps.js';

export interface PacketTrail {
  /** "192.168.3.10:33564 → 198.51.100.80:80 [SYN] seq=… len=0" */
  label: string;
  rows: HopRow[];
}

export function packetTrails(
  events: readonly TraceEvent[],
  visit: VisitStory,
  limit = 40,
): PacketTrail[] {
  const evs = events as unknown as readonly Ev[];
  const sock = visit.steps.find((s): s is SocketStep => s.kind === 'socket');
  if (sock === undefined) return [];
  const resp = visit.steps.find((s): s is ResponseStep => s.kind === 'response');
  const until = resp ? resp.t : visit.finishedAt;
  const byKey = new Map<string, PacketTrail>();
  const order: PacketTrail[] = [];
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i];
    if (e.t < sock.t) continue;
    // Packets already under way at the end of the response are followed to their last hop.
    if (e.t > until + 100_000_000) break;
    if (e.kind !== 'link.tx') continue;
    const f = frameFacts(e.frame);
    if (!f?.tcp || !f.ip) continue;
    const a = formatIpv4(f.ip.src);
    const b = formatIpv4(f.ip.dst);
    const out =
      a === sock.local &&
      f.sport === sock.localPort &&
      b === sock.remote &&
      f.dport === sock.remotePort;
    const back =
      b === sock.local &&
      f.dport === sock.localPort &&
      a === sock.remote &&
      f.sport === sock.remotePort;
    if (!out && !back) continue;
    const key = `${a}:${f.sport}>${b}:${f.dport}/${f.tcp.seq}/${f.tcp.ack}/${f.tcp.flags}/${f.tcp.dataLength}/${f.ip.id}`;
    let trail = byKey.get(key);
    if (trail === undefined) {
      if (order.length >= limit || e.t > until) continue;
      trail = {
        label: `${a}:${f.sport} → ${b}:${f.dport} [${tcpFlagNames(f.tcp.flags)}] seq=${f.tcp.seq} ack=${f.tcp.ack} len=${f.tcp.dataLength}`,
        rows: [],
      };
      byKey.set(key, trail);
      order.push(trail);
    }
    trail.rows.push({
      t: e.t,
      link: e.link,
      from: e.from,
      srcMac: formatMac(f.srcMac),
      dstMac: formatMac(f.dstMac),
      srcIp: a,
      dstIp: b,
      ttl: f.ip.ttl,
      event: i,
    });
  }
  return order;
}
