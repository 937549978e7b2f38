/**
 * Ethernet II frames (DIX framing as used by IEEE 802.3 with EtherType ≥ 0x0600).
 *
 * Read first:
 * - IEEE 802.3 clause 3 (MAC frame format): destination, source, length/type, client data,
 *   padding, FCS. § 3.2.7: minimum frame 64 bytes including the 4-byte FCS, so the MAC pads the
 *   client data with zero bytes up to 60 bytes of header + data. § 3.2.9: FCS = CRC-32 over
 *   destination..padding, transmitted LSB first — on the byte stream that is the CRC value in
 *   little-endian order (see crc32.ts). Shown as Wireshark shows eth.fcs: the 4 bytes in wire
 *   order read big-endian.
 * - IEEE 802.3 clause 4 / 4.4.2: on the wire each frame is preceded by a 7-byte preamble and a
 *   1-byte start frame delimiter and followed by an inter-packet gap of 96 bit times (12 bytes).
 * - IEEE 802.1Q § 9.6: the VLAN tag (TPID 0x8100, TCI = PCP 3 bits, DEI 1 bit, VID 12 bits)
 *   inserted before the EtherType.
 *
 * Whether a buffer ends with the FCS is the caller's choice (`fcs` argument): frames on a
 * simulated wire carry it (DESIGN.md principle 1); captures carry it too and say so with
 * if_fcslen = 4 (see pcapng.ts). Frames shorter than 60 bytes are accepted when parsing (a
 * capture on a Linux sender shows them unpadded); emit always pads.
 */
import { formatMac, readMac, writeMac, MAC_BROADCAST, isMulticastMac } from './addr.js';
import type { MacAddr } from './addr.js';
import { crc32 } from './crc32.js';
import type { Field } from './field.js';
import { field, hex, hexBytes } from './fmt.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';

/** Byte offsets inside an Ethernet II header. */
export const ETH = {
  DST: 0,
  SRC: 6,
  ETHERTYPE: 12,
  PAYLOAD: 14,
  /** With an 802.1Q tag: the TCI follows the 0x8100 TPID, then the inner EtherType. */
  VLAN_TCI: 14,
  VLAN_ETHERTYPE: 16,
  VLAN_PAYLOAD: 18,
} as const;

export const ETH_HEADER_LEN = 14;
export const ETH_VLAN_HEADER_LEN = 18;
export const ETH_FCS_LEN = 4;
/** Minimum frame without FCS (IEEE 802.3 § 3.2.7: 64 bytes with FCS). */
export const ETH_MIN_FRAME_LEN = 60;
/** Standard MTU: maximum client data of an untagged frame. */
export const ETH_MTU = 1500;
export const ETH_PREAMBLE_LEN = 7;
export const ETH_SFD_LEN = 1;
/** Inter-packet gap: 96 bit times. */
export const ETH_IFG_LEN = 12;
/** Bytes of line time a frame costs beyond its own bytes: preamble + SFD + IFG = 20. */
export const ETH_WIRE_OVERHEAD = ETH_PREAMBLE_LEN + ETH_SFD_LEN + ETH_IFG_LEN;

export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPv6: 0x86dd,
} as const;

const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x8100: '802.1Q Virtual LAN',
  0x86dd: 'IPv6',
  0x88a8: '802.1ad',
};

export function etherTypeName(t: number): string {
  return ETHERTYPE_NAMES[t] ?? 'Unknown';
}

/**
 * Bytes of line time for a frame of `frameLen` bytes as held in a buffer: padding up to the
 * 64-byte minimum, the FCS if the buffer does not include it, preamble, SFD and IFG.
 * A 1514-byte frame without FCS costs 1538 bytes of line time.
 */
export function ethernetWireBytes(frameLen: number, includesFcs = true): number {
  const withFcs = includesFcs ? frameLen : frameLen + ETH_FCS_LEN;
  return Math.max(withFcs, ETH_MIN_FRAME_LEN + ETH_FCS_LEN) + ETH_WIRE_OVERHEAD;
}

