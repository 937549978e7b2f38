/**
 * The packet decoder: a frame's bytes → the layers Wireshark would show, each with its
 * Info-column summary and its fields with byte ranges (src/wire/field.ts). Used by
 * `wiretrail decode`, the web inspector and the narration.
 *
 * Dissection chain: Ethernet II (+802.1Q, FCS) → ARP | IPv4 → ICMP | UDP | TCP → DNS (UDP or
 * TCP port 53, via src/wire/dns.ts) | HTTP (TCP port 80, first line and headers) | Data.
 *
 * Checksum mismatches do not stop the decoder (it re-parses without verification and records a
 * problem, as Wireshark flags a bad checksum and carries on); any other parse error stops it,
 * and the rest of the frame is shown as Data with the reason recorded. IPv4 fragments are not
 * reassembled: their payload is shown as Data.
 */
import { arpFields, arpSummary, parseArp, ARP_LEN } from './arp.js';
import { dnsLayer } from './dns.js';
import {
  ethernetFields,
  ethernetHeaderLen,
  ethernetSummary,
  EtherType,
  ETH_FCS_LEN,
  parseEthernet,
} from './ethernet.js';
import { internetChecksum, pseudoHeaderSum } from './checksum.js';
import type { Field, Layer } from './field.js';
import { field, hex, hexBytes } from './fmt.js';
import { icmpFields, icmpSummary, parseIcmp } from './icmp.js';
import {
  ipv4Fields,
  ipv4HeaderLen,
  ipv4Summary,
  ipv4TreeSummary,
  IpProtocol,
  isFragment,
  parseIpv4,
} from './ipv4.js';
import type { Ipv4Repr } from './ipv4.js';
import type { Result, WireError } from './result.js';
import { parseTcp, tcpFields, tcpSummary } from './tcp.js';
import { parseUdp, udpFields, udpSummary } from './udp.js';

export interface DecodeOptions {
  /** The frame ends with a 4-byte FCS (default true: simulated wires and our captures carry it). */
  readonly fcs?: boolean;
}

/** Why decoding stopped or what it flagged, at which layer and byte. */
export interface DecodeProblem {
  /** Short name of the layer being parsed ("eth", "ip", "tcp", ...). */
  readonly layer: string;
  readonly error: WireError;
  readonly detail: string;
  /** Byte offset in the frame where that layer starts. */
  readonly offset: number;
  /** True when decoding stopped here; false for a flagged checksum. */
  readonly fatal: boolean;
}

export interface Decoded {
  readonly length: number;
  readonly layers: readonly Layer[];
  readonly problems: readonly DecodeProblem[];
  /** The Info column: the summary of the topmost layer that has one. */
  readonly info: string;
}

/** Ports whose payload the decoder hands to a higher-layer dissector. */
export const DNS_PORT = 53;
export const HTTP_PORT = 80;

/**
 * DNS hook: src/wire/dns.ts (owned by the DNS engineer) provides
 * `dnsLayer(frame, start, end): Layer | undefined` for UDP/TCP port 53. Kept behind this one
 * function so that another application dissector can be added the same way.
 */
function dissectDns(frame: Uint8Array, start: number, end: number): Layer | undefined {
  return dnsLayer(frame, start, end);
}

class Decoder {
  readonly layers: Layer[] = [];
  readonly problems: DecodeProblem[] = [];
  info = '';

  constructor(readonly b: Uint8Array) {}

  push(l: Layer, info?: string): void {
    this.layers.push(l);
    if (info !== undefined) this.info = info;
  }

  /** Records an error; returns true when it is fatal (anything but a checksum mismatch). */
  problem<T>(layer: string, r: Result<T>, offset: number): boolean {
    if (r.ok) return false;
    const fatal = r.error !== 'bad-checksum';
    this.problems.push({ layer, error: r.error, detail: r.detail ?? r.error, offset, fatal });
    return fatal;
  }

  data(start: number, end: number, why?: string): void {
    if (end <= start) return;
    const n = end - start;
    this.push(
      {
        protocol: 'Data',
        short: 'data',
        start,
        end,
        summary: `${n} byte${n === 1 ? '' : 's'}`,
        fields: [field('data.data', 'Data', start, end, hexBytes(this.b, start, end))],
      },
      why,
    );
  }
}

