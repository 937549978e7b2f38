/**
 * The story of a visit, as data: reads the trace (and nothing else — DESIGN.md principle 4)
 * and finds each step the seeds tell, with the real values and the indexes of the events
 * that prove it. Rendering to English or Chinese is src/story/render.ts; both languages render
 * the same steps from the same data, so they cannot drift apart.
 *
 * The walk (the seeds' order): URL parsed → HTTP request built → caches → DNS (stub → local
 * DNS server → root → TLD → authoritative) → socket → route lookup → ARP → TCP handshake →
 * frame on the wire → switches → routers → server peels the layers → response → page → close.
 */
import type { TraceEvent } from '../sim/trace.js';
import { formatIpv4, formatMac } from '../wire/addr.js';
import { decodeFrame } from '../wire/decode.js';
import { frameFacts, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from './frames.js';
import type { FrameFacts } from './frames.js';

/** Trace events read loosely: each event kind's fields are declared by the module emitting it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ev = {
  readonly kind: string;
  readonly t: number;
  readonly node: string;
  readonly [field: string]: any;
};

export interface StepBase {
  /** Instant of the first event of the step. */
  t: number;
  /** Indexes (into the trace) of the events the step narrates. */
  events: number[];
}

export interface UrlStep extends StepBase {
  kind: 'url';
  input: string;
  href: string;
  scheme: string;
  host: string;
  port: number;
  portIsDefault: boolean;
  path: string;
  defaultFile: boolean;
  addedScheme: boolean;
  /**
   * Userinfo typed before the host ("user:pass@"): the user name, whether a password came
   * with it, and whether the request carried them (an Authorization field).
   */
  userinfo?: { user: string; password: boolean; sent: boolean };
}

export interface RequestStep extends StepBase {
  kind: 'request';
  firstLine: string;
  host: string;
  fields: number;
  length: number;
  text: string;
  conditional: string[];
}

export interface CachesStep extends StepBase {
  kind: 'caches';
  browserCache: string;
  browserCacheWhy: string;
  dnsCache: 'hit' | 'miss' | 'none';
  osCache?: 'hit' | 'miss';
  hosts?: 'hit' | 'miss';
  /** Address found in a cache or the hosts file, when one was. */
  address?: string;
}

export interface DnsHop {
  t: number;
  server: string;
  serverName: string;
  zone: string;
  outcome: string;
  summary: string;
  rtt: number;
  rcode: string;
  aa: boolean;
  referralZone?: string;
  timeout?: boolean;
  transport: string;
}

export interface DnsStep extends StepBase {
  kind: 'dns';
  name: string;
  resolver?: string;
  resolverNode?: string;
  hops: DnsHop[];
  resolverFromCache: boolean;
  addresses: string[];
  ttl?: number;
  rcode: string;
  duration: number;
  source: 'dns' | 'os-cache' | 'hosts' | 'browser-cache' | 'none';
  /** The stub's own retries: no answer from the local DNS server within its timeout. */
  stubTimeouts: { t: number; waited: number }[];
}

export interface SocketStep extends StepBase {
  kind: 'socket';
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  connectionId: number;
  reused: boolean;
  why: string;
}

export interface RouteStep extends StepBase {
  kind: 'route';
  node: string;
  dst: string;
  matched: string;
  gateway?: string;
  iface: string;
  src: string;
  srcWhy?: string;
  /** Main-table routes that do not contain the destination. */
  rejected: string[];
  /** Routes that contain it too but lost: a longer prefix won (longest match, RFC 1812 § 5.2.4.3). */
  lessSpecific: string[];
  /** Routes as specific as the chosen one, with a worse metric. */
  higherMetric: string[];
  local: boolean;
  /**
   * For a local destination (Linux's local table, looked up before the main one): a loopback
   * address (127.0.0.0/8) or one of the host's own addresses.
   */
  localKind?: 'loopback' | 'own';
}

export interface ArpStep extends StepBase {
  kind: 'arp';
  node: string;
  iface: string;
  target: string;
  mac?: string;
  /** Broadcast and reply observed in this visit (false: already in the cache). */
  resolvedNow: boolean;
  /** When the entry was learned (if before the step). */
  learnedAt?: number;
  why?: string;
  failed: boolean;
  /** When it failed: requests per attempt, the time between them, and how many attempts failed. */
  requests?: number;
  interval?: number;
  rounds?: number;
  /** The first packet that needed this next hop in this visit, when it was not the SYN. */
  firstFor?: { dst: string; protocol: number; t: number };
  /**
   * A local destination: the datagram goes through the loopback interface, which has no link
   * layer (no ARP, no Ethernet frame, no wire). `path` is the stack's stages on lo.
   */
  loopback?: { path: string[] };
}

export interface HandshakeStep extends StepBase {
  kind: 'handshake';
  client: string;
  server: string;
  synSeq: number;
  synAckSeq: number;
  synAckAck: number;
  ackSeq: number;
  ackAck: number;
  mss?: number;
  rtt: number;
  refused: boolean;
  retries: number;
  /** A SYN-ACK came back (the values above are only meaningful then). */
  answered: boolean;
  /** When the SYN was sent: the first time, then each retransmission. */
  synSends: number[];
  /**
   * Nodes on the path that had to ARP for their next hop while the SYN or SYN-ACK waited (each
   * once, however many requests it took); `answered` false when the ARP failed.
   */
  arpWaits: { node: string; target: string; answered: boolean }[];
  /** Where the SYN was dropped on its way, when it was, and what the dropping node said. */
  stoppedAt?: PathStop;
  /** How a connect that got no SYN-ACK ended. */
  end?: { t: number; cause: 'icmp' | 'browser-timeout' | 'tcp-timeout' | 'other'; why: string };
}

/** A node that could not send the SYN on: why, and the ICMP error it sent back, if any. */
export interface PathStop {
  node: string;
  /** The client itself (its own ARP failed: the SYN never left it). */
  local: boolean;
  /** The IP layer's drop reason (ip.drop): "arp-failed", "no-route", "ttl-expired", … */
  reason: string;
  /** First drop. */
  t: number;
  /** Datagrams of the connection (the SYN and its retransmissions) dropped there. */
  drops: number;
  /** For "arp-failed": the next hop that never answered, and how the node asked. */
  arp?: {
    iface: string;
    target: string;
    requestsPerRound: number;
    rounds: number;
    interval: number;
  };
  /** The ICMP error the node sent back (RFC 792), how many, and how many reached the client. */
  icmp?: {
    type: number;
    code: number;
    name: string;
    sent: number;
    received: number;
    firstReceived?: number;
    from?: string;
  };
}

export interface SegmentationStep extends StepBase {
  kind: 'segmentation';
  mss: number;
  requestBytes: number;
  requestSegments: number;
  responseBytes: number;
  responseSegments: number;
  retransmissions: number;
  /** Largest payload of a response segment (MSS minus TCP options such as timestamps). */
  maxPayload: number;
  /** MSS after path MTU discovery lowered it during the response, if it did (MTU − 40). */
  pmtuMss?: number;
  /** The path MTU that lowered it, and the data per segment after it (MSS minus TCP options). */
  pmtu?: number;
  pmtuPayload?: number;
}

export interface FrameStep extends StepBase {
  kind: 'frame';
  node: string;
  iface: string;
  dstMac: string;
  srcMac: string;
  etherType: number;
  length: number;
  wireBytes: number;
  fcs: number;
  ipHeader: { src: string; dst: string; ttl: number; protocol: number; id: number; df: boolean };
  /** The Linux send path the segment took (stack.tx stages), socket to driver; `queued`: held for ARP. */
  txPath: { stage: string; fn: string; queued?: boolean }[];
}

export interface SwitchStep extends StepBase {
  kind: 'switch';
  node: string;
  inPort: string;
  outPorts: string[];
  decision: string;
  srcMac: string;
  dstMac: string;
  learnedAt?: number;
}

export interface RouterStep extends StepBase {
  kind: 'router';
  node: string;
  inIface: string;
  outIface: string;
  route: string;
  nextHop: string;
  ttlIn: number;
  ttlOut: number;
  inSrcMac: string;
  inDstMac: string;
  srcMac: string;
  dstMac: string;
  /** The router could not send the packet on (srcMac and dstMac are then empty). */
  stop?: PathStop;
  /** The datagram's addresses (set when it stopped here). */
  src?: string;
  dst?: string;
  /**
   * No route matched (stop.reason "no-route"): the routes the lookup tried, none of them a
   * default route. Linux looks the route up before ip_forward, so the TTL was not decremented.
   */
  noRoute?: { tried: string[] };
  /** The source address of the ICMP error the router sent back (its incoming interface's). */
  icmpSrc?: string;
}