/** An 802.1Q tag control information field, unpacked. */
export interface VlanTag {
  /** Priority code point, 0..7. */
  readonly pcp: number;
  /** Drop eligible indicator. */
  readonly dei: boolean;
  /** VLAN identifier, 0..4095. */
  readonly vid: number;
}

export interface EthernetRepr {
  readonly dst: MacAddr;
  readonly src: MacAddr;
  /** EtherType of the payload (the inner one when tagged). */
  readonly ethertype: number;
  readonly vlan?: VlanTag;
  /** Client data bytes after the header, padding included, FCS excluded. */
  readonly payloadLen: number;
}

/**
 * A view over an Ethernet II frame in buf[start..end). `end` excludes the FCS if the buffer has
 * one (see `parseEthernet`). After `check` succeeds no accessor reads out of range.
 */
export class EthernetView {
  private constructor(
    readonly buf: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {}

  /** Checks that the header (with its VLAN tag if any) fits. */
  static check(buf: Uint8Array, start = 0, end = buf.length): Result<EthernetView> {
    if (start < 0 || end > buf.length || end - start < ETH_HEADER_LEN) {
      return err('truncated', `Ethernet header needs 14 bytes, have ${Math.max(0, end - start)}`);
    }
    const t = (buf[start + ETH.ETHERTYPE] << 8) | buf[start + ETH.ETHERTYPE + 1];
    if (t === EtherType.VLAN && end - start < ETH_VLAN_HEADER_LEN) {
      return err('truncated', `802.1Q tagged header needs 18 bytes, have ${end - start}`);
    }
    return ok(new EthernetView(buf, start, end));
  }

  get dst(): MacAddr {
    return readMac(this.buf, this.start + ETH.DST);
  }
  set dst(mac: MacAddr) {
    writeMac(this.buf, this.start + ETH.DST, mac);
  }
  get src(): MacAddr {
    return readMac(this.buf, this.start + ETH.SRC);
  }
  set src(mac: MacAddr) {
    writeMac(this.buf, this.start + ETH.SRC, mac);
  }
  /** The EtherType field at offset 12 (0x8100 when tagged). */
  get outerEthertype(): number {
    return (this.buf[this.start + 12] << 8) | this.buf[this.start + 13];
  }
  get tagged(): boolean {
    return this.outerEthertype === EtherType.VLAN;
  }
  /** The tag control information, valid when `tagged`. */
  get tci(): number {
    return (this.buf[this.start + 14] << 8) | this.buf[this.start + 15];
  }
  /** The payload's EtherType (inner one when tagged). */
  get ethertype(): number {
    const o = this.start + (this.tagged ? ETH.VLAN_ETHERTYPE : ETH.ETHERTYPE);
    return (this.buf[o] << 8) | this.buf[o + 1];
  }
  get headerLen(): number {
    return this.tagged ? ETH_VLAN_HEADER_LEN : ETH_HEADER_LEN;
  }
  get payloadStart(): number {
    return this.start + this.headerLen;
  }
}

/** FCS bytes (little-endian CRC) at buf[at..at+4). */
function readFcs(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0;
}

/**
 * A CRC as it is shown: its 4 FCS bytes in wire order read big-endian, as Wireshark's eth.fcs
 * displays it (the bytes `00 68 47 0e` are 0x0068470e, whereas the CRC register is 0x0e476800).
 */
function fcsDisplay(crc: number): string {
  const be = ((crc & 0xff) << 24) | ((crc & 0xff00) << 8) | ((crc >>> 8) & 0xff00) | (crc >>> 24);
  return hex(be >>> 0, 8);
}

/**
 * Parses an Ethernet II frame in buf[start..end). With `fcs` (default true) the last 4 bytes
 * are the FCS and are verified (bad-checksum on mismatch). Never throws.
 */
export function parseEthernet(
  buf: Uint8Array,
  start = 0,
  end = buf.length,
  fcs = true,
): Result<EthernetRepr> {
  // Checks inlined rather than through EthernetView.check: this is the receive hot path.
  if (start < 0 || end > buf.length || end - start < ETH_HEADER_LEN + (fcs ? ETH_FCS_LEN : 0)) {
    const n = Math.max(0, end - start);
    return err(
      'truncated',
      fcs
        ? `frame of ${n} bytes cannot hold header and FCS`
        : `Ethernet header needs 14 bytes, have ${n}`,
    );
  }
  let dataEnd = end;
  if (fcs) {
    dataEnd = end - ETH_FCS_LEN;
    const want = readFcs(buf, dataEnd);
    const got = crc32(buf, start, dataEnd);
    if (want !== got) {
      return err(
        'bad-checksum',
        `FCS ${fcsDisplay(want)} does not match computed ${fcsDisplay(got)}`,
      );
    }
  }
  const t = (buf[start + 12] << 8) | buf[start + 13];
  if (t !== EtherType.VLAN) {
    return ok({
      dst: readMac(buf, start),
      src: readMac(buf, start + 6),
      ethertype: t,
      payloadLen: dataEnd - start - ETH_HEADER_LEN,
    });
  }
  if (dataEnd - start < ETH_VLAN_HEADER_LEN) {
    return err('truncated', `802.1Q tagged header needs 18 bytes, have ${dataEnd - start}`);
  }
  const tci = (buf[start + 14] << 8) | buf[start + 15];
  return ok({
    dst: readMac(buf, start),
    src: readMac(buf, start + 6),
    ethertype: (buf[start + 16] << 8) | buf[start + 17],
    vlan: { pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0xfff },
    payloadLen: dataEnd - start - ETH_VLAN_HEADER_LEN,
  });
}

export function ethernetHeaderLen(repr: EthernetRepr): number {
  return repr.vlan === undefined ? ETH_HEADER_LEN : ETH_VLAN_HEADER_LEN;
}

/** Bytes `emitEthernet` writes: header + payload + padding to 60, + 4 with FCS. */
export function ethernetBufferLen(repr: EthernetRepr, fcs = true): number {
  const len = Math.max(ethernetHeaderLen(repr) + repr.payloadLen, ETH_MIN_FRAME_LEN);
  return fcs ? len + ETH_FCS_LEN : len;
}

/** Writes only the header at buf[off..]; returns the header length. */
export function emitEthernetHeader(repr: EthernetRepr, buf: Uint8Array, off = 0): number {
  writeMac(buf, off + ETH.DST, repr.dst);
  writeMac(buf, off + ETH.SRC, repr.src);
  let o = off + ETH.ETHERTYPE;
  const vlan = repr.vlan;
  if (vlan !== undefined) {
    buf[o] = 0x81;
    buf[o + 1] = 0x00;
    const tci = ((vlan.pcp & 7) << 13) | (vlan.dei ? 0x1000 : 0) | (vlan.vid & 0xfff);
    buf[o + 2] = tci >>> 8;
    buf[o + 3] = tci & 0xff;
    o += 4;
  }
  buf[o] = (repr.ethertype >>> 8) & 0xff;
  buf[o + 1] = repr.ethertype & 0xff;
  return o + 2 - off;
}

/**
 * Emits a whole frame at buf[off..off + ethernetBufferLen(repr, fcs)): header, then the
 * `payloadLen` bytes the caller has already placed after it, zero padding up to 60 bytes, and
 * the FCS when `fcs`. Returns the number of bytes of the frame.
 */
export function emitEthernet(repr: EthernetRepr, buf: Uint8Array, off = 0, fcs = true): number {
  const hl = emitEthernetHeader(repr, buf, off);
  let end = off + hl + repr.payloadLen;
  const min = off + ETH_MIN_FRAME_LEN;
  if (end < min) {
    buf.fill(0, end, min);
    end = min;
  }
  if (fcs) end = appendFcs(buf, off, end);
  return end - off;
}

/** Computes the FCS over buf[start..end) and writes it at buf[end..end+4); returns end + 4. */
export function appendFcs(buf: Uint8Array, start: number, end: number): number {
  const c = crc32(buf, start, end);
  buf[end] = c & 0xff;
  buf[end + 1] = (c >>> 8) & 0xff;
  buf[end + 2] = (c >>> 16) & 0xff;
  buf[end + 3] = c >>> 24;
  return end + 4;
}

/** True when the last 4 bytes of buf[start..end) are the correct FCS of the rest. */
export function verifyFcs(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start < ETH_FCS_LEN) return false;
  return readFcs(buf, end - 4) === crc32(buf, start, end - 4);
}

