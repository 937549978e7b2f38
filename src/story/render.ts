/**
 * The story as text, in English or Chinese (zh-CN, with the seeds' vocabulary: 解析 URL、
 * 生成 HTTP 请求信息、协议栈、三次握手、路由表、默认网关、交换机的 MAC 地址表、四次挥手).
 * Every step is rendered from the data of src/story/steps.ts; each language is a function per
 * step kind, side by side, so that a new step cannot be told in one language only (the
 * `Record<StepKind, ...>` types make the compiler check it).
 */
import { formatDuration } from '../sim/time.js';
import type {
  ArpStep,
  CachesStep,
  CloseStep,
  DnsStep,
  ErrorStep,
  FaultStep,
  FrameStep,
  HandshakeStep,
  HopRow,
  PageStep,
  PathStop,
  RedirectStep,
  RequestStep,
  ResponseStep,
  RouteStep,
  RouterStep,
  SegmentationStep,
  ServerStep,
  SocketStep,
  Step,
  StepKind,
  Story,
  SwitchStep,
  UrlStep,
  VisitStory,
  WaterfallRow,
} from './steps.js';

export type Lang = 'en' | 'zh';
export type Detail = 'summary' | 'hop' | 'packet';

/** A rendered step: a number, a title and its lines. */
export interface RenderedStep {
  n: string;
  kind: StepKind;
  title: string;
  lines: string[];
  t: number;
  events: number[];
}

const ms = (ns: number): string => `${(ns / 1e6).toFixed(1)} ms`;
const at = (ns: number): string => `${(ns / 1e6).toFixed(3)} ms`;
const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
const kb = (n: number): string => (n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
const short = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '') || '/';
/** An instant of the simulation: ms below a second, s above. */
const when = (ns: number): string => (ns >= 1e9 ? `${(ns / 1e9).toFixed(3)} s` : at(ns));
/** A duration in seconds without trailing zeros: 1, 0.5, 2.25. */
const secs = (ns: number): string => String(Number((ns / 1e9).toFixed(3)));
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

type Texts = {
  [K in StepKind]: (s: Extract<Step, { kind: K }>) => { title: string; lines: string[] };
};

