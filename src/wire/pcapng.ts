/**
 * Capture files: a pcapng writer, a classic pcap writer, and readers for both (for tests and
 * `wiretrail decode`).
 *
 * Read first:
 * - draft-ietf-opsawg-pcapng (PCAP Now Generic): § 4.1 Section Header Block, § 4.2 Interface
 *   Description Block (if_name 2, if_description 3, if_tsresol 9, if_fcslen 13), § 4.3
 *   Enhanced Packet Block (opt_comment 1, epb_flags 2), § 3.5 options (code, length, value
 *   padded to 32 bits, opt_endofopt).
 * - draft-ietf-opsawg-pcap (classic format): § 4 file header (magic 0xa1b23c4d = nanosecond
 *   timestamps), § 5 packet record, and the LinkType field's FCS-length bits (§ 4: bits 28–31
 *   FCS length in 16-bit words, bit 26 "P" = the FCS length is present).
 * - LINKTYPE_ETHERNET = 1 (tcpdump.org link-layer header types).
 *
 * Decisions: files are written little-endian. Timestamps are simulated nanoseconds (Instant),
 * written with if_tsresol = 9. Ethernet frames are captured with their FCS and each interface
 * says so with if_fcslen = 4, so Wireshark verifies the FCS instead of calling it a trailer.
 * Writers return bytes; file I/O lives in src/cli. Uint8Array/DataView only.
 */
import { err, ok } from './result.js';
import type { Result } from './result.js';

export const LINKTYPE_ETHERNET = 1;

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_EPB = 0x00000006;
const BT_SPB = 0x00000003;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_FCSLEN = 13;
const EPB_FLAGS = 2;

const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_MAGIC_US = 0xa1b2c3d4;

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: false });

interface Opt {
  code: number;
  value: Uint8Array;
}

function strOpt(code: number, s: string | undefined, into: Opt[]): void {
  if (s !== undefined && s !== '') into.push({ code, value: utf8.encode(s) });
}

function optsLen(opts: readonly Opt[]): number {
  if (opts.length === 0) return 0;
  let n = 4; // opt_endofopt
  for (const o of opts) n += 4 + ((o.value.length + 3) & ~3);
  return n;
}

function writeOpts(dv: DataView, b: Uint8Array, at: number, opts: readonly Opt[]): number {
  if (opts.length === 0) return at;
  for (const o of opts) {
    dv.setUint16(at, o.code, true);
    dv.setUint16(at + 2, o.value.length, true);
    b.set(o.value, at + 4);
    at += 4 + ((o.value.length + 3) & ~3);
  }
  dv.setUint16(at, OPT_ENDOFOPT, true);
  dv.setUint16(at + 2, 0, true);
  return at + 4;
}

/** A block: type, total length, body written by `body`, total length again. */
function block(
  type: number,
  bodyLen: number,
  body: (dv: DataView, b: Uint8Array) => void,
): Uint8Array {
  const total = 12 + bodyLen;
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, total, true);
  body(dv, b);
  dv.setUint32(total - 4, total, true);
  return b;
}

export interface CaptureInterface {
  /** if_name, e.g. "pc1:eth0". */
  readonly name: string;
  readonly description?: string;
  /** Default LINKTYPE_ETHERNET. */
  readonly linkType?: number;
  /** Bytes of FCS at the end of each frame (4 for Ethernet captured with FCS); omitted: none. */
  readonly fcsLen?: number;
  /** 0 = no limit (default). */
  readonly snapLen?: number;
}

export interface PacketOptions {
  /** opt_comment: shown by Wireshark as the packet comment (pkt_comment). */
  readonly comment?: string;
  /** Original length if the data were cut; defaults to data length. */
  readonly originalLength?: number;
  /** epb_flags direction. */
  readonly direction?: 'in' | 'out';
}

/**
 * pcapng writer. Usage: `const w = new PcapngWriter({ application: 'wiretrail' });` write
 * `w.header()`, then `w.addInterface(...)` blocks (before the packets that use them), then
 * `w.packet(...)` blocks. Each call returns the bytes of one block.
 */
export class PcapngWriter {
  private interfaces = 0;
  private readonly fcs: number[] = [];

  constructor(
    private readonly meta: {
      readonly application?: string;
      readonly os?: string;
      readonly hardware?: string;
      readonly comment?: string;
    } = {},
  ) {}