export interface ServerStep extends StepBase {
  kind: 'server';
  node: string;
  /** The Linux receive path stages seen for the request segment. */
  path: { stage: string; fn: string }[];
  method: string;
  target: string;
  status: number;
  reason: string;
  file?: string;
  bodyBytes: number;
  bytes: number;
  why: string;
}

export interface ResponseStep extends StepBase {
  kind: 'response';
  status: number;
  reason: string;
  bytes: number;
  segments: number;
  hops: number;
  ttfb: number;
}

/** The server answered with a redirect (3xx + Location) and the browser followed it. */
export interface RedirectStep extends StepBase {
  kind: 'redirect';
  status: number;
  reason: string;
  /** The Location field as the server sent it (often relative, "/steps/"). */
  location: string;
  from: string;
  to: string;
  /** The request line of the request that followed ("GET /steps/ HTTP/1.1"). */
  request: string;
  requestBytes: number;
  connectionId?: number;
  /** Sent on the kept-alive connection of the redirect (no new handshake). */
  reused: boolean;
  /** A new connection: its addresses (another host or port, or the old one was closed). */
  connect?: { local: string; localPort: number; remote: string; remotePort: number; why: string };
  /** Another host: the browser DNS cache's answer for it. */
  dnsCache?: string;
  sameHost: boolean;
  /** What came back for the new URL. */
  response?: { status: number; reason: string; bytes: number; ttfb: number };
}

export interface PageStep extends StepBase {
  kind: 'page';
  title: string;
  status: number;
  subresources: {
    url: string;
    status: number;
    connectionId?: number;
    reused: boolean;
    cache: string;
    size: number;
  }[];
  connections: number;
  loadTime: number;
}

export interface CloseStep extends StepBase {
  kind: 'close';
  connections: number;
  firstFin: 'client' | 'server';
  timeWaitNode: string;
  timeWait: number;
  fins: number;
  /** The segments of the first connection's close, in order: "FIN", "ACK", "FIN+ACK". */
  sequence: string[];
  /** Who sent each of them. */
  senders: ('client' | 'server')[];
}

export interface ErrorStep extends StepBase {
  kind: 'error';
  code?: string;
  message: string;
  /** For NXDOMAIN: who said the name does not exist. */
  nxdomainFrom?: string;
  soa?: string;
  /** The host of the URL, the address and port connected to (when it got that far). */
  host?: string;
  address?: string;
  port?: number;
  /** The resolver's error code for a DNS failure (ENOTFOUND, ENODATA, ETIMEOUT, ESERVFAIL, …). */
  dnsCode?: string;
  /**
   * The Node-like error code the failure maps to (ENOTFOUND, ECONNREFUSED, ENETUNREACH,
   * EHOSTUNREACH, ETIMEDOUT, …), told once in the error step; none for HTTP-level failures.
   */
  errno?: string;
}

export interface FaultStep extends StepBase {
  kind: 'fault';
  target: string;
  what: string;
  drops: number;
  retransmissions: { t: number; node: string; why: string; seq: number }[];
  fragments: number;
  icmp: { t: number; node: string; message: string }[];
  /** What the faults caused, in time order. */
  timeline: FaultEvent[];
}

export type FaultEvent =
  | { t: number; node: string; what: 'lost'; frame: string }
  | {
      t: number;
      node: string;
      what: 'retransmit';
      conn: string;
      seq: number;
      why: string;
      pmtu: boolean;
    }
  /** mss: MTU − 40 (IP and TCP headers); payload: the data per segment (MSS minus TCP options). */
  | {
      t: number;
      node: string;
      what: 'pmtu';
      conn: string;
      mtu: number;
      mss: number;
      payload: number;
      from: string;
    }
  | { t: number; node: string; what: 'icmp'; message: string }
  | { t: number; node: string; what: 'dns-timeout'; server: string; attempt: number };

export type Step =
  | UrlStep
  | RequestStep
  | CachesStep
  | DnsStep
  | SocketStep
  | RouteStep
  | ArpStep
  | HandshakeStep
  | SegmentationStep
  | FrameStep
  | SwitchStep
  | RouterStep
  | ServerStep
  | ResponseStep
  | RedirectStep
  | PageStep
  | CloseStep
  | ErrorStep
  | FaultStep;

export type StepKind = Step['kind'];

/** One row of the hop table: a packet on one wire. */
export interface HopRow {
  t: number;
  link: string;
  from: string;
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  ttl: number;
  event: number;
}

export interface WaterfallRow {
  url: string;
  resource: string;
  status: number;
  start: number;
  dns: number;
  connect: number;
  send: number;
  wait: number;
  download: number;
  total: number;
  cache: string;
  reused: boolean;
  connectionId?: number;
  /** A redirect: where the browser went next. */
  redirectTo?: string;
}

export interface VisitStory {
  index: number;
  input: string;
  ok: boolean;
  startedAt: number;
  finishedAt: number;
  steps: Step[];
  /** The path of the first SYN, wire by wire. */
  hops: HopRow[];
  /** Its retransmissions: when, their wires, and whether they took exactly the same path. */
  hopResends: { t: number; rows: HopRow[]; same: boolean }[];
  waterfall: WaterfallRow[];
  pageText?: string;
}

export interface Story {
  client: string;
  visits: VisitStory[];
}

/** Builds the story of every visit in a trace (events from runVisit). */
export function buildStory(events: readonly TraceEvent[], client: string): Story {
  const evs = events as unknown as readonly Ev[];
  const starts: number[] = [];
  evs.forEach((e, i) => {
    if (e.kind === 'visit.start' && e.node === client) starts.push(i);
  });
  const visits = starts.map((start, k) => {
    const end = evs.findIndex(
      (e, i) => i > start && e.kind === 'visit.end' && e.index === evs[start].index,
    );
    const stop = end < 0 ? (starts[k + 1] ?? evs.length) : end;
    // The close of the last visit happens after visit.end: include everything up to the next visit.
    const tail = starts[k + 1] ?? evs.length;
    return new VisitReader(evs, client, start, stop, tail).read();
  });
  return { client, visits };
}

class VisitReader {
  private readonly steps: Step[] = [];
  private clientAddr = '';

  constructor(
    private readonly evs: readonly Ev[],
    private readonly client: string,
    private readonly start: number,
    private readonly stop: number,
    private readonly tail: number,
  ) {}

  /** First event index in [from, to) matching. */
  private find(pred: (e: Ev) => boolean, from = this.start, to = this.stop): number {
    for (let i = from; i < to; i++) if (pred(this.evs[i])) return i;
    return -1;
  }

  /** Last event index in [from, to) matching. */
  private findLast(pred: (e: Ev) => boolean, from = this.start, to = this.stop): number {
    for (let i = to - 1; i >= from; i--) if (pred(this.evs[i])) return i;
    return -1;
  }

  private findAll(pred: (e: Ev) => boolean, from = this.start, to = this.stop): number[] {
    const out: number[] = [];
    for (let i = from; i < to; i++) if (pred(this.evs[i])) out.push(i);
    return out;
  }

  /** The client's connection pool deciding for a request (a new connection or a kept one). */
  private poolDecision(from = this.start, to = this.stop): number {
    return this.find(
      (e) =>
        e.kind === 'http.pool' &&
        e.node === this.client &&
        (e.action === 'connect' || e.action === 'reuse'),
      from,
      to,
    );
  }

  /** The client's next socket to connect (CLOSED → SYN-SENT) from `from` on. */
  private synSent(from: number): number {
    return this.find(
      (e) =>
        e.kind === 'tcp.state' &&
        e.node === this.client &&
        e.from === 'CLOSED' &&
        e.to === 'SYN-SENT',
      from,
    );
  }

  private at(i: number): Ev {
    return this.evs[i];
  }

  read(): VisitStory {
    const startEv = this.at(this.start);
    const endEv = this.stop < this.evs.length ? this.at(this.stop) : undefined;
    const ok = endEv?.kind === 'visit.end' && endEv.ok === true;
    this.faults();
    this.url();
    const doc = this.request();
    this.caches(doc);
    const dns = this.dns();
    const conn = this.socket();
    let hops: HopRow[] = [];
    const hopResends: VisitStory['hopResends'] = [];
    if (conn !== undefined && conn.newConnection) {
      const syn = this.synFrame(conn);
      this.route(conn, syn);
      this.arp(conn, syn);
      this.handshake(conn, endEv);
      if (syn !== undefined) {
        // One table per transmission of the SYN: the first, then each retransmission.
        const sends = splitSends(this.hopTable(syn), this.client);
        hops = sends[0] ?? [];
        for (const rows of sends.slice(1))
          hopResends.push({ t: rows[0].t, rows, same: samePath(rows, hops) });
        this.frame(syn);
        this.switchesAndRouters(syn);
      }
    }
    if (conn !== undefined) {
      this.segmentation(conn);
      this.server(conn);
      this.response(conn);
    }
    this.redirects();
    const page = this.page();
    if (!ok) this.error(endEv, dns);
    this.close();
    return {
      index: startEv.index as number,
      input: startEv.input as string,
      ok,
      startedAt: startEv.t,
      finishedAt: endEv?.t ?? startEv.t,
      steps: this.steps,
      hops,
      hopResends,
      waterfall: this.waterfall(),
      pageText: page,
    };
  }