const EN: Texts = {
  fault: (s: FaultStep) => ({
    title: 'Faults injected',
    lines: [
      `${s.what} on link ${s.target}`,
      s.drops > 0
        ? `the link lost ${s.drops} frame${s.drops === 1 ? '' : 's'} during this visit:`
        : 'no frame was lost on it during this visit',
      ...faultLines(s, 'en'),
      ...(s.fragments > 0
        ? [
            `${s.fragments} datagram${s.fragments === 1 ? ' was' : 's were'} fragmented to fit the MTU`,
          ]
        : []),
    ],
  }),
  url: (s: UrlStep) => ({
    title: 'URL parsed',
    lines: [
      `scheme ${s.scheme} · host ${s.host} · port ${s.port}${s.portIsDefault ? ` (default for ${s.scheme})` : ''}${s.addedScheme ? ` · "${s.input}" had no scheme: http:// added` : ''}`,
      s.defaultFile
        ? `path ${s.path} names no file → the server picks its default file (index.html)`
        : `path ${s.path}`,
      ...(s.userinfo
        ? [
            `userinfo "${s.userinfo.user}${s.userinfo.password ? ':…' : ''}@" before the host: a user name${s.userinfo.password ? ' and a password' : ''}, deprecated in http URLs (RFC 9110 § 4.2.4) and never part of the request-target or the Host field; the host is what follows the "@"`,
            s.userinfo.sent
              ? 'this browser sends them in an Authorization field of the request'
              : 'this browser drops them: no Authorization field in the request, nor after a 401 challenge (browsers such as Chrome or Firefox may send them as Authorization only when the server answers 401)',
          ]
        : []),
    ],
  }),
  request: (s: RequestStep) => ({
    title: 'HTTP request built',
    lines: [
      `${s.firstLine} · Host: ${s.host} · ${s.fields} header fields · ${s.length} bytes`,
      ...(s.conditional.length > 0
        ? [
            `conditional: ${s.conditional.join(', ')} (asks the server whether the cached copy is still good)`,
          ]
        : []),
      "the browser hands it to the operating system: first it needs the server's IP address",
    ],
  }),
  caches: (s: CachesStep) => ({
    title: 'Caches',
    lines: [
      `browser cache: ${s.browserCache} (${s.browserCacheWhy})`,
      `browser DNS cache: ${s.dnsCache}${s.address ? ` → ${s.address}` : ''}` +
        (s.osCache ? ` · OS cache (gethostbyname): ${s.osCache}` : '') +
        (s.hosts ? ` · /etc/hosts: ${s.hosts === 'hit' ? 'has the name' : 'no entry'}` : ''),
    ],
  }),
  dns: (s: DnsStep) => {
    const lines: string[] = [];
    if (s.source === 'none')
      return { title: 'DNS', lines: [`${s.name} is already an IP address: no DNS lookup`] };
    if (s.source === 'hosts')
      lines.push(`${s.name} found in /etc/hosts → ${s.addresses.join(', ')}`);
    else if (s.source === 'os-cache')
      lines.push(`${s.name} found in the OS cache → ${s.addresses.join(', ')}`);
    else if (s.resolver) {
      lines.push(
        `ask the local DNS server ${s.resolver}${s.resolverNode ? ` (${s.resolverNode}, from resolv.conf)` : ''}: ${s.name} A?`,
      );
      if (s.resolverFromCache)
        lines.push(`the local DNS server has the answer in its cache: no need to ask the root`);
      const hopLines: [number, string][] = s.stubTimeouts.map((st) => [
        st.t,
        `no answer from ${s.resolver} by ${at(st.t)} (query or answer lost): the stub resolver asks again`,
      ]);
      s.hops.forEach((h) => {
        const lines = { push: (l: string) => hopLines.push([h.t, l]) };
        if (h.timeout)
          lines.push(`  local DNS → ${h.serverName} ${h.server}: no answer (timeout), try again`);
        else if (h.outcome === 'referral')
          lines.push(
            `  local DNS → ${h.serverName} ${h.server}: "ask ${h.referralZone ?? ''}" (referral) · ${ms(h.rtt)}`,
          );
        else if (h.rcode === 'NXDOMAIN')
          lines.push(
            `  local DNS → ${h.serverName} ${h.server}: NXDOMAIN: ${enDnsSummary(h.summary) || `the name does not exist (${h.summary})`}`,
          );
        else
          lines.push(
            `  local DNS → ${h.serverName} ${h.server}: ${h.summary}${h.aa ? ' (authoritative)' : ''} · ${ms(h.rtt)}`,
          );
      });
      lines.push(...hopLines.sort((a, b) => a[0] - b[0]).map((x) => x[1]));
    }
    if (s.addresses.length > 0) {
      lines.push(
        `→ ${s.name.replace(/\.$/, '')} is ${s.addresses.join(', ')}${s.ttl !== undefined ? `, TTL ${Math.round(s.ttl)} s` : ''} · DNS total ${ms(s.duration)}`,
      );
    } else if (s.rcode !== 'NOERROR') lines.push(`→ ${s.rcode}`);
    return { title: 'DNS', lines };
  },
  socket: (s: SocketStep) => ({
    title: 'Socket',
    lines: s.reused
      ? [
          `reuse connection #${s.connectionId} ${s.local}:${s.localPort} → ${s.remote}:${s.remotePort} (kept alive: no handshake needed)`,
        ]
      : [
          `connect ${s.local}:${s.localPort} → ${s.remote}:${s.remotePort} (connection #${s.connectionId}; ${s.why})`,
          "the protocol stack's upper half (TCP) takes over from the browser",
        ],
  }),
  route: (s: RouteStep) => ({
    title: 'Route lookup',
    lines: s.local
      ? [
          (s.localKind === 'loopback'
            ? `${s.dst} is a loopback address`
            : `${s.dst} is one of ${s.node}'s own addresses`) +
            (s.localKind === 'loopback'
              ? `: the local table's route "local ${s.matched} dev ${s.iface}" takes it`
              : `: the local table's route "local ${s.dst}" takes it, through ${s.iface} (loopback)`) +
            ' (Linux reads the local table before the main one: no main-table route is used, not even 0.0.0.0/0, which matches every address)',
          `→ source address ${s.src} · no next hop: the packet never leaves ${s.node}`,
        ]
      : [
          `${s.dst} matches ${s.matched}${s.gateway ? ` via ${s.gateway}` : ' (on-link)'} on ${s.iface}` +
            routeNotes(s, 'en'),
          `→ source address ${s.src}${s.gateway ? ` · next hop is the default gateway ${s.gateway}` : ''}`,
        ],
  }),
  arp: (s: ArpStep) => ({
    title: 'ARP',
    lines: s.loopback
      ? [
          `no ARP and no Ethernet frame: ${s.iface} (loopback) has no MAC address and no wire` +
            (s.loopback.path.length > 0
              ? `; the SYN goes ${s.loopback.path.join(' → ')} inside ${s.node}`
              : ''),
          'no switch, no router: nothing is sent on any link',
        ]
      : s.failed
        ? [
            `who has ${s.target}? (broadcast on ${s.iface}) ${arpTriesText(s.requests, s.interval, s.rounds, 'en')}` +
              ': the packets waiting for it are dropped (host unreachable)',
          ]
        : s.resolvedNow && s.firstFor
          ? [
              `${s.target} was resolved at ${at(s.firstFor.t)} for the first packet that needed it (${protoName(s.firstFor.protocol)} to ${s.firstFor.dst}${s.firstFor.protocol === 17 ? ', the DNS query' : ''}):`,
              `who has ${s.target}? (broadcast to ff:ff:ff:ff:ff:ff on ${s.iface}) → ${s.target} is at ${s.mac ?? '?'}`,
              'the SYN finds it in the ARP cache (REACHABLE): no broadcast this time',
            ]
          : s.resolvedNow
            ? [
                `who has ${s.target}? (broadcast to ff:ff:ff:ff:ff:ff on ${s.iface})`,
                `→ ${s.target} is at ${s.mac ?? '?'}${s.learnedAt !== undefined ? ` (reply at ${at(s.learnedAt)})` : ''} · kept in the ARP cache`,
              ]
            : [
                `${s.target} is already in the ARP cache: ${s.mac ?? '?'}${s.learnedAt !== undefined ? ` (learned at ${at(s.learnedAt)})` : ''}`,
              ],
  }),
  handshake: (s: HandshakeStep) => ({
    title: 'TCP handshake',
    lines: s.refused
      ? [`SYN seq=${s.synSeq} → RST: nothing listens on ${s.server} (connection refused)`]
      : !s.answered
        ? unansweredLines(s, 'en')
        : [
            `SYN seq=${s.synSeq}${s.mss ? ` MSS ${s.mss}` : ''} → SYN-ACK seq=${s.synAckSeq} ack=${s.synAckAck} → ACK seq=${s.ackSeq} ack=${s.ackAck}` +
              `   RTT ${ms(s.rtt)}`,
            ...(s.retries > 0
              ? [`the SYN was sent ${s.retries + 1} times (retransmitted after timeouts)`]
              : []),
            ...(s.arpWaits.length > 0
              ? [
                  `this RTT includes ARP on the way: ${s.arpWaits.map((w) => `${w.node} asked who has ${w.target}`).join(', ')} (first packets to a next hop wait for its MAC)`,
                ]
              : []),
          ],
  }),
  segmentation: (s: SegmentationStep) => ({
    title: 'Segmentation',
    lines: [
      `MSS ${s.mss} bytes: the ${s.requestBytes}-byte request fits in ${s.requestSegments} segment${s.requestSegments === 1 ? '' : 's'}; ` +
        `the ${s.responseBytes}-byte response takes ${s.responseSegments} segment${s.responseSegments === 1 ? '' : 's'}` +
        (s.retransmissions > 0 ? ` (${s.retransmissions} retransmitted)` : ''),
      ...(s.pmtuMss !== undefined
        ? [
            `path MTU discovery lowered the MSS to ${s.pmtuMss} during the response (ICMP fragmentation needed` +
              (s.pmtu !== undefined
                ? `: path MTU ${s.pmtu} − 20 bytes of IP header − 20 of TCP header)`
                : ')'),
          ]
        : []),
      ...(s.responseSegments > 1 && s.maxPayload < s.mss
        ? [
            `a full segment carries ${s.maxPayload} bytes: the MSS minus ${s.mss - s.maxPayload} bytes of TCP options (timestamps, RFC 7323)` +
              (s.pmtuMss !== undefined && s.pmtuPayload !== undefined
                ? `; after the MTU drop, ${s.pmtuPayload} bytes (${s.pmtuMss} − ${s.pmtuMss - s.pmtuPayload})`
                : ''),
          ]
        : []),
    ],
  }),
  frame: (s: FrameStep) => ({
    title: 'Frame on the wire',
    lines: [
      `IP header: ${s.ipHeader.src} → ${s.ipHeader.dst} · TTL ${s.ipHeader.ttl} · protocol ${s.ipHeader.protocol} (TCP) · ID ${s.ipHeader.id}${s.ipHeader.df ? ' · DF' : ''}`,
      `Ethernet dst ${s.dstMac} src ${s.srcMac} type 0x${s.etherType.toString(16).padStart(4, '0')} (IPv4; one seed article writes 0080, a typo) · FCS ${hex32(s.fcs)} · ${s.length} bytes`,
      ...(s.txPath.length > 0
        ? [
            `as Linux sends it: ${s.txPath.map((p) => (p.queued ? `${p.fn} (queued until the ARP reply)` : p.fn)).join(' → ')} → NIC TX ring`,
          ]
        : []),
      `the NIC (${s.node} ${s.iface}) adds a 7-byte preamble + 1-byte SFD and keeps a 12-byte gap: ${s.wireBytes} bytes of wire time`,
    ],
  }),
  switch: (s: SwitchStep) => ({
    title: `Switch ${s.node}`,
    lines: [
      (s.learnedAt !== undefined
        ? `learned ${s.srcMac} on ${s.inPort} (at ${at(s.learnedAt)}) · `
        : '') +
        (s.decision === 'known'
          ? `dst ${s.dstMac} is in the MAC table → ${s.outPorts.join(', ')}`
          : `dst ${s.dstMac} unknown → flooded to ${s.outPorts.join(', ')}`) +
        ' (switch ports have no MAC address)',
    ],
  }),
  router: (s: RouterStep) => ({
    title: `Router ${s.node}`,
    lines: [
      s.noRoute
        ? `frame is for my MAC ${s.inDstMac} (${s.inIface}) · route lookup for ${s.dst}: no route` +
          (s.noRoute.tried.length > 0
            ? ` (${s.noRoute.tried.join(', ')} did not match, and there is no default route)`
            : ' (its routing table is empty)')
        : `frame is for my MAC ${s.inDstMac} (${s.inIface}) · route ${s.route} · TTL ${s.ttlIn} → ${s.ttlOut}`,
      ...(s.stop
        ? stopLines(s, s.stop, 'en')
        : [`new MACs on ${s.outIface}: src ${s.srcMac} dst ${s.dstMac} (next hop ${s.nextHop})`]),
    ],
  }),
  server: (s: ServerStep) => ({
    title: `Server ${s.node}`,
    lines: [
      `peels MAC → IP → TCP → HTTP: ${s.path.map((p) => p.fn).join(' → ')}${s.path.length > 0 ? ' → application' : ''}`,
      `as Linux receives a packet: ${linuxPath(s, 'en')}`,
      `${s.method} ${s.target} → ${s.status} ${s.reason}${s.file ? ` · ${s.file} ${kb(s.bodyBytes)}` : ''}${s.why ? ` (${s.why})` : ''}`,
    ],
  }),
  response: (s: ResponseStep) => ({
    title: 'Response',
    lines: [
      `HTTP/1.1 ${s.status} ${s.reason} · ${s.bytes} bytes in ${s.segments} segment${s.segments === 1 ? '' : 's'} back along the same path · time to first byte ${ms(s.ttfb)}`,
      ...(s.hops > 0
        ? [
            `MACs are rewritten at each of the ${s.hops} routers; the IP addresses stay (no NAT in this network)`,
          ]
        : []),
    ],
  }),
  redirect: (s: RedirectStep) => ({
    title: 'Redirect',
    lines: [
      `${s.status} ${s.reason} with Location: ${s.location} → the browser follows it to ${s.to}` +
        (s.location !== s.to ? ` (the Location resolved against ${s.from})` : ''),
      `${s.request}${s.requestBytes ? ` (${s.requestBytes} bytes)` : ''} ` +
        (s.reused
          ? `on connection #${s.connectionId}, kept alive: ${s.sameHost ? 'no DNS lookup, ' : ''}no new handshake`
          : s.connect
            ? `on a new connection #${s.connectionId} ${s.connect.local}:${s.connect.localPort} → ${s.connect.remote}:${s.connect.remotePort} (${s.connect.why}): a new handshake`
            : `on connection #${s.connectionId ?? '?'}`) +
        (!s.sameHost && s.dnsCache ? ` · browser DNS cache: ${s.dnsCache}` : ''),
      ...(s.response
        ? [
            `→ HTTP/1.1 ${s.response.status} ${s.response.reason} · ${s.response.bytes} bytes · time to first byte ${ms(s.response.ttfb)}`,
          ]
        : []),
    ],
  }),
  page: (s: PageStep) => {
    const reused = s.subresources.filter((r) => r.reused).length;
    const cached = s.subresources.filter((r) => r.cache !== 'none').length;
    return {
      title: 'Page',
      lines: [
        `"${s.title}" · ${s.subresources.length} subresource${s.subresources.length === 1 ? '' : 's'}` +
          (s.subresources.length > 0
            ? ` (${s.subresources.map((r) => short(r.url)).join(', ')})`
            : '') +
          (cached === s.subresources.length && s.subresources.length > 0
            ? ''
            : ` over ${s.connections} connection${s.connections === 1 ? '' : 's'}`) +
          (reused > 0 ? `, ${reused} on a kept-alive one` : '') +
          (cached > 0 ? `, ${cached} from the browser cache` : ''),
        `loaded in ${ms(s.loadTime)} · rendered below`,
      ],
    };
  },
  close: (s: CloseStep) => {
    const who = (x: 'client' | 'server') => (x === 'client' ? 'browser' : 'server');
    const seq = s.sequence.map((x, i) => `${x} (${who(s.senders[i])})`).join(' → ');
    const merged = s.sequence.includes('FIN+ACK') && s.sequence.length === 3;
    return {
      title: 'Close',
      lines: [
        `${s.firstFin === 'client' ? 'the browser' : 'the server'} closes first: ${seq}` +
          (s.connections > 1
            ? ` (and the same on the other ${s.connections - 1} connection${s.connections === 2 ? '' : 's'})`
            : ''),
        merged
          ? `3 segments, not the textbook four: the server had nothing more to send, so its ACK rode on its own FIN`
          : `the four-way close: each side sends its FIN and ACKs the other's`,
        s.timeWaitNode
          ? `${s.timeWaitNode} waits in TIME-WAIT ${formatDuration(s.timeWait)} so that late segments die out (Linux's fixed TIME-WAIT; RFC 9293's 2·MSL would be 4 min)`
          : '',
      ].filter(Boolean),
    };
  },
  error: (s: ErrorStep) => ({ title: 'Error', lines: errorSummary(s, 'en') }),
};

