/**
 * External battery (issue 2): one capture holding every packet kind wiretrail emits, read back
 * by tshark with every checksum check on (IPv4, ICMP, UDP, TCP, Ethernet FCS). tshark must
 * decode the same field values we emitted, find no malformed packet, and verify every checksum
 * and FCS as good. Our own decoder (src/wire/decode.ts) must agree with tshark on shared fields.
 *
 * Captures carry the FCS: the pcapng interface declares if_fcslen = 4, the classic pcap file the
 * FCS bits of its LinkType field, so tshark checks the FCS (eth.fcs.status = 1) instead of
 * calling it a trailer. tshark missing is a failure (CI installs Debian's tshark).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arpGratuitous, arpReply, arpRequest } from '../src/wire/arp.js';
import {
  arpPacket,
  ethernetFrame,
  icmpMessage,
  ipv4Frame,
  ipv4Header,
  ipv4Packet,
  tcpSegment,
  udpDatagram,
} from '../src/wire/build.js';
import { decodeFrame } from '../src/wire/decode.js';
import type { Field } from '../src/wire/field.js';
import { emptyHeader, encodeDns } from '../src/wire/dns.js';
import { EtherType } from '../src/wire/ethernet.js';
import type { EthernetHeaderSpec } from '../src/wire/build.js';
import { icmpQuoteLen, UnreachCode } from '../src/wire/icmp.js';
import { concatBytes, PcapngWriter, PcapWriter } from '../src/wire/pcapng.js';
import { TcpFlags } from '../src/wire/tcp.js';

const TSHARK = process.env.TSHARK ?? 'tshark';

// Addresses from the seeds' default topology flavour.
const PC = 0x0a0a0164; // 10.10.1.100
const GW = 0x0a0a0101; // 10.10.1.1
const SRV = 0x0a0a02c8; // 10.10.2.200
const DNS = 0x08080808; // 8.8.8.8
const PC_MAC = 0x020000000001;
const GW_MAC = 0x0200000000fe;
const BCAST = 0xffffffffffff;
const up: EthernetHeaderSpec = { dst: GW_MAC, src: PC_MAC };
const down: EthernetHeaderSpec = { dst: PC_MAC, src: GW_MAC };
const te = new TextEncoder();

interface Case {
  readonly name: string;
  readonly frame: Uint8Array;
  /** tshark field → expected value, looked up in the top-level layer named by its prefix. */
  readonly expect: Readonly<Record<string, Expect>>;
}

/** A value that must appear; a list that must be exactly the values (any order); or any of. */
type Expect = string | readonly string[] | { readonly anyOf: readonly string[] };

