/**
 * The page's words in English and Chinese (the seeds' vocabulary: 路由表、默认网关、MAC 地址表、
 * 三次握手、四次挥手), and one-line descriptions of trace events for the "what this device did"
 * box and the event detail.
 */
import type { TraceEvent } from '../../src/sim/trace.js';
import { formatDuration } from '../../src/sim/time.js';
import { formatIpv4 } from '../../src/wire/addr.js';
import type { Lang, NodeRole } from './types.js';

const UI = {
  address: ['Address', '地址'],
  addressHint: [
    'Type a URL (or "ping 198.51.100.80", "traceroute …") and press Enter',
    '输入网址（或 “ping 198.51.100.80”、“traceroute …”）后按回车',
  ],
  go: ['Go', '访问'],
  topology: ['Topology', '拓扑'],
  topoDefault: ['Default internet', '默认互联网'],
  topoSimple: ['Simple network (seeds)', '简单网络模型'],
  topoCustom: ['Uploaded YAML', '上传的 YAML'],
  upload: ['Upload YAML…', '上传 YAML…'],
  faults: ['Faults', '故障'],
  loss: ['Loss %', '丢包率 %'],
  delay: ['Extra delay', '额外时延'],
  mtu: ['MTU', 'MTU'],
  seed: ['Seed', '种子'],
  repeat: ['Visits', '访问次数'],
  language: ['Language', '语言'],
  pcapng: ['Download pcapng', '下载 pcapng'],
  running: ['Running the simulation…', '正在运行仿真…'],
  ready: ['Ready: type a URL and press Enter.', '就绪：输入网址并按回车。'],
  play: ['Play', '播放'],
  pause: ['Pause', '暂停'],
  prev: ['Previous event', '上一个事件'],
  next: ['Next event', '下一个事件'],
  first: ['Start', '开头'],
  last: ['End', '结尾'],
  speed: ['Speed', '速度'],
  timeMode: ['Clock', '时钟'],
  compressed: ['compressed', '压缩'],
  linear: ['linear', '线性'],
  timeline: ['Timeline', '时间轴'],
  topologyView: ['Network', '网络'],
  zoomIn: ['Zoom in (or Ctrl + wheel; drag to move)', '放大（或 Ctrl + 滚轮；拖动可平移）'],
  zoomOut: ['Zoom out', '缩小'],
  zoomFit: ['Show the whole network', '显示整个网络'],
  events: ['Events', '事件列表'],
  time: ['Time', '时间'],
  at: ['At device', '所在设备'],
  from: ['From device', '来自设备'],
  proto: ['Protocol', '协议'],
  info: ['Info', '信息'],
  allProtocols: ['all protocols', '全部协议'],
  allDevices: ['all devices', '全部设备'],
  inspector: ['Packet inspector', '数据包检查器'],
  noPacket: ['Select an event to inspect its frame.', '选择一个事件以查看其帧。'],
  bytes: ['Bytes', '字节'],
  didWhat: ['What the device did', '设备做了什么'],
  inFrame: ['In', '进'],
  outFrame: ['Out', '出'],
  showOut: ['inspect', '查看'],
  showIn: ['show the frame in', '查看收到的帧'],
  device: ['Device', '设备'],
  ifaces: ['Interfaces', '接口'],
  arp: ['ARP cache', 'ARP 缓存'],
  mac: ['MAC table', 'MAC 地址表'],
  routes: ['Routing table', '路由表'],
  sockets: ['Sockets', '套接字'],
  dns: ['DNS cache', 'DNS 缓存'],
  asOf: ['as at', '时刻'],
  empty: ['(empty)', '（空）'],
  story: ['Story', '讲解'],
  ladder: ['Ladder', '时序图'],
  waterfall: ['Waterfall', '瀑布图'],
  tcpGraph: ['TCP graph', 'TCP 图'],
  output: ['Output', '输出'],
  noTcp: ['No TCP connection in this run.', '本次运行没有 TCP 连接。'],
  noWaterfall: ['No resources were loaded in this run.', '本次运行没有加载资源。'],
  ladderHint: [
    'The connection of the selected packet, end to end (time flows down).',
    '所选数据包所在连接的端到端时序（时间向下）。',
  ],
  seq: ['sequence (bytes)', '序号（字节）'],
  cwnd: ['cwnd (bytes)', '拥塞窗口（字节）'],
  retransmit: ['retransmission', '次重传'],
  retransmits: ['retransmissions', '次重传'],
  phaseDns: ['DNS', 'DNS'],
  phaseConnect: ['connect', '建立连接'],
  phaseSend: ['send', '发送'],
  phaseWait: ['wait', '等待'],
  phaseReceive: ['receive', '接收'],
  roleClient: ['client', '客户端'],
  roleHost: ['host', '主机'],
  roleRouter: ['router', '路由器'],
  roleSwitch: ['switch', '交换机'],
  roleHub: ['hub', '集线器'],
  roleDns: ['DNS server', 'DNS 服务器'],
  roleWeb: ['web server', 'Web 服务器'],
  dropped: ['lost', '丢失'],
  iface: ['Interface', '接口'],
  ip: ['IP address', 'IP 地址'],
  macAddr: ['MAC address', 'MAC 地址'],
  state: ['State', '状态'],
  port: ['Port', '端口'],
  destination: ['Destination', '目的网络'],
  genmask: ['Prefix', '前缀'],
  gateway: ['Gateway', '网关'],
  metric: ['Metric', '跃点数'],
  local: ['Local', '本地'],
  remote: ['Remote', '远端'],
  name: ['Name', '名称'],
  type: ['Type', '类型'],
  data: ['Data', '数据'],
  ttl: ['TTL (s)', 'TTL（秒）'],
  cache: ['Cache', '缓存'],
  since: ['Since', '起始'],
  matched: ['matched', '匹配'],
  lastLookup: ['Lookup', '查找'],
  shortcuts: [
    'Keys: Space play/pause · ←/→ previous/next event · Home/End · [ ] speed · L language',
    '快捷键：空格 播放/暂停 · ←/→ 上/下一个事件 · Home/End · [ ] 速度 · L 切换语言',
  ],
  eventCount: ['events', '个事件'],
  frames: ['frames', '帧'],
  simTime: ['simulated', '仿真'],
  larger: ['Larger text', '放大字体'],
} as const;