  private faults(): void {
    const i = this.find((e) => e.kind === 'visit.fault', 0, this.start);
    if (i < 0) return;
    const f = this.at(i);
    const link = f.target as string;
    const timeline: FaultEvent[] = [];
    const conn = (e: Ev) => `${formatIpv4(e.laddr)}:${e.lport} → ${formatIpv4(e.raddr)}:${e.rport}`;
    const lastPmtu = new Map<string, number>();
    let drops = 0;
    for (let j = this.start; j < this.tail; j++) {
      const e = this.at(j);
      if (e.kind === 'link.drop' && e.link === link) {
        drops++;
        timeline.push({
          t: e.t,
          node: e.node,
          what: 'lost',
          frame: e.frame ? decodeFrame(e.frame as Uint8Array).info : (e.reason ?? ''),
        });
      } else if (e.kind === 'tcp.pmtu') {
        lastPmtu.set(e.node, e.t);
        // The event's mss is what a segment carries (RFC 1191 § 3: MTU − 40, minus TCP options).
        timeline.push({
          t: e.t,
          node: e.node,
          what: 'pmtu',
          conn: conn(e),
          mtu: e.mtu,
          mss: e.mtu - 40,
          payload: e.mss,
          from: e.from,
        });
      } else if (
        e.kind === 'tcp.segment-out' &&
        typeof e.why === 'string' &&
        /^retransmit|probe/i.test(e.why)
      ) {
        // A resend right after a PMTU update is the "segment too big" resend, not a timeout.
        const p = lastPmtu.get(e.node);
        const pmtu = p !== undefined && e.t - p < 1_000_000;
        timeline.push({
          t: e.t,
          node: e.node,
          what: 'retransmit',
          conn: conn(e),
          seq: e.seq,
          why: e.why,
          pmtu,
        });
      } else if (e.kind === 'icmp.tx' && e.type !== 0 && e.type !== 8) {
        timeline.push({ t: e.t, node: e.node, what: 'icmp', message: icmpText(e) });
      } else if (
        // the client's stub resolver, or a resolver, waited in vain for an answer
        (e.kind === 'dns.stub' && e.op === 'timeout' && e.node === this.client) ||
        e.kind === 'dns.timeout'
      ) {
        timeline.push({
          t: e.t,
          node: e.node,
          what: 'dns-timeout',
          server: formatIpv4(e.server),
          attempt: e.attempt ?? 1,
        });
      }
    }
    timeline.sort((a, b) => a.t - b.t);
    const retrans = timeline.flatMap((x) =>
      x.what === 'retransmit' ? [{ t: x.t, node: x.node, why: x.why, seq: x.seq }] : [],
    );
    const icmp = timeline.flatMap((x) =>
      x.what === 'icmp' ? [{ t: x.t, node: x.node, message: x.message }] : [],
    );
    const fragments = this.findAll((e) => e.kind === 'ip.frag', this.start, this.tail).length;
    this.steps.push({
      kind: 'fault',
      t: f.t,
      events: [i],
      target: link,
      what: f.what,
      drops,
      retransmissions: retrans,
      fragments,
      icmp,
      timeline,
    });
  }

  private url(): void {
    const i = this.find((e) => e.kind === 'browser.url-parsed' && e.node === this.client);
    if (i < 0) return;
    const e = this.at(i);
    this.steps.push({
      kind: 'url',
      t: e.t,
      events: [i],
      input: e.input,
      href: e.href,
      scheme: e.scheme,
      host: e.host,
      port: e.port,
      portIsDefault: e.portIsDefault,
      path: e.path,
      defaultFile: e.defaultFile,
      addedScheme: e.addedScheme,
      userinfo: userinfoOf(e.href),
    });
  }

  private request(): Ev | undefined {
    const i = this.find(
      (e) =>
        e.kind === 'browser.request-built' && e.node === this.client && e.resource === 'document',
    );
    if (i < 0) return undefined;
    const e = this.at(i);
    const text = e.text as string;
    const url = this.steps.find((x): x is UrlStep => x.kind === 'url');
    // Userinfo in the URL: did the request carry it (RFC 9110 § 11.6.2 Authorization)?
    if (url?.userinfo) url.userinfo.sent = /\r\nAuthorization:/i.test(text);
    this.steps.push({
      kind: 'request',
      t: e.t,
      events: [i],
      firstLine: text.split('\r\n')[0],
      host: (/\r\nHost: ([^\r]*)/i.exec(text) ?? [])[1] ?? '',
      fields: e.fields,
      length: e.length,
      text,
      conditional: ((e.conditional ?? []) as unknown[]).map((c) =>
        Array.isArray(c) ? `${c[0]}: ${c[1]}` : String(c),
      ),
    });
    return e;
  }

  private caches(doc: Ev | undefined): void {
    const ci = this.find(
      (e) =>
        e.kind === 'browser.cache' &&
        e.node === this.client &&
        (doc === undefined || e.url === doc.url),
    );
    if (ci < 0) return;
    const c = this.at(ci);
    const events = [ci];
    const di = this.find((e) => e.kind === 'browser.dns-cache' && e.node === this.client);
    let dnsCache: CachesStep['dnsCache'] = 'none';
    let address: string | undefined;
    if (di >= 0) {
      events.push(di);
      dnsCache = this.at(di).result === 'hit' ? 'hit' : 'miss';
      if (dnsCache === 'hit') address = formatIpv4(this.at(di).addresses[0]);
    }
    const step: CachesStep = {
      kind: 'caches',
      t: c.t,
      events,
      browserCache: c.result,
      browserCacheWhy: c.why,
      dnsCache,
      address,
    };
    const dnsDone = this.find((e) => e.kind === 'browser.dns-resolved' && e.node === this.client);
    const limit = dnsDone >= 0 ? dnsDone : this.stop;
    for (const j of this.findAll(
      (e) => e.kind === 'dns.stub' && e.node === this.client,
      this.start,
      limit,
    )) {
      const s = this.at(j);
      if (s.op === 'hosts-miss' || s.op === 'hosts-hit') {
        step.hosts ??= s.op === 'hosts-hit' ? 'hit' : 'miss';
        events.push(j);
      } else if (s.op === 'cache-miss' || s.op === 'cache-hit') {
        step.osCache ??= s.op === 'cache-hit' ? 'hit' : 'miss';
        events.push(j);
      }
    }
    this.steps.push(step);
  }

  private dns(): DnsStep | undefined {
    const di = this.find((e) => e.kind === 'browser.dns-resolved' && e.node === this.client);
    const qi = this.find(
      (e) => e.kind === 'dns.stub' && e.node === this.client && e.op === 'query',
    );
    const fail = this.find(
      (e) =>
        e.kind === 'dns.stub' &&
        e.node === this.client &&
        /fail|error|nxdomain|timeout/i.test(e.op),
    );
    if (di < 0 && qi < 0 && fail < 0) {
      const ui = this.find((e) => e.kind === 'browser.url-parsed' && e.node === this.client);
      if (ui >= 0 && this.at(ui).hostIsAddress === true) {
        const u = this.at(ui);
        this.steps.push({
          kind: 'dns',
          t: u.t,
          events: [ui],
          name: u.host,
          hops: [],
          resolverFromCache: false,
          addresses: [u.host],
          rcode: 'NOERROR',
          duration: 0,
          source: 'none',
          stubTimeouts: [],
        });
      }
      return undefined;
    }
    const first = qi >= 0 ? qi : di >= 0 ? di : fail;
    const events = [first];
    const step: DnsStep = {
      kind: 'dns',
      t: this.at(first).t,
      events,
      name: '',
      hops: [],
      resolverFromCache: false,
      addresses: [],
      rcode: 'NOERROR',
      duration: 0,
      source: 'dns',
      stubTimeouts: [],
    };
    if (qi >= 0) {
      const q = this.at(qi);
      step.name = q.name;
      for (const j of this.findAll(
        (e) => e.kind === 'dns.stub' && e.node === this.client && e.op === 'timeout',
        qi,
        di >= 0 ? di : this.stop,
      )) {
        events.push(j);
        step.stubTimeouts.push({
          t: this.at(j).t,
          waited: this.at(j).waited ?? this.at(j).timeout ?? 0,
        });
      }
      step.resolver = formatIpv4(q.server);
      // The resolver's side: dns.resolve start … done for this client's question.
      const rs = this.find(
        (e) => e.kind === 'dns.resolve' && e.phase === 'start' && e.qname === q.name,
        qi,
      );
      if (rs >= 0) {
        const resolverNode = this.at(rs).node;
        step.resolverNode = resolverNode;
        const rd = this.find(
          (e) =>
            e.kind === 'dns.resolve' &&
            e.phase === 'done' &&
            e.node === resolverNode &&
            e.qname === q.name,
          rs,
        );
        const to = rd >= 0 ? rd + 1 : this.stop;
        events.push(rs);
        for (const j of this.findAll(
          (e) =>
            e.node === resolverNode && (e.kind === 'dns.response-in' || e.kind === 'dns.timeout'),
          rs,
          to,
        )) {
          const r = this.at(j);
          events.push(j);
          step.hops.push({
            t: r.t,
            server: formatIpv4(r.server),
            serverName: (r.serverName as string) ?? formatIpv4(r.server),
            zone: r.zone ?? '',
            outcome: r.kind === 'dns.timeout' ? 'timeout' : r.outcome,
            summary: r.summary ?? '',
            rtt: r.rtt ?? 0,
            rcode: r.rcode ?? '',
            aa: r.aa === true,
            referralZone: r.referral?.zone,
            timeout: r.kind === 'dns.timeout',
            transport: r.transport ?? 'udp',
          });
        }
        if (rd >= 0) {
          const d = this.at(rd);
          events.push(rd);
          step.resolverFromCache = d.fromCache === true;
          step.rcode = d.rcode;
        }
      }
    }
    if (di >= 0) {
      const d = this.at(di);
      events.push(di);
      step.name ||= d.host;
      step.addresses = (d.addresses as number[]).map(formatIpv4);
      step.ttl = d.ttl;
      step.duration = d.duration;
      step.source = d.source ?? 'dns';
    }
    const stubSource = this.find(
      (e) =>
        e.kind === 'dns.stub' &&
        e.node === this.client &&
        (e.op === 'hosts-hit' || e.op === 'cache-hit'),
    );
    if (stubSource >= 0 && qi < 0)
      step.source = this.at(stubSource).op === 'hosts-hit' ? 'hosts' : 'os-cache';
    this.steps.push(step);
    return step;
  }