function anyOf(...values: string[]): Expect {
  return { anyOf: values };
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) & 0xff;
  return b;
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, frame: Uint8Array, expect: Case['expect']) =>
    cases.push({ name, frame, expect });

  // ── ARP ──
  add(
    'ARP request',
    ethernetFrame(
      { dst: BCAST, src: PC_MAC },
      EtherType.ARP,
      arpPacket(arpRequest(PC_MAC, PC, GW)),
    ),
    {
      'eth.dst': 'ff:ff:ff:ff:ff:ff',
      'eth.src': '02:00:00:00:00:01',
      'eth.type': '0x0806',
      'arp.opcode': '1',
      'arp.src.hw_mac': '02:00:00:00:00:01',
      'arp.src.proto_ipv4': '10.10.1.100',
      'arp.dst.hw_mac': '00:00:00:00:00:00',
      'arp.dst.proto_ipv4': '10.10.1.1',
    },
  );
  add(
    'ARP reply',
    ethernetFrame(down, EtherType.ARP, arpPacket(arpReply(GW_MAC, GW, PC_MAC, PC))),
    {
      'arp.opcode': '2',
      'arp.src.hw_mac': '02:00:00:00:00:fe',
      'arp.src.proto_ipv4': '10.10.1.1',
      'arp.dst.hw_mac': '02:00:00:00:00:01',
    },
  );
  add(
    'gratuitous ARP',
    ethernetFrame({ dst: BCAST, src: GW_MAC }, EtherType.ARP, arpPacket(arpGratuitous(GW_MAC, GW))),
    {
      'arp.opcode': '1',
      'arp.isgratuitous': '1',
      'arp.src.proto_ipv4': '10.10.1.1',
      'arp.dst.proto_ipv4': '10.10.1.1',
    },
  );

  // ── IPv4 with options (ping -R: Record Route with 9 empty slots) + ICMP echo ──
  const rr = new Uint8Array(40);
  rr.set([7, 39, 4]); // RR, length 39, pointer 4; one EOL byte pads to 40
  const echoData = pattern(56);
  add(
    'ICMP echo request with Record Route option',
    ipv4Frame(
      up,
      ipv4Header(PC, SRV, 1, { ident: 0x1c46, options: rr, dscp: 46, ecn: 0 }),
      icmpMessage({ kind: 'echo-request', ident: 0x0e3f, seq: 1 }, echoData),
    ),
    {
      'ip.version': '4',
      'ip.hdr_len': '60',
      'ip.len': '124',
      'ip.id': '0x1c46',
      'ip.flags.df': '1',
      'ip.ttl': '64',
      'ip.proto': '1',
      'ip.dsfield.dscp': '46',
      'ip.src': '10.10.1.100',
      'ip.dst': '10.10.2.200',
      'ip.opt.type': ['7', '0'],
      'ip.opt.len': ['39'],
      'ip.opt.ptr': '4',
      'icmp.type': '8',
      'icmp.code': '0',
      'icmp.ident': '3647',
      'icmp.seq': '1',
    },
  );
  add(
    'ICMP echo reply, 802.1Q tagged',
    ethernetFrame(
      { ...down, vlan: { pcp: 5, dei: false, vid: 100 } },
      EtherType.IPv4,
      ipv4Packet(
        ipv4Header(SRV, PC, 1, { ident: 0x2000, ttl: 63, dontFrag: false }),
        icmpMessage({ kind: 'echo-reply', ident: 0x0e3f, seq: 1 }, echoData),
      ),
    ),
    {
      'eth.type': '0x8100',
      'vlan.id': '100',
      'vlan.priority': '5',
      'vlan.etype': '0x0800',
      'ip.ttl': '63',
      'ip.flags.df': '0',
      'icmp.type': '0',
      'icmp.seq': '1',
    },
  );

  // ── A 3000-byte UDP datagram in three fragments (MTU 1500) ──
  const big = udpDatagram({ srcPort: 5001, dstPort: 5002 }, PC, SRV, pattern(3000));
  const fragHdr = ipv4Header(PC, SRV, 17, { ident: 0x5555, dontFrag: false });
  for (const [off, len, more] of [
    [0, 1480, true],
    [1480, 1480, true],
    [2960, 48, false],
  ] as const) {
    add(
      `UDP fragment at ${off}`,
      ipv4Frame(up, { ...fragHdr, fragOffset: off, moreFrags: more }, big.subarray(off, off + len)),
      {
        'ip.id': '0x5555',
        'ip.flags.mf': more ? '1' : '0',
        // tshark 4.0 shows the 13-bit field (8-byte units); later versions may show bytes.
        'ip.frag_offset': anyOf(String(off / 8), String(off)),
        'ip.len': String(20 + len),
        ...(more ? {} : { 'udp.length': '3008', 'udp.srcport': '5001' }),
      },
    );
  }

  // ── ICMP errors, each quoting the offending header + 8 bytes ──
  const probe = ipv4Packet(
    ipv4Header(PC, DNS, 17, { ident: 0x4321, ttl: 1 }),
    udpDatagram({ srcPort: 33434, dstPort: 33435 }, PC, DNS, pattern(32)),
  );
  add(
    'ICMP time exceeded',
    ipv4Frame(
      down,
      ipv4Header(GW, PC, 1, { ident: 7, dontFrag: false, ttl: 255 }),
      icmpMessage(
        { kind: 'time-exceeded', code: 0 },
        probe.subarray(0, icmpQuoteLen(probe, 0, probe.length)),
      ),
    ),
    {
      'icmp.type': '11',
      'icmp.code': '0',
      'ip.src': '10.10.1.1',
    },
  );
  const dnsProbe = ipv4Packet(
    ipv4Header(PC, SRV, 17, { ident: 0x99 }),
    udpDatagram({ srcPort: 40001, dstPort: 9999 }, PC, SRV, pattern(20)),
  );
  add(
    'ICMP port unreachable',
    ipv4Frame(
      down,
      ipv4Header(SRV, PC, 1, { ident: 8, ttl: 63 }),
      icmpMessage(
        { kind: 'dest-unreachable', code: UnreachCode.PORT, nextHopMtu: 0 },
        dnsProbe.subarray(0, 28),
      ),
    ),
    {
      'icmp.type': '3',
      'icmp.code': '3',
    },
  );
  const bigTcp = ipv4Packet(
    ipv4Header(PC, SRV, 6, { ident: 0x77 }),
    tcpSegment(
      {
        srcPort: 40000,
        dstPort: 80,
        seq: 1001,
        ack: 2001,
        flags: TcpFlags.ACK,
        window: 502,
        urgent: 0,
      },
      PC,
      SRV,
      pattern(1460),
    ),
  );
  add(
    'ICMP fragmentation needed (RFC 1191)',
    ipv4Frame(
      down,
      ipv4Header(GW, PC, 1, { ident: 9, ttl: 255 }),
      icmpMessage(
        { kind: 'dest-unreachable', code: UnreachCode.FRAG_NEEDED, nextHopMtu: 1400 },
        bigTcp.subarray(0, 28),
      ),
    ),
    {
      'icmp.type': '3',
      'icmp.code': '4',
      'icmp.mtu': '1400',
    },
  );

  // ── UDP: a plain datagram, one without checksum, and a compressed DNS response ──
  add(
    'UDP datagram',
    ipv4Frame(
      up,
      ipv4Header(PC, SRV, 17, { ident: 0x10 }),
      udpDatagram({ srcPort: 40002, dstPort: 7 }, PC, SRV, te.encode('hello, echo')),
    ),
    {
      'udp.srcport': '40002',
      'udp.dstport': '7',
      'udp.length': '19',
    },
  );
  add(
    'UDP without checksum',
    ipv4Frame(
      up,
      ipv4Header(PC, SRV, 17, { ident: 0x11 }),
      udpDatagram({ srcPort: 40003, dstPort: 9, noChecksum: true }, PC, SRV, te.encode('discard')),
    ),
    {
      'udp.checksum': '0x0000',
      'udp.checksum.status': '3',
    },
  );
  const dns = encodeDns({
    header: { ...emptyHeader(0xbeef), qr: true, rd: true, ra: true },
    questions: [{ name: 'www.server.com', type: 1, class: 1 }],
    answers: [
      {
        name: 'www.server.com',
        type: 5,
        class: 1,
        ttl: 300,
        data: { kind: 'CNAME', target: 'web.server.com' },
      },
      { name: 'web.server.com', type: 1, class: 1, ttl: 300, data: { kind: 'A', address: SRV } },
    ],
    authorities: [
      {
        name: 'server.com',
        type: 2,
        class: 1,
        ttl: 86400,
        data: { kind: 'NS', target: 'ns1.server.com' },
      },
    ],
    additionals: [],
  });
  if (!dns.ok) throw new Error(`DNS encode failed: ${dns.detail}`);
  add(
    'DNS response with name compression',
    ipv4Frame(
      down,
      ipv4Header(DNS, PC, 17, { ident: 0x12, ttl: 57 }),
      udpDatagram({ srcPort: 53, dstPort: 40004 }, DNS, PC, dns.value),
    ),
    {
      'udp.srcport': '53',
      'dns.id': '0xbeef',
      'dns.flags.response': '1',
      'dns.count.answers': '2',
      'dns.qry.name': 'www.server.com',
      'dns.cname': 'web.server.com',
      'dns.a': '10.10.2.200',
      'dns.ns': 'ns1.server.com',
    },
  );

  // ── TCP ──
  add(
    'TCP SYN with all options',
    ipv4Frame(
      up,
      ipv4Header(PC, SRV, 6, { ident: 0x20 }),
      tcpSegment(
        {
          srcPort: 40000,
          dstPort: 80,
          seq: 1000,
          ack: 0,
          flags: TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR,
          window: 64240,
          urgent: 0,
          mss: 1460,
          sackPermitted: true,
          timestamp: { tsval: 123456, tsecr: 0 },
          windowScale: 7,
        },
        PC,
        SRV,
      ),
    ),
    {
      'tcp.srcport': '40000',
      'tcp.dstport': '80',
      'tcp.seq_raw': '1000',
      'tcp.hdr_len': '40',
      'tcp.flags': '0x00c2',
      'tcp.flags.syn': '1',
      'tcp.flags.ece': '1',
      'tcp.flags.cwr': '1',
      'tcp.window_size_value': '64240',
      'tcp.options.mss_val': '1460',
      'tcp.options.sack_perm': '04:02',
      'tcp.options.timestamp.tsval': '123456',
      'tcp.options.timestamp.tsecr': '0',
      'tcp.options.wscale.shift': '7',
    },
  );
  add(
    'TCP SYN-ACK with ECE',
    ipv4Frame(
      down,
      ipv4Header(SRV, PC, 6, { ident: 0, ttl: 63 }),
      tcpSegment(
        {
          srcPort: 80,
          dstPort: 40000,
          seq: 5000,
          ack: 1001,
          flags: TcpFlags.SYN | TcpFlags.ACK | TcpFlags.ECE,
          window: 65160,
          urgent: 0,
          mss: 1400,
          sackPermitted: true,
          timestamp: { tsval: 999, tsecr: 123456 },
          windowScale: 9,
        },
        SRV,
        PC,
      ),
    ),
    {
      'tcp.flags': '0x0052',
      'tcp.ack_raw': '1001',
      'tcp.options.mss_val': '1400',
      'tcp.options.wscale.shift': '9',
    },
  );
  const req = te.encode('GET / HTTP/1.1\r\nHost: www.server.com\r\n\r\n');
  add(
    'TCP data (HTTP request), CWR, ECT(0)',
    ipv4Frame(
      up,
      ipv4Header(PC, SRV, 6, { ident: 0x21, ecn: 2 }),
      tcpSegment(
        {
          srcPort: 40000,
          dstPort: 80,
          seq: 1001,
          ack: 5001,
          flags: TcpFlags.ACK | TcpFlags.PSH | TcpFlags.CWR,
          window: 502,
          urgent: 0,
          timestamp: { tsval: 123460, tsecr: 999 },
        },
        PC,
        SRV,
        req,
      ),
    ),
    {
      'ip.dsfield.ecn': '2',
      'tcp.flags': '0x0098',
      'tcp.len': String(req.length),
      'tcp.options.timestamp.tsval': '123460',
      'http.request.method': 'GET',
      'http.request.uri': '/',
      'http.host': 'www.server.com',
    },
  );
  add(
    'TCP data segment with SACK blocks',
    ipv4Frame(
      down,
      ipv4Header(SRV, PC, 6, { ident: 1, ttl: 63 }),
      tcpSegment(
        {
          srcPort: 80,
          dstPort: 40000,
          seq: 5001,
          ack: 1001 + req.length,
          flags: TcpFlags.ACK,
          window: 509,
          urgent: 0,
          timestamp: { tsval: 1003, tsecr: 123460 },
          sack: [
            { left: 3000, right: 4000 },
            { left: 5000, right: 6000 },
            { left: 7000, right: 8000 },
          ],
        },
        SRV,
        PC,
        pattern(100),
      ),
    ),
    {
      'tcp.hdr_len': '60',
      'tcp.options.sack_le': ['3000', '5000', '7000'],
      'tcp.options.sack_re': ['4000', '6000', '8000'],
      'tcp.len': '100',
    },
  );
  add(
    'TCP URG',
    ipv4Frame(
      up,
      ipv4Header(PC, SRV, 6, { ident: 0x22 }),
      tcpSegment(
        {
          srcPort: 40000,
          dstPort: 80,
          seq: 1001 + req.length,
          ack: 5101,
          flags: TcpFlags.ACK | TcpFlags.URG | TcpFlags.PSH,
          window: 502,
          urgent: 1,
          timestamp: { tsval: 123470, tsecr: 1003 },
        },
        PC,
        SRV,
        te.encode('!'),
      ),
    ),
    {
      'tcp.flags.urg': '1',
      'tcp.urgent_pointer': '1',
    },
  );
  add(
    'TCP FIN',
    ipv4Frame(
      up,
      ipv4Header(PC, SRV, 6, { ident: 0x23 }),
      tcpSegment(
        {
          srcPort: 40000,
          dstPort: 80,
          seq: 1002 + req.length,
          ack: 5101,
          flags: TcpFlags.FIN | TcpFlags.ACK,
          window: 502,
          urgent: 0,
          timestamp: { tsval: 123480, tsecr: 1003 },
        },
        PC,
        SRV,
      ),
    ),
    {
      'tcp.flags': '0x0011',
      'tcp.flags.fin': '1',
    },
  );
  add(
    'TCP RST',
    ipv4Frame(
      down,
      ipv4Header(SRV, PC, 6, { ident: 0, ttl: 63 }),
      tcpSegment(
        {
          srcPort: 80,
          dstPort: 40000,
          seq: 5101,
          ack: 0,
          flags: TcpFlags.RST,
          window: 0,
          urgent: 0,
        },
        SRV,
        PC,
      ),
    ),
    {
      'tcp.flags': '0x0004',
      'tcp.flags.reset': '1',
      'tcp.window_size_value': '0',
    },
  );
  return cases;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** All values of `key` anywhere under `node` (arrays from --no-duplicate-keys flattened). */