const ZH: Texts = {
  fault: (s: FaultStep) => ({
    title: '注入的故障',
    lines: [
      `链路 ${s.target}：${s.what}`,
      s.drops > 0 ? `这次访问中该链路丢了 ${s.drops} 个帧：` : '这次访问中该链路没有丢帧',
      ...faultLines(s, 'zh'),
      ...(s.fragments > 0 ? [`${s.fragments} 个数据报因 MTU 被分片`] : []),
    ],
  }),
  url: (s: UrlStep) => ({
    title: '解析 URL',
    lines: [
      `协议 ${s.scheme} · 主机名 ${s.host} · 端口 ${s.port}${s.portIsDefault ? `（${s.scheme} 的默认端口）` : ''}${s.addedScheme ? ` · 输入的 "${s.input}" 没有协议，补全为 http://` : ''}`,
      s.defaultFile
        ? `路径 ${s.path} 没有文件名 → 服务器使用事先设置的默认文件（index.html）`
        : `路径 ${s.path}`,
      ...(s.userinfo
        ? [
            `主机名前的用户信息 "${s.userinfo.user}${s.userinfo.password ? ':…' : ''}@"：用户名${s.userinfo.password ? '和密码' : ''}。RFC 9110 § 4.2.4 不赞成在 http URL 里写用户信息，它不会出现在请求行的目标里，也不会出现在 Host 首部里；“@”后面的才是主机名`,
            s.userinfo.sent
              ? '这个浏览器把它们放进请求的 Authorization 首部发送'
              : '这个浏览器丢弃它们：请求里没有 Authorization 首部，服务器回 401 时也不会发送（Chrome、Firefox 等浏览器最多在服务器回 401 要求认证时才把它们放进 Authorization 首部）',
          ]
        : []),
    ],
  }),
  request: (s: RequestStep) => ({
    title: '生成 HTTP 请求信息',
    lines: [
      `${s.firstLine} · Host: ${s.host} · ${s.fields} 个首部字段 · ${s.length} 字节`,
      ...(s.conditional.length > 0
        ? [`条件请求：${s.conditional.join('、')}（问服务器缓存的副本是否还有效）`]
        : []),
      '浏览器委托操作系统发送消息：先要查出服务器的 IP 地址',
    ],
  }),
  caches: (s: CachesStep) => ({
    title: '查看缓存',
    lines: [
      `浏览器缓存：${zhHit(s.browserCache)}（${zhWhy(s.browserCacheWhy)}）`,
      `浏览器 DNS 缓存：${zhHit(s.dnsCache)}${s.address ? ` → ${s.address}` : ''}` +
        (s.osCache ? ` · 操作系统缓存（gethostbyname）：${zhHit(s.osCache)}` : '') +
        (s.hosts ? ` · hosts 文件：${s.hosts === 'hit' ? '有这个域名' : '没有记录'}` : ''),
    ],
  }),
  dns: (s: DnsStep) => {
    const lines: string[] = [];
    if (s.source === 'none')
      return { title: 'DNS 域名解析', lines: [`${s.name} 本身就是 IP 地址，不用查 DNS`] };
    if (s.source === 'hosts')
      lines.push(`在 hosts 文件中找到 ${s.name} → ${s.addresses.join(', ')}`);
    else if (s.source === 'os-cache')
      lines.push(`在操作系统缓存中找到 ${s.name} → ${s.addresses.join(', ')}`);
    else if (s.resolver) {
      lines.push(
        `询问本地 DNS 服务器 ${s.resolver}${s.resolverNode ? `（${s.resolverNode}，来自 resolv.conf）` : ''}：${s.name} 的 IP 是什么？`,
      );
      if (s.resolverFromCache)
        lines.push('本地 DNS 服务器的缓存里有答案，直接返回，不用去问根域名服务器');
      const hopLines: [number, string][] = s.stubTimeouts.map((st) => [
        st.t,
        `到 ${at(st.t)} 还没收到 ${s.resolver} 的回答（查询或回答丢了）：再问一次`,
      ]);
      s.hops.forEach((h) => {
        const lines = { push: (l: string) => hopLines.push([h.t, l]) };
        if (h.timeout)
          lines.push(`  本地 DNS → ${h.serverName} ${h.server}：没有回应（超时），重试`);
        else if (h.outcome === 'referral')
          lines.push(
            `  本地 DNS → ${h.serverName} ${h.server}：“去问 ${h.referralZone ?? ''} 的服务器”（引荐）· ${ms(h.rtt)}`,
          );
        else if (h.rcode === 'NXDOMAIN')
          lines.push(
            `  本地 DNS → ${h.serverName} ${h.server}：NXDOMAIN，${zhDnsSummary(h.summary) || `域名不存在（${h.summary}）`}`,
          );
        else
          lines.push(
            `  本地 DNS → ${h.serverName} ${h.server}：${h.summary}${h.aa ? '（权威 DNS 服务器的回答）' : ''} · ${ms(h.rtt)}`,
          );
      });
      lines.push(...hopLines.sort((a, b) => a[0] - b[0]).map((x) => x[1]));
    }
    if (s.addresses.length > 0) {
      lines.push(
        `→ ${s.name.replace(/\.$/, '')} 的 IP 地址是 ${s.addresses.join(', ')}${s.ttl !== undefined ? `，TTL ${Math.round(s.ttl)} 秒` : ''} · DNS 共 ${ms(s.duration)}`,
      );
    } else if (s.rcode !== 'NOERROR') lines.push(`→ ${s.rcode}`);
    return { title: 'DNS 域名解析', lines };
  },
  socket: (s: SocketStep) => ({
    title: '创建套接字',
    lines: s.reused
      ? [
          `复用连接 #${s.connectionId} ${s.local}:${s.localPort} → ${s.remote}:${s.remotePort}（keep-alive 保持连接，不用再握手）`,
        ]
      : [
          `connect ${s.local}:${s.localPort} → ${s.remote}:${s.remotePort}（连接 #${s.connectionId}；${zhWhy(s.why)}）`,
          '协议栈的上半部分（TCP）接手浏览器的委托',
        ],
  }),
  route: (s: RouteStep) => ({
    title: '查询路由表',
    lines: s.local
      ? [
          (s.localKind === 'loopback'
            ? `${s.dst} 是环回地址`
            : `${s.dst} 是 ${s.node} 自己的地址`) +
            (s.localKind === 'loopback'
              ? `：本地路由表（local 表）里的 local ${s.matched} dev ${s.iface} 命中`
              : `：本地路由表（local 表）里的 local ${s.dst} 命中，经 ${s.iface}（环回接口）交付`) +
            '（Linux 先查 local 表、再查 main 表，所以 main 表的路由一条也用不上——包括能匹配任何地址的 0.0.0.0/0）',
          `→ 源地址 ${s.src} · 没有下一跳：这个包不会离开 ${s.node}`,
        ]
      : [
          `${s.dst} 与 ${s.matched} 匹配${s.gateway ? `（默认网关 ${s.gateway}，网卡 ${s.iface}）` : `（直连，网卡 ${s.iface}）`}` +
            routeNotes(s, 'zh'),
          `→ 源地址 ${s.src}${s.gateway ? ` · 下一跳是默认网关 ${s.gateway}` : ''}`,
        ],
  }),
  arp: (s: ArpStep) => ({
    title: 'ARP',
    lines: s.loopback
      ? [
          `不需要 ARP，也没有以太网帧：${s.iface}（环回接口）没有 MAC 地址，也不连任何线路` +
            (s.loopback.path.length > 0
              ? `；SYN 在 ${s.node} 内部走 ${s.loopback.path.join(' → ')}`
              : ''),
          '不经过交换机，也不经过路由器：没有任何帧发到链路上',
        ]
      : s.failed
        ? [
            `广播“谁是 ${s.target}？”（网卡 ${s.iface}）${arpTriesText(s.requests, s.interval, s.rounds, 'zh')}：等待它的包被丢弃（主机不可达）`,
          ]
        : s.resolvedNow && s.firstFor
          ? [
              `${at(s.firstFor.t)} 第一个要发往下一跳的包（${protoName(s.firstFor.protocol)}，发往 ${s.firstFor.dst}${s.firstFor.protocol === 17 ? '，即 DNS 查询' : ''}）已经触发了 ARP：`,
              `广播“谁是 ${s.target}？”（目标 MAC ff:ff:ff:ff:ff:ff，网卡 ${s.iface}）→ ${s.target} 的 MAC 地址是 ${s.mac ?? '?'}`,
              'SYN 发出时 ARP 缓存里已经有了（REACHABLE），不用再广播',
            ]
          : s.resolvedNow
            ? [
                `广播“谁是 ${s.target}？”（目标 MAC ff:ff:ff:ff:ff:ff，网卡 ${s.iface}）`,
                `→ ${s.target} 的 MAC 地址是 ${s.mac ?? '?'}${s.learnedAt !== undefined ? `（${at(s.learnedAt)} 收到回答）` : ''}，写入 ARP 缓存`,
              ]
            : [
                `ARP 缓存里已经有 ${s.target}：${s.mac ?? '?'}${s.learnedAt !== undefined ? `（${at(s.learnedAt)} 时学到）` : ''}`,
              ],
  }),
  handshake: (s: HandshakeStep) => ({
    title: 'TCP 三次握手',
    lines: s.refused
      ? [`SYN seq=${s.synSeq} → 收到 RST：${s.server} 上没有程序在监听（连接被拒绝）`]
      : !s.answered
        ? unansweredLines(s, 'zh')
        : [
            `SYN seq=${s.synSeq}${s.mss ? ` MSS ${s.mss}` : ''} → SYN+ACK seq=${s.synAckSeq} ack=${s.synAckAck} → ACK seq=${s.ackSeq} ack=${s.ackAck}   往返时间 ${ms(s.rtt)}`,
            ...(s.retries > 0 ? [`SYN 发送了 ${s.retries + 1} 次（超时后重传）`] : []),
            ...(s.arpWaits.length > 0
              ? [
                  `这个往返时间里包含途中的 ARP：${s.arpWaits.map((w) => `${w.node} 问“谁是 ${w.target}？”`).join('、')}（发往下一跳的第一个包要等它的 MAC 地址）`,
                ]
              : []),
          ],
  }),
  segmentation: (s: SegmentationStep) => ({
    title: 'MSS 分段',
    lines: [
      `MSS ${s.mss} 字节：${s.requestBytes} 字节的请求用 ${s.requestSegments} 个 TCP 段；${s.responseBytes} 字节的响应${s.responseSegments === 1 ? '装在 1 个段里' : `分成 ${s.responseSegments} 个段`}` +
        (s.retransmissions > 0 ? `（重传 ${s.retransmissions} 个）` : ''),
      ...(s.pmtuMss !== undefined
        ? [
            `响应途中路径 MTU 发现把 MSS 降到了 ${s.pmtuMss}（ICMP“需要分片”` +
              (s.pmtu !== undefined
                ? `：路径 MTU ${s.pmtu} 减去 20 字节 IP 头部和 20 字节 TCP 头部）`
                : '）'),
          ]
        : []),
      ...(s.responseSegments > 1 && s.maxPayload < s.mss
        ? [
            `一个满的段装 ${s.maxPayload} 字节数据：MSS 减去 ${s.mss - s.maxPayload} 字节的 TCP 选项（时间戳，RFC 7323）` +
              (s.pmtuMss !== undefined && s.pmtuPayload !== undefined
                ? `；MTU 变小之后是 ${s.pmtuPayload} 字节（${s.pmtuMss} − ${s.pmtuMss - s.pmtuPayload}）`
                : ''),
          ]
        : []),
    ],
  }),
  frame: (s: FrameStep) => ({
    title: '网卡发出的帧',
    lines: [
      `IP 头部：${s.ipHeader.src} → ${s.ipHeader.dst} · TTL ${s.ipHeader.ttl} · 协议号 ${s.ipHeader.protocol}（TCP）· 标识 ${s.ipHeader.id}${s.ipHeader.df ? ' · DF' : ''}`,
      `MAC 头部：目标 ${s.dstMac} 源 ${s.srcMac} 类型 0x${s.etherType.toString(16).padStart(4, '0')}（IPv4；有的文章写成 0080，是笔误）· FCS ${hex32(s.fcs)} · ${s.length} 字节`,
      ...(s.txPath.length > 0
        ? [
            `Linux 发送数据包的过程：${s.txPath.map((p) => (p.queued ? `${p.fn}（排队等 ARP 回答）` : p.fn)).join(' → ')} → 网卡发送环形缓冲区`,
          ]
        : []),
      `网卡（${s.node} ${s.iface}）在开头加上 7 字节前导码和 1 字节帧起始定界符，帧之间留 12 字节间隔：线路上共 ${s.wireBytes} 字节`,
    ],
  }),
  switch: (s: SwitchStep) => ({
    title: `交换机 ${s.node}`,
    lines: [
      (s.learnedAt !== undefined
        ? `MAC 地址表记下 ${s.srcMac} 在 ${s.inPort}（${at(s.learnedAt)}）· `
        : '') +
        (s.decision === 'known'
          ? `目标 ${s.dstMac} 在 MAC 地址表中 → 从 ${s.outPorts.join('、')} 转发`
          : `目标 ${s.dstMac} 不在表中 → 从 ${s.outPorts.join('、')} 泛洪`) +
        '（交换机的端口没有 MAC 地址）',
    ],
  }),
  router: (s: RouterStep) => ({
    title: `路由器 ${s.node}`,
    lines: [
      s.noRoute
        ? `帧的目标 MAC ${s.inDstMac} 是自己的（${s.inIface}），收下 · 查路由表：没有去 ${s.dst} 的路由` +
          (s.noRoute.tried.length > 0
            ? `（${s.noRoute.tried.join('、')} 都不匹配，也没有默认路由）`
            : '（路由表是空的）')
        : `帧的目标 MAC ${s.inDstMac} 是自己的（${s.inIface}），收下 · 查路由表：${s.route} · TTL ${s.ttlIn} → ${s.ttlOut}`,
      ...(s.stop
        ? stopLines(s, s.stop, 'zh')
        : [
            `换上新的 MAC 头部（${s.outIface}）：源 ${s.srcMac} 目标 ${s.dstMac}（下一跳 ${s.nextHop}）`,
          ]),
    ],
  }),
  server: (s: ServerStep) => ({
    title: `服务器 ${s.node}`,
    lines: [
      `逐层拆开 MAC → IP → TCP → HTTP：${s.path.map((p) => p.fn).join(' → ')}${s.path.length > 0 ? ' → 应用程序' : ''}`,
      `Linux 接收数据包的过程：${linuxPath(s, 'zh')}`,
      `${s.method} ${s.target} → ${s.status} ${s.reason}${s.file ? ` · ${s.file} ${kb(s.bodyBytes)}` : ''}${s.why ? `（${zhWhy(s.why)}）` : ''}`,
    ],
  }),
  response: (s: ResponseStep) => ({
    title: '返回响应',
    lines: [
      `HTTP/1.1 ${s.status} ${s.reason} · ${s.bytes} 字节，${s.segments} 个段沿原路返回 · 首字节时间 ${ms(s.ttfb)}`,
      ...(s.hops > 0
        ? [`经过 ${s.hops} 个路由器，每一跳都换 MAC 头部；IP 地址不变（这个网络里没有 NAT）`]
        : []),
    ],
  }),
  redirect: (s: RedirectStep) => ({
    title: '重定向',
    lines: [
      `${s.status} ${s.reason}，Location: ${s.location} → 浏览器自动跳转到 ${s.to}` +
        (s.location !== s.to ? `（Location 相对于 ${s.from} 解析）` : ''),
      (s.reused
        ? `在 keep-alive 连接 #${s.connectionId} 上发送 ${s.request}${s.requestBytes ? `（${s.requestBytes} 字节）` : ''}：${s.sameHost ? '不用再查 DNS，' : ''}也不用再握手`
        : s.connect
          ? `新建连接 #${s.connectionId} ${s.connect.local}:${s.connect.localPort} → ${s.connect.remote}:${s.connect.remotePort}（${zhWhy(s.connect.why)}），重新三次握手，再发送 ${s.request}${s.requestBytes ? `（${s.requestBytes} 字节）` : ''}`
          : `在连接 #${s.connectionId ?? '?'} 上发送 ${s.request}`) +
        (!s.sameHost && s.dnsCache ? ` · 浏览器 DNS 缓存：${zhHit(s.dnsCache)}` : ''),
      ...(s.response
        ? [
            `→ HTTP/1.1 ${s.response.status} ${s.response.reason} · ${s.response.bytes} 字节 · 首字节时间 ${ms(s.response.ttfb)}`,
          ]
        : []),
    ],
  }),
  page: (s: PageStep) => {
    const reused = s.subresources.filter((r) => r.reused).length;
    const cached = s.subresources.filter((r) => r.cache !== 'none').length;
    return {
      title: '显示网页',
      lines: [
        `“${s.title}”· ${s.subresources.length} 个子资源` +
          (s.subresources.length > 0
            ? `（${s.subresources.map((r) => short(r.url)).join('、')}）`
            : '') +
          (cached === s.subresources.length && s.subresources.length > 0
            ? ''
            : `，用了 ${s.connections} 个连接`) +
          (reused > 0 ? `，其中 ${reused} 个复用 keep-alive 连接` : '') +
          (cached > 0 ? `，${cached} 个来自缓存` : ''),
        `加载用时 ${ms(s.loadTime)} · 页面显示在下面`,
      ],
    };
  },
  close: (s: CloseStep) => {
    const who = (x: 'client' | 'server') => (x === 'client' ? '浏览器' : '服务器');
    const seq = s.sequence.map((x, i) => `${x}（${who(s.senders[i])}）`).join(' → ');
    const merged = s.sequence.includes('FIN+ACK') && s.sequence.length === 3;
    // The title says what the segments show: four, three (an ACK rode on a FIN), or something else.
    const four = s.sequence.join(' ') === 'FIN ACK FIN ACK';
    return {
      title: merged ? 'TCP 三次挥手' : four ? 'TCP 四次挥手' : 'TCP 断开连接',
      lines: [
        `${s.firstFin === 'client' ? '浏览器' : '服务器'}先关闭：${seq}` +
          (s.connections > 1 ? `（另外 ${s.connections - 1} 个连接也一样）` : ''),
        merged
          ? '只有 3 个段，而不是课本上“TCP 四次挥手”的 4 个：服务器没有数据要发了，它的 ACK 和自己的 FIN 合在一个段里'
          : four
            ? '四次挥手：双方各发一个 FIN，并确认对方的 FIN'
            : '双方各发一个 FIN，并确认对方的 FIN',
        s.timeWaitNode
          ? `${s.timeWaitNode} 在 TIME_WAIT 状态等待 ${formatDuration(s.timeWait)}，让迟到的报文消失（Linux 固定的 TIME_WAIT 时长；按 RFC 9293 的 2·MSL 要 4 分钟）`
          : '',
      ].filter(Boolean),
    };
  },
  error: (s: ErrorStep) => ({
    title: '出错',
    lines: [
      ...errorSummary(s, 'zh'),
      ...(knownError(s) ? [] : [`（浏览器报告的原文：${s.message}）`]),
    ],
  }),
};