  /** The document's connection: the pool's decision and, for a new one, its SYN. */
  private socket():
    | {
        connectionId: number;
        newConnection: boolean;
        laddr: number;
        lport: number;
        raddr: number;
        rport: number;
        stateIdx: number;
      }
    | undefined {
    const pi = this.poolDecision();
    if (pi < 0) return undefined;
    const p = this.at(pi);
    if (p.action === 'reuse') {
      const m = /^([\d.]+):(\d+) → ([\d.]+):(\d+)$/.exec(p.conn ?? '');
      if (!m) return undefined;
      const conn = {
        connectionId: p.connectionId,
        newConnection: false,
        laddr: ipNum(m[1]),
        lport: Number(m[2]),
        raddr: ipNum(m[3]),
        rport: Number(m[4]),
        stateIdx: pi,
      };
      this.clientAddr = m[1];
      this.steps.push({
        kind: 'socket',
        t: p.t,
        events: [pi],
        local: m[1],
        localPort: conn.lport,
        remote: m[3],
        remotePort: conn.rport,
        connectionId: p.connectionId,
        reused: true,
        why: p.why,
      });
      return conn;
    }
    const si = this.synSent(pi);
    if (si < 0) return undefined;
    const s = this.at(si);
    this.clientAddr = formatIpv4(s.laddr);
    this.steps.push({
      kind: 'socket',
      t: p.t,
      events: [pi, si],
      local: formatIpv4(s.laddr),
      localPort: s.lport,
      remote: formatIpv4(s.raddr),
      remotePort: s.rport,
      connectionId: p.connectionId,
      reused: false,
      why: p.why,
    });
    return {
      connectionId: p.connectionId,
      newConnection: true,
      laddr: s.laddr,
      lport: s.lport,
      raddr: s.raddr,
      rport: s.rport,
      stateIdx: si,
    };
  }

  /** The first link.tx of the client's SYN for this connection. */
  private synFrame(conn: {
    lport: number;
    raddr: number;
    stateIdx: number;
  }): { idx: number; facts: FrameFacts } | undefined {
    for (let i = conn.stateIdx; i < this.stop; i++) {
      const e = this.at(i);
      if (e.kind !== 'link.tx' || !(e.from as string).startsWith(`${this.client}.`)) continue;
      const f = frameFacts(e.frame);
      if (
        f?.tcp &&
        f.sport === conn.lport &&
        f.ip?.dst === conn.raddr &&
        (f.tcp.flags & TCP_SYN) !== 0
      )
        return { idx: i, facts: f };
    }
    return undefined;
  }

  private route(conn: { raddr: number; stateIdx: number }, syn: { idx: number } | undefined): void {
    const dst = formatIpv4(conn.raddr);
    const ri = this.find(
      (e) =>
        e.kind === 'ip.route' && e.node === this.client && e.dst === dst && e.purpose === 'output',
      conn.stateIdx,
      syn ? syn.idx + 1 : this.stop,
    );
    if (ri < 0) return;
    const r = this.at(ri);
    const route = r.route as
      { dst: string; prefix: number; gateway: string; iface: string } | undefined;
    const local = r.local === true;
    // A local destination is decided by the local table before the main table is read: the
    // main table's routes are not candidates at all (the trace marks them all "no-match").
    const others = local
      ? []
      : (
          (r.candidates ?? []) as { route: { dst: string; prefix: number }; verdict: string }[]
        ).filter(
          (c) =>
            c.verdict !== 'match' &&
            c.verdict !== 'chosen' &&
            !(route && c.route.dst === route.dst && c.route.prefix === route.prefix),
        );
    const named = (verdicts: string[]) =>
      others
        .filter((c) => verdicts.includes(c.verdict))
        .map((c) => `${c.route.dst}/${c.route.prefix}`);
    const loopback = dst.startsWith('127.');
    this.steps.push({
      kind: 'route',
      t: r.t,
      events: [ri],
      node: this.client,
      dst,
      matched: route
        ? `${route.dst}/${route.prefix}`
        : local
          ? loopback
            ? '127.0.0.0/8'
            : `${dst}/32`
          : 'none',
      gateway: route && route.gateway !== '0.0.0.0' ? route.gateway : undefined,
      iface: r.iface ?? route?.iface ?? '',
      src: r.src ?? this.clientAddr,
      srcWhy: r.srcWhy,
      rejected: named(['no-match']).concat(
        others
          .filter((c) => !['no-match', 'less-specific', 'higher-metric'].includes(c.verdict))
          .map((c) => `${c.route.dst}/${c.route.prefix}`),
      ),
      lessSpecific: named(['less-specific']),
      higherMetric: named(['higher-metric']),
      local,
      localKind: local ? (loopback ? 'loopback' : 'own') : undefined,
    });
  }

  private arp(
    conn: { raddr: number; stateIdx: number },
    syn: { idx: number; facts: FrameFacts } | undefined,
  ): void {
    const route = this.steps.find((s): s is RouteStep => s.kind === 'route');
    if (route === undefined) return;
    if (route.local) {
      this.loopback(conn, route);
      return;
    }
    const target = route.gateway ?? route.dst;
    // Was it resolved during this visit (before the SYN, e.g. for the DNS query)?
    const req = this.find(
      (e) => e.kind === 'arp.request' && e.node === this.client && e.target === target,
      this.start,
      syn ? syn.idx : this.stop,
    );
    const reach = this.find(
      (e) =>
        e.kind === 'arp.state' && e.node === this.client && e.ip === target && e.to === 'REACHABLE',
      0,
      syn ? syn.idx : this.stop,
    );
    const fail = this.find(
      (e) => e.kind === 'arp.fail' && e.node === this.client && e.ip === target,
    );
    const events = [req, reach, fail].filter((i) => i >= 0);
    const mac = syn ? formatMac(syn.facts.dstMac) : reach >= 0 ? this.at(reach).mac : undefined;
    // Which packet made the ARP request: the datagram the client was sending just before it.
    let firstFor: ArpStep['firstFor'];
    if (req >= 0) {
      for (let j = req - 1; j >= this.start; j--) {
        const x = this.at(j);
        if (x.node === this.client && x.kind === 'ip.tx') {
          if (!(x.dst === route.dst && x.protocol === 6))
            firstFor = { dst: x.dst, protocol: x.protocol, t: x.t };
          break;
        }
      }
    }
    this.steps.push({
      kind: 'arp',
      t: req >= 0 ? this.at(req).t : reach >= 0 ? this.at(reach).t : this.at(conn.stateIdx).t,
      events,
      node: this.client,
      iface: route.iface,
      target,
      mac,
      resolvedNow: req >= 0,
      learnedAt: reach >= 0 ? this.at(reach).t : undefined,
      why: req >= 0 ? this.at(req).why : undefined,
      failed: fail >= 0,
      ...(fail >= 0 ? this.arpTries(this.client, target, this.at(fail).attempts) : {}),
      firstFor,
    });
  }

