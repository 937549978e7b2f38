/**
 * ARP for Ethernet and IPv4.
 *
 * Read first:
 * - RFC 826 "An Ethernet Address Resolution Protocol": packet format (hardware type 1, protocol
 *   type 0x0800, lengths 6 and 4), opcodes request (1) and reply (2).
 * - RFC 5227 § 2.1.1 (probe: sender IP 0) and § 3 (announcement: a request whose sender and
 *   target IP are both the announced address, target MAC zero); RFC 5944 § 4.6 names this
 *   "gratuitous ARP".
 *
 * Only Ethernet/IPv4 ARP is supported: other hardware/protocol types parse as 'unsupported',
 * as do opcodes other than request and reply (RARP, InARP).
 */
import { formatIpv4, formatMac, readIpv4, readMac, writeIpv4, writeMac } from './addr.js';
import type { Ipv4Addr, MacAddr } from './addr.js';
import type { Field } from './field.js';
import { field, hex } from './fmt.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';

/** Byte offsets inside an ARP packet. */
export const ARP = {
  HTYPE: 0,
  PTYPE: 2,
  HLEN: 4,
  PLEN: 5,
  OPER: 6,
  SHA: 8,
  SPA: 14,
  THA: 18,
  TPA: 24,
} as const;

/** Length of an Ethernet/IPv4 ARP packet. */
export const ARP_LEN = 28;

export const ArpOp = { REQUEST: 1, REPLY: 2 } as const;
export type ArpOp = (typeof ArpOp)[keyof typeof ArpOp];

export interface ArpRepr {
  readonly op: ArpOp;
  readonly senderMac: MacAddr;
  readonly senderIp: Ipv4Addr;
  readonly targetMac: MacAddr;
  readonly targetIp: Ipv4Addr;
}

/** A view over an ARP packet; `check` ensures the 28 bytes are there. */
export class ArpView {
  private constructor(
    readonly buf: Uint8Array,
    readonly start: number,
  ) {}

  static check(buf: Uint8Array, start = 0, end = buf.length): Result<ArpView> {
    if (start < 0 || end > buf.length || end - start < ARP_LEN) {
      return err(
        'truncated',
        `ARP packet needs ${ARP_LEN} bytes, have ${Math.max(0, end - start)}`,
      );
    }
    return ok(new ArpView(buf, start));
  }

  private u16(o: number): number {
    return (this.buf[this.start + o] << 8) | this.buf[this.start + o + 1];
  }
  get htype(): number {
    return this.u16(ARP.HTYPE);
  }
  get ptype(): number {
    return this.u16(ARP.PTYPE);
  }
  get hlen(): number {
    return this.buf[this.start + ARP.HLEN];
  }
  get plen(): number {
    return this.buf[this.start + ARP.PLEN];
  }
  get op(): number {
    return this.u16(ARP.OPER);
  }
  get senderMac(): MacAddr {
    return readMac(this.buf, this.start + ARP.SHA);
  }
  get senderIp(): Ipv4Addr {
    return readIpv4(this.buf, this.start + ARP.SPA);
  }
  get targetMac(): MacAddr {
    return readMac(this.buf, this.start + ARP.THA);
  }
  get targetIp(): Ipv4Addr {
    return readIpv4(this.buf, this.start + ARP.TPA);
  }
}

/** Parses an Ethernet/IPv4 ARP packet in buf[start..end) (trailing padding ignored). */
export function parseArp(buf: Uint8Array, start = 0, end = buf.length): Result<ArpRepr> {
  if (end - start >= 6 && end <= buf.length && start >= 0) {
    const htype = (buf[start] << 8) | buf[start + 1];
    const ptype = (buf[start + 2] << 8) | buf[start + 3];
    if (htype !== 1 || ptype !== 0x0800 || buf[start + 4] !== 6 || buf[start + 5] !== 4) {
      return err(
        'unsupported',
        `ARP for hardware type ${htype}, protocol ${hex(ptype, 4)}, lengths ${buf[start + 4]}/${buf[start + 5]} (only Ethernet/IPv4)`,
      );
    }
  }
  const v = ArpView.check(buf, start, end);
  if (!v.ok) return v;
  const view = v.value;
  const op = view.op;
  if (op !== ArpOp.REQUEST && op !== ArpOp.REPLY) {
    return err('unsupported', `ARP opcode ${op} (only request 1 and reply 2)`);
  }
  return ok({
    op,
    senderMac: view.senderMac,
    senderIp: view.senderIp,
    targetMac: view.targetMac,
    targetIp: view.targetIp,
  });
}