/**
 * The reasons other modules give (in English, in their trace events), said in Chinese where
 * the phrase is known; anything else is shown as it is.
 */
function zhWhy(why: string): string {
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^not in the HTTP cache$/, () => '不在 HTTP 缓存中'],
    [/^no open connection to (\S+)$/, (m) => `还没有到 ${m[1]} 的连接`],
    [
      /^(\d+) connections? (?:is|are) busy \(limit (\d+) per host\)$/,
      (m) => `${m[1]} 个连接正忙（每个主机最多 ${m[2]} 个）`,
    ],
    [
      /^(\S+) has no file name → the default file (\S+)$/,
      (m) => `${m[1]} 没有文件名 → 使用默认文件 ${m[2]}`,
    ],
    [/^(\S+) → (\S+)$/, (m) => `${m[1]} → 文件 ${m[2]}`],
    [
      /^Cache-Control: no-cache → must revalidate with the server every time$/,
      () => 'Cache-Control: no-cache → 每次都要向服务器验证',
    ],
    [/^If-None-Match (.*) matches ETag (.*)$/, (m) => `If-None-Match ${m[1]} 与 ETag ${m[2]} 相同`],
  ];
  for (const [re, f] of rules) {
    const m = re.exec(why);
    if (m) return f(m);
  }
  return why;
}