  /** How often and how far apart `node` asked for `target` in this visit, and how many times it gave up. */
  private arpTries(
    node: string,
    target: string,
    perRound?: number,
  ): { requests: number; interval: number; rounds: number } {
    const asks = this.findAll(
      (e) =>
        e.kind === 'arp.request' &&
        e.node === node &&
        e.target === target &&
        e.reason !== 'probe' &&
        e.reason !== 'gratuitous',
      this.start,
      this.tail,
    ).map((j) => this.at(j).t);
    const rounds = this.findAll(
      (e) => e.kind === 'arp.fail' && e.node === node && e.ip === target,
      this.start,
      this.tail,
    ).length;
    return {
      requests: perRound ?? asks.length,
      interval: asks.length > 1 ? asks[1] - asks[0] : 0,
      rounds,
    };
  }

  /** The loopback path: no ARP, no frame; the stack's stages on lo for the SYN. */
  private loopback(conn: { raddr: number; stateIdx: number }, route: RouteStep): void {
    const path: string[] = [];
    const events: number[] = [];
    const from = this.find(
      (e) =>
        e.kind === 'ip.tx' &&
        e.node === this.client &&
        e.dst === route.dst &&
        e.iface === route.iface,
      conn.stateIdx,
    );
    if (from >= 0) {
      events.push(from);
      for (let j = from + 1; j < this.stop && path.length < 8; j++) {
        const e = this.at(j);
        if (e.node !== this.client || e.t !== this.at(from).t) break;
        if ((e.kind === 'stack.tx' || e.kind === 'stack.rx') && e.iface === route.iface) {
          path.push(e.fn);
          events.push(j);
          if (e.stage === 'transport') break;
        }
      }
    }
    this.steps.push({
      kind: 'arp',
      t: from >= 0 ? this.at(from).t : this.at(conn.stateIdx).t,
      events,
      node: this.client,
      iface: route.iface,
      target: route.dst,
      resolvedNow: false,
      failed: false,
      loopback: { path },
    });
  }

  private handshake(
    conn: { lport: number; raddr: number; stateIdx: number },
    endEv: Ev | undefined,
  ): void {
    const mine = (e: Ev) =>
      e.laddr !== undefined && e.lport === conn.lport && e.raddr === conn.raddr;
    const synI = this.find(
      (e) => e.kind === 'tcp.segment-out' && e.node === this.client && mine(e) && e.flags === 'S',
      conn.stateIdx,
    );
    if (synI < 0) return;
    const synAckI = this.find(
      (e) =>
        e.kind === 'tcp.segment-in' &&
        e.node === this.client &&
        mine(e) &&
        e.flags.includes('S') &&
        e.flags.includes('.'),
      synI,
    );
    const rstI = this.find(
      (e) =>
        e.kind === 'tcp.segment-in' && e.node === this.client && mine(e) && e.flags.includes('R'),
      synI,
    );
    const ackI =
      synAckI >= 0
        ? this.find(
            (e) =>
              e.kind === 'tcp.segment-out' && e.node === this.client && mine(e) && e.flags === '.',
            synAckI,
          )
        : -1;
    const sends = this.findAll(
      (e) => e.kind === 'tcp.segment-out' && e.node === this.client && mine(e) && e.flags === 'S',
      synI,
      synAckI >= 0 ? synAckI : this.stop,
    );
    const retries = sends.length - 1;
    const syn = this.at(synI);
    const synAck = synAckI >= 0 ? this.at(synAckI) : undefined;
    const ack = ackI >= 0 ? this.at(ackI) : undefined;
    // MSS from the SYN frame's options (the segment event has none): read the first link.tx.
    let mss: number | undefined;
    for (let i = synI; i < this.stop && i < synI + 400; i++) {
      const e = this.at(i);
      if (e.kind === 'link.tx' && (e.from as string).startsWith(`${this.client}.`)) {
        mss = readMss(e.frame);
        if (mss !== undefined) break;
      }
    }
    this.steps.push({
      kind: 'handshake',
      t: syn.t,
      events: [synI, synAckI, ackI].filter((i) => i >= 0),
      client: `${formatIpv4(syn.laddr)}:${syn.lport}`,
      server: `${formatIpv4(syn.raddr)}:${syn.rport}`,
      synSeq: syn.seq,
      synAckSeq: synAck?.seq ?? 0,
      synAckAck: synAck?.ack ?? 0,
      ackSeq: ack?.seq ?? 0,
      ackAck: ack?.ack ?? 0,
      mss,
      rtt: synAck ? synAck.t - syn.t : 0,
      refused: rstI >= 0 && synAckI < 0,
      retries,
      answered: synAckI >= 0,
      synSends: sends.map((j) => this.at(j).t),
      arpWaits: this.arpWaits(synI, synAckI >= 0 ? synAckI : this.stop),
      ...(synAckI < 0 && !(rstI >= 0) ? this.unanswered(conn, synI, endEv) : {}),
    });
  }

  /** Each node that resolved a next hop while the SYN (or SYN-ACK) waited, once. */
  private arpWaits(from: number, to: number): HandshakeStep['arpWaits'] {
    const out: HandshakeStep['arpWaits'] = [];
    for (const j of this.findAll(
      (e) => e.kind === 'arp.request' && e.node !== this.client && e.reason === 'resolve',
      from,
      to,
    )) {
      const { node, target } = this.at(j) as { node: string; target: string } & Ev;
      if (out.some((w) => w.node === node && w.target === target)) continue;
      const failed =
        this.find(
          (e) => e.kind === 'arp.fail' && e.node === node && e.ip === target,
          from,
          this.tail,
        ) >= 0;
      out.push({ node, target, answered: !failed });
    }
    return out;
  }

  /**
   * A SYN that got no SYN-ACK (nor RST): where it was dropped, the ICMP error sent back, and
   * how the connect ended (the ICMP, the browser's timeout, TCP's own retry limit).
   */
  private unanswered(
    conn: { lport: number; raddr: number },
    synI: number,
    endEv: Ev | undefined,
  ): Pick<HandshakeStep, 'stoppedAt' | 'end'> {
    const src = this.clientAddr;
    const dst = formatIpv4(conn.raddr);
    const out: Pick<HandshakeStep, 'stoppedAt' | 'end'> = {};
    const drops = this.findAll(
      (e) => e.kind === 'ip.drop' && e.src === src && e.dst === dst,
      synI,
      this.tail,
    );
    if (drops.length > 0) {
      const first = this.at(drops[0]);
      const node = first.node as string;
      const here = drops.filter(
        (j) => this.at(j).node === node && this.at(j).reason === first.reason,
      );
      const stop: PathStop = {
        node,
        local: node === this.client,
        reason: first.reason,
        t: first.t,
        drops: here.length,
      };
      if (first.reason === 'arp-failed') {
        const fi = this.find(
          (e) => e.kind === 'arp.fail' && e.node === node && e.iface === first.iface,
          synI,
          this.tail,
        );
        if (fi >= 0) {
          const f = this.at(fi);
          const tries = this.arpTries(node, f.ip, f.attempts);
          stop.arp = {
            iface: f.iface,
            target: f.ip,
            requestsPerRound: tries.requests,
            rounds: tries.rounds,
            interval: tries.interval,
          };
        }
      }
      // The ICMP errors the node sent about these datagrams (each right after its drop).
      const sent = this.findAll(
        (e) =>
          e.kind === 'icmp.tx' && e.node === node && e.to === src && e.type !== 0 && e.type !== 8,
        synI,
        this.tail,
      ).filter((j) => here.some((d) => this.at(d).t === this.at(j).t && d < j));
      if (sent.length > 0) {
        const i = this.at(sent[0]);
        const quoted = `${src} → ${dst} proto 6`;
        const rx = this.findAll(
          (e) =>
            e.kind === 'icmp.rx' &&
            e.node === this.client &&
            e.quoted === quoted &&
            e.type === i.type &&
            e.code === i.code,
          synI,
          this.tail,
        );
        stop.icmp = {
          type: i.type,
          code: i.code,
          name: icmpName(i.type, i.code) ?? i.message,
          sent: sent.length,
          received: rx.length,
          firstReceived: rx.length > 0 ? this.at(rx[0]).t : undefined,
          from: rx.length > 0 ? this.at(rx[0]).from : undefined,
        };
      }
      out.stoppedAt = stop;
    }
    const closed = this.find(
      (e) =>
        e.kind === 'tcp.state' &&
        e.node === this.client &&
        e.lport === conn.lport &&
        e.raddr === conn.raddr &&
        e.from === 'SYN-SENT',
      synI,
      this.tail,
    );
    if (closed >= 0) {
      const c = this.at(closed);
      const why = (c.why as string) ?? '';
      const cause = /ICMP/.test(why)
        ? 'icmp'
        : endEv?.code === 'timeout' && endEv.t === c.t
          ? 'browser-timeout'
          : /time|retr/i.test(why)
            ? 'tcp-timeout'
            : 'other';
      out.end = { t: c.t, cause, why };
    } else if (endEv?.code === 'timeout')
      out.end = { t: endEv.t, cause: 'browser-timeout', why: endEv.error ?? '' };
    return out;
  }