/** Decodes one Ethernet frame. Never throws. */
export function decodeFrame(frame: Uint8Array, opts: DecodeOptions = {}): Decoded {
  const d = new Decoder(frame);
  const fcs = opts.fcs !== false;
  let eth = parseEthernet(frame, 0, frame.length, fcs);
  if (!eth.ok && eth.error === 'bad-checksum') {
    d.problem('eth', eth, 0);
    eth = parseEthernet(frame, 0, frame.length - ETH_FCS_LEN, false);
  }
  if (!eth.ok) {
    d.problem('eth', eth, 0);
    d.data(0, frame.length, `Malformed Ethernet frame: ${eth.detail ?? eth.error}`);
    return done(d, frame.length);
  }
  const e = eth.value;
  const ps = ethernetHeaderLen(e);
  const pe = ps + e.payloadLen;
  const ethLayerAt = d.layers.length;
  d.push({
    protocol: 'Ethernet II',
    short: 'eth',
    start: 0,
    end: frame.length,
    summary: ethernetSummary(e),
    fields: [],
  });
  let used = e.payloadLen;
  if (e.ethertype === EtherType.ARP) {
    const a = parseArp(frame, ps, pe);
    if (d.problem('arp', a, ps) || !a.ok) d.data(ps, pe, 'Malformed ARP packet');
    else {
      used = ARP_LEN;
      const s = arpSummary(a.value);
      d.push(
        {
          protocol: 'Address Resolution Protocol',
          short: 'arp',
          start: ps,
          end: ps + ARP_LEN,
          summary: s,
          fields: arpFields(ps, a.value),
        },
        s,
      );
    }
  } else if (e.ethertype === EtherType.IPv4) {
    used = decodeIpv4(d, ps, pe);
  } else {
    d.data(ps, pe, `Ethernet II, EtherType 0x${e.ethertype.toString(16).padStart(4, '0')}`);
  }
  const ethLayer = d.layers[ethLayerAt];
  d.layers[ethLayerAt] = { ...ethLayer, fields: ethernetFields(frame, 0, e, fcs, used) };
  if (d.info === '') d.info = ethernetSummary(e);
  return done(d, frame.length);
}

/**
 * The checksum b[start..end) should carry: the Internet checksum (RFC 1071) with the checksum
 * field at `at` taken as zero, plus `initial` (a pseudo-header sum).
 */
function expectedChecksum(
  b: Uint8Array,
  start: number,
  end: number,
  at: number,
  initial = 0,
): number {
  const c = b.slice(start, end);
  c[at - start] = 0;
  c[at - start + 1] = 0;
  return internetChecksum(c, 0, c.length, initial);
}

/**
 * A checksum field the layer marks "[incorrect]" also says what it should be, as tshark does
 * ("0x0000 [incorrect, should be 0x1c46]"), and as the Ethernet FCS field already does.
 */
function withExpectedChecksum(fields: Field[], name: string, expected: () => number): Field[] {
  return fields.map((f) =>
    f.name === name && f.value.endsWith('[incorrect]')
      ? {
          ...f,
          value: f.value.replace(/\[incorrect\]$/, `[incorrect, should be ${hex(expected(), 4)}]`),
        }
      : f,
  );
}

function done(d: Decoder, length: number): Decoded {
  return { length, layers: d.layers, problems: d.problems, info: d.info };
}

/** Decodes an IPv4 datagram in [ps, pe); returns how many bytes it uses (the rest is padding). */
function decodeIpv4(d: Decoder, ps: number, pe: number): number {
  const b = d.b;
  let ip = parseIpv4(b, ps, pe);
  if (!ip.ok && ip.error === 'bad-checksum') {
    d.problem('ip', ip, ps);
    ip = parseIpv4(b, ps, pe, { verifyChecksum: false });
  }
  if (!ip.ok) {
    d.problem('ip', ip, ps);
    d.data(ps, pe, `Malformed IPv4 packet: ${ip.detail ?? ip.error}`);
    return pe - ps;
  }
  const r = ip.value;
  const hl = ipv4HeaderLen(r);
  const ts = ps + hl;
  const te = ts + r.payloadLen;
  d.push(
    {
      protocol: 'Internet Protocol Version 4',
      short: 'ip',
      start: ps,
      end: te,
      summary: ipv4TreeSummary(r),
      fields: withExpectedChecksum(ipv4Fields(b, ps, r), 'ip.checksum', () =>
        expectedChecksum(b, ps, ts, ps + 10),
      ),
    },
    ipv4Summary(r),
  );
  if (isFragment(r)) {
    // No reassembly here: show the fragment's payload as data.
    d.data(ts, te, ipv4Summary(r));
    return te - ps;
  }
  switch (r.protocol) {
    case IpProtocol.ICMP:
      decodeIcmp(d, r, ts, te);
      break;
    case IpProtocol.UDP:
      decodeUdp(d, r, ts, te);
      break;
    case IpProtocol.TCP:
      decodeTcp(d, r, ts, te);
      break;
    default:
      d.data(ts, te);
  }
  return te - ps;
}