  /** The Section Header Block (section length unknown: −1). */
  header(): Uint8Array {
    const opts: Opt[] = [];
    strOpt(OPT_COMMENT, this.meta.comment, opts);
    strOpt(SHB_HARDWARE, this.meta.hardware, opts);
    strOpt(SHB_OS, this.meta.os, opts);
    strOpt(SHB_USERAPPL, this.meta.application, opts);
    return block(BT_SHB, 16 + optsLen(opts), (dv, b) => {
      dv.setUint32(8, BYTE_ORDER_MAGIC, true);
      dv.setUint16(12, 1, true); // major
      dv.setUint16(14, 0, true); // minor
      dv.setInt32(16, -1, true); // section length −1 (64 bits of ones)
      dv.setInt32(20, -1, true);
      writeOpts(dv, b, 24, opts);
    });
  }

  /** An Interface Description Block; its id is the order of addition, from 0. */
  addInterface(i: CaptureInterface): { id: number; block: Uint8Array } {
    const opts: Opt[] = [];
    strOpt(IF_NAME, i.name, opts);
    strOpt(IF_DESCRIPTION, i.description, opts);
    opts.push({ code: IF_TSRESOL, value: Uint8Array.of(9) }); // 10^-9 s
    if (i.fcsLen !== undefined) opts.push({ code: IF_FCSLEN, value: Uint8Array.of(i.fcsLen) });
    const bytes = block(BT_IDB, 8 + optsLen(opts), (dv, b) => {
      dv.setUint16(8, i.linkType ?? LINKTYPE_ETHERNET, true);
      dv.setUint16(10, 0, true);
      dv.setUint32(12, i.snapLen ?? 0, true);
      writeOpts(dv, b, 16, opts);
    });
    this.fcs.push(i.fcsLen ?? 0);
    return { id: this.interfaces++, block: bytes };
  }

  /** An Enhanced Packet Block at simulated time `timeNs` (nanoseconds, exact below 2^53). */
  packet(interfaceId: number, timeNs: number, data: Uint8Array, o: PacketOptions = {}): Uint8Array {
    const opts: Opt[] = [];
    strOpt(OPT_COMMENT, o.comment, opts);
    if (o.direction !== undefined) {
      const f = new Uint8Array(4);
      f[0] = o.direction === 'in' ? 1 : 2;
      opts.push({ code: EPB_FLAGS, value: f });
    }
    const padded = (data.length + 3) & ~3;
    const t = Math.max(0, Math.floor(timeNs));
    return block(BT_EPB, 20 + padded + optsLen(opts), (dv, b) => {
      dv.setUint32(8, interfaceId, true);
      dv.setUint32(12, Math.floor(t / 0x1_0000_0000), true);
      dv.setUint32(16, t % 0x1_0000_0000, true);
      dv.setUint32(20, data.length, true);
      dv.setUint32(24, o.originalLength ?? data.length, true);
      b.set(data, 28);
      writeOpts(dv, b, 28 + padded, opts);
    });
  }
}

/**
 * Classic pcap writer with nanosecond timestamps (magic 0xa1b23c4d). One link type per file;
 * `fcsLen` (bytes, even) is declared in the LinkType field's FCS bits. Classic pcap has no
 * interface names nor comments.
 */
export class PcapWriter {
  constructor(
    private readonly linkType = LINKTYPE_ETHERNET,
    private readonly fcsLen = 0,
    private readonly snapLen = 262144,
  ) {}

  header(): Uint8Array {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, PCAP_MAGIC_NS, true);
    dv.setUint16(4, 2, true);
    dv.setUint16(6, 4, true);
    dv.setUint32(16, this.snapLen, true);
    let lt = this.linkType & 0xffff;
    if (this.fcsLen > 0) lt = (lt | (((this.fcsLen >>> 1) & 0xf) << 28) | (1 << 26)) >>> 0;
    dv.setUint32(20, lt, true);
    return b;
  }

  packet(timeNs: number, data: Uint8Array, originalLength = data.length): Uint8Array {
    const b = new Uint8Array(16 + data.length);
    const dv = new DataView(b.buffer);
    const t = Math.max(0, Math.floor(timeNs));
    dv.setUint32(0, Math.floor(t / 1e9), true);
    dv.setUint32(4, t % 1e9, true);
    dv.setUint32(8, data.length, true);
    dv.setUint32(12, originalLength, true);
    b.set(data, 16);
    return b;
  }
}