  private hopTable(syn: { idx: number; facts: FrameFacts }): HopRow[] {
    const rows: HopRow[] = [];
    const want = syn.facts;
    for (let i = syn.idx; i < this.stop; i++) {
      const e = this.at(i);
      if (e.kind !== 'link.tx') continue;
      const f = frameFacts(e.frame);
      if (!f?.tcp || !f.ip || f.ip.src !== want.ip!.src || f.ip.dst !== want.ip!.dst) continue;
      if (
        f.sport !== want.sport ||
        f.tcp.seq !== want.tcp!.seq ||
        (f.tcp.flags & (TCP_SYN | TCP_ACK)) !== TCP_SYN
      )
        continue;
      rows.push({
        t: e.t,
        link: e.link,
        from: e.from,
        srcMac: formatMac(f.srcMac),
        dstMac: formatMac(f.dstMac),
        srcIp: formatIpv4(f.ip.src),
        dstIp: formatIpv4(f.ip.dst),
        ttl: f.ip.ttl,
        event: i,
      });
      if (rows.length > 64) break;
    }
    return rows;
  }

  private frame(syn: { idx: number; facts: FrameFacts }): void {
    const e = this.at(syn.idx);
    const f = syn.facts;
    const from = e.from as string;
    const txPath: FrameStep['txPath'] = [];
    // Stages at the SYN's instant; if the SYN waited for ARP, its IP and neighbour stages ran
    // earlier: take those (and only those) from before the wait.
    let waited = false;
    for (let j = syn.idx - 1; j > this.start && txPath.length < 8; j--) {
      const x = this.at(j);
      if (x.node !== this.client || x.kind !== 'stack.tx') continue;
      if (x.t !== e.t) {
        if (x.stage !== 'ip_output' && x.stage !== 'neigh') continue;
        waited = true;
      }
      txPath.unshift({
        stage: x.stage,
        fn: x.fn,
        ...(waited && x.stage === 'neigh' ? { queued: true } : {}),
      });
      if (x.stage === 'transport' || x.stage === 'ip_output') break;
    }
    if (txPath.length > 0 && txPath[0].stage !== 'transport')
      txPath.unshift({ stage: 'transport', fn: 'tcp_transmit_skb' });
    this.steps.push({
      kind: 'frame',
      txPath,
      t: e.t,
      events: [syn.idx],
      node: from.slice(0, from.lastIndexOf('.')),
      iface: from.slice(from.lastIndexOf('.') + 1),
      dstMac: formatMac(f.dstMac),
      srcMac: formatMac(f.srcMac),
      etherType: f.etherType,
      length: f.length,
      wireBytes: e.wireBytes,
      fcs: f.fcs,
      ipHeader: {
        src: formatIpv4(f.ip!.src),
        dst: formatIpv4(f.ip!.dst),
        ttl: f.ip!.ttl,
        protocol: f.ip!.protocol,
        id: f.ip!.id,
        df: f.ip!.df,
      },
    });
  }

  private switchesAndRouters(syn: { idx: number; facts: FrameFacts }): void {
    const rows = this.hopTable(syn);
    const seen = new Set<string>();
    for (const row of rows) {
      const node = row.from.slice(0, row.from.lastIndexOf('.'));
      if (node === this.client || seen.has(node)) continue;
      seen.add(node);
      // The device's decision is the event just before its link.tx at the same instant.
      let j = row.event - 1;
      while (
        j > this.start &&
        !(
          this.at(j).node === node &&
          (this.at(j).kind === 'switch.forward' || this.at(j).kind === 'router.forward')
        )
      )
        j--;
      const d = this.at(j);
      if (d.kind === 'switch.forward') {
        const learned = this.find(
          (e) => e.kind === 'switch.learn' && e.node === node && e.mac === d.src,
          0,
          j,
        );
        this.steps.push({
          kind: 'switch',
          t: d.t,
          events: [j, row.event, ...(learned >= 0 ? [learned] : [])],
          node,
          inPort: d.inPort,
          outPorts: d.outPorts,
          decision: d.decision,
          srcMac: d.src,
          dstMac: d.dst,
          learnedAt: learned >= 0 ? this.at(learned).t : undefined,
        });
      } else if (d.kind === 'router.forward') {
        this.steps.push({
          kind: 'router',
          t: d.t,
          events: [j, row.event],
          node,
          inIface: d.inIface,
          outIface: d.outIface,
          route: d.route,
          nextHop: d.nextHop,
          ttlIn: d.ttlIn,
          ttlOut: d.ttlOut,
          inSrcMac: d.inSrcMac,
          inDstMac: d.inDstMac,
          srcMac: d.srcMac,
          dstMac: d.dstMac,
        });
      }
    }
    this.stuckRouter(syn, rows, seen);
  }

  /** The router that received the SYN but could not send it on (a route, ARP or TTL failure). */
  private stuckRouter(
    syn: { idx: number; facts: FrameFacts },
    rows: HopRow[],
    seen: Set<string>,
  ): void {
    const stop = this.steps.find((s): s is HandshakeStep => s.kind === 'handshake')?.stoppedAt;
    if (stop === undefined || stop.node === this.client || seen.has(stop.node)) return;
    const src = formatIpv4(syn.facts.ip!.src);
    const dst = formatIpv4(syn.facts.ip!.dst);
    const rxI = this.find(
      (e) =>
        e.kind === 'ip.rx' &&
        e.node === stop.node &&
        e.src === src &&
        e.dst === dst &&
        e.verdict === 'forward',
      syn.idx,
    );
    if (rxI < 0) return;
    const rx = this.at(rxI);
    const ri = this.find(
      (e) =>
        e.kind === 'ip.route' && e.node === stop.node && e.dst === dst && e.purpose === 'forward',
      rxI,
    );
    const r = ri >= 0 ? this.at(ri) : undefined;
    const route = r?.route as
      { dst: string; prefix: number; gateway: string; iface: string } | undefined;
    // Linux (ip_rcv_finish → ip_route_input_noref) looks the route up before ip_forward, the
    // function that decrements the TTL: with no route, ip_error sends the ICMP error and the
    // TTL is never touched; a TTL of 1 is refused by ip_forward before it is decremented.
    const noRoute = stop.reason === 'no-route' && route === undefined;
    const decremented = !noRoute && stop.reason !== 'ttl-expired';
    const tried = ((r?.candidates ?? []) as { route: { dst: string; prefix: number } }[]).map(
      (c) => `${c.route.dst}/${c.route.prefix}`,
    );
    const icmpTx = stop.icmp
      ? this.find(
          (e) => e.kind === 'ip.tx' && e.node === stop.node && e.protocol === 1 && e.dst === src,
          rxI,
          this.tail,
        )
      : -1;
    // The frame as it arrived: the last wire of the SYN before this router.
    const inRow =
      [...rows].reverse().find((row) => row.t <= rx.t && row.link.includes(`${stop.node}.`)) ??
      rows[rows.length - 1];
    this.steps.push({
      kind: 'router',
      t: rx.t,
      events: [rxI, ...(ri >= 0 ? [ri] : [])],
      node: stop.node,
      inIface: rx.iface,
      outIface: r?.iface ?? '',
      route: route
        ? `${route.prefix === 0 ? 'default' : `${route.dst}/${route.prefix}`}${route.gateway !== '0.0.0.0' ? ` via ${route.gateway}` : ''} dev ${route.iface}`
        : 'none',
      nextHop: r?.nextHop ?? '',
      ttlIn: rx.ttl,
      ttlOut: decremented ? rx.ttl - 1 : rx.ttl,
      inSrcMac: inRow?.srcMac ?? '',
      inDstMac: inRow?.dstMac ?? '',
      srcMac: '',
      dstMac: '',
      stop,
      src,
      dst,
      ...(noRoute ? { noRoute: { tried } } : {}),
      ...(icmpTx >= 0 ? { icmpSrc: this.at(icmpTx).src as string } : {}),
    });
  }