function decodeIcmp(d: Decoder, ip: Ipv4Repr, s: number, e: number): void {
  let r = parseIcmp(d.b, s, e);
  if (!r.ok && r.error === 'bad-checksum') {
    d.problem('icmp', r, s);
    r = parseIcmp(d.b, s, e, false);
  }
  if (!r.ok) {
    d.problem('icmp', r, s);
    d.data(s, e, `Malformed ICMP: ${r.detail ?? r.error}`);
    return;
  }
  const sum = icmpSummary(r.value, ip.ttl);
  d.push(
    {
      protocol: 'Internet Control Message Protocol',
      short: 'icmp',
      start: s,
      end: e,
      summary: sum,
      fields: withExpectedChecksum(icmpFields(d.b, s, e, r.value), 'icmp.checksum', () =>
        expectedChecksum(d.b, s, e, s + 2),
      ),
    },
    sum,
  );
}

function decodeUdp(d: Decoder, ip: Ipv4Repr, s: number, e: number): void {
  let r = parseUdp(d.b, s, e, ip.src, ip.dst);
  if (!r.ok && r.error === 'bad-checksum') {
    d.problem('udp', r, s);
    r = parseUdp(d.b, s, e, ip.src, ip.dst, false);
  }
  if (!r.ok) {
    d.problem('udp', r, s);
    d.data(s, e, `Malformed UDP: ${r.detail ?? r.error}`);
    return;
  }
  const u = r.value;
  const sum = udpSummary(u);
  const end = s + 8 + u.payloadLen;
  d.push(
    {
      protocol: 'User Datagram Protocol',
      short: 'udp',
      start: s,
      end,
      summary: `Src Port: ${u.srcPort}, Dst Port: ${u.dstPort}`,
      fields: withExpectedChecksum(udpFields(d.b, s, u, ip.src, ip.dst), 'udp.checksum', () => {
        // RFC 768: a computed checksum of zero is sent as all ones (zero means "none").
        const c = expectedChecksum(
          d.b,
          s,
          end,
          s + 6,
          pseudoHeaderSum(ip.src, ip.dst, 17, end - s),
        );
        return c === 0 ? 0xffff : c;
      }),
    },
    sum,
  );
  if (u.payloadLen === 0) return;
  if (u.srcPort === DNS_PORT || u.dstPort === DNS_PORT) {
    const l = dissectDns(d.b, s + 8, end);
    if (l !== undefined) {
      d.push(l, l.summary);
      return;
    }
    d.problems.push({
      layer: 'dns',
      error: 'bad-field',
      detail: 'port 53 payload is not a well-formed DNS message',
      offset: s + 8,
      fatal: true,
    });
  }
  d.data(s + 8, end);
}