const RX_STAGE: Record<string, { en: string; zh: string }> = {
  irq: { en: 'hard interrupt', zh: '硬中断' },
  softirq: { en: 'softirq NAPI poll', zh: '软中断 NAPI 轮询' },
  netif_receive: { en: 'EtherType dispatch', zh: '按 EtherType 分发' },
  ip_rcv: { en: 'IP header checks', zh: 'IP 头部校验' },
  ip_local_deliver: { en: 'IP local delivery', zh: 'IP 本机交付' },
  transport: { en: 'TCP', zh: 'TCP' },
  socket: { en: 'socket queue', zh: '套接字队列' },
};

/** NIC ring → interrupt → softirq / NAPI poll → IP → TCP → socket queue → application. */
function linuxPath(s: ServerStep, lang: Lang): string {
  const stages = s.path.map((p) => RX_STAGE[p.stage]?.[lang] ?? p.stage);
  const words =
    lang === 'en'
      ? [
          'frame DMA-ed into the NIC RX ring',
          ...stages,
          'socket receive queue',
          'the server reads it',
        ]
      : ['网卡把帧 DMA 到接收环形缓冲区', ...stages, '套接字接收队列', '服务器程序读取'];
  return [...new Set(words)].join(' → ');
}

/** The consequences of the faults, in time order (at most 12 lines, then a count). */
function faultLines(s: FaultStep, lang: Lang): string[] {
  const zh = lang === 'zh';
  const lines = s.timeline.map((x) => {
    const when = `${at(x.t).padStart(12)}  ${x.node}`;
    switch (x.what) {
      case 'lost':
        return zh ? `${when} 发出的帧丢了：${x.frame}` : `${when}: frame lost: ${x.frame}`;
      case 'retransmit':
        if (x.pmtu)
          return zh
            ? `${when} 按新的 MSS 重发 seq ${x.seq}（路径 MTU 变小，不是超时）`
            : `${when} resends seq ${x.seq} in smaller segments (path MTU, not a timeout)`;
        return zh
          ? `${when} 重传 seq ${x.seq}（${x.conn}）：${x.why}`
          : `${when} retransmits seq ${x.seq} (${x.conn}): ${x.why}`;
      case 'pmtu': {
        const opts = x.mss - x.payload;
        return zh
          ? `${when} 收到 ${x.from} 的 ICMP“需要分片”：路径 MTU 降为 ${x.mtu} → MSS ${x.mss}（MTU − 40 字节 IP 和 TCP 头部）` +
              (opts > 0 && opts <= 40
                ? ` → 每个段装 ${x.payload} 字节数据（MSS − ${opts} 字节 TCP 选项）`
                : '') +
              ' · RFC 1191'
          : `${when} learns from ${x.from}'s ICMP "fragmentation needed": path MTU ${x.mtu} → MSS ${x.mss} (MTU − 40 bytes of IP and TCP headers)` +
              (opts > 0 && opts <= 40
                ? ` → ${x.payload} bytes of data per segment (MSS − ${opts} bytes of TCP options)`
                : '') +
              ' · RFC 1191';
      }
      case 'icmp':
        return zh ? `${when} 发送 ICMP ${x.message}` : `${when} sends ICMP ${x.message}`;
      case 'dns-timeout':
        return zh
          ? `${when} 等不到 ${x.server} 的 DNS 回答（第 ${x.attempt} 次），超时后重问`
          : `${when} got no DNS answer from ${x.server} (try ${x.attempt}): timeout, asks again`;
    }
  });
  return lines.length > 12
    ? [
        ...lines.slice(0, 12),
        zh ? `…… 另有 ${lines.length - 12} 条` : `… ${lines.length - 12} more`,
      ]
    : lines;
}

/** What else the route lookup weighed: routes that did not match, and routes that lost. */
function routeNotes(s: RouteStep, lang: Lang): string {
  const zh = lang === 'zh';
  const also = (r: string) =>
    r === '0.0.0.0/0'
      ? zh
        ? '0.0.0.0/0 能匹配任何地址'
        : '0.0.0.0/0 matches every address'
      : zh
        ? `${r} 也匹配`
        : `${r} matches too`;
  const notes: string[] = [];
  if (s.rejected.length > 0)
    notes.push(
      zh ? `${s.rejected.join('、')} 不匹配` : `${s.rejected.join(' and ')} did not match`,
    );
  if (s.lessSpecific.length > 0)
    notes.push(
      zh
        ? `${s.lessSpecific.map(also).join('，')}，但 ${s.matched} 更具体（最长前缀匹配）`
        : `${s.lessSpecific.map(also).join(' and ')}, but ${s.matched} is more specific: the longest prefix wins`,
    );
  if (s.higherMetric.length > 0)
    notes.push(
      zh
        ? `${s.higherMetric.join('、')} 一样具体，但度量值更大`
        : `${s.higherMetric.join(' and ')} ${s.higherMetric.length === 1 ? 'is' : 'are'} as specific, with a higher metric`,
    );
  if (notes.length === 0) return '';
  return zh ? `；${notes.join('；')}` : ` (${notes.join('; ')})`;
}

/** ICMP names in Chinese, by the English names of src/story/steps.ts. */
const ZH_ICMP: Record<string, string> = {
  'net unreachable': '网络不可达',
  'host unreachable': '主机不可达',
  'port unreachable': '端口不可达',
  'fragmentation needed': '需要分片',
  'time exceeded (TTL)': '超时（TTL 减到 0）',
  'time exceeded (reassembly)': '超时（分片重组）',
};

/** The errno and message a Linux connect() reports for an ICMP error during the handshake. */
function connectErrno(type: number, code: number, lang: Lang): string {
  const [errno, text] =
    type === 3 && (code === 0 || code === 6 || code === 9 || code === 11)
      ? ['ENETUNREACH', 'Network is unreachable']
      : ['EHOSTUNREACH', 'No route to host'];
  return lang === 'zh' ? `${errno}（“${text}”）` : `${errno}, "${text}"`;
}

/** The SYN's sends: "+0 s, +1 s, +3 s (… the wait doubles: 1, 2 s)". */
function sendTimes(s: HandshakeStep, lang: Lang): string {
  const t0 = s.synSends[0] ?? s.t;
  const offsets = s.synSends.map((t) => `+${secs(t - t0)} s`).join(lang === 'zh' ? '、' : ', ');
  const gaps = s.synSends.slice(1).map((t, i) => t - s.synSends[i]);
  const doubling =
    gaps.length > 1 && gaps.every((g, i) => i === 0 || Math.abs(g - 2 * gaps[i - 1]) < 1e6);
  if (lang === 'zh')
    return `${offsets}（每次超时后重传${doubling ? `，等待时间每次翻倍：${gaps.map((g) => secs(g)).join('、')} 秒` : ''}）`;
  return `${offsets} (retransmitted after each timeout${doubling ? `; the wait doubles: ${gaps.map((g) => secs(g)).join(', ')} s` : ''})`;
}