  private segmentation(conn: { lport: number; raddr: number }): void {
    const mine = (e: Ev) => e.lport === conn.lport && e.raddr === conn.raddr;
    const server = (e: Ev) => e.rport === conn.lport && e.laddr === conn.raddr;
    const hs = this.steps.find((s): s is HandshakeStep => s.kind === 'handshake');
    const reqI = this.find(
      (e) =>
        e.kind === 'http.request-out' &&
        e.node === this.client &&
        e.conn?.includes(`:${conn.lport} `),
    );
    const respI =
      reqI >= 0
        ? this.find(
            (e) =>
              e.kind === 'http.response-in' &&
              e.node === this.client &&
              e.connectionId === this.at(reqI).connectionId,
            reqI,
          )
        : -1;
    if (reqI < 0) return;
    const reqOut = this.findAll(
      (e) => e.kind === 'tcp.segment-out' && e.node === this.client && mine(e) && e.len > 0,
      reqI,
      respI >= 0 ? respI : this.stop,
    );
    const respOut = this.findAll(
      (e) => e.kind === 'tcp.segment-out' && server(e) && e.len > 0,
      reqI,
      respI >= 0 ? respI + 1 : this.stop,
    );
    const retrans = respOut
      .concat(reqOut)
      .filter((i) => /retrans|RTO/i.test(this.at(i).why ?? '')).length;
    const pmtuI = this.find(
      (e) => e.kind === 'tcp.pmtu' && server(e),
      reqI,
      respI >= 0 ? respI + 1 : this.stop,
    );
    const firstFull = respOut.map((i) => this.at(i).len as number);
    this.steps.push({
      maxPayload: firstFull.length > 0 ? Math.max(...firstFull) : 0,
      // tcp.pmtu's mss is the data per segment (MTU − 40 − TCP options); the MSS is MTU − 40.
      pmtuMss: pmtuI >= 0 ? Math.min(this.at(pmtuI).mtu - 40, hs?.mss ?? 1460) : undefined,
      pmtu: pmtuI >= 0 ? this.at(pmtuI).mtu : undefined,
      pmtuPayload: pmtuI >= 0 ? this.at(pmtuI).mss : undefined,
      kind: 'segmentation',
      t: this.at(reqI).t,
      events: [reqI, ...reqOut, ...respOut],
      mss: hs?.mss ?? 1460,
      requestBytes: this.at(reqI).bytes,
      requestSegments: reqOut.length,
      responseBytes: respI >= 0 ? this.at(respI).bytes : 0,
      responseSegments: respOut.length,
      retransmissions: retrans,
    });
  }

  private server(conn: { lport: number; raddr: number }): void {
    const inI = this.find(
      (e) => e.kind === 'http.request-in' && e.conn === `${this.clientAddr}:${conn.lport}`,
    );
    if (inI < 0) return;
    const req = this.at(inI);
    const outI = this.find(
      (e) =>
        e.kind === 'http.response-out' &&
        e.node === req.node &&
        e.conn === req.conn &&
        e.target === req.target,
      inI,
    );
    // The receive path of the segment that carried the request: stack.rx stages just before.
    const path: { stage: string; fn: string }[] = [];
    const stages: number[] = [];
    for (let j = inI - 1; j > this.start && path.length < 12; j--) {
      const e = this.at(j);
      if (e.node !== req.node) continue;
      if (e.kind === 'stack.rx') {
        path.unshift({ stage: e.stage, fn: e.fn });
        stages.unshift(j);
        if (e.stage === 'irq') break;
      }
    }
    const res = outI >= 0 ? this.at(outI) : undefined;
    this.steps.push({
      kind: 'server',
      t: req.t,
      events: [...stages, inI, ...(outI >= 0 ? [outI] : [])],
      node: req.node,
      path,
      method: req.method,
      target: req.target,
      status: res?.status ?? 0,
      reason: res?.reason ?? '',
      file: res?.file,
      bodyBytes: res?.bodyBytes ?? 0,
      bytes: res?.bytes ?? 0,
      why: res?.why ?? '',
    });
  }

  private response(conn: { lport: number; raddr: number }): void {
    const ri = this.find(
      (e) =>
        e.kind === 'http.response-in' &&
        e.node === this.client &&
        (e.conn as string)?.includes(`:${conn.lport} `),
    );
    if (ri < 0) return;
    const r = this.at(ri);
    const seg = this.steps.find((s): s is SegmentationStep => s.kind === 'segmentation');
    // Routers the response crossed: forwarding decisions for server → client datagrams.
    const server = formatIpv4(conn.raddr);
    const reqIn = this.find(
      (e) => e.kind === 'http.request-in' && e.conn === `${this.clientAddr}:${conn.lport}`,
    );
    const routers = new Set(
      this.findAll(
        (e) =>
          e.kind === 'router.forward' &&
          e.src === server &&
          e.dst === this.clientAddr &&
          e.protocol === 6,
        reqIn >= 0 ? reqIn : this.start,
        ri,
      ).map((j) => this.at(j).node),
    ).size;
    this.steps.push({
      kind: 'response',
      t: r.t,
      events: [ri],
      status: r.status,
      reason: r.reason,
      bytes: r.bytes,
      segments: seg?.responseSegments ?? 0,
      hops: routers,
      ttfb: r.ttfb ?? 0,
    });
  }

  /** Each redirect the browser followed: the 3xx, its Location, and the request that followed. */
  private redirects(): void {
    for (const k of this.findAll((e) => e.kind === 'browser.redirect' && e.node === this.client)) {
      const d = this.at(k);
      const respI = this.findLast(
        (e) => e.kind === 'http.response-in' && e.node === this.client && e.url === d.from,
        this.start,
        k,
      );
      const resp = respI >= 0 ? this.at(respI) : undefined;
      const location =
        ((resp?.headers ?? []) as [string, string][]).find(
          ([n]) => n.toLowerCase() === 'location',
        )?.[1] ?? d.to;
      const builtI = this.find(
        (e) => e.kind === 'browser.request-built' && e.node === this.client && e.url === d.to,
        k,
      );
      const outI = this.find(
        (e) => e.kind === 'http.request-out' && e.node === this.client && e.url === d.to,
        k,
      );
      const out = outI >= 0 ? this.at(outI) : undefined;
      const poolI = this.poolDecision(k, outI >= 0 ? outI : this.stop);
      const pool = poolI >= 0 ? this.at(poolI) : undefined;
      let connect: RedirectStep['connect'];
      if (pool?.action === 'connect') {
        const si = this.synSent(poolI);
        if (si >= 0) {
          const st = this.at(si);
          connect = {
            local: formatIpv4(st.laddr),
            localPort: st.lport,
            remote: formatIpv4(st.raddr),
            remotePort: st.rport,
            why: pool.why ?? '',
          };
        }
      }
      const sameHost = urlHost(d.from) === urlHost(d.to);
      const dnsI = sameHost
        ? -1
        : this.find((e) => e.kind === 'browser.dns-cache' && e.node === this.client, k);
      const inI =
        outI >= 0
          ? this.find(
              (e) =>
                e.kind === 'http.response-in' &&
                e.node === this.client &&
                e.url === d.to &&
                e.connectionId === out!.connectionId,
              outI,
            )
          : -1;
      const back = inI >= 0 ? this.at(inI) : undefined;
      const text = builtI >= 0 ? (this.at(builtI).text as string) : '';
      this.steps.push({
        kind: 'redirect',
        t: d.t,
        events: [k, ...[respI, builtI, poolI, outI, inI].filter((i) => i >= 0)],
        status: d.status,
        reason: resp?.reason ?? '',
        location,
        from: d.from,
        to: d.to,
        request: text.split('\r\n')[0] ?? '',
        requestBytes: out?.bytes ?? 0,
        connectionId: out?.connectionId ?? pool?.connectionId,
        reused: pool?.action === 'reuse',
        connect,
        dnsCache: dnsI >= 0 ? this.at(dnsI).result : undefined,
        sameHost,
        response: back
          ? { status: back.status, reason: back.reason, bytes: back.bytes, ttfb: back.ttfb ?? 0 }
          : undefined,
      });
    }
  }

  private page(): string | undefined {
    const pi = this.find((e) => e.kind === 'browser.page-rendered' && e.node === this.client);
    if (pi < 0) return undefined;
    const p = this.at(pi);
    const timings = this.findAll(
      (e) =>
        e.kind === 'browser.resource-timing' && e.node === this.client && e.resource !== 'document',
    );
    const conns = new Set<number>();
    const subresources = timings.map((i) => {
      const t = this.at(i);
      if (t.connectionId !== undefined) conns.add(t.connectionId);
      return {
        url: t.url,
        status: t.status,
        connectionId: t.connectionId,
        reused: t.reused === true,
        cache: t.cache ?? 'none',
        size: t.size ?? 0,
      };
    });
    const doc = this.find(
      (e) =>
        e.kind === 'browser.resource-timing' && e.node === this.client && e.resource === 'document',
    );
    if (doc >= 0 && this.at(doc).connectionId !== undefined) conns.add(this.at(doc).connectionId);
    this.steps.push({
      kind: 'page',
      t: p.t,
      events: [pi, ...timings],
      title: p.title ?? '',
      status: p.status ?? 0,
      subresources,
      connections: conns.size,
      loadTime: p.loadTime ?? p.t - this.at(this.start).t,
    });
    return typeof p.text === 'string' ? p.text : undefined;
  }