function collect(node: Json, key: string, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, key, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) {
        if (Array.isArray(v))
          for (const x of v) out.push(typeof x === 'string' ? x : JSON.stringify(x));
        else out.push(typeof v === 'string' ? v : JSON.stringify(v));
      }
      collect(v, key, out);
    }
  }
  return out;
}

/** The top-level layer of a tshark packet holding `field` ("tcp.options.mss_val" → "tcp"). */
function topLayer(layers: Record<string, Json>, field: string): Json {
  const proto = field.split('.')[0];
  const l = layers[proto];
  // A layer that appears twice (never here) would be an array; take the last.
  return Array.isArray(l) ? l[l.length - 1] : (l ?? null);
}

function runTshark(file: string, extra: string[] = []): string {
  const r = spawnSync(
    TSHARK,
    [
      '-r',
      file,
      '-o',
      'eth.check_fcs:TRUE',
      '-o',
      'ip.check_checksum:TRUE',
      '-o',
      'udp.check_checksum:TRUE',
      '-o',
      'tcp.check_checksum:TRUE',
      '-o',
      'tcp.relative_sequence_numbers:FALSE',
      ...extra,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail(
      `tshark is not installed (looked for "${TSHARK}"): install Debian's tshark package (CI does) to run this battery`,
    );
  }
  assert.equal(r.status, 0, `tshark failed: ${r.stderr}`);
  return r.stdout;
}

const CHECKSUM_GROUP = 0x01000000;
const MALFORMED_GROUP = 0x07000000;
const SEVERITY_ERROR = 0x00800000;

/** Fields whose value our decoder and tshark must agree on (first word of ours). */
const SHARED = [
  'eth.src',
  'eth.dst',
  'eth.fcs',
  'arp.src.hw_mac',
  'arp.src.proto_ipv4',
  'arp.dst.hw_mac',
  'arp.dst.proto_ipv4',
  'ip.ttl',
  'ip.src',
  'ip.dst',
  'ip.len',
  'ip.frag_offset',
  'ip.dsfield.dscp',
  'ip.dsfield.ecn',
  'icmp.code',
  'icmp.mtu',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.window_size_value',
  'tcp.urgent_pointer',
  'tcp.options.mss_val',
  'tcp.options.wscale.shift',
  'tcp.options.timestamp.tsval',
  'tcp.options.timestamp.tsecr',
  'tcp.options.sack_le',
  'tcp.options.sack_re',
];

function ourValues(fields: readonly Field[], name: string, out: string[] = []): string[] {
  for (const f of fields) {
    if (f.name === name) out.push(f.value.split(' ')[0]);
    if (f.children !== undefined) ourValues(f.children, name, out);
  }
  return out;
}

test('tshark decodes every packet kind as emitted, checksums and FCS good, nothing malformed', () => {
  const cases = buildCases();
  const dir = mkdtempSync(join(tmpdir(), 'wiretrail-tshark-'));
  try {
    const w = new PcapngWriter({ application: 'wiretrail wire-tshark battery' });
    const ifPc = w.addInterface({ name: 'pc:eth0', fcsLen: 4, description: 'PC side' });
    const chunks = [w.header(), ifPc.block];
    cases.forEach((c, i) =>
      chunks.push(w.packet(ifPc.id, 1_000_000 * (i + 1), c.frame, { comment: c.name })),
    );
    const file = join(dir, 'all.pcapng');
    writeFileSync(file, concatBytes(chunks));

    const packets = JSON.parse(runTshark(file, ['-T', 'json', '--no-duplicate-keys'])) as {
      _source: { layers: Record<string, Json> };
    }[];
    assert.equal(packets.length, cases.length, 'tshark saw a different number of packets');
    const failures: string[] = [];
    packets.forEach((p, i) => {
      const c = cases[i];
      const layers = p._source.layers;
      const where = `frame ${i + 1} (${c.name})`;
      if (
        collect(layers, '_ws.malformed').length > 0 ||
        'malformed' in layers ||
        '_ws.malformed' in layers
      ) {
        failures.push(`${where}: tshark says malformed`);
      }
      // Expert info: no checksum or malformed group entries, no errors.
      for (const [k, v] of Object.entries(layers)) (void k, void v);
      const groups = collect(layers, '_ws.expert.group').map(Number);
      const sev = collect(layers, '_ws.expert.severity').map(Number);
      const msgs = collect(layers, '_ws.expert.message');
      groups.forEach((g, k) => {
        if (g === CHECKSUM_GROUP || g === MALFORMED_GROUP || sev[k] >= SEVERITY_ERROR) {
          failures.push(
            `${where}: expert ${msgs[k] ?? '?'} (group 0x${g.toString(16)}, severity 0x${(sev[k] ?? 0).toString(16)})`,
          );
        }
      });
      // Every checksum tshark verified at the top level is good (1), FCS included.
      if (collect(topLayer(layers, 'eth.fcs.status'), 'eth.fcs.status')[0] !== '1')
        failures.push(`${where}: FCS not verified good`);
      for (const proto of ['ip', 'icmp', 'udp', 'tcp']) {
        const l = layers[proto];
        if (l === undefined) continue;
        const direct = (l as Record<string, Json>)[`${proto}.checksum.status`];
        if (
          direct !== undefined &&
          direct !== '1' &&
          !(proto === 'udp' && c.expect['udp.checksum.status'] === direct)
        ) {
          failures.push(`${where}: ${proto}.checksum.status = ${JSON.stringify(direct)}`);
        }
      }
      // The fields we emitted.
      for (const [field, want] of Object.entries(c.expect)) {
        const got = collect(topLayer(layers, field), field);
        const bad = Array.isArray(want)
          ? JSON.stringify([...got].sort()) !== JSON.stringify([...want].sort())
          : typeof want === 'string'
            ? !got.includes(want)
            : !got.some((g) => (want as { anyOf: readonly string[] }).anyOf.includes(g));
        if (bad)
          failures.push(
            `${where}: ${field} = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
          );
      }
      // Our decoder agrees with tshark on shared fields (outer layers; fragments skip UDP).
      const ours = decodeFrame(c.frame);
      if (ours.problems.length > 0)
        failures.push(`${where}: our decoder reports ${JSON.stringify(ours.problems)}`);
      for (const name of SHARED) {
        const layer = ours.layers.find((l) => l.short === name.split('.')[0]);
        if (layer === undefined) continue;
        const mine = ourValues(layer.fields, name);
        const theirs = collect(topLayer(layers, name), name);
        if (mine.length === 0) continue;
        // ip.frag_offset: ours is the 13-bit field like tshark 4.0; accept bytes from later ones.
        const alt = name === 'ip.frag_offset' ? mine.map((m) => String(Number(m) * 8)) : mine;
        const same = (x: string[]) => JSON.stringify(x) === JSON.stringify(theirs);
        if (!same(mine) && !same(alt)) {
          failures.push(
            `${where}: ${name}: ours ${JSON.stringify(mine)}, tshark ${JSON.stringify(theirs)}`,
          );
        }
      }
    });
    assert.deepEqual(failures, []);

    // TCP options in wire order, as tshark lists them, equal our decoder's option list.
    const KIND: Record<string, string> = {
      'tcp.options.eol': '0',
      'tcp.options.nop': '1',
      'tcp.options.mss': '2',
      'tcp.options.wscale': '3',
      'tcp.options.sack_perm': '4',
      'tcp.options.sack': '5',
      'tcp.options.timestamp': '8',
    };
    const kinds = runTshark(file, ['-T', 'fields', '-e', 'tcp.option_kind']).split('\n');
    cases.forEach((c, i) => {
      const tcp = decodeFrame(c.frame).layers.find((l) => l.short === 'tcp');
      const opts = tcp?.fields.find((f) => f.name === 'tcp.options')?.children ?? [];
      assert.equal(
        opts.map((o) => KIND[o.name] ?? '?').join(','),
        kinds[i],
        `option order of ${c.name}`,
      );
    });

    // Packet comments survive (opt_comment → frame.comment).
    const comments = runTshark(file, ['-T', 'fields', '-e', 'frame.comment']).trim().split('\n');
    assert.deepEqual(
      comments,
      cases.map((c) => c.name),
    );

    // The Info column matches ours, except where tshark uses conversation state we do not have
    // (reassembly, the port-7 echo dissector, window scaling from the handshake); tshark may
    // append "(request in 4)" and the like, hence the prefix test.
    const info = runTshark(file, [
      '-o',
      'tcp.analyze_sequence_numbers:FALSE',
      '-T',
      'fields',
      '-e',
      '_ws.col.Info',
    ])
      .replace(/\n$/, '')
      .split('\n');
    const stateful = [
      'UDP fragment at 2960',
      'UDP datagram',
      'TCP data segment with SACK blocks',
      'TCP URG',
      'TCP FIN',
    ];
    cases.forEach((c, i) => {
      if (stateful.includes(c.name)) return;
      const mine = decodeFrame(c.frame).info;
      assert.ok(
        info[i].startsWith(mine),
        `Info column of ${c.name}: ours ${JSON.stringify(mine)}, tshark ${JSON.stringify(info[i])}`,
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('classic pcap with FCS bits in the LinkType: tshark verifies every FCS', () => {
  const cases = buildCases();
  const dir = mkdtempSync(join(tmpdir(), 'wiretrail-tshark-'));
  try {
    const w = new PcapWriter(1, 4);
    const file = join(dir, 'all.pcap');
    writeFileSync(
      file,
      concatBytes([w.header(), ...cases.map((c, i) => w.packet(1_000 * i, c.frame))]),
    );
    const lines = runTshark(file, [
      '-T',
      'fields',
      '-e',
      'eth.fcs.status',
      '-e',
      '_ws.malformed',
      '-e',
      'eth.trailer',
    ])
      .replace(/\n$/, '')
      .split('\n');
    assert.equal(lines.length, cases.length);
    lines.forEach((l, i) =>
      assert.equal(l, '1\t\t', `frame ${i + 1} (${cases[i].name}): ${JSON.stringify(l)}`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
