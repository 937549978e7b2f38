/**
 * What each header field means, beside its value in the packet inspector (en / zh). Keyed by
 * the decoder's field names (src/wire/field.ts: close to Wireshark's display-filter names);
 * a name without an entry falls back to its longest listed prefix ("http.header.host" →
 * "http.header").
 */
import type { Lang } from './types.js';

const M: Record<string, [string, string]> = {
  'eth.dst': [
    'Who the frame is for on this link: a NIC accepts its own MAC, broadcasts and multicasts it listens to, and drops the rest. Rewritten at every router hop.',
    '这一段链路上帧的接收方：网卡只接收发给自己 MAC、广播和订阅的组播的帧。每经过一个路由器都会改写。',
  ],
  'eth.src': [
    'The MAC of the interface that put the frame on this link. Switches learn it into their MAC table.',
    '把帧发到这段链路上的网卡的 MAC 地址。交换机据此学习 MAC 地址表。',
  ],
  'eth.type': [
    'EtherType: which protocol the payload is (0x0800 IPv4, 0x0806 ARP). (One seed writes "0080": a typo for 0x0800.)',
    '以太类型：载荷是哪种协议（0x0800 为 IPv4，0x0806 为 ARP）。（有篇文章写成 “0080”，是 0x0800 的笔误。）',
  ],
  'eth.padding': [
    "Zero bytes that bring a short frame up to Ethernet's 64-byte minimum (60 + FCS).",
    '把过短的帧补足到以太网最小 64 字节（60 字节 + FCS）的填充。',
  ],
  'eth.fcs': [
    'Frame check sequence: CRC-32 over the whole frame. A NIC drops a frame whose FCS does not match.',
    '帧校验序列：对整个帧计算的 CRC-32。校验不对的帧会被网卡丢弃。',
  ],
  vlan: [
    '802.1Q tag: which virtual LAN the frame belongs to.',
    '802.1Q 标签：帧属于哪个虚拟局域网。',
  ],
  'arp.hw.type': [
    'Link type of the addresses asked about (1 = Ethernet).',
    '硬件类型（1 表示以太网）。',
  ],
  'arp.proto.type': [
    'Network protocol of the address asked about (0x0800 = IPv4).',
    '要解析的网络层协议（0x0800 为 IPv4）。',
  ],
  'arp.hw.size': ['Length of a MAC address (6).', 'MAC 地址长度（6）。'],
  'arp.proto.size': ['Length of an IPv4 address (4).', 'IPv4 地址长度（4）。'],
  'arp.opcode': [
    '1 = request ("who has …?", broadcast), 2 = reply ("… is at …", unicast).',
    '1 为请求（“谁是…？”，广播），2 为应答（“…在…”，单播）。',
  ],
  'arp.src.hw_mac': [
    "The sender's MAC: the receiver caches it (RFC 826).",
    '发送方 MAC：接收方会把它写入 ARP 缓存（RFC 826）。',
  ],
  'arp.src.proto_ipv4': ["The sender's IP address.", '发送方 IP 地址。'],
  'arp.dst.hw_mac': [
    'Unknown in a request (zeros): that is what is being asked.',
    '请求中未知（全 0）：正是要问的内容。',
  ],
  'arp.dst.proto_ipv4': [
    'The IP address whose MAC is wanted (the next hop, not necessarily the final destination).',
    '要查询 MAC 的 IP 地址（下一跳，不一定是最终目的地）。',
  ],
  'ip.version': ['4 for IPv4.', 'IPv4 为 4。'],
  'ip.hdr_len': [
    'Header length in 32-bit words (5 = 20 bytes, no options).',
    '首部长度，以 4 字节为单位（5 即 20 字节，无选项）。',
  ],
  'ip.dsfield': [
    'Differentiated services and ECN bits (quality of service; congestion marks).',
    '区分服务与 ECN 位（服务质量；拥塞标记）。',
  ],
  'ip.len': [
    'Total length of the datagram: header + payload, in bytes.',
    '数据报总长度：首部 + 数据，单位字节。',
  ],
  'ip.id': [
    'Identification: ties the fragments of one datagram together.',
    '标识：把同一数据报的各个分片关联起来。',
  ],
  'ip.flags': [
    'DF = do not fragment (used by path MTU discovery), MF = more fragments follow.',
    'DF 表示禁止分片（用于路径 MTU 发现），MF 表示后面还有分片。',
  ],
  'ip.frag_offset': [
    "Where this fragment's data goes in the original datagram (units of 8 bytes).",
    '本分片数据在原数据报中的位置（以 8 字节为单位）。',
  ],
  'ip.ttl': [
    'Time to live: each router subtracts 1 and discards the datagram at 0, answering ICMP "time exceeded" (that is how traceroute works).',
    '生存时间：每个路由器减 1，减到 0 时丢弃并回 ICMP “超时”（traceroute 就靠这个）。',
  ],
  'ip.proto': [
    'Which protocol the payload is: 1 ICMP, 6 TCP, 17 UDP.',
    '载荷的协议：1 为 ICMP，6 为 TCP，17 为 UDP。',
  ],
  'ip.checksum': [
    'Checksum of the header only; recomputed by every router since the TTL changes (RFC 1624 incremental update).',
    '仅对首部的校验和；TTL 改变后每个路由器都要重算（RFC 1624 增量更新）。',
  ],
  'ip.src': [
    'Where the datagram comes from. Stays the same hop after hop (no NAT in this network).',
    '源 IP 地址。逐跳不变（本网络没有 NAT）。',
  ],
  'ip.dst': [
    'Where the datagram goes. Routers look it up in their routing tables (longest prefix match).',
    '目的 IP 地址。路由器用它查路由表（最长前缀匹配）。',
  ],
  'ip.opt': ['IP options (rare).', 'IP 选项（少见）。'],
  'icmp.type': [
    '8 echo request, 0 echo reply, 11 time exceeded, 3 destination unreachable.',
    '8 回显请求，0 回显应答，11 超时，3 目的不可达。',
  ],
  'icmp.code': [
    'Detail of the type (for unreachable: 3 = port, 4 = fragmentation needed).',
    '类型的细分（不可达时：3 为端口不可达，4 为需要分片）。',
  ],
  'icmp.checksum': ['Checksum of the ICMP message.', 'ICMP 报文的校验和。'],
  'icmp.ident': [
    'Identifies the ping process; replies carry it back.',
    '标识 ping 进程，应答原样带回。',
  ],
  'icmp.seq': [
    "Sequence number of the echo request (icmp_seq in ping's output).",
    '回显请求的序号（ping 输出中的 icmp_seq）。',
  ],
  'icmp.mtu': [
    "The next hop's MTU: tells the sender how small to make its packets (RFC 1191).",
    '下一跳的 MTU：告诉发送方应把包减小到多少（RFC 1191）。',
  ],
  icmp: ['ICMP message field.', 'ICMP 报文字段。'],
  'udp.srcport': [
    "The sender's port (often an ephemeral one chosen at random).",
    '发送方端口（通常是随机选的临时端口）。',
  ],
  'udp.dstport': ["The receiving application's port (53 DNS).", '接收应用的端口（53 为 DNS）。'],
  'udp.length': ['UDP header + data, in bytes.', 'UDP 首部 + 数据的字节数。'],
  'udp.checksum': [
    'Checksum over a pseudo-header (IPs, protocol, length), the UDP header and data.',
    '对伪首部（IP 地址、协议、长度）、UDP 首部和数据的校验和。',
  ],
  'tcp.srcport': [
    "The sender's port. With the addresses and the other port it names the connection.",
    '发送方端口。与地址和对端端口一起标识一个连接。',
  ],
  'tcp.dstport': ["The receiver's port (80 HTTP).", '接收方端口（80 为 HTTP）。'],
  'tcp.seq_raw': [
    "Sequence number: the position of the first data byte in the sender's byte stream (starts at a random ISN, RFC 6528).",
    '序号：本段第一个数据字节在发送方字节流中的位置（从随机初始序号开始，RFC 6528）。',
  ],
  'tcp.ack_raw': [
    'Acknowledgment number: the next byte the sender expects to receive (valid when ACK is set).',
    '确认号：期望收到的下一个字节（ACK 置位时有效）。',
  ],
  'tcp.hdr_len': [
    'Header length in 32-bit words (options make it longer than 20 bytes).',
    '首部长度，以 4 字节为单位（有选项时超过 20 字节）。',
  ],
  'tcp.flags': [
    'SYN opens, FIN closes, ACK acknowledges, PSH pushes data to the application, RST aborts.',
    'SYN 建立连接，FIN 关闭，ACK 确认，PSH 推送数据给应用，RST 重置。',
  ],
  'tcp.window_size_value': [
    'Receive window: how many more bytes the sender of this segment can accept (scaled by the window-scale option).',
    '接收窗口：本段发送方还能接收多少字节（按窗口扩大因子放大）。',
  ],
  'tcp.checksum': [
    'Checksum over a pseudo-header, the TCP header and data.',
    '对伪首部、TCP 首部和数据的校验和。',
  ],
  'tcp.urgent_pointer': ['Urgent data pointer (practically unused).', '紧急指针（几乎不用）。'],
  'tcp.options.mss': [
    'Maximum segment size: the largest data a segment to me may carry (MTU 1500 − 40 = 1460).',
    '最大报文段长度：发给我的段最多携带多少数据（MTU 1500 − 40 = 1460）。',
  ],
  'tcp.options.wscale': [
    'Window scale: multiply the window field by 2^shift (RFC 7323).',
    '窗口扩大：窗口字段乘以 2 的 shift 次方（RFC 7323）。',
  ],
  'tcp.options.sack_perm': [
    'Selective acknowledgments allowed (RFC 2018).',
    '允许选择性确认（RFC 2018）。',
  ],
  'tcp.options.sack': [
    'Selective ACK: blocks received beyond a gap, so only the missing bytes are resent.',
    '选择性确认：告知缺口之后已收到的数据块，只需重传缺失部分。',
  ],
  'tcp.options.timestamp': [
    'Timestamps: RTT measurement and protection against wrapped sequence numbers (RFC 7323).',
    '时间戳：测量往返时间并防止序号回绕（RFC 7323）。',
  ],
  'tcp.options.nop': ['Padding so the next option is aligned.', '填充，使下一个选项对齐。'],
  'tcp.options': [
    'TCP options, negotiated in the SYN and SYN-ACK.',
    'TCP 选项，在 SYN 和 SYN+ACK 中协商。',
  ],
  'tcp.payload': ["The application's bytes carried by this segment.", '本段携带的应用数据。'],
  'dns.id': [
    "Transaction ID: a response must carry the query's ID (random, against spoofing: RFC 5452).",
    '事务 ID：响应必须带回查询的 ID（随机生成以防伪造，RFC 5452）。',
  ],
  'dns.flags': [
    'QR query/response, opcode, AA authoritative, TC truncated, RD recursion desired, RA available, RCODE.',
    'QR 查询/响应、操作码、AA 权威、TC 截断、RD 期望递归、RA 可递归、响应码。',
  ],
  'dns.flags.recdesired': [
    'RD: "please resolve it all for me" — the stub asks the local DNS server recursively.',
    'RD：“请帮我完整解析”——存根解析器向本地 DNS 服务器递归查询。',
  ],
  'dns.flags.authoritative': [
    'AA: the answer comes from a server responsible for the zone.',
    'AA：答案来自负责该区域的权威服务器。',
  ],
  'dns.flags.rcode': [
    '0 NOERROR, 3 NXDOMAIN (the name does not exist).',
    '0 为 NOERROR，3 为 NXDOMAIN（域名不存在）。',
  ],
  'dns.count': ['How many records each section holds.', '各部分的记录数。'],
  'dns.qry': [
    'The question: name, type (A = IPv4 address) and class (IN).',
    '问题：域名、类型（A 为 IPv4 地址）和类别（IN）。',
  ],
  'dns.queries': ['The question section.', '问题部分。'],
  'dns.answers': ['Records that answer the question.', '回答问题的记录。'],
  'dns.authority': [
    'Name servers to ask next (a referral) or the SOA of a negative answer.',
    '下一步要问的域名服务器（引荐），或否定应答的 SOA。',
  ],
  'dns.additional': [
    'Extra records: addresses of those name servers (glue), EDNS.',
    '附加记录：那些域名服务器的地址（胶水记录）、EDNS。',
  ],
  'dns.resp.ttl': [
    'How long a resolver may cache this record, in seconds.',
    '解析器可以缓存该记录的秒数。',
  ],
  'dns.a': ['An IPv4 address.', '一个 IPv4 地址。'],
  'dns.ns': ['A name server for the zone.', '该区域的域名服务器。'],
  'dns.rr': ['A resource record.', '一条资源记录。'],
  dns: ['DNS message field.', 'DNS 报文字段。'],
  'http.request.line': [
    'Method, target and version: what the browser asks for.',
    '方法、目标和版本：浏览器请求什么。',
  ],
  'http.response.line': [
    'Version, status code and reason: how the server answers.',
    '版本、状态码和原因短语：服务器如何回答。',
  ],
  'http.header.host': [
    'Which site on this server (one address can serve many sites).',
    '访问该服务器上的哪个网站（一个地址可以有多个网站）。',
  ],
  'http.header.connection': [
    'keep-alive: keep the TCP connection open for the next request.',
    'keep-alive：保持 TCP 连接用于后续请求。',
  ],
  'http.header.content-length': [
    'Body length in bytes: how the receiver knows where the message ends.',
    '消息体字节数：接收方据此知道消息在哪结束。',
  ],
  'http.header.content-type': [
    'What the body is (text/html, image/png …).',
    '消息体的类型（text/html、image/png 等）。',
  ],
  'http.header': ['An HTTP header field.', '一个 HTTP 首部字段。'],
  'http.end_of_headers': [
    'The empty line that ends the head; the body follows.',
    '结束首部的空行；其后是消息体。',
  ],
  'http.file_data': ['The body: the file itself.', '消息体：文件本身。'],
  http: ['HTTP message part.', 'HTTP 报文部分。'],
  data: ['Bytes no dissector claimed.', '没有解析器认领的字节。'],
};

export function meaning(name: string, lang: Lang): string {
  let key = name;
  for (;;) {
    const m = M[key];
    if (m !== undefined) return lang === 'zh' ? m[1] : m[0];
    const i = key.lastIndexOf('.');
    if (i < 0) return '';
    key = key.slice(0, i);
  }
}