  private error(endEv: Ev | undefined, dns: DnsStep | undefined): void {
    if (endEv === undefined) {
      this.steps.push({
        kind: 'error',
        t: this.at(this.start).t,
        events: [],
        message: 'the visit did not finish',
      });
      return;
    }
    const step: ErrorStep = {
      kind: 'error',
      t: endEv.t,
      events: [this.stop],
      code: endEv.code,
      message: endEv.error ?? `HTTP ${endEv.status}`,
    };
    const be = this.find((e) => e.kind === 'browser.error' && e.node === this.client);
    const url = this.steps.find((s): s is UrlStep => s.kind === 'url');
    const sock = this.steps.find((s): s is SocketStep => s.kind === 'socket');
    step.host = be >= 0 && typeof this.at(be).host === 'string' ? this.at(be).host : url?.host;
    if (sock !== undefined) {
      step.address = sock.remote;
      step.port = sock.remotePort;
    } else if (url !== undefined) step.port = url.port;
    const df = this.find((e) => e.kind === 'dns.stub' && e.node === this.client && e.op === 'fail');
    if (df >= 0 && typeof this.at(df).detail === 'string') step.dnsCode = this.at(df).detail;
    else if (endEv.code === 'dns') step.dnsCode = /\b(E[A-Z]{3,})\b/.exec(step.message)?.[1];
    step.errno =
      endEv.code === 'dns'
        ? step.dnsCode
        : endEv.code === 'connection-refused'
          ? 'ECONNREFUSED'
          : endEv.code === 'unreachable'
            ? /network unreachable/.test(step.message)
              ? 'ENETUNREACH'
              : 'EHOSTUNREACH'
            : endEv.code === 'timeout' && /^connecting to/.test(step.message)
              ? 'ETIMEDOUT'
              : undefined;
    if (dns !== undefined) {
      const nx = [...dns.hops].reverse().find((h) => h.rcode === 'NXDOMAIN');
      if (nx) {
        step.nxdomainFrom = nx.serverName;
        step.soa = nx.summary;
      }
    }
    this.steps.push(step);
  }

  private close(): void {
    const fins = this.findAll(
      (e) =>
        e.kind === 'tcp.segment-out' &&
        e.flags.includes('F') &&
        (e.node === this.client || e.raddr === ipNum(this.clientAddr)),
      this.start,
      this.tail,
    );
    if (fins.length === 0) return;
    const first = this.at(fins[0]);
    const tw = this.find((e) => e.kind === 'tcp.state' && e.to === 'TIME-WAIT', fins[0], this.tail);
    const conns = new Set(fins.map((i) => `${this.at(i).lport}/${this.at(i).rport}`));
    const twEnd =
      tw >= 0
        ? this.find(
            (e) =>
              e.kind === 'tcp.state' &&
              e.from === 'TIME-WAIT' &&
              e.node === this.at(tw).node &&
              e.lport === this.at(tw).lport,
            tw,
            this.tail,
          )
        : -1;
    // The segments of the first connection's close, as they were sent (both sides).
    const a = first.node === this.client ? { port: first.lport } : { port: first.rport };
    const sequence: string[] = [];
    const senders: ('client' | 'server')[] = [];
    let finsSeen = 0;
    for (let j = fins[0]; j < this.tail && sequence.length < 6; j++) {
      const e = this.at(j);
      if (e.kind !== 'tcp.segment-out') continue;
      const fromClient = e.node === this.client && e.lport === a.port;
      const fromServer = e.raddr === ipNum(this.clientAddr) && e.rport === a.port;
      if (!fromClient && !fromServer) continue;
      const fl = e.flags as string;
      if (fl.includes('R')) {
        sequence.push('RST');
      } else if (fl.includes('F')) {
        sequence.push(finsSeen > 0 && fl.includes('.') ? 'FIN+ACK' : 'FIN');
        finsSeen++;
      } else if (e.len === 0 && finsSeen > 0) sequence.push('ACK');
      else continue;
      senders.push(fromClient ? 'client' : 'server');
      if (finsSeen >= 2 && !fl.includes('F')) break;
    }
    this.steps.push({
      sequence,
      senders,
      kind: 'close',
      t: first.t,
      events: [...fins.slice(0, 8), ...(tw >= 0 ? [tw] : []), ...(twEnd >= 0 ? [twEnd] : [])],
      connections: Math.ceil(conns.size / 2),
      firstFin: first.node === this.client ? 'client' : 'server',
      timeWaitNode: tw >= 0 ? this.at(tw).node : '',
      timeWait: tw >= 0 && twEnd >= 0 ? this.at(twEnd).t - this.at(tw).t : 0,
      fins: fins.length,
    });
  }

  private waterfall(): WaterfallRow[] {
    // A document row that ended in a redirect: the browser.redirect event right after it.
    const redirects = new Map<number, string>();
    for (const k of this.findAll((e) => e.kind === 'browser.redirect' && e.node === this.client)) {
      const d = this.at(k);
      const row = this.findLast(
        (e) => e.kind === 'browser.resource-timing' && e.node === this.client && e.url === d.from,
        this.start,
        k,
      );
      if (row >= 0) redirects.set(row, d.to);
    }
    return this.findAll((e) => e.kind === 'browser.resource-timing' && e.node === this.client).map(
      (i) => {
        const t = this.at(i);
        return {
          url: t.url,
          resource: t.resource,
          status: t.status,
          start: t.start,
          dns: t.dns ?? 0,
          connect: t.connect ?? 0,
          send: t.send ?? 0,
          wait: t.wait ?? 0,
          download: t.download ?? 0,
          total: t.total ?? 0,
          cache: t.cache ?? 'none',
          reused: t.reused === true,
          connectionId: t.connectionId,
          redirectTo: redirects.get(i),
        };
      },
    );
  }
}

const ICMP_NAMES: Record<string, string> = {
  '3/0': 'net unreachable',
  '3/1': 'host unreachable',
  '3/3': 'port unreachable',
  '3/4': 'fragmentation needed',
  '11/0': 'time exceeded (TTL)',
  '11/1': 'time exceeded (reassembly)',
};

function icmpName(type: number, code: number): string | undefined {
  return ICMP_NAMES[`${type}/${code}`];
}

/** "fragmentation needed (DF set and the next hop's MTU is 1000) → 198.51.100.80" */
function icmpText(e: Ev): string {
  const name = icmpName(e.type, e.code) ?? `${e.message} (type ${e.type} code ${e.code})`;
  return `${name}${e.why ? ` (${e.why})` : ''} → ${e.to}`;
}

/** The hop rows of every transmission of the SYN, split where the client sends it again. */
function splitSends(rows: HopRow[], client: string): HopRow[][] {
  const out: HopRow[][] = [];
  for (const r of rows) {
    if (out.length === 0 || r.from.startsWith(`${client}.`)) out.push([]);
    out[out.length - 1].push(r);
  }
  return out;
}

/** Same wires, same MACs, same TTLs. */
function samePath(a: readonly HopRow[], b: readonly HopRow[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (r, i) =>
        r.from === b[i].from &&
        r.srcMac === b[i].srcMac &&
        r.dstMac === b[i].dstMac &&
        r.ttl === b[i].ttl,
    )
  );
}

/** The host (and port) of a URL; the text itself when it does not parse. */
function urlHost(u: string): string {
  try {
    return new URL(u).host;
  } catch {
    return u;
  }
}

/** "user:pass@" in an http URL: the user name (decoded) and whether a password came with it. */
function userinfoOf(href: unknown): UrlStep['userinfo'] {
  if (typeof href !== 'string') return undefined;
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    return undefined;
  }
  if (u.username === '' && u.password === '') return undefined;
  let user = u.username;
  try {
    user = decodeURIComponent(user);
  } catch {
    // keep it percent-encoded
  }
  return { user, password: u.password !== '', sent: false };
}

function ipNum(text: string): number {
  const p = text.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/** The MSS option of a TCP SYN inside an Ethernet/IPv4 frame (RFC 9293 § 3.7.1). */
function readMss(frame: Uint8Array): number | undefined {
  const f = frameFacts(frame);
  if (!f?.tcp || (f.tcp.flags & TCP_SYN) === 0) return undefined;
  let o = 14 + f.ip!.headerLength + 20;
  const end = 14 + f.ip!.headerLength + f.tcp.headerLength;
  while (o < end) {
    const kind = frame[o];
    if (kind === 0) break;
    if (kind === 1) {
      o++;
      continue;
    }
    const len = frame[o + 1];
    if (len < 2) break;
    if (kind === 2 && len === 4) return (frame[o + 2] << 8) | frame[o + 3];
    o += len;
  }
  return undefined;
}

export { TCP_FIN, TCP_RST };
