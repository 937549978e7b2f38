/**
 * Between bytes and the engine's Seg: parsing and emitting go through src/wire/tcp.ts (the TCP
 * header codec, RFC 9293 § 3.1, options per RFC 9293 § 3.2, RFC 7323, RFC 2018); this module only
 * converts to and from the engine's flat shape and places the payload into a PacketBuf with
 * headroom for IPv4 and Ethernet (DESIGN.md principle 3).
 */
import { DEFAULT_HEADROOM, PacketBuf } from '../pktbuf.js';
import { emitTcp, parseTcp, tcpHeaderLen } from '../../wire/tcp.js';
import type { SackBlock, TcpRepr } from '../../wire/tcp.js';
import type { TransportHost } from '../api.js';
import type { SendBuffer } from './buffers.js';
import type { Seg } from './segment.js';

const EMPTY = new Uint8Array(0);

/**
 * Segment buffers are carved from 256 KiB slabs instead of one ArrayBuffer per segment (a
 * fresh ArrayBuffer per packet costs more than the rest of the send path). Views never overlap
 * and a slab is never reused, so frames stay immutable once handed down (DESIGN.md); a slab is
 * collected when its last segment is.
 */
const SLAB = 256 * 1024;
let slab = new Uint8Array(SLAB);
let slabOff = 0;

function allocSegment(len: number): PacketBuf {
  const need = DEFAULT_HEADROOM + len;
  if (need > SLAB >> 3) return PacketBuf.alloc(len, DEFAULT_HEADROOM);
  if (slabOff + need > SLAB) {
    slab = new Uint8Array(SLAB);
    slabOff = 0;
  }
  const view = slab.subarray(slabOff, slabOff + need);
  slabOff += (need + 7) & ~7;
  return new PacketBuf(view, DEFAULT_HEADROOM, need);
}

/**
 * Parses bytes (the IPv4 payload) from src to dst into `out`. Returns undefined, or the wire
 * error ('truncated', 'bad-checksum', 'bad-option', ...) for the drop counters. The checksum
 * is verified unless `checksumKnownGood` (IpRxMeta.l4ChecksumOk).
 */
export function decodeSegment(
  bytes: Uint8Array,
  src: number,
  dst: number,
  out: Seg,
  checksumKnownGood = false,
): string | undefined {
  const r = parseTcp(bytes, 0, bytes.length, src, dst, !checksumKnownGood);
  if (!r.ok) return r.error;
  const v = r.value;
  out.srcPort = v.srcPort;
  out.dstPort = v.dstPort;
  out.seq = v.seq;
  out.ack = v.ack;
  out.flags = v.flags & 0xff;
  out.window = v.window;
  out.urgent = v.urgent;
  out.mss = v.mss ?? 0;
  out.wscale = v.windowScale ?? -1;
  out.sackPermitted = v.sackPermitted === true;
  const ts = v.timestamp;
  if (ts !== undefined) {
    out.hasTs = true;
    out.tsVal = ts.tsval;
    out.tsEcr = ts.tsecr;
  } else {
    out.hasTs = false;
    out.tsVal = 0;
    out.tsEcr = 0;
  }
  const sack = v.sack;
  if (sack !== undefined && sack.length > 0) {
    const flat: number[] = [];
    for (const b of sack) flat.push(b.left, b.right);
    out.sack = flat;
  } else out.sack = null;
  out.payload = v.payloadLen > 0 ? bytes.subarray(bytes.length - v.payloadLen) : EMPTY;
  return undefined;
}

/** The wire Repr of an outgoing Seg (payload length given separately). */
export function toRepr(s: Seg, payloadLen: number): TcpRepr {
  let sack: SackBlock[] | undefined;
  if (s.sack !== null && s.sack.length > 0) {
    sack = [];
    for (let i = 0; i < s.sack.length; i += 2) sack.push({ left: s.sack[i], right: s.sack[i + 1] });
  }
  return {
    srcPort: s.srcPort,
    dstPort: s.dstPort,
    seq: s.seq,
    ack: s.ack,
    flags: s.flags,
    window: s.window,
    urgent: 0,
    mss: s.mss > 0 ? s.mss : undefined,
    windowScale: s.wscale >= 0 ? s.wscale : undefined,
    sackPermitted: s.sackPermitted ? true : undefined,
    timestamp: s.hasTs ? { tsval: s.tsVal >>> 0, tsecr: s.tsEcr >>> 0 } : undefined,
    sack,
    payloadLen,
  };
}

/**
 * Builds the segment bytes: header from `s`, payload either `s.payload` (when `data` is null) or
 * `payloadLen` bytes copied from the send buffer at `dataOff`. With `host`, the buffer comes
 * from its allocPayload when it has one (the frame is then built around it without a copy).
 */
export function encodeSegment(
  s: Seg,
  src: number,
  dst: number,
  data: SendBuffer | null,
  dataOff: number,
  payloadLen: number,
  host?: TransportHost,
): PacketBuf {
  const repr = toRepr(s, payloadLen);
  const hl = tcpHeaderLen(repr);
  const pb =
    host?.allocPayload !== undefined
      ? host.allocPayload(hl + payloadLen)
      : allocSegment(hl + payloadLen);
  if (payloadLen > 0) {
    if (data !== null) data.copyOut(dataOff, payloadLen, pb.buf, pb.start + hl);
    else pb.buf.set(s.payload.subarray(0, payloadLen), pb.start + hl);
  }
  emitTcp(repr, pb.buf, pb.start, src, dst);
  return pb;
}