/** A handshake that got no SYN-ACK: the SYN's sends, where it stopped, how the connect ended. */
function unansweredLines(s: HandshakeStep, lang: Lang): string[] {
  const zh = lang === 'zh';
  const client = s.client.slice(0, s.client.lastIndexOf(':'));
  const lines: string[] = [];
  lines.push(
    zh
      ? `SYN seq=${s.synSeq}${s.mss ? ` MSS ${s.mss}` : ''} → 没有收到 SYN+ACK：握手没有完成，连接没有建立`
      : `SYN seq=${s.synSeq}${s.mss ? ` MSS ${s.mss}` : ''} → no SYN-ACK came back: no handshake, no connection`,
  );
  const n = s.synSends.length;
  lines.push(
    zh
      ? n <= 1
        ? 'SYN 只发送了 1 次'
        : `SYN 发送了 ${n} 次：${sendTimes(s, 'zh')}`
      : n <= 1
        ? 'the SYN was sent once'
        : `the SYN was sent ${n} times: ${sendTimes(s, 'en')}`,
  );
  const stop = s.stoppedAt;
  if (stop?.local) {
    const a = stop.arp;
    lines.push(
      zh
        ? `SYN 没能离开本机：${a ? `对 ${a.target} 的 ARP 请求没有任何回应` : dropWhy(stop, 'zh')}` +
            (stop.icmp
              ? `，在 ${when(stop.t)} IP 层向本机的 TCP 报告 ICMP“${ZH_ICMP[stop.icmp.name] ?? stop.icmp.name}”`
              : '')
        : `the SYN never left the host: ${a ? `nobody answered its ARP for ${a.target}` : dropWhy(stop, 'en')}` +
            (stop.icmp
              ? `, and at ${when(stop.t)} its IP layer reported ICMP ${stop.icmp.name} to its own TCP`
              : ''),
    );
  } else if (stop !== undefined) {
    const icmp = stop.icmp;
    const icmpName = icmp
      ? zh
        ? `ICMP“${ZH_ICMP[icmp.name] ?? icmp.name}”（类型 ${icmp.type} 代码 ${icmp.code}）`
        : `ICMP ${icmp.name} (type ${icmp.type} code ${icmp.code})`
      : '';
    const why = stop.arp
      ? zh
        ? `它对 ${stop.arp.target} 的 ARP 请求没有回应`
        : `its ARP for ${stop.arp.target} got no answer`
      : dropWhy(stop, lang);
    if (icmp)
      lines.push(
        zh
          ? `在 ${when(stop.t)}，${stop.node} 发回 ${icmpName}，报告 SYN 无法送达——${why}`
          : `at ${when(stop.t)} ${stop.node} reported ${icmpName}: it could not deliver the SYN — ${why}`,
      );
    else
      lines.push(
        zh
          ? `SYN 到了 ${stop.node}，被它丢弃：${why}；它没有发回 ICMP 差错报文`
          : `the SYN reached ${stop.node}, which dropped it: ${why}; it sent no ICMP error back`,
      );
    if (icmp && icmp.received > 0)
      lines.push(
        zh
          ? `${client} 收到 ${icmp.received} 个这样的 ICMP 报文（来自 ${icmp.from ?? stop.node}），第一个在 ${when(icmp.firstReceived ?? 0)} 到达`
          : `${client} received ${plural(icmp.received, 'such ICMP error')} (from ${icmp.from ?? stop.node}), the first at ${when(icmp.firstReceived ?? 0)}`,
      );
  }
  const end = s.end;
  const gotIcmp = (stop?.icmp?.received ?? 0) > 0;
  if (end !== undefined) {
    if (end.cause === 'icmp' && stop?.icmp)
      lines.push(
        zh
          ? `在 ${when(end.t)}，TCP 收到这个 ICMP 差错就放弃了连接（和 Linux 一样：还在 SYN-SENT 状态的连接遇到 ICMP 差错就中止，connect() 返回 ${connectErrno(stop.icmp.type, stop.icmp.code, 'zh')}）`
          : `at ${when(end.t)} TCP gave up on the ICMP error (as Linux does with a connection still in SYN-SENT: connect() fails with ${connectErrno(stop.icmp.type, stop.icmp.code, 'en')})`,
      );
    else if (end.cause === 'icmp')
      lines.push(
        zh
          ? `在 ${when(end.t)}，TCP 因 ICMP 差错放弃了连接（${end.why}）`
          : `at ${when(end.t)} TCP gave up on an ICMP error (${end.why})`,
      );
    else if (end.cause === 'browser-timeout')
      lines.push(
        gotIcmp
          ? zh
            ? `ICMP 差错没有中止连接，TCP 继续重传 SYN，直到 ${when(end.t)} 浏览器不再等待（连接超时）`
            : `the ICMP errors did not end the connect: TCP kept retransmitting the SYN until the browser gave up at ${when(end.t)} (its connect timeout)`
          : zh
            ? `没有 SYN+ACK、没有 RST，也没有 ICMP 差错报文回来：到 ${when(end.t)}，浏览器不再等待（连接超时）`
            : `no SYN-ACK, no RST and no ICMP error came back: the browser gave up at ${when(end.t)} (its connect timeout)`,
      );
    else if (end.cause === 'tcp-timeout')
      lines.push(
        zh
          ? `在 ${when(end.t)}，TCP 发了 ${n} 次 SYN 后放弃（${end.why}）`
          : `at ${when(end.t)} TCP gave up after ${n} SYNs (${end.why})`,
      );
    else
      lines.push(
        zh
          ? `在 ${when(end.t)}，连接结束：${end.why}`
          : `the connect ended at ${when(end.t)}: ${end.why}`,
      );
  }
  const waited = s.arpWaits.filter((w) => w.answered);
  if (waited.length > 0)
    lines.push(
      zh
        ? `途中 SYN 还等过 ARP（都有回应）：${waited.map((w) => `${w.node} 问“谁是 ${w.target}？”`).join('、')}`
        : `on its way the SYN also waited for ARP (answered): ${waited.map((w) => `${w.node} asked who has ${w.target}`).join(', ')}`,
    );
  return lines;
}

/** A router that could not send the packet on: the ARP that got no answer, the drops, the ICMP. */
function stopLines(r: RouterStep, stop: PathStop, lang: Lang): string[] {
  const zh = lang === 'zh';
  const lines: string[] = [];
  const a = stop.arp;
  if (r.noRoute) {
    // Linux: ip_rcv_finish → ip_route_input_noref fails, the datagram goes to ip_error (which
    // sends the ICMP error), never to ip_forward (which checks and decrements the TTL).
    lines.push(
      zh
        ? `TTL 仍是 ${r.ttlIn}：Linux 先查路由（ip_rcv_finish → ip_route_input），查到了才交给 ip_forward 把 TTL 减 1；没有路由的数据报交给 ip_error，TTL 不变`
        : `the TTL stays ${r.ttlIn}: Linux looks the route up first (ip_rcv_finish → ip_route_input) and only ip_forward, after a route is found, decrements the TTL; with no route the datagram goes to ip_error instead`,
    );
  } else if (a !== undefined) {
    lines.push(
      zh
        ? `下一跳 ${a.target}（${a.iface}）不在 ARP 缓存中：广播“谁是 ${a.target}？”${arpTriesText(a.requestsPerRound, a.interval, a.rounds, 'zh')}`
        : `next hop ${a.target} (${a.iface}) is not in the ARP cache: who has ${a.target}? ${arpTriesText(a.requestsPerRound, a.interval, a.rounds, 'en')}`,
    );
  } else
    lines.push(
      r.nextHop
        ? zh
          ? `无法转发到下一跳 ${r.nextHop}：${dropWhy(stop, 'zh')}`
          : `cannot send it on to ${r.nextHop}: ${dropWhy(stop, 'en')}`
        : zh
          ? `无法转发：${dropWhy(stop, 'zh')}`
          : `cannot send it on: ${dropWhy(stop, 'en')}`,
    );
  const i = stop.icmp;
  const dropped = zh
    ? `${stop.drops} 个 SYN 被丢弃`
    : `${stop.drops === 1 ? 'the SYN is' : `${stop.drops} SYNs are`} dropped`;
  const to = r.src
    ? zh
      ? `发送方 ${r.src}`
      : `the sender ${r.src}`
    : zh
      ? '发送方'
      : 'the sender';
  const from = r.icmpSrc
    ? zh
      ? `（源地址 ${r.icmpSrc}：${r.node} 按回程路由选出的地址）`
      : ` (from ${r.icmpSrc}, ${r.node}'s address on the route back)`
    : '';
  lines.push(
    i
      ? zh
        ? `→ ${dropped}，并发回 ${i.sent} 个 ICMP“${ZH_ICMP[i.name] ?? i.name}”（类型 ${i.type} 代码 ${i.code}）给${to}${from}`
        : `→ ${dropped}, and ${plural(i.sent, `ICMP ${i.name} (type ${i.type} code ${i.code})`, `ICMP ${i.name} errors (type ${i.type} code ${i.code})`)} ${i.sent === 1 ? 'goes' : 'go'} back to ${to}${from}`
      : zh
        ? `→ ${dropped}，没有发回 ICMP`
        : `→ ${dropped}, with no ICMP error sent back`,
  );
  return lines;
}