export type UiKey = keyof typeof UI;

export function t(key: UiKey, lang: Lang): string {
  return UI[key][lang === 'zh' ? 1 : 0];
}

const ROLE: Record<NodeRole, UiKey> = {
  client: 'roleClient',
  host: 'roleHost',
  router: 'roleRouter',
  switch: 'roleSwitch',
  hub: 'roleHub',
  dns: 'roleDns',
  web: 'roleWeb',
};

/** A device's role in words ("router", "路由器"). */
export function roleName(role: NodeRole, lang: Lang): string {
  return t(ROLE[role], lang);
}

const ip = (a: number | string | undefined): string =>
  a === undefined ? '?' : typeof a === 'number' ? formatIpv4(a) : a;

/** One line saying what an event means, or undefined for bookkeeping events not worth a line. */
export function describe(e: TraceEvent, lang: Lang): string | undefined {
  const zh = lang === 'zh';
  switch (e.kind) {
    case 'router.forward':
      return zh
        ? `路由：${e.dst} 匹配 ${e.route} → 下一跳 ${e.nextHop}，从 ${e.outIface} 发出 · TTL ${e.ttlIn} → ${e.ttlOut} · 新的源 MAC ${e.srcMac}（原 ${e.inSrcMac}）· 新的目的 MAC ${e.dstMac}（原 ${e.inDstMac}）· IP 地址不变`
        : `Routed: ${e.dst} matched ${e.route} → next hop ${e.nextHop} out ${e.outIface} · TTL ${e.ttlIn} → ${e.ttlOut} · new source MAC ${e.srcMac} (was ${e.inSrcMac}) · new destination MAC ${e.dstMac} (was ${e.inDstMac}) · IP addresses unchanged`;
    case 'switch.forward': {
      const ports = e.outPorts.join(', ');
      const d = {
        known: zh
          ? `目的 MAC ${e.dst} 在 MAC 地址表中 → 只从 ${ports} 转发`
          : `destination ${e.dst} is in the MAC table → out ${ports} only`,
        flood: zh
          ? `目的 MAC ${e.dst} 不在表中 → 泛洪到 ${ports}`
          : `destination ${e.dst} unknown → flooded to ${ports}`,
        broadcast: zh
          ? `广播 → 除入口外所有端口 ${ports}`
          : `broadcast → every other port: ${ports}`,
        multicast: zh ? `组播 → ${ports}` : `multicast → ${ports}`,
        filter: zh
          ? `目的 MAC 就在入口端口 → 丢弃`
          : `destination is on the incoming port → filtered`,
      }[e.decision];
      return zh ? `交换：从 ${e.inPort} 进入，${d}` : `Switched: in on ${e.inPort}, ${d}`;
    }
    case 'switch.learn':
      return zh
        ? `学习：${e.mac} 在端口 ${e.port}${e.moved !== undefined ? `（从 ${e.moved} 移来）` : ''}，写入 MAC 地址表`
        : `Learned ${e.mac} on ${e.port}${e.moved !== undefined ? ` (moved from ${e.moved})` : ''} into the MAC table`;
    case 'switch.drop':
      return zh ? `丢弃帧（${e.reason}）` : `Dropped the frame (${e.reason})`;
    case 'hub.repeat':
      return zh
        ? `集线器：从 ${e.inPort} 复制到 ${e.outPorts.join('、')}`
        : `Repeated from ${e.inPort} to ${e.outPorts.join(', ')}`;
    case 'nic.rx':
      return zh
        ? `网卡 ${e.iface} 接收（${e.pktType}），FCS 正确`
        : `NIC ${e.iface} accepted the frame (${e.pktType}), FCS correct`;
    case 'nic.drop':
      return zh
        ? `网卡 ${e.iface} 丢弃帧：${e.reason}`
        : `NIC ${e.iface} dropped the frame: ${e.reason}`;
    case 'ip.rx':
      return zh
        ? `IP：${e.src} → ${e.dst}，TTL ${e.ttl}，${e.verdict === 'local' ? '交给本机' : e.verdict === 'forward' ? '需要转发' : '广播'}`
        : `IP: ${e.src} → ${e.dst}, TTL ${e.ttl}: ${e.verdict === 'local' ? 'for this host' : e.verdict === 'forward' ? 'to be forwarded' : 'broadcast'}`;
    case 'ip.route': {
      const r = e.route;
      const rn =
        r === undefined
          ? zh
            ? '无匹配路由'
            : 'no route'
          : `${r.dst}/${r.prefix}${r.gateway !== '0.0.0.0' ? ` via ${r.gateway}` : ''} dev ${r.iface}`;
      if (e.local === true)
        return zh ? `查路由：${e.dst} 是本机地址` : `Route lookup: ${e.dst} is a local address`;
      return zh
        ? `查路由表：${e.dst} → ${rn}${e.src !== undefined ? `，源地址 ${e.src}` : ''}`
        : `Route lookup: ${e.dst} → ${rn}${e.src !== undefined ? `, source ${e.src}` : ''}`;
    }
    case 'ip.tx':
      return zh
        ? `IP 发送 ${e.src} → ${e.dst}，TTL ${e.ttl}，${e.len} 字节`
        : `IP out ${e.src} → ${e.dst}, TTL ${e.ttl}, ${e.len} bytes`;
    case 'ip.drop':
      return zh
        ? `IP 丢弃：${e.reason}${e.detail !== undefined ? `（${e.detail}）` : ''}`
        : `IP dropped: ${e.reason}${e.detail !== undefined ? ` (${e.detail})` : ''}`;
    case 'ip.frag':
      return zh
        ? `分片：${e.len} 字节超过 MTU ${e.mtu} → ${e.fragments} 片`
        : `Fragmented ${e.len} bytes for MTU ${e.mtu} → ${e.fragments} fragments`;
    case 'arp.request':
      return zh
        ? `ARP 请求：谁是 ${e.target}？${e.why !== undefined ? `（${e.why}）` : ''}`
        : `ARP request: who has ${e.target}?${e.why !== undefined ? ` (${e.why})` : ''}`;
    case 'arp.reply':
      return zh ? `ARP 应答：${e.ip} 的 MAC 是 ${e.mac}` : `ARP reply: ${e.ip} is at ${e.mac}`;
    case 'arp.rx':
      return zh
        ? `收到 ARP ${e.op === 'request' ? '请求' : '应答'}：${e.senderIp} 在 ${e.senderMac}（缓存：${e.action}）`
        : `ARP ${e.op} in: ${e.senderIp} is at ${e.senderMac} (cache: ${e.action})`;
    case 'arp.state':
      return zh
        ? `ARP 缓存：${e.ip} ${e.from} → ${e.to}${e.mac !== undefined ? ` ${e.mac}` : ''}（${e.why}）`
        : `ARP cache: ${e.ip} ${e.from} → ${e.to}${e.mac !== undefined ? ` ${e.mac}` : ''} (${e.why})`;
    case 'arp.queue':
      return zh ? `等待 ARP 解析 ${e.ip}：数据包排队` : `Waiting for ARP on ${e.ip}: packet queued`;
    case 'icmp.tx':
      return zh
        ? `发送 ICMP ${e.message} 给 ${e.to}（${e.why}）`
        : `ICMP ${e.message} to ${e.to} (${e.why})`;
    case 'icmp.rx':
      return zh ? `收到 ICMP ${e.message}，来自 ${e.from}` : `ICMP ${e.message} from ${e.from}`;
    case 'udp.rx':
      return zh
        ? `UDP ${e.src}:${e.sport} → 端口 ${e.dport} 的套接字`
        : `UDP ${e.src}:${e.sport} → socket on port ${e.dport}`;
    case 'udp.tx':
      return zh
        ? `UDP 发送 ${e.sport} → ${e.dst}:${e.dport}`
        : `UDP out ${e.sport} → ${e.dst}:${e.dport}`;
    case 'tcp.state':
      return zh
        ? `TCP ${ip(e.laddr)}:${e.lport}：${e.from} → ${e.to}（${e.why}）`
        : `TCP ${ip(e.laddr)}:${e.lport}: ${e.from} → ${e.to} (${e.why})`;
    case 'tcp.segment-in':
      return zh
        ? `TCP 收到 [${e.flags}] seq ${e.seq} ack ${e.ack} 长度 ${e.len}`
        : `TCP in [${e.flags}] seq ${e.seq} ack ${e.ack} len ${e.len}`;
    case 'tcp.segment-out':
      return zh
        ? `TCP 发出 [${e.flags}] seq ${e.seq} 长度 ${e.len}（${e.why}）`
        : `TCP out [${e.flags}] seq ${e.seq} len ${e.len} (${e.why})`;
    case 'tcp.cwnd':
      return zh
        ? `拥塞窗口 ${e.cwnd} 字节，慢启动阈值 ${e.ssthresh}（${e.why}）`
        : `cwnd ${e.cwnd} bytes, ssthresh ${e.ssthresh} (${e.why})`;
    case 'tcp.drop':
      return zh ? `TCP 丢弃：${e.reason}` : `TCP dropped: ${e.reason}`;
    case 'dns.serve':
      return zh
        ? `DNS ${e.role === 'recursive' ? '递归' : '权威'}应答 ${e.qname} ${e.qtype}：${e.outcome} ${e.rcode}`
        : `DNS ${e.role} answer for ${e.qname} ${e.qtype}: ${e.outcome} ${e.rcode}`;
    case 'dns.query-out':
      return zh
        ? `DNS 查询 ${e.qname} ${e.qtype} → ${e.serverName}（${e.why}）`
        : `DNS query ${e.qname} ${e.qtype} → ${e.serverName} (${e.why})`;
    case 'dns.response-in':
      return zh
        ? `DNS 响应，来自 ${e.serverName}：${e.summary}`
        : `DNS response from ${e.serverName}: ${e.summary}`;
    case 'dns.cache':
      return zh
        ? `DNS 缓存 ${e.op}：${e.name} ${e.qtype}（TTL ${e.ttl}）`
        : `DNS cache ${e.op}: ${e.name} ${e.qtype} (TTL ${e.ttl})`;
    case 'dns.stub':
      return zh ? `存根解析器：${e.op} ${e.name}` : `Stub resolver: ${e.op} ${e.name}`;
    case 'http.request-in':
      return zh
        ? `HTTP 请求到达：${e.method} ${e.target}（Host: ${e.host}）`
        : `HTTP request in: ${e.method} ${e.target} (Host: ${e.host})`;
    case 'http.response-out':
      return zh
        ? `HTTP 响应：${e.status} ${e.reason}，${e.bytes} 字节`
        : `HTTP response out: ${e.status} ${e.reason}, ${e.bytes} bytes (${e.why})`;
    case 'http.request-out':
      return zh ? `HTTP 请求发出：${e.method} ${e.url}` : `HTTP request out: ${e.method} ${e.url}`;
    case 'http.response-in':
      return zh
        ? `HTTP 响应到达：${e.status} ${e.reason}，${e.bytes} 字节，首字节 ${formatDuration(e.ttfb)}`
        : `HTTP response in: ${e.status} ${e.reason}, ${e.bytes} bytes, first byte after ${formatDuration(e.ttfb)}`;
    case 'browser.page-rendered':
      return zh ? `显示网页 “${e.title}”` : `Page rendered: “${e.title}”`;
    case 'link.tx':
      return zh
        ? `从 ${e.from} 发出 ${e.frame.length} 字节的帧`
        : `Sent a ${e.frame.length}-byte frame out of ${e.from}`;
    case 'link.drop':
      return zh ? `帧丢失（${e.reason}）` : `Frame lost (${e.reason})`;
    case 'sim.note':
      return e.text;
    default:
      return undefined;
  }
}

/** Kinds shown in the "what the device did" box (the rest are stage-by-stage bookkeeping). */
export const ACTION_KINDS = new Set([
  'router.forward',
  'switch.forward',
  'switch.learn',
  'switch.drop',
  'hub.repeat',
  'nic.drop',
  'ip.rx',
  'ip.route',
  'ip.drop',
  'ip.frag',
  'arp.request',
  'arp.reply',
  'arp.rx',
  'arp.state',
  'arp.queue',
  'icmp.tx',
  'icmp.rx',
  'udp.rx',
  'tcp.state',
  'tcp.segment-in',
  'tcp.drop',
  'dns.serve',
  'dns.response-in',
  'dns.query-out',
  'dns.cache',
  'http.request-in',
  'http.response-out',
  'http.response-in',
  'browser.page-rendered',
  'link.tx',
]);
