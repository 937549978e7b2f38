/**
 * A short narration of a ping or traceroute run, in English and Chinese, from the trace: what
 * the visit's story (src/story) does for a whole page load, for the tools the address bar also
 * accepts. Each step points at the trace events it tells about.
 */
import type { TraceEvent } from '../../src/sim/trace.js';
import { formatDuration } from '../../src/sim/time.js';
import { formatIpv4 } from '../../src/wire/addr.js';
import type { Step } from './types.js';

function step(
  t: number,
  events: number[],
  en: string,
  zh: string,
  linesEn: string[],
  linesZh: string[],
): Step {
  return { title: { en, zh }, lines: { en: linesEn, zh: linesZh }, events, t };
}

/** What a frame was (the event list's protocol and Info column). */
export interface FrameLabel {
  proto: string;
  info: string;
}

/**
 * `frameAt(i)`: the frame a device was handling when it emitted event i (from the page's rows),
 * so that a switch's step says what it forwarded and follows the probes, not an ARP reply.
 */
export function toolStory(
  events: readonly TraceEvent[],
  client: string,
  tool: string,
  target: string,
  frameAt: (ev: number) => FrameLabel | undefined = () => undefined,
): Step[] {
  const steps: Step[] = [];
  const find = (pred: (e: TraceEvent) => boolean, from = 0): number => {
    for (let i = from; i < events.length; i++) if (pred(events[i])) return i;
    return -1;
  };
  // A name typed instead of an address: the stub resolver's lookup comes first.
  let after = 0;
  const query = find((e) => e.kind === 'dns.stub' && e.node === client && e.op === 'query');
  if (query >= 0) {
    const q = events[query] as TraceEvent<'dns.stub'>;
    const end = find(
      (e) =>
        e.kind === 'dns.stub' &&
        e.node === client &&
        (e.op === 'answer' || e.op === 'fail' || e.op === 'timeout'),
      query,
    );
    const r = end >= 0 ? (events[end] as TraceEvent<'dns.stub'>) : undefined;
    const server = q.server !== undefined ? formatIpv4(q.server) : '?';
    const addrs = (r?.addresses ?? []).map(formatIpv4);
    const took = r !== undefined ? formatDuration(r.t - q.t) : '';
    after = Math.max(query, end);
    steps.push(
      step(
        q.t,
        end >= 0 ? [query, end] : [query],
        'DNS lookup',
        'DNS 域名解析',
        [
          `${q.name} is a name, not an address: ${client} asks its DNS server ${server} (from resolv.conf) for its ${q.qtype ?? 'A'} record.`,
          addrs.length > 0
            ? `Answer: ${q.name} → ${addrs.join(', ')} (${took}).`
            : `No address: ${r?.detail ?? r?.op ?? 'no answer'}${took !== '' ? ` (${took})` : ''}.`,
        ],
        [
          `${q.name} 是域名而不是 IP 地址：${client} 向 resolv.conf 中的 DNS 服务器 ${server} 查询它的 ${q.qtype ?? 'A'} 记录。`,
          addrs.length > 0
            ? `应答：${q.name} → ${addrs.join('、')}（${took}）。`
            : `没有得到地址：${r?.detail ?? r?.op ?? '没有应答'}${took !== '' ? `（${took}）` : ''}。`,
        ],
      ),
    );
  }
  // The tool's first probe (not the DNS query of the lookup above).
  const first = find(
    (e) =>
      e.node === client &&
      ((e.kind === 'icmp.tx' && e.type === 8) || (e.kind === 'udp.tx' && e.dport !== 53)),
    after,
  );
  if (first >= 0) {
    const e = events[first];
    const what = tool === 'ping' ? 'ICMP echo request' : 'UDP probe with TTL 1';
    const whatZh = tool === 'ping' ? 'ICMP 回显请求（echo request）' : 'TTL 为 1 的 UDP 探测包';
    steps.push(
      step(
        e.t,
        [first],
        `${tool} ${target}: ${what}`,
        `${tool} ${target}：${whatZh}`,
        [
          tool === 'ping'
            ? `${client} asks ${target} "are you there?" with an ICMP echo request (type 8).`
            : `${client} sends UDP probes to ports from 33434 on, with TTL 1, 2, 3, … so that each router on the way answers.`,
        ],
        [
          tool === 'ping'
            ? `${client} 用 ICMP 回显请求（类型 8）问 ${target}：“你在吗？”`
            : `${client} 发送 TTL 依次为 1、2、3…的 UDP 探测包（端口从 33434 起），让沿途每个路由器回答。`,
        ],
      ),
    );
  }
  const route = find(
    (e) => e.kind === 'ip.route' && e.node === client && e.purpose === 'output',
    after,
  );
  if (route >= 0) {
    const e = events[route] as TraceEvent<'ip.route'>;
    const r = e.route;
    const rn =
      r === undefined
        ? 'no route'
        : `${r.prefix === 0 ? 'default' : `${r.dst}/${r.prefix}`}${r.gateway !== '0.0.0.0' ? ` via ${r.gateway}` : ''} dev ${r.iface}`;
    const lost = e.candidates
      .filter((c) => c.verdict !== 'chosen')
      .map((c) => `${c.route.dst}/${c.route.prefix}`);
    steps.push(
      step(
        e.t,
        [route],
        'Route lookup',
        '查询路由表',
        [
          `${e.dst} matches ${rn}${lost.length > 0 ? ` (${lost.join(', ')} did not match or lost)` : ''}; source address ${e.src ?? '?'}.`,
        ],
        [
          `${e.dst} 与 ${rn} 匹配${lost.length > 0 ? `（${lost.join('、')} 不匹配或不是最长匹配）` : ''}；源地址 ${e.src ?? '?'}。`,
        ],
      ),
    );
  }
  const arpReq = find((e) => e.kind === 'arp.request' && e.node === client);
  if (arpReq >= 0) {
    const e = events[arpReq] as TraceEvent<'arp.request'>;
    const learned = find(
      (x) =>
        x.kind === 'arp.state' && x.node === client && x.ip === e.target && x.mac !== undefined,
      arpReq,
    );
    const mac = learned >= 0 ? (events[learned] as TraceEvent<'arp.state'>).mac : undefined;
    steps.push(
      step(
        e.t,
        learned >= 0 ? [arpReq, learned] : [arpReq],
        'ARP',
        'ARP',
        [
          `Who has ${e.target}? (broadcast to ff:ff:ff:ff:ff:ff)${mac !== undefined ? ` → ${e.target} is at ${mac}` : ''}.`,
          ...(e.why !== undefined ? [`Why: ${e.why}.`] : []),
        ],
        [
          `广播“谁是 ${e.target}？”${mac !== undefined ? ` → ${e.target} 的 MAC 地址是 ${mac}，写入 ARP 缓存` : ''}。`,
          ...(e.why !== undefined ? [`原因：${e.why}。`] : []),
        ],
      ),
    );
  }
  const seenSwitch = new Set<string>();
  const seenRouter = new Set<string>();
  const seenFrom = new Set<string>();
  /** Switches whose only known-destination forwarding so far was an ARP frame. */
  const arpOnly = new Map<string, number>();
  const switchStep = (i: number, f: FrameLabel | undefined): Step => {
    const e = events[i] as TraceEvent<'switch.forward'>;
    const P = f?.proto.toUpperCase();
    return step(
      e.t,
      [i],
      `Switch ${e.node}${P !== undefined ? ` · ${P}` : ''}`,
      `交换机 ${e.node}${P !== undefined ? ` · ${P}` : ''}`,
      [
        `${f !== undefined ? `${P} frame (${f.info})` : 'Frame'} from ${e.src} in on ${e.inPort}: destination ${e.dst} ${e.decision === 'known' ? `is in the MAC table → ${e.outPorts.join(', ')}` : `is unknown → flooded to ${e.outPorts.join(', ')}`}.`,
      ],
      [
        `来自 ${e.src} 的${f !== undefined ? ` ${P} 帧（${f.info}）` : '帧'}从 ${e.inPort} 进入：目的 MAC ${e.dst} ${e.decision === 'known' ? `在 MAC 地址表中 → 从 ${e.outPorts.join('、')} 转发` : `不在表中 → 泛洪到 ${e.outPorts.join('、')}`}。`,
      ],
    );
  };
  // The probes' path (after the name lookup, whose own frames took the same first hops).
  for (let i = after; i < events.length; i++) {
    const e = events[i];
    if (e.kind === 'switch.forward' && !seenSwitch.has(e.node) && e.decision !== 'broadcast') {
      // The probes' path: a switch's step is the first probe (or reply) it forwarded; an ARP
      // reply it forwarded before is told only if it forwarded nothing else.
      const f = frameAt(i);
      if (f?.proto === 'arp') {
        if (!arpOnly.has(e.node)) arpOnly.set(e.node, i);
        continue;
      }
      seenSwitch.add(e.node);
      steps.push(switchStep(i, f));
    } else if (e.kind === 'router.forward' && !seenRouter.has(e.node)) {
      seenRouter.add(e.node);
      steps.push(
        step(
          e.t,
          [i],
          `Router ${e.node}`,
          `路由器 ${e.node}`,
          [
            `${e.dst} matches ${e.route} → next hop ${e.nextHop} on ${e.outIface}.`,
            `TTL ${e.ttlIn} → ${e.ttlOut}; new source MAC ${e.srcMac}, new destination MAC ${e.dstMac} (IP addresses unchanged).`,
          ],
          [
            `${e.dst} 匹配路由 ${e.route} → 下一跳 ${e.nextHop}（${e.outIface}）。`,
            `TTL ${e.ttlIn} → ${e.ttlOut}；新的源 MAC ${e.srcMac}，新的目的 MAC ${e.dstMac}（IP 地址不变）。`,
          ],
        ),
      );
    } else if (e.kind === 'icmp.rx' && e.node === client && !seenFrom.has(`${e.from} ${e.type}`)) {
      seenFrom.add(`${e.from} ${e.type}`);
      const ok = e.type === 0;
      const rtt = first >= 0 ? formatDuration(e.t - events[first].t) : '';
      steps.push(
        step(
          e.t,
          [i],
          ok ? 'Echo reply' : `ICMP from ${e.from}`,
          ok ? '回显应答' : `来自 ${e.from} 的 ICMP`,
          [
            ok
              ? `${e.from} answered (seq ${e.seq ?? '?'}) ${rtt} after the first request.`
              : `${e.from}: ${e.message}${e.quoted !== undefined ? ` (about ${e.quoted})` : ''}.`,
          ],
          [
            ok
              ? `${e.from} 回答了（序号 ${e.seq ?? '?'}），距第一个请求 ${rtt}。`
              : `${e.from}：${e.message}${e.quoted !== undefined ? `（关于 ${e.quoted}）` : ''}。`,
          ],
        ),
      );
      if (tool === 'ping') break;
    }
  }
  for (const [node, i] of arpOnly) if (!seenSwitch.has(node)) steps.push(switchStep(i, frameAt(i)));
  steps.sort((a, b) => a.events[0] - b.events[0]);
  return steps;
}