/** "asked 3 times, 1 s apart, no answer (and again for later SYNs: 3 rounds in all)". */
function arpTriesText(
  requests: number | undefined,
  interval: number | undefined,
  rounds: number | undefined,
  lang: Lang,
): string {
  const n = requests ?? 0;
  const gap = interval !== undefined && interval > 0 ? secs(interval) : '';
  const again = (rounds ?? 1) > 1;
  if (lang === 'zh')
    return (
      (n > 0 ? `${n} 次${gap ? `，每次间隔 ${gap} 秒` : ''}，都没有回应` : '多次都没有回应') +
      (again ? `（后来的包到达时又问了 ${(rounds ?? 1) - 1} 轮，同样没有回应）` : '')
    );
  return (
    (n > 0
      ? `asked ${plural(n, 'time')}${gap ? `, ${gap} s apart` : ''}, no answer`
      : 'no answer after several tries') +
    (again ? ` (asked again for later packets: ${rounds} rounds in all, none answered)` : '')
  );
}

/** Why the IP layer dropped the SYN (src/stack/netstack.ts IpDropReason), in words. */
function dropWhy(stop: PathStop, lang: Lang): string {
  const zh = lang === 'zh';
  switch (stop.reason) {
    case 'not-for-me':
      return zh
        ? `${stop.node} 是主机而不是路由器，不转发发给别人的数据报（RFC 1122 规定默默丢弃）`
        : `${stop.node} is a host, not a router, and does not forward a datagram addressed to someone else (RFC 1122: silently discarded)`;
    case 'no-route':
      return zh
        ? `${stop.node} 的路由表里没有去目的地址的路由`
        : `${stop.node} has no route to the destination`;
    case 'ttl-expired':
      return zh ? 'TTL 减到了 0' : 'its TTL ran out';
    case 'interface-down':
      return zh ? '出接口没有启用' : 'the outgoing interface is down';
    case 'arp-failed':
      return zh ? '下一跳的 ARP 请求没有回应' : 'the next hop did not answer ARP';
    default:
      return stop.reason;
  }
}

/** Why a node could not send the SYN on, in a few words. */
function stopWhy(stop: PathStop, lang: Lang): string {
  const zh = lang === 'zh';
  const a = stop.arp;
  const icmp = stop.icmp
    ? zh
      ? `，发回 ICMP“${ZH_ICMP[stop.icmp.name] ?? stop.icmp.name}”`
      : `; it sent back ICMP ${stop.icmp.name}`
    : '';
  if (a)
    return zh
      ? `它对 ${a.target} 的 ARP 请求没有回应${icmp}`
      : `its ARP for ${a.target} got no answer${icmp}`;
  return `${dropWhy(stop, lang)}${icmp}`;
}

/**
 * What went wrong, in a language: the error in words, with its Node-like code (ENOTFOUND,
 * ECONNREFUSED, …) once, and, for NXDOMAIN, who said the name does not exist (for the error
 * step, and for the CLI's summary on stderr). Both languages say it from the step's data; the
 * browser's own message is told only when the error is not one of those known here.
 */
export function errorSummary(s: ErrorStep, lang: Lang): string[] {
  if (lang === 'en')
    return [
      enError(s),
      ...(s.nxdomainFrom
        ? [
            `${s.nxdomainFrom} answered NXDOMAIN: ${enDnsSummary(s.soa ?? '') || 'the name does not exist'}`,
          ]
        : []),
    ];
  return [
    zhError(s),
    ...(s.nxdomainFrom
      ? [`${s.nxdomainFrom} 回答 NXDOMAIN：${zhDnsSummary(s.soa ?? '') || '域名不存在'}`]
      : []),
  ];
}

/** The error is one the story says in its own words (else the browser's message is shown). */
function knownError(s: ErrorStep): boolean {
  if (s.code === 'dns')
    return s.dnsCode !== undefined || /has no DNS resolver configured/.test(s.message);
  return (
    s.code !== undefined &&
    [
      'connection-refused',
      'unreachable',
      'timeout',
      'too-many-redirects',
      'https-not-supported',
      'unsupported-scheme',
      'bad-response',
    ].includes(s.code)
  );
}

/** " (ENOTFOUND)", "（ENOTFOUND）" or nothing. */
const errnoText = (s: ErrorStep, lang: Lang): string =>
  s.errno ? (lang === 'zh' ? `（${s.errno}）` : ` (${s.errno})`) : '';

/** The browser's error, said from the trace's data: what failed, in words, and its code once. */
function enError(s: ErrorStep): string {
  const host = s.host ?? '';
  const where =
    s.address !== undefined && s.address !== host
      ? `${host} (${s.address}) port ${s.port ?? 80}`
      : `${s.address ?? host} port ${s.port ?? 80}`;
  const code = errnoText(s, 'en');
  switch (s.code) {
    case 'dns':
      switch (s.dnsCode) {
        case 'ENOTFOUND':
          return `cannot find ${host}: the name does not exist${code}`;
        case 'ENODATA':
          return `cannot find an IPv4 address for ${host}: the name exists but has no A record${code}`;
        case 'ETIMEOUT':
          return `cannot find ${host}: the DNS server never answered${code}`;
        case 'ESERVFAIL':
          return `cannot find ${host}: the DNS server failed to resolve it${code}`;
        case 'EREFUSED':
          return `cannot find ${host}: the DNS server refused to answer${code}`;
        case 'ECONNREFUSED':
          return `cannot find ${host}: there is no DNS server to ask${code}`;
        default:
          return s.message;
      }
    case 'connection-refused':
      return `cannot connect to ${where}: connection refused${code}, nothing listens on that port`;
    case 'unreachable':
      return `cannot reach ${where}: ${s.errno === 'ENETUNREACH' ? 'network' : 'host'} unreachable${code}`;
    case 'timeout':
      return /did not answer/.test(s.message)
        ? `the server ${host} did not answer in time`
        : `connecting to ${where} timed out${code}`;
    default:
      return s.message;
  }
}

/** The browser's error, said in Chinese from the trace's data. */
function zhError(s: ErrorStep): string {
  const host = s.host ?? '';
  const where =
    s.address !== undefined
      ? `${host === s.address ? `${host} ` : `${host}（${s.address}）`}的 ${s.port ?? 80} 端口`
      : `${host} 的 ${s.port ?? 80} 端口`;
  const code = errnoText(s, 'zh');
  switch (s.code) {
    case 'dns': {
      const node = /^cannot find \S+: (\S+) has no DNS resolver configured/.exec(s.message)?.[1];
      switch (s.dnsCode) {
        case 'ENOTFOUND':
          return `找不到 ${host}：这个域名不存在${code}`;
        case 'ENODATA':
          return `找不到 ${host} 的 IPv4 地址：域名存在，但没有 A 记录${code}`;
        case 'ETIMEOUT':
          return `找不到 ${host}：DNS 服务器一直没有回答${code}`;
        case 'ESERVFAIL':
          return `找不到 ${host}：DNS 服务器解析失败${code}`;
        case 'EREFUSED':
          return `找不到 ${host}：DNS 服务器拒绝回答${code}`;
        case 'ECONNREFUSED':
          return `找不到 ${host}：没有可以询问的 DNS 服务器${code}`;
        default:
          return node !== undefined
            ? `找不到 ${host}：${node} 没有配置 DNS 服务器（请输入 IP 地址，或者在拓扑里给 ${node} 加上 "resolver: <地址>"）`
            : `找不到 ${host} 的 IP 地址`;
      }
    }
    case 'connection-refused':
      return `无法连接 ${where}：连接被拒绝${code}，那个端口上没有程序在监听`;
    case 'unreachable':
      return `无法到达 ${where}：${s.errno === 'ENETUNREACH' ? '网络' : '主机'}不可达${code}`;
    case 'timeout':
      return /did not answer/.test(s.message)
        ? `服务器 ${host} 没有及时回答`
        : `连接 ${where}超时${code}`;
    case 'too-many-redirects':
      return '重定向次数太多';
    case 'https-not-supported':
      return '不支持 HTTPS（wiretrail 还没有 TLS）';
    case 'unsupported-scheme':
      return '重定向到了不是 http:// 的地址';
    case 'bad-response':
      return '服务器的响应无法解析';
    case undefined:
      return /^HTTP \d+$/.test(s.message) ? `服务器返回 ${s.message}` : '访问失败';
    default:
      return `访问失败（${host}）`;
  }
}

/**
 * A DNS answer's summary (src/apps/dns/resolver.ts) for the negative ones, said plainly:
 * "www.nosuch.com. does not exist (SOA com., negative TTL 900 s)". Empty when not recognised.
 */
function enDnsSummary(summary: string): string {
  const m =
    /^(\S+) (does not exist|has no (\S+) records)(?: \(SOA (\S+), negative TTL (\d+) s\))?$/.exec(
      summary,
    );
  if (!m) return '';
  const what =
    m[2] === 'does not exist'
      ? `${m[1]} does not exist`
      : `${m[1]} exists but has no ${m[3]} records`;
  return m[4]
    ? `${what} (the SOA record of zone ${m[4]} came with it: this negative answer may be cached for ${m[5]} s)`
    : what;
}

/**
 * A DNS answer's summary (src/apps/dns/resolver.ts) in Chinese, for the negative ones:
 * "www.nosuch.com. does not exist (SOA com., negative TTL 900 s)". Empty when not recognised.
 */
function zhDnsSummary(summary: string): string {
  const m =
    /^(\S+) (does not exist|has no (\S+) records)(?: \(SOA (\S+), negative TTL (\d+) s\))?$/.exec(
      summary,
    );
  if (!m) return '';
  const what = m[2] === 'does not exist' ? `${m[1]} 不存在` : `${m[1]} 存在，但没有 ${m[3]} 记录`;
  return m[4] ? `${what}（附上 ${m[4]} 区的 SOA 记录：这个否定回答可以缓存 ${m[5]} 秒）` : what;
}