/** Joins chunks into one buffer. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Readers

export interface CapturedInterface {
  readonly linkType: number;
  readonly name?: string;
  readonly description?: string;
  /** Nanoseconds per timestamp unit (1 for if_tsresol 9, 1000 for the default 10^-6). */
  readonly nsPerTick: number;
  /** FCS bytes at the end of each frame (if_fcslen, or the pcap LinkType FCS bits); 0 if none. */
  readonly fcsLen: number;
}

export interface CapturedPacket {
  readonly interfaceId: number;
  /** Nanoseconds since the epoch of the capture (exact below 2^53). */
  readonly timeNs: number;
  readonly data: Uint8Array;
  readonly originalLength: number;
  readonly comments: readonly string[];
}

export interface Capture {
  readonly format: 'pcapng' | 'pcap';
  readonly interfaces: readonly CapturedInterface[];
  readonly packets: readonly CapturedPacket[];
}

/** Reads a pcapng or classic pcap file (detected by its magic). Never throws. */
export function readCapture(b: Uint8Array): Result<Capture> {
  if (b.length < 4) return err('truncated', `${b.length} bytes is not a capture file`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const m = dv.getUint32(0, true);
  if (m === BT_SHB) return readPcapng(b);
  if (m === PCAP_MAGIC_NS || m === PCAP_MAGIC_US) return readPcap(b, true);
  const mb = dv.getUint32(0, false);
  if (mb === PCAP_MAGIC_NS || mb === PCAP_MAGIC_US) return readPcap(b, false);
  return err('bad-version', 'not a pcapng or pcap file (unknown magic number)');
}

/** Reads a classic pcap file. */
export function readPcap(b: Uint8Array, littleEndian = true): Result<Capture> {
  if (b.length < 24) return err('truncated', 'pcap file header needs 24 bytes');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = dv.getUint32(0, littleEndian);
  const nsPerTick = magic === PCAP_MAGIC_NS ? 1 : 1000;
  if (magic !== PCAP_MAGIC_NS && magic !== PCAP_MAGIC_US)
    return err('bad-version', 'not a pcap file');
  const lt = dv.getUint32(20, littleEndian);
  const fcsLen = (lt & (1 << 26)) !== 0 ? ((lt >>> 28) & 0xf) * 2 : 0;
  const iface: CapturedInterface = { linkType: lt & 0xffff, nsPerTick, fcsLen };
  const packets: CapturedPacket[] = [];
  let at = 24;
  while (at < b.length) {
    if (b.length - at < 16)
      return err('truncated', `packet record header at byte ${at} is cut off`);
    const sec = dv.getUint32(at, littleEndian);
    const frac = dv.getUint32(at + 4, littleEndian);
    const incl = dv.getUint32(at + 8, littleEndian);
    const orig = dv.getUint32(at + 12, littleEndian);
    if (b.length - at - 16 < incl)
      return err('truncated', `packet at byte ${at} needs ${incl} bytes`);
    packets.push({
      interfaceId: 0,
      timeNs: sec * 1e9 + frac * nsPerTick,
      data: b.slice(at + 16, at + 16 + incl),
      originalLength: orig,
      comments: [],
    });
    at += 16 + incl;
  }
  return ok({ format: 'pcap', interfaces: [iface], packets });
}

/** Reads a pcapng file: SHB, IDB, EPB and SPB blocks (others skipped). */
export function readPcapng(b: Uint8Array): Result<Capture> {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const interfaces: CapturedInterface[] = [];
  const packets: CapturedPacket[] = [];
  let le = true;
  let at = 0;
  // Interface ids are per section; packets get ids into the file-wide list.
  let ifBase = 0;
  while (at < b.length) {
    if (b.length - at < 12) return err('truncated', `block header at byte ${at} is cut off`);
    const typeLe = dv.getUint32(at, true);
    if (typeLe === BT_SHB) {
      if (b.length - at < 28) return err('truncated', 'section header block is cut off');
      const bom = dv.getUint32(at + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (dv.getUint32(at + 8, false) === BYTE_ORDER_MAGIC) le = false;
      else return err('bad-version', `bad byte-order magic at byte ${at + 8}`);
      if (dv.getUint16(at + 12, le) !== 1)
        return err('bad-version', 'pcapng major version is not 1');
      ifBase = interfaces.length;
    } else if (at === 0) {
      return err('bad-version', 'pcapng file does not start with a section header block');
    }
    const type = dv.getUint32(at, le);
    const len = dv.getUint32(at + 4, le);
    if (len < 12 || len % 4 !== 0)
      return err('bad-length', `block at byte ${at} has length ${len}`);
    if (len > b.length - at) return err('truncated', `block at byte ${at} needs ${len} bytes`);
    if (dv.getUint32(at + len - 4, le) !== len) {
      return err('bad-length', `block at byte ${at}: trailing length differs`);
    }
    const end = at + len - 4;
    if (type === BT_IDB) {
      if (len < 20) return err('bad-length', `interface block at byte ${at} too short`);
      let name: string | undefined;
      let description: string | undefined;
      let nsPerTick = 1000;
      let fcsLen = 0;
      const r = readOptions(b, dv, at + 16, end, le, (code, v) => {
        if (code === IF_NAME) name = utf8d.decode(v);
        else if (code === IF_DESCRIPTION) description = utf8d.decode(v);
        else if (code === IF_TSRESOL && v.length >= 1) {
          const n = v[0] & 0x7f;
          nsPerTick = (v[0] & 0x80) !== 0 ? 1e9 / 2 ** n : 1e9 / 10 ** n;
        } else if (code === IF_FCSLEN && v.length >= 1) fcsLen = v[0];
      });
      if (r !== undefined) return err('bad-length', r);
      const iface: CapturedInterface = { linkType: dv.getUint16(at + 8, le), nsPerTick, fcsLen };
      interfaces.push({
        ...iface,
        ...(name !== undefined ? { name } : {}),
        ...(description !== undefined ? { description } : {}),
      });
    } else if (type === BT_EPB) {
      if (len < 32) return err('bad-length', `packet block at byte ${at} too short`);
      const id = ifBase + dv.getUint32(at + 8, le);
      if (id >= interfaces.length)
        return err('bad-field', `packet at byte ${at} names interface ${id}`);
      const hi = dv.getUint32(at + 12, le);
      const lo = dv.getUint32(at + 16, le);
      const cap = dv.getUint32(at + 20, le);
      const orig = dv.getUint32(at + 24, le);
      const dataEnd = at + 28 + cap;
      if (dataEnd > end) return err('bad-length', `packet at byte ${at} claims ${cap} bytes`);
      const comments: string[] = [];
      const r = readOptions(b, dv, at + 28 + ((cap + 3) & ~3), end, le, (code, v) => {
        if (code === OPT_COMMENT) comments.push(utf8d.decode(v));
      });
      if (r !== undefined) return err('bad-length', r);
      packets.push({
        interfaceId: id,
        timeNs: (hi * 0x1_0000_0000 + lo) * interfaces[id].nsPerTick,
        data: b.slice(at + 28, dataEnd),
        originalLength: orig,
        comments,
      });
    } else if (type === BT_SPB) {
      if (interfaces.length <= ifBase) {
        return err('bad-field', 'simple packet block without interface');
      }
      const orig = dv.getUint32(at + 8, le);
      const cap = Math.max(0, Math.min(orig, end - at - 12));
      packets.push({
        interfaceId: ifBase,
        timeNs: 0,
        data: b.slice(at + 12, at + 12 + cap),
        originalLength: orig,
        comments: [],
      });
    }
    at += len;
  }
  return ok({ format: 'pcapng', interfaces, packets });
}

function readOptions(
  b: Uint8Array,
  dv: DataView,
  at: number,
  end: number,
  le: boolean,
  each: (code: number, value: Uint8Array) => void,
): string | undefined {
  while (at + 4 <= end) {
    const code = dv.getUint16(at, le);
    const len = dv.getUint16(at + 2, le);
    if (code === OPT_ENDOFOPT) return undefined;
    if (at + 4 + len > end) return `option ${code} at byte ${at} runs past its block`;
    each(code, b.subarray(at + 4, at + 4 + len));
    at += 4 + ((len + 3) & ~3);
  }
  return undefined;
}