export function arpBufferLen(_repr?: ArpRepr): number {
  return ARP_LEN;
}

/** Writes the 28-byte packet at buf[off..]; returns 28. */
export function emitArp(repr: ArpRepr, buf: Uint8Array, off = 0): number {
  buf[off] = 0;
  buf[off + 1] = 1;
  buf[off + 2] = 0x08;
  buf[off + 3] = 0x00;
  buf[off + 4] = 6;
  buf[off + 5] = 4;
  buf[off + 6] = 0;
  buf[off + 7] = repr.op;
  writeMac(buf, off + ARP.SHA, repr.senderMac);
  writeIpv4(buf, off + ARP.SPA, repr.senderIp);
  writeMac(buf, off + ARP.THA, repr.targetMac);
  writeIpv4(buf, off + ARP.TPA, repr.targetIp);
  return ARP_LEN;
}

/** "Who has targetIp? Tell senderIp": target MAC unknown, so zero (RFC 826). */
export function arpRequest(senderMac: MacAddr, senderIp: Ipv4Addr, targetIp: Ipv4Addr): ArpRepr {
  return { op: ArpOp.REQUEST, senderMac, senderIp, targetMac: 0, targetIp };
}

export function arpReply(
  senderMac: MacAddr,
  senderIp: Ipv4Addr,
  targetMac: MacAddr,
  targetIp: Ipv4Addr,
): ArpRepr {
  return { op: ArpOp.REPLY, senderMac, senderIp, targetMac, targetIp };
}

/** An ARP announcement (RFC 5227 § 3): a broadcast request for one's own address. */
export function arpGratuitous(mac: MacAddr, ip: Ipv4Addr): ArpRepr {
  return { op: ArpOp.REQUEST, senderMac: mac, senderIp: ip, targetMac: 0, targetIp: ip };
}

export function isGratuitousArp(repr: ArpRepr): boolean {
  return repr.senderIp === repr.targetIp && repr.senderIp !== 0;
}

/** tshark's Info column for ARP. */
export function arpSummary(r: ArpRepr): string {
  // RFC 5227 § 3: a request for one's own address with a zero target MAC is an announcement.
  if (isGratuitousArp(r) && r.op === ArpOp.REQUEST && r.targetMac === 0) {
    return `ARP Announcement for ${formatIpv4(r.senderIp)}`;
  }
  if (isGratuitousArp(r)) {
    return `Gratuitous ARP for ${formatIpv4(r.senderIp)} (${r.op === ArpOp.REQUEST ? 'Request' : 'Reply'})`;
  }
  if (r.op === ArpOp.REQUEST) {
    if (r.senderIp === 0) return `Who has ${formatIpv4(r.targetIp)}? (ARP Probe)`;
    return `Who has ${formatIpv4(r.targetIp)}? Tell ${formatIpv4(r.senderIp)}`;
  }
  return `${formatIpv4(r.senderIp)} is at ${formatMac(r.senderMac)}`;
}

/** Fields of the ARP packet at buf[start..start+28). */
export function arpFields(start: number, r: ArpRepr): Field[] {
  const s = start;
  return [
    field('arp.hw.type', 'Hardware type', s, s + 2, 'Ethernet (1)'),
    field('arp.proto.type', 'Protocol type', s + 2, s + 4, 'IPv4 (0x0800)'),
    field('arp.hw.size', 'Hardware size', s + 4, s + 5, '6'),
    field('arp.proto.size', 'Protocol size', s + 5, s + 6, '4'),
    field(
      'arp.opcode',
      'Opcode',
      s + 6,
      s + 8,
      r.op === ArpOp.REQUEST ? 'request (1)' : 'reply (2)',
    ),
    field('arp.src.hw_mac', 'Sender MAC address', s + 8, s + 14, formatMac(r.senderMac)),
    field('arp.src.proto_ipv4', 'Sender IP address', s + 14, s + 18, formatIpv4(r.senderIp)),
    field('arp.dst.hw_mac', 'Target MAC address', s + 18, s + 24, formatMac(r.targetMac)),
    field('arp.dst.proto_ipv4', 'Target IP address', s + 24, s + 28, formatIpv4(r.targetIp)),
  ];
}