function protoName(p: number): string {
  return p === 6 ? 'TCP' : p === 17 ? 'UDP' : p === 1 ? 'ICMP' : `protocol ${p}`;
}

function zhHit(r: string): string {
  switch (r) {
    case 'hit':
      return '命中';
    case 'miss':
      return '未命中';
    case 'none':
      return '未使用';
    case 'stale':
      return '已过期';
    case 'revalidate':
      return '需要验证';
    case 'revalidated':
      return '已验证（304）';
    case 'memory':
      return '内存缓存';
    default:
      return r;
  }
}

const TEXTS: Record<Lang, Texts> = { en: EN, zh: ZH };

/** Renders the steps of one visit (numbered, with sub-numbers for consecutive routers). */
export function renderSteps(visit: VisitStory, lang: Lang): RenderedStep[] {
  const texts = TEXTS[lang];
  const out: RenderedStep[] = [];
  let n = 0;
  for (const step of visit.steps) {
    const render = texts[step.kind] as (s: Step) => { title: string; lines: string[] };
    const { title, lines } = render(step);
    n++;
    out.push({ n: String(n), kind: step.kind, title, lines, t: step.t, events: step.events });
  }
  return out;
}

const LABELS = {
  en: {
    heading: (url: string) => `wiretrail · what happens when you type ${url} and press Enter`,
    network: (name: string, seed: number, client: string, addr: string, capture: string) =>
      `network: ${name} (seed ${seed}) · client ${client} ${addr} · capture: ${capture}`,
    visit: (i: number) =>
      i === 0
        ? ''
        : `— visit ${i + 1} of the same URL: caches and kept-alive connections at work —`,
    hopTable: 'hop table (the SYN):',
    hopTableSent: (n: number) =>
      `hop table (the SYN, sent ${n} times; every retransmission crossed exactly the same wires):`,
    hopResend: (k: number, t: number) => `  retransmission ${k} of the SYN, at ${when(t)}:`,
    hopStop: (node: string, why: string) => `    the SYN got no further than ${node}: ${why}`,
    hopNote:
      '(MACs change at every router; IPs stay — no NAT in this network; a switch forwards the frame unchanged)',
    hopCols: ['where', 'src MAC', 'dst MAC', 'src IP', 'dst IP', 'TTL'],
    waterfall: 'waterfall',
    wfCols: { dns: 'dns', connect: 'connect', send: 'send', wait: 'wait', download: 'recv' },
    page: 'the page, as the browser renders it:',
    ok: 'done',
  },
  zh: {
    heading: (url: string) => `wiretrail · 输入 ${url} 按下回车之后发生了什么`,
    network: (name: string, seed: number, client: string, addr: string, capture: string) =>
      `网络：${name}（种子 ${seed}）· 客户端 ${client} ${addr} · 抓包：${capture}`,
    visit: (i: number) =>
      i === 0 ? '' : `—— 第 ${i + 1} 次访问同一个 URL：缓存和 keep-alive 连接在起作用 ——`,
    hopTable: '逐跳表（SYN 包）：',
    hopTableSent: (n: number) => `逐跳表（SYN 包，发送了 ${n} 次；每次重传经过的线路完全相同）：`,
    hopResend: (k: number, t: number) => `  SYN 的第 ${k} 次重传，${when(t)}：`,
    hopStop: (node: string, why: string) => `    SYN 最远只到了 ${node}：${why}`,
    hopNote: '（每经过一个路由器 MAC 地址都变；IP 地址不变——这个网络里没有 NAT；交换机原样转发帧）',
    hopCols: ['位置', '源 MAC', '目标 MAC', '源 IP', '目标 IP', 'TTL'],
    waterfall: '瀑布图',
    wfCols: { dns: 'DNS', connect: '连接', send: '发送', wait: '等待', download: '接收' },
    page: '浏览器显示的页面：',
    ok: '完成',
  },
};

export interface RenderOptions {
  lang: Lang;
  detail: Detail;
  networkName: string;
  seed: number;
  clientAddress: string;
  capture: string;
  /** Include the rendered page text (default true). */
  page?: boolean;
  /** Extra lines per detail level (hop-by-hop packets, decoded headers), from the caller. */
  extra?: (visit: VisitStory, step: RenderedStep) => string[];
}

/** The whole story as terminal text. */
export function renderStory(story: Story, url: string, o: RenderOptions): string {
  const L = LABELS[o.lang];
  const out: string[] = [
    L.heading(url),
    L.network(o.networkName, o.seed, story.client, o.clientAddress, o.capture),
    '',
  ];
  for (const visit of story.visits) {
    const head = L.visit(visit.index);
    if (head) out.push('', head, '');
    for (const s of renderSteps(visit, o.lang)) {
      const lines = [...s.lines, ...(o.extra ? o.extra(visit, s) : [])];
      out.push(`${s.n.padStart(2)}  ${padDisplay(s.title, 20)}  ${lines[0] ?? ''}`);
      for (const l of lines.slice(1)) out.push(`${' '.repeat(24)}  ${l}`);
    }
    if (visit.hops.length > 0 && visit.index === 0) {
      // Each transmission of the SYN once: retransmissions along the same wires are counted,
      // the others get their own table.
      const resends = visit.hopResends ?? [];
      const allSame = resends.length > 0 && resends.every((r) => r.same);
      out.push(
        '',
        allSame ? L.hopTableSent(resends.length + 1) : L.hopTable,
        ...hopTable(visit.hops, o.lang),
      );
      if (!allSame)
        resends.forEach((r, k) => {
          out.push(L.hopResend(k + 1, r.t), ...hopTable(r.rows, o.lang));
        });
      const stop = visit.steps.find((s): s is HandshakeStep => s.kind === 'handshake')?.stoppedAt;
      if (stop !== undefined && !stop.local) out.push(L.hopStop(stop.node, stopWhy(stop, o.lang)));
      out.push(`    ${L.hopNote}`);
    }
    if (visit.waterfall.length > 0) {
      const W = L.wfCols;
      out.push(
        '',
        `${L.waterfall}   ░ ${W.dns}  ▒ ${W.connect}  ▓ ${W.send}  █ ${W.wait}  ▆ ${W.download}`,
        ...waterfall(visit.waterfall, o.lang),
      );
    }
    if ((o.page ?? true) && visit.pageText && visit.index === 0) {
      out.push('', L.page, '', ...visit.pageText.split('\n').map((l) => `    ${l}`));
    }
  }
  // No line ends in a space: blank lines between blocks and empty page lines stay empty.
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}

/** The hop table: one row per wire the packet crossed. */
export function hopTable(rows: readonly HopRow[], lang: Lang): string[] {
  const cols = LABELS[lang].hopCols;
  const table = [
    cols,
    ...rows.map((r) => [r.from, r.srcMac, r.dstMac, r.srcIp, r.dstIp, String(r.ttl)]),
  ];
  const widths = cols.map((_, c) => Math.max(...table.map((row) => displayWidth(row[c]))));
  return table.map((row) =>
    `    ${row.map((cell, c) => padDisplay(cell, widths[c])).join('  ')}`.trimEnd(),
  );
}

/** A browser network panel in text: one bar per resource, on a shared time axis. */
export function waterfall(rows: readonly WaterfallRow[], lang: Lang, width = 40): string[] {
  const L = LABELS[lang].wfCols;
  const t0 = Math.min(...rows.map((r) => r.start));
  const t1 = Math.max(...rows.map((r) => r.start + r.total));
  const span = Math.max(1, t1 - t0);
  const nameW = Math.min(24, Math.max(...rows.map((r) => short(r.url).length)));
  return rows.map((r) => {
    const pos = (t: number) => Math.round(((t - t0) / span) * width);
    const segs: [number, string][] = [
      [r.dns, '░'],
      [r.connect, '▒'],
      [r.send, '▓'],
      [r.wait, '█'],
      [r.download, '▆'],
    ];
    let bar = ' '.repeat(pos(r.start));
    let t = r.start;
    for (const [d, ch] of segs) {
      const n = Math.max(d > 0 ? 1 : 0, pos(t + d) - pos(t));
      bar += ch.repeat(n);
      t += d;
    }
    const parts = [
      r.dns > 0 ? `${L.dns} ${ms(r.dns)}` : '',
      r.connect > 0 ? `${L.connect} ${ms(r.connect)}` : '',
      r.wait > 0 ? `${L.wait} ${ms(r.wait)}` : '',
      r.download > 0 ? `${L.download} ${ms(r.download)}` : '',
      r.cache !== 'none' ? (lang === 'zh' ? `缓存：${zhHit(r.cache)}` : `cache: ${r.cache}`) : '',
      r.redirectTo
        ? lang === 'zh'
          ? `重定向到 ${short(r.redirectTo)}`
          : `redirect → ${short(r.redirectTo)}`
        : '',
      r.reused
        ? lang === 'zh'
          ? `复用连接 #${r.connectionId}`
          : `#${r.connectionId} reused`
        : r.connectionId !== undefined
          ? `#${r.connectionId}`
          : '',
    ].filter(Boolean);
    // A revalidated entry came back as 304 on the wire; the page used the cached 200.
    const status = r.cache === 'revalidated' ? 304 : r.status;
    return `    ${short(r.url).slice(0, nameW).padEnd(nameW)} ${status || '---'} ${bar.padEnd(width + 1)} ${ms(r.total).padStart(9)}  ${parts.join(' · ')}`;
  });
}

/** Display width counting CJK characters as two columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
        ch,
      )
        ? 2
        : 1;
  return w;
}

function padDisplay(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}