function decodeTcp(d: Decoder, ip: Ipv4Repr, s: number, e: number): void {
  let r = parseTcp(d.b, s, e, ip.src, ip.dst);
  if (!r.ok && r.error === 'bad-checksum') {
    d.problem('tcp', r, s);
    r = parseTcp(d.b, s, e, ip.src, ip.dst, false);
  }
  if (!r.ok) {
    d.problem('tcp', r, s);
    d.data(s, e, `Malformed TCP: ${r.detail ?? r.error}`);
    return;
  }
  const t = r.value;
  const sum = tcpSummary(t);
  d.push(
    {
      protocol: 'Transmission Control Protocol',
      short: 'tcp',
      start: s,
      end: e,
      summary: `Src Port: ${t.srcPort}, Dst Port: ${t.dstPort}, Seq: ${t.seq}, Len: ${t.payloadLen}`,
      fields: withExpectedChecksum(tcpFields(d.b, s, e, t, ip.src, ip.dst), 'tcp.checksum', () =>
        expectedChecksum(d.b, s, e, s + 16, pseudoHeaderSum(ip.src, ip.dst, 6, e - s)),
      ),
    },
    sum,
  );
  const ps = s + ((d.b[s + 12] >>> 4) << 2);
  if (ps >= e) return;
  if (t.srcPort === DNS_PORT || t.dstPort === DNS_PORT) {
    // RFC 1035 § 4.2.2: over TCP each message is preceded by a 2-byte length.
    const n = e - ps >= 2 ? (d.b[ps] << 8) | d.b[ps + 1] : -1;
    if (n >= 0 && ps + 2 + n <= e) {
      const l = dissectDns(d.b, ps + 2, ps + 2 + n);
      if (l !== undefined) {
        const lenField = field('dns.length', 'Length', ps, ps + 2, String(n));
        d.push({ ...l, start: ps, fields: [lenField, ...l.fields] }, l.summary);
        if (ps + 2 + n < e) d.data(ps + 2 + n, e);
        return;
      }
    }
  }
  if (t.srcPort === HTTP_PORT || t.dstPort === HTTP_PORT) {
    const l = httpLayer(d.b, ps, e);
    if (l !== undefined) {
      d.push(l, l.summary);
      return;
    }
  }
  d.data(ps, e);
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/**
 * HTTP/1.x summary (RFC 9112 § 3 request line, § 4 status line): when the payload starts with a
 * method and a space, or with "HTTP/", the first line is the summary and the header lines up to
 * the blank line are fields. No reassembly across segments.
 */
export function httpLayer(b: Uint8Array, start: number, end: number): Layer | undefined {
  const head = ascii(b, start, Math.min(end, start + 8));
  const isResponse = head.startsWith('HTTP/');
  const isRequest = METHODS.some((m) => head.startsWith(m + ' '));
  if (!isResponse && !isRequest) return undefined;
  const fields: Field[] = [];
  let i = start;
  let first = '';
  let headersEnd = end;
  while (i < end) {
    let j = i;
    while (j < end && b[j] !== 0x0a) j++;
    const lineEnd = j < end ? j + 1 : j;
    let text = ascii(b, i, j);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (i === start) {
      first = text;
      fields.push(
        field(
          isResponse ? 'http.response.line' : 'http.request.line',
          isResponse ? 'Status line' : 'Request line',
          i,
          lineEnd,
          text,
        ),
      );
    } else if (text === '') {
      fields.push(field('http.end_of_headers', 'End of headers', i, lineEnd, ''));
      headersEnd = lineEnd;
      break;
    } else {
      const colon = text.indexOf(':');
      const name = colon > 0 ? text.slice(0, colon).toLowerCase() : 'header';
      fields.push(
        field(
          `http.header.${name}`,
          colon > 0 ? text.slice(0, colon) : 'Header',
          i,
          lineEnd,
          colon > 0 ? text.slice(colon + 1).trim() : text,
        ),
      );
    }
    i = lineEnd;
  }
  if (headersEnd < end)
    fields.push(field('http.file_data', 'Body', headersEnd, end, `${end - headersEnd} bytes`));
  return {
    protocol: 'Hypertext Transfer Protocol',
    short: 'http',
    start,
    end,
    summary: first,
    fields,
  };
}

function ascii(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) {
    const c = b[i];
    out +=
      c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : c === 0x0d ? '\r' : c === 0x09 ? '\t' : '.';
  }
  return out;
}

function formatField(f: Field, indent: string, out: string[]): void {
  out.push(f.value === '' ? `${indent}${f.label}` : `${indent}${f.label}: ${f.value}`);
  if (f.children !== undefined) for (const c of f.children) formatField(c, indent + '    ', out);
}

/**
 * Text like `tshark -V`: one line per layer ("Internet Protocol Version 4, Src: …"), its fields
 * indented beneath, then the problems. Returns lines without the frame header line.
 */
export function formatDecoded(d: Decoded): string[] {
  const out: string[] = [];
  for (const l of d.layers) {
    out.push(`${l.protocol}, ${l.summary}`);
    for (const f of l.fields) formatField(f, '    ', out);
  }
  for (const p of d.problems) {
    const what = p.fatal ? 'Malformed' : 'Bad checksum';
    out.push(`[${what}: ${p.layer} at byte ${p.offset}: ${p.error} — ${p.detail}]`);
  }
  return out;
}

/** "10.0.0.1 → 10.0.0.2" style endpoints for a decoded frame (Source/Destination columns). */
export function endpoints(d: Decoded): { src: string; dst: string; protocol: string } {
  let src = '';
  let dst = '';
  let protocol = '';
  for (const l of d.layers) {
    if (l.short === 'eth') {
      src = l.fields.find((f) => f.name === 'eth.src')?.value ?? '';
      dst = l.fields.find((f) => f.name === 'eth.dst')?.value ?? '';
    } else if (l.short === 'ip') {
      src = l.fields.find((f) => f.name === 'ip.src')?.value ?? src;
      dst = l.fields.find((f) => f.name === 'ip.dst')?.value ?? dst;
    }
    if (l.short !== 'data') protocol = l.short.toUpperCase();
  }
  return { src, dst, protocol };
}