function macText(mac: MacAddr): string {
  const s = formatMac(mac);
  if (mac === MAC_BROADCAST) return `${s} (Broadcast)`;
  return isMulticastMac(mac) ? `${s} (multicast)` : s;
}

/** One line like tshark's Ethernet tree header: "Src: …, Dst: …". */
export function ethernetSummary(repr: EthernetRepr): string {
  return `Src: ${formatMac(repr.src)}, Dst: ${formatMac(repr.dst)}`;
}

/**
 * Fields of the frame at buf[start..] described by `repr` (as parsed from the same bytes), with
 * byte ranges relative to buf. `payloadUsed` is how many payload bytes the upper layer claims;
 * the rest before the FCS is shown as padding.
 */
export function ethernetFields(
  buf: Uint8Array,
  start: number,
  repr: EthernetRepr,
  fcs: boolean,
  payloadUsed = repr.payloadLen,
): Field[] {
  const f: Field[] = [
    field('eth.dst', 'Destination', start, start + 6, macText(repr.dst)),
    field('eth.src', 'Source', start + 6, start + 12, macText(repr.src)),
  ];
  let o = start + 12;
  const vlan = repr.vlan;
  if (vlan !== undefined) {
    f.push(field('eth.type', 'Type', o, o + 2, '0x8100 (802.1Q Virtual LAN)'));
    const tci = (buf[o + 2] << 8) | buf[o + 3];
    f.push(
      field(
        'vlan',
        '802.1Q Virtual LAN',
        o + 2,
        o + 4,
        `PRI: ${vlan.pcp}, DEI: ${vlan.dei ? 1 : 0}, ID: ${vlan.vid}`,
        [
          field('vlan.priority', 'Priority', o + 2, o + 4, String(vlan.pcp)),
          field('vlan.dei', 'DEI', o + 2, o + 4, vlan.dei ? 'Eligible' : 'Ineligible'),
          field('vlan.id', 'ID', o + 2, o + 4, `${vlan.vid} (${hex(tci & 0xfff, 3)})`),
        ],
      ),
    );
    o += 4;
    f.push(
      field(
        'vlan.etype',
        'Type',
        o,
        o + 2,
        `${hex(repr.ethertype, 4)} (${etherTypeName(repr.ethertype)})`,
      ),
    );
  } else {
    f.push(
      field(
        'eth.type',
        'Type',
        o,
        o + 2,
        `${hex(repr.ethertype, 4)} (${etherTypeName(repr.ethertype)})`,
      ),
    );
  }
  o += 2;
  const dataEnd = o + repr.payloadLen;
  const used = Math.min(Math.max(payloadUsed, 0), repr.payloadLen);
  if (used < repr.payloadLen) {
    f.push(field('eth.padding', 'Padding', o + used, dataEnd, hexBytes(buf, o + used, dataEnd)));
  }
  if (fcs) {
    const v = readFcs(buf, dataEnd);
    const crc = crc32(buf, start, dataEnd);
    const status = v === crc ? 'correct' : `incorrect, should be ${fcsDisplay(crc)}`;
    const shown = `${fcsDisplay(v)} [${status}]`;
    f.push(field('eth.fcs', 'Frame check sequence', dataEnd, dataEnd + 4, shown));
  }
  return f;
}
