/**
 * DNS messages on the wire.
 *
 * Read first: RFC 1035 § 4 (message format, § 4.1.4 compression), § 3.3 (RDATA of the standard
 * types), RFC 1034 § 3.1 (names), RFC 2181 § 11 (a label is any octets), RFC 3596 (AAAA),
 * RFC 6891 § 6 (the OPT pseudo-record of EDNS0), RFC 3597 (unknown types as opaque RDATA),
 * RFC 4343 (case-insensitive comparison, ASCII only).
 *
 * Layout (smoltcp-like, STYLE.md): an offsets table `HDR`, a checked view `DnsPacket` over the
 * 12-byte header, and a validated `DnsRepr` (`parse` / `bufferLen` / `emit`). `parseDns` never
 * throws: every malformed input returns a `WireError` with a sentence saying where it broke.
 * Work per message is bounded: section counts are checked against the message length before
 * any record is read (each question needs ≥ 5 octets, each RR ≥ 11), every name is ≤ 255 octets,
 * compression pointers must point strictly backwards (so they cannot loop) and at most
 * `MAX_POINTERS` are followed per name.
 *
 * Names are presentation-format strings, absolute, with the trailing dot ("www.server.com.",
 * the root is "."); octets other than letters, digits, '-' and '_' are escaped as "\." or
 * "\DDD" (RFC 1035 § 5.1), so any label survives a round trip. Case is preserved on the wire;
 * `canonicalName` lowercases ASCII for comparison (RFC 4343). When emitting, names are
 * compressed against every suffix already written with exactly the same octets (case
 * included), so `emit(parse(x))` reproduces a message that wiretrail emitted byte for byte.
 */
import { formatIpv4, readIpv4, writeIpv4, type Ipv4Addr } from './addr.js';
import type { Field, Layer } from './field.js';
import { field as f, flagText, hex as hexN, hexBytes } from './fmt.js';
import { err, ok, type Result, type WireError } from './result.js';

export const DNS_PORT = 53;
/** RFC 1035 § 2.3.4: UDP messages without EDNS0 are limited to 512 octets. */
export const DNS_UDP_MAX = 512;
/** RFC 1035 § 2.3.4 / § 3.1: names are at most 255 octets on the wire, labels 63. */
export const MAX_NAME_LEN = 255;
export const MAX_LABEL_LEN = 63;
/** Bound on compression pointers followed in one name (a 255-octet name has ≤ 127 labels). */
export const MAX_POINTERS = 127;

/** Header field offsets (RFC 1035 § 4.1.1). */
export const HDR = {
  ID: 0,
  FLAGS: 2,
  QDCOUNT: 4,
  ANCOUNT: 6,
  NSCOUNT: 8,
  ARCOUNT: 10,
  LEN: 12,
} as const;

/** RR TYPE values (RFC 1035 § 3.2.2, RFC 3596, RFC 6891). */
export const DnsType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  DS: 43,
  RRSIG: 46,
  DNSKEY: 48,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
} as const;

export const DnsClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

/** RCODE values (RFC 1035 § 4.1.1; 16 = BADVERS through the OPT extended rcode, RFC 6891). */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADVERS: 16,
} as const;

const TYPE_NAMES = new Map<number, string>(Object.entries(DnsType).map(([k, v]) => [v, k]));
const TYPE_BY_NAME = new Map<string, number>(Object.entries(DnsType));
const CLASS_NAMES = new Map<number, string>(Object.entries(DnsClass).map(([k, v]) => [v, k]));
const RCODE_NAMES = new Map<number, string>(Object.entries(Rcode).map(([k, v]) => [v, k]));
const OPCODE_NAMES = new Map<number, string>(Object.entries(Opcode).map(([k, v]) => [v, k]));

/** "A", "AAAA", or "TYPE65" for unknown types (RFC 3597 § 5). */
export function typeName(t: number): string {
  return TYPE_NAMES.get(t) ?? `TYPE${t}`;
}
/** Inverse of typeName (case-insensitive); undefined if unknown. */
export function typeFromName(s: string): number | undefined {
  const u = s.toUpperCase();
  const t = TYPE_BY_NAME.get(u);
  if (t !== undefined) return t;
  const m = /^TYPE([0-9]{1,5})$/.exec(u);
  return m && Number(m[1]) <= 0xffff ? Number(m[1]) : undefined;
}
export function className(c: number): string {
  return CLASS_NAMES.get(c) ?? `CLASS${c}`;
}
export function classFromName(s: string): number | undefined {
  const u = s.toUpperCase();
  const c = (DnsClass as Record<string, number>)[u];
  if (c !== undefined) return c;
  const m = /^CLASS([0-9]{1,5})$/.exec(u);
  return m && Number(m[1]) <= 0xffff ? Number(m[1]) : undefined;
}
export function rcodeName(r: number): string {
  return RCODE_NAMES.get(r) ?? `RESERVED${r}`;
}
export function opcodeName(o: number): string {
  return OPCODE_NAMES.get(o) ?? `RESERVED${o}`;
}

// ───────────────────────────────────────── names ─────────────────────────────────────────

/** Octets written as themselves in presentation format; everything else is escaped. */
function plainOctet(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || // 0-9
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    c === 0x2d || // -
    c === 0x5f || // _
    c === 0x2a || // * (wildcard label)
    c === 0x2f // / (RFC 2317 classless reverse names)
  );
}

/** One label's octets in presentation format (RFC 1035 § 5.1 escapes). */
export function formatLabel(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (plainOctet(c)) s += String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += '\\' + String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

/**
 * Splits a presentation-format name into label octets. Accepts names with or without the
 * trailing dot (both are taken as absolute here; zone files resolve relative names first).
 * Rejects empty labels, labels over 63 octets and names over 255 octets on the wire.
 */
export function nameToLabels(name: string): Result<Uint8Array[]> {
  if (name === '.' || name === '') return ok([]);
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let wire = 1; // the root's zero octet
  let i = 0;
  const n = name.length;
  const endLabel = (): Result<void> | undefined => {
    if (cur.length === 0) return err('bad-label', `empty label in "${name}"`);
    if (cur.length > MAX_LABEL_LEN)
      return err('bad-label', `label of ${cur.length} octets in "${name}" (max ${MAX_LABEL_LEN})`);
    labels.push(Uint8Array.from(cur));
    wire += cur.length + 1;
    cur = [];
    return undefined;
  };
  while (i < n) {
    const ch = name.charCodeAt(i);
    if (ch === 0x2e) {
      const e = endLabel();
      if (e) return e as Result<Uint8Array[]>;
      i++;
      continue;
    }
    if (ch === 0x5c) {
      // "\DDD" or "\X"
      const d = name.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(d)) {
        const v = Number(d);
        if (v > 255) return err('bad-label', `escape \\${d} is over 255 in "${name}"`);
        cur.push(v);
        i += 4;
      } else if (i + 1 < n) {
        const c = name.charCodeAt(i + 1);
        if (c > 0xff) return err('bad-label', `non-ASCII character in "${name}"`);
        cur.push(c);
        i += 2;
      } else {
        return err('bad-label', `dangling backslash at the end of "${name}"`);
      }
      continue;
    }
    if (ch > 0x7f) return err('bad-label', `non-ASCII character in "${name}" (use punycode)`);
    cur.push(ch);
    i++;
  }
  if (cur.length > 0) {
    const e = endLabel();
    if (e) return e as Result<Uint8Array[]>;
  }
  if (wire > MAX_NAME_LEN)
    return err('bad-name', `"${name}" is ${wire} octets on the wire (max ${MAX_NAME_LEN})`);
  return ok(labels);
}

/** Label octets → absolute presentation name with the trailing dot. */
export function labelsToName(labels: readonly Uint8Array[]): string {
  if (labels.length === 0) return '.';
  let s = '';
  for (const l of labels) s += formatLabel(l) + '.';
  return s;
}

/**
 * Canonical form for comparison and map keys: ASCII lowercased (RFC 4343 § 3), absolute with
 * the trailing dot. Escapes of letters are left as they are (they are rare; see RFC 4343 § 2.1).
 */
export function canonicalName(name: string): string {
  let s = name;
  if (s === '' || s === '.') return '.';
  if (!s.endsWith('.') || isEscapedDot(s, s.length - 1)) s += '.';
  // lowercase only ASCII letters; toLowerCase would also fold non-ASCII, which escapes exclude
  return s.toLowerCase();
}

/** Splits a canonical or presentation name into label texts (escape-aware). Root → []. */
export function splitName(name: string): string[] {
  if (name === '.' || name === '') return [];
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c) {
      i++; // skip the escaped character (\DDD's digits are never dots)
      continue;
    }
    if (c === 0x2e) {
      out.push(name.slice(start, i));
      start = i + 1;
    }
  }
  if (start < name.length) out.push(name.slice(start));
  return out;
}

/** Joins label texts into an absolute name. */
export function joinName(labels: readonly string[]): string {
  return labels.length === 0 ? '.' : labels.join('.') + '.';
}

/** True if `name` equals `zone` or lies below it (both canonical). */
export function isSubdomain(name: string, zone: string): boolean {
  if (zone === '.') return true;
  if (name.length < zone.length) return false;
  if (name.length === zone.length) return name === zone;
  return (
    name.endsWith(zone) &&
    name.charCodeAt(name.length - zone.length - 1) === 0x2e &&
    !isEscapedDot(name, name.length - zone.length - 1)
  );
}

function isEscapedDot(name: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && name.charCodeAt(j) === 0x5c; j--) n++;
  return n % 2 === 1;
}

/** The parent of a name ("www.server.com." → "server.com.", "com." → "."); root → undefined. */
export function parentName(name: string): string | undefined {
  const labels = splitName(name);
  if (labels.length === 0) return undefined;
  return joinName(labels.slice(1));
}

/** Number of labels (root = 0). */
export function labelCount(name: string): number {
  return splitName(name).length;
}

/** Formats an IPv6 address (16 octets) as RFC 5952 text. */
export function formatIpv6(b: Uint8Array, off = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  // longest run of zero words (length ≥ 2) becomes "::" (RFC 5952 § 4.2)
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return hex(words.slice(0, bestStart)) + '::' + hex(words.slice(bestStart + bestLen));
}

/** Parses IPv6 text (with "::" and an optional dotted-quad tail) into 16 octets. */
export function parseIpv6(text: string): Uint8Array | undefined {
  let s = text.trim();
  if (s.length === 0 || /[^0-9a-fA-F:.]/.test(s)) return undefined;
  const dq = /(^|:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (dq) {
    const p = dq.slice(2, 6).map(Number);
    if (p.some((x) => x > 255)) return undefined;
    const w1 = ((p[0] << 8) | p[1]).toString(16);
    const w2 = ((p[2] << 8) | p[3]).toString(16);
    s = s.slice(0, dq.index + dq[1].length) + `${w1}:${w2}`;
  }
  if (s.includes('.')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const words = (h: string): number[] | undefined => {
    if (h === '') return [];
    const r: number[] = [];
    for (const w of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
      r.push(parseInt(w, 16));
    }
    return r;
  };
  const head = words(halves[0]);
  const tail = halves.length === 2 ? words(halves[1]) : [];
  if (!head || !tail) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const zeros = 8 - head.length - tail.length;
    if (zeros < 1) return undefined;
    all = [...head, ...new Array<number>(zeros).fill(0), ...tail];
  } else all = head;
  if (all.length !== 8) return undefined;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i] >>> 8;
    out[2 * i + 1] = all[i] & 0xff;
  }
  return out;
}

// ─────────────────────────────────────── the view ────────────────────────────────────────

/**
 * A checked view over a DNS message's fixed header (RFC 1035 § 4.1.1). After `newChecked`
 * no accessor reads out of bounds. Offsets are relative to `start` (a message may sit inside a
 * larger frame; compression pointers are relative to the message start).
 */
export class DnsPacket {
  private constructor(
    readonly buf: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {}

  static newUnchecked(buf: Uint8Array, start = 0, end = buf.length): DnsPacket {
    return new DnsPacket(buf, start, end);
  }

  static newChecked(buf: Uint8Array, start = 0, end = buf.length): Result<DnsPacket> {
    if (start < 0 || end > buf.length || end - start < HDR.LEN)
      return err(
        'truncated',
        `DNS header needs ${HDR.LEN} octets, have ${Math.max(0, end - start)}`,
      );
    return ok(new DnsPacket(buf, start, end));
  }

  private u16(off: number): number {
    return (this.buf[this.start + off] << 8) | this.buf[this.start + off + 1];
  }
  private setU16(off: number, v: number): void {
    this.buf[this.start + off] = v >>> 8;
    this.buf[this.start + off + 1] = v & 0xff;
  }

  get length(): number {
    return this.end - this.start;
  }
  get id(): number {
    return this.u16(HDR.ID);
  }
  set id(v: number) {
    this.setU16(HDR.ID, v);
  }
  get flags(): number {
    return this.u16(HDR.FLAGS);
  }
  set flags(v: number) {
    this.setU16(HDR.FLAGS, v);
  }
  get qr(): boolean {
    return (this.flags & 0x8000) !== 0;
  }
  get opcode(): number {
    return (this.flags >>> 11) & 0xf;
  }
  get aa(): boolean {
    return (this.flags & 0x0400) !== 0;
  }
  get tc(): boolean {
    return (this.flags & 0x0200) !== 0;
  }
  get rd(): boolean {
    return (this.flags & 0x0100) !== 0;
  }
  get ra(): boolean {
    return (this.flags & 0x0080) !== 0;
  }
  get rcode(): number {
    return this.flags & 0xf;
  }
  get qdcount(): number {
    return this.u16(HDR.QDCOUNT);
  }
  get ancount(): number {
    return this.u16(HDR.ANCOUNT);
  }
  get nscount(): number {
    return this.u16(HDR.NSCOUNT);
  }
  get arcount(): number {
    return this.u16(HDR.ARCOUNT);
  }
}

// ─────────────────────────────────────── the Repr ────────────────────────────────────────

export interface DnsHeader {
  id: number;
  /** QR: true in responses. */
  qr: boolean;
  opcode: number;
  /** Authoritative answer. */
  aa: boolean;
  /** Truncated. */
  tc: boolean;
  /** Recursion desired. */
  rd: boolean;
  /** Recursion available. */
  ra: boolean;
  /** The reserved Z bit (must be zero, kept for exact round trips). */
  z: boolean;
  /** Authentic data (RFC 4035 § 3.2.3). */
  ad: boolean;
  /** Checking disabled (RFC 4035 § 3.2.2). */
  cd: boolean;
  /** The low 4 bits of the response code (the OPT record carries the upper 8, RFC 6891). */
  rcode: number;
}

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface EdnsOption {
  code: number;
  data: Uint8Array;
}

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** RDATA by kind. `raw` holds any type wiretrail does not interpret (RFC 3597). */
export type RData =
  | { readonly kind: 'A'; readonly address: Ipv4Addr }
  | { readonly kind: 'AAAA'; readonly address: Uint8Array }
  | { readonly kind: 'NS'; readonly target: string }
  | { readonly kind: 'CNAME'; readonly target: string }
  | { readonly kind: 'PTR'; readonly target: string }
  | ({ readonly kind: 'SOA' } & Readonly<SoaData>)
  | { readonly kind: 'MX'; readonly preference: number; readonly exchange: string }
  | { readonly kind: 'TXT'; readonly strings: readonly Uint8Array[] }
  | { readonly kind: 'OPT'; readonly options: readonly EdnsOption[] }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

export interface DnsRecord {
  name: string;
  type: number;
  /** CLASS; for OPT the requestor's UDP payload size (RFC 6891 § 6.1.2). */
  class: number;
  /** TTL in seconds (u32); for OPT the extended rcode, version and flags (RFC 6891 § 6.1.3). */
  ttl: number;
  data: RData;
}

export interface DnsMessage {
  header: DnsHeader;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

/** The kind of RDATA wiretrail parses for a type ('raw' for the others). */
function kindOf(type: number): RData['kind'] {
  switch (type) {
    case DnsType.A:
      return 'A';
    case DnsType.AAAA:
      return 'AAAA';
    case DnsType.NS:
      return 'NS';
    case DnsType.CNAME:
      return 'CNAME';
    case DnsType.PTR:
      return 'PTR';
    case DnsType.SOA:
      return 'SOA';
    case DnsType.MX:
      return 'MX';
    case DnsType.TXT:
      return 'TXT';
    case DnsType.OPT:
      return 'OPT';
    default:
      return 'raw';
  }
}

export function emptyHeader(id = 0): DnsHeader {
  return {
    id,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
  };
}

function flagsOf(h: DnsHeader): number {
  return (
    (h.qr ? 0x8000 : 0) |
    ((h.opcode & 0xf) << 11) |
    (h.aa ? 0x0400 : 0) |
    (h.tc ? 0x0200 : 0) |
    (h.rd ? 0x0100 : 0) |
    (h.ra ? 0x0080 : 0) |
    (h.z ? 0x0040 : 0) |
    (h.ad ? 0x0020 : 0) |
    (h.cd ? 0x0010 : 0) |
    (h.rcode & 0xf)
  );
}

function headerOf(id: number, f: number): DnsHeader {
  return {
    id,
    qr: (f & 0x8000) !== 0,
    opcode: (f >>> 11) & 0xf,
    aa: (f & 0x0400) !== 0,
    tc: (f & 0x0200) !== 0,
    rd: (f & 0x0100) !== 0,
    ra: (f & 0x0080) !== 0,
    z: (f & 0x0040) !== 0,
    ad: (f & 0x0020) !== 0,
    cd: (f & 0x0010) !== 0,
    rcode: f & 0xf,
  };
}

// ───────────────────────────────────────── parsing ───────────────────────────────────────

interface NameRead {
  name: string;
  /** Offset just past the name where it appeared (past its first pointer, if any). */
  next: number;
}

/**
 * Reads a possibly compressed name at `pos` (RFC 1035 § 4.1.4). `base` is the message start
 * (pointers are relative to it), `end` the message end. A pointer must point strictly before
 * the pointer itself: this forbids loops and forward references, so work is bounded by the
 * name length and MAX_POINTERS.
 */
export function readName(
  buf: Uint8Array,
  base: number,
  pos: number,
  end: number,
): Result<NameRead> {
  let p = pos;
  let next = -1;
  let wire = 1;
  let jumps = 0;
  let name = '';
  let labels = 0;
  for (;;) {
    if (p >= end)
      return err('truncated', `name at offset ${pos - base} runs past the end of the message`);
    const len = buf[p];
    if (len === 0) {
      if (next < 0) next = p + 1;
      break;
    }
    const top = len & 0xc0;
    if (top === 0xc0) {
      if (p + 1 >= end)
        return err('truncated', `compression pointer at offset ${p - base} is cut off`);
      const target = ((len & 0x3f) << 8) | buf[p + 1];
      if (target >= p - base)
        return err(
          'bad-pointer',
          target === p - base
            ? `compression pointer at offset ${p - base} points to itself (a loop)`
            : `compression pointer at offset ${p - base} points forward to ${target}`,
        );
      if (base + target >= end)
        return err(
          'bad-pointer',
          `compression pointer at offset ${p - base} points out of the message to ${target}`,
        );
      if (++jumps > MAX_POINTERS)
        return err('bad-pointer', `more than ${MAX_POINTERS} compression pointers in one name`);
      if (next < 0) next = p + 2;
      p = base + target;
      continue;
    }
    if (top !== 0)
      return err(
        'bad-label',
        `label type 0x${top.toString(16)} at offset ${p - base} is reserved (a label is at most 63 octets)`,
      );
    if (p + 1 + len > end)
      return err('truncated', `label at offset ${p - base} runs past the end of the message`);
    wire += len + 1;
    if (wire > MAX_NAME_LEN)
      return err('bad-name', `name at offset ${pos - base} is over ${MAX_NAME_LEN} octets`);
    name += formatLabel(buf, p + 1, p + 1 + len) + '.';
    labels++;
    p += 1 + len;
  }
  return ok({ name: labels === 0 ? '.' : name, next });
}

function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
function putU16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}
function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** Reads a name that must end exactly at or before `limit` (inside RDATA). */
function rdName(
  buf: Uint8Array,
  base: number,
  pos: number,
  limit: number,
  end: number,
): Result<NameRead> {
  const r = readName(buf, base, pos, end);
  if (!r.ok) return r;
  if (r.value.next > limit)
    return err('bad-length', `name in RDATA at offset ${pos - base} runs past RDLENGTH`);
  return r;
}

function parseRData(
  buf: Uint8Array,
  base: number,
  type: number,
  pos: number,
  rdlen: number,
  end: number,
): Result<RData> {
  const lim = pos + rdlen;
  const exact = (n: number, what: string): Result<RData> | undefined =>
    rdlen === n
      ? undefined
      : err(
          'bad-length',
          `${what} RDATA must be ${n} octets, RDLENGTH is ${rdlen} (offset ${pos - base})`,
        );
  const tail = (next: number): Result<RData> | undefined =>
    next === lim
      ? undefined
      : err(
          'bad-length',
          `${typeName(type)} RDATA has ${lim - next} octets after its last field (offset ${pos - base})`,
        );
  switch (kindOf(type)) {
    case 'A': {
      const e = exact(4, 'A');
      return e ?? ok({ kind: 'A', address: readIpv4(buf, pos) });
    }
    case 'AAAA': {
      const e = exact(16, 'AAAA');
      return e ?? ok({ kind: 'AAAA', address: buf.slice(pos, pos + 16) });
    }
    case 'NS':
    case 'CNAME':
    case 'PTR': {
      const r = rdName(buf, base, pos, lim, end);
      if (!r.ok) return r;
      const t = tail(r.value.next);
      return t ?? ok({ kind: kindOf(type) as 'NS', target: r.value.name });
    }
    case 'MX': {
      if (rdlen < 3)
        return err('bad-length', `MX RDATA of ${rdlen} octets is too short (offset ${pos - base})`);
      const r = rdName(buf, base, pos + 2, lim, end);
      if (!r.ok) return r;
      const t = tail(r.value.next);
      return t ?? ok({ kind: 'MX', preference: u16(buf, pos), exchange: r.value.name });
    }
    case 'SOA': {
      const m = rdName(buf, base, pos, lim, end);
      if (!m.ok) return m;
      const r = rdName(buf, base, m.value.next, lim, end);
      if (!r.ok) return r;
      const q = r.value.next;
      if (lim - q !== 20)
        return err(
          'bad-length',
          `SOA RDATA needs 20 octets after the names, has ${lim - q} (offset ${pos - base})`,
        );
      return ok({
        kind: 'SOA',
        mname: m.value.name,
        rname: r.value.name,
        serial: u32(buf, q),
        refresh: u32(buf, q + 4),
        retry: u32(buf, q + 8),
        expire: u32(buf, q + 12),
        minimum: u32(buf, q + 16),
      });
    }
    case 'TXT': {
      const strings: Uint8Array[] = [];
      let p = pos;
      while (p < lim) {
        const l = buf[p];
        if (p + 1 + l > lim)
          return err('bad-length', `TXT string at offset ${p - base} runs past RDLENGTH`);
        strings.push(buf.slice(p + 1, p + 1 + l));
        p += 1 + l;
      }
      return ok({ kind: 'TXT', strings });
    }
    case 'OPT': {
      const options: EdnsOption[] = [];
      let p = pos;
      while (p < lim) {
        if (p + 4 > lim)
          return err('bad-option', `EDNS option header at offset ${p - base} runs past RDLENGTH`);
        const l = u16(buf, p + 2);
        if (p + 4 + l > lim)
          return err('bad-option', `EDNS option at offset ${p - base} runs past RDLENGTH`);
        options.push({ code: u16(buf, p), data: buf.slice(p + 4, p + 4 + l) });
        p += 4 + l;
      }
      return ok({ kind: 'OPT', options });
    }
    default:
      return ok({ kind: 'raw', bytes: buf.slice(pos, lim) });
  }
}

/** Where each part of a parsed message lies, for dnsLayer's byte ranges. */
interface RecordSpan {
  start: number;
  nameEnd: number;
  rdataStart: number;
  end: number;
}
interface ParseSpans {
  questions: { start: number; nameEnd: number; end: number }[];
  records: RecordSpan[];
}

function parseInner(
  buf: Uint8Array,
  start: number,
  end: number,
  spans?: ParseSpans,
): Result<DnsMessage> {
  const v = DnsPacket.newChecked(buf, start, end);
  if (!v.ok) return v;
  const p = v.value;
  const qd = p.qdcount;
  const an = p.ancount;
  const ns = p.nscount;
  const ar = p.arcount;
  // Bounded work: every question needs ≥ 5 octets and every RR ≥ 11 (a root name, then
  // type, class, TTL, RDLENGTH), so counts that cannot fit are rejected before reading.
  const room = end - start - HDR.LEN;
  const need = qd * 5 + (an + ns + ar) * 11;
  if (need > room)
    return err(
      'bad-length',
      `counts (${qd} questions, ${an} answers, ${ns} authority, ${ar} additional) need at least ${need} octets, the message has ${room} after the header`,
    );
  const header = headerOf(p.id, p.flags);
  let pos = start + HDR.LEN;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qd; i++) {
    const n = readName(buf, start, pos, end);
    if (!n.ok) return n;
    const q = n.value.next;
    if (q + 4 > end) return err('truncated', `question ${i + 1} is cut off at offset ${q - start}`);
    questions.push({ name: n.value.name, type: u16(buf, q), class: u16(buf, q + 2) });
    spans?.questions.push({ start: pos, nameEnd: q, end: q + 4 });
    pos = q + 4;
  }
  const sections: DnsRecord[][] = [[], [], []];
  const counts = [an, ns, ar];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s]; i++) {
      const n = readName(buf, start, pos, end);
      if (!n.ok) return n;
      const q = n.value.next;
      if (q + 10 > end)
        return err('truncated', `resource record at offset ${pos - start} is cut off`);
      const type = u16(buf, q);
      const rdlen = u16(buf, q + 8);
      if (q + 10 + rdlen > end)
        return err(
          'bad-length',
          `RDLENGTH ${rdlen} at offset ${q + 8 - start} runs past the end of the message`,
        );
      const data = parseRData(buf, start, type, q + 10, rdlen, end);
      if (!data.ok) return data;
      sections[s].push({
        name: n.value.name,
        type,
        class: u16(buf, q + 2),
        ttl: u32(buf, q + 4),
        data: data.value,
      });
      spans?.records.push({ start: pos, nameEnd: q, rdataStart: q + 10, end: q + 10 + rdlen });
      pos = q + 10 + rdlen;
    }
  }
  // Octets after the last record are ignored, as resolvers do (they may be padding).
  return ok({
    header,
    questions,
    answers: sections[0],
    authorities: sections[1],
    additionals: sections[2],
  });
}

/** Parses one DNS message from buf[start, end). Never throws. */
export function parseDns(buf: Uint8Array, start = 0, end = buf.length): Result<DnsMessage> {
  if (start < 0 || end > buf.length || start > end) return err('truncated', 'bad buffer range');
  return parseInner(buf, start, end);
}

// ───────────────────────────────────────── emitting ──────────────────────────────────────

/**
 * Writes names with compression (RFC 1035 § 4.1.4). The same pass runs with `out` null to
 * compute the length, so `bufferLen` and `emit` always agree.
 */
class Writer {
  /** Exact wire octets of a suffix (as a latin1 key) → its offset from the message start. */
  private readonly seen = new Map<string, number>();
  pos: number;
  constructor(
    readonly out: Uint8Array | null,
    readonly base: number,
  ) {
    this.pos = base;
  }
  u8(v: number): void {
    if (this.out) this.out[this.pos] = v;
    this.pos += 1;
  }
  u16(v: number): void {
    if (this.out) putU16(this.out, this.pos, v);
    this.pos += 2;
  }
  u32(v: number): void {
    if (this.out) putU32(this.out, this.pos, v >>> 0);
    this.pos += 4;
  }
  bytes(b: Uint8Array): void {
    // past the end of a scratch buffer nothing is written (encodeDns then starts again)
    const out = this.out;
    const n = b.length;
    if (out && this.pos + n <= out.length) {
      // labels are short: a loop beats TypedArray.set's call overhead below ~32 octets
      if (n < 32) for (let i = 0; i < n; i++) out[this.pos + i] = b[i];
      else out.set(b, this.pos);
    }
    this.pos += n;
  }
  name(enc: EncodedName, compress: boolean): void {
    const { labels, keys } = enc;
    for (let i = 0; i < labels.length; i++) {
      if (compress) {
        const at = this.seen.get(keys[i]);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
      }
      const off = this.pos - this.base;
      if (off < 0x4000 && !this.seen.has(keys[i])) this.seen.set(keys[i], off);
      this.u8(labels[i].length);
      this.bytes(labels[i]);
    }
    this.u8(0);
  }
}

/** A name ready to write: its labels, and the key of each suffix for compression. */
interface EncodedName {
  labels: Uint8Array[];
  /** keys[i]: the exact octets of labels i.. with their length prefixes, as a string. */
  keys: string[];
}

/**
 * Names repeat (zone data, the question): their encodings are cached. Pure, so the cache
 * cannot change any result; it is cleared when it grows past a bound.
 */
const nameCache = new Map<string, Result<EncodedName>>();
const NAME_CACHE_MAX = 4096;

function encodeName(name: string): Result<EncodedName> {
  let e = nameCache.get(name);
  if (e !== undefined) return e;
  const l = nameToLabels(name);
  if (!l.ok) e = l;
  else {
    const labels = l.value;
    const keys: string[] = new Array(labels.length);
    let k = '';
    for (let i = labels.length - 1; i >= 0; i--) {
      let part = String.fromCharCode(labels[i].length);
      for (const c of labels[i]) part += String.fromCharCode(c);
      k = part + k;
      keys[i] = k;
    }
    e = ok({ labels, keys });
  }
  if (nameCache.size >= NAME_CACHE_MAX) nameCache.clear();
  nameCache.set(name, e);
  return e;
}

function labelsOf(name: string, where: () => string): Result<EncodedName> {
  const r = encodeName(name);
  if (!r.ok) return err(r.error, `${where()}: ${r.detail}`);
  return r;
}

function writeRData(w: Writer, r: DnsRecord, where: () => string): WireError | string | undefined {
  const d = r.data;
  if (d.kind !== 'raw' && kindOf(r.type) !== d.kind)
    return `${where()}: type ${typeName(r.type)} with ${d.kind} data`;
  switch (d.kind) {
    case 'A':
      if (w.out) writeIpv4(w.out, w.pos, d.address);
      w.pos += 4;
      return undefined;
    case 'AAAA':
      if (d.address.length !== 16) return `${where()}: AAAA address of ${d.address.length} octets`;
      w.bytes(d.address);
      return undefined;
    case 'NS':
    case 'CNAME':
    case 'PTR': {
      const l = labelsOf(d.target, where);
      if (!l.ok) return l.detail;
      // RFC 3597 § 4: names in the RDATA of the RFC 1035 types may be compressed
      w.name(l.value, true);
      return undefined;
    }
    case 'MX': {
      const l = labelsOf(d.exchange, where);
      if (!l.ok) return l.detail;
      w.u16(d.preference);
      w.name(l.value, true);
      return undefined;
    }
    case 'SOA': {
      const m = labelsOf(d.mname, where);
      if (!m.ok) return m.detail;
      const rn = labelsOf(d.rname, where);
      if (!rn.ok) return rn.detail;
      w.name(m.value, true);
      w.name(rn.value, true);
      w.u32(d.serial);
      w.u32(d.refresh);
      w.u32(d.retry);
      w.u32(d.expire);
      w.u32(d.minimum);
      return undefined;
    }
    case 'TXT':
      for (const s of d.strings) {
        if (s.length > 255) return `${where()}: TXT string of ${s.length} octets (max 255)`;
        w.u8(s.length);
        w.bytes(s);
      }
      return undefined;
    case 'OPT':
      for (const o of d.options) {
        if (o.data.length > 0xffff) return `${where()}: EDNS option too long`;
        w.u16(o.code);
        w.u16(o.data.length);
        w.bytes(o.data);
      }
      return undefined;
    case 'raw':
      w.bytes(d.bytes);
      return undefined;
  }
}

function write(msg: DnsMessage, w: Writer): Result<number> {
  const h = msg.header;
  const counts = [
    msg.questions.length,
    msg.answers.length,
    msg.authorities.length,
    msg.additionals.length,
  ];
  if (counts.some((c) => c > 0xffff))
    return err('bad-field', 'more than 65535 entries in a section');
  w.u16(h.id & 0xffff);
  w.u16(flagsOf(h));
  for (const c of counts) w.u16(c);
  for (let i = 0; i < msg.questions.length; i++) {
    const q = msg.questions[i];
    const l = labelsOf(q.name, () => `question ${i + 1}`);
    if (!l.ok) return l;
    w.name(l.value, true);
    w.u16(q.type);
    w.u16(q.class);
  }
  const sections: [string, DnsRecord[]][] = [
    ['answer', msg.answers],
    ['authority', msg.authorities],
    ['additional', msg.additionals],
  ];
  for (const [sname, recs] of sections) {
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i];
      const where = (): string => `${sname} record ${i + 1} (${r.name} ${typeName(r.type)})`;
      const l = labelsOf(r.name, where);
      if (!l.ok) return l;
      w.name(l.value, true);
      w.u16(r.type);
      w.u16(r.class);
      w.u32(r.ttl);
      const lenAt = w.pos;
      w.u16(0);
      const e = writeRData(w, r, where);
      if (e !== undefined) return err('bad-field', e);
      const rdlen = w.pos - lenAt - 2;
      if (rdlen > 0xffff) return err('bad-length', `${where()}: RDATA of ${rdlen} octets`);
      if (w.out) putU16(w.out, lenAt, rdlen);
    }
  }
  return ok(w.pos - w.base);
}

/** The validated Repr (smoltcp style): parse, bufferLen, emit. */
export const DnsRepr = {
  parse(p: DnsPacket): Result<DnsMessage> {
    return parseInner(p.buf, p.start, p.end);
  },
  /** Length of the emitted message, compression included; an error names an invalid field. */
  bufferLen(msg: DnsMessage): Result<number> {
    return write(msg, new Writer(null, 0));
  },
  /**
   * Writes the message at `offset`; returns the octets written. Never fails on a buffer with
   * `bufferLen` octets free at `offset` for a message whose `bufferLen` succeeded.
   */
  emit(msg: DnsMessage, buf: Uint8Array, offset = 0): number {
    const r = write(msg, new Writer(buf, offset));
    return r.ok ? r.value : 0;
  },
};

/** Encodes a message into a new buffer. */
export function encodeDns(msg: DnsMessage): Result<Uint8Array> {
  // One pass into a scratch buffer (a message fits in 64 KiB, RFC 1035 § 4.2.2), then a copy;
  // the two-pass bufferLen + emit only when it does not fit.
  const w = new Writer(scratch, 0);
  const n = write(msg, w);
  if (!n.ok) return n;
  if (n.value <= scratch.length) return ok(scratch.slice(0, n.value));
  const buf = new Uint8Array(n.value);
  DnsRepr.emit(msg, buf, 0);
  return ok(buf);
}

const scratch = new Uint8Array(0x10000);

// ────────────────────────────────────── EDNS0 helpers ────────────────────────────────────

export interface Edns {
  /** Requestor's UDP payload size (RFC 6891 § 6.2.3). */
  udpSize: number;
  /** Upper 8 bits of the 12-bit rcode. */
  extendedRcode: number;
  version: number;
  /** DNSSEC OK bit (RFC 3225). */
  dnssecOk: boolean;
  /** The 15 remaining flag bits. */
  z: number;
  options: readonly EdnsOption[];
}

/** The OPT pseudo-record of a message, if any (the first one; servers reject several). */
export function ednsOf(msg: DnsMessage): Edns | undefined {
  for (const r of msg.additionals) {
    if (r.type === DnsType.OPT && r.data.kind === 'OPT') {
      return {
        udpSize: r.class,
        extendedRcode: r.ttl >>> 24,
        version: (r.ttl >>> 16) & 0xff,
        dnssecOk: (r.ttl & 0x8000) !== 0,
        z: r.ttl & 0x7fff,
        options: r.data.options,
      };
    }
  }
  return undefined;
}

/** Builds an OPT pseudo-record (RFC 6891 § 6.1.2: owner is the root). */
export function optRecord(e: Partial<Edns> & { udpSize: number }): DnsRecord {
  return {
    name: '.',
    type: DnsType.OPT,
    class: e.udpSize,
    ttl:
      ((((e.extendedRcode ?? 0) & 0xff) << 24) |
        (((e.version ?? 0) & 0xff) << 16) |
        (e.dnssecOk ? 0x8000 : 0) |
        ((e.z ?? 0) & 0x7fff)) >>>
      0,
    data: { kind: 'OPT', options: e.options ?? [] },
  };
}

/** The full 12-bit rcode of a message (header + OPT extension). */
export function fullRcode(msg: DnsMessage): number {
  const e = ednsOf(msg);
  return ((e?.extendedRcode ?? 0) << 4) | msg.header.rcode;
}

// ───────────────────────────────────── presentation ──────────────────────────────────────

/** A TXT character-string in zone-file form: quoted, with \" \\ and \DDD escapes. */
export function formatCharString(b: Uint8Array): string {
  let s = '"';
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s + '"';
}

/** RDATA in zone-file presentation format (what dig prints after the type). */
export function formatRData(r: DnsRecord): string {
  const d = r.data;
  switch (d.kind) {
    case 'A':
      return formatIpv4(d.address);
    case 'AAAA':
      return formatIpv6(d.address);
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return d.target;
    case 'MX':
      return `${d.preference} ${d.exchange}`;
    case 'SOA':
      return `${d.mname} ${d.rname} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    case 'TXT':
      return d.strings.map(formatCharString).join(' ');
    case 'OPT':
      return d.options.map((o) => `${o.code}:${hex(o.data)}`).join(' ');
    case 'raw':
      // RFC 3597 § 5 generic encoding
      return d.bytes.length === 0 ? '\\# 0' : `\\# ${d.bytes.length} ${hex(d.bytes)}`;
  }
}

function hex(b: Uint8Array): string {
  return hexBytes(b, 0, b.length, b.length);
}

/** Columns of a line with 8-wide tabs. */
function columns(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++)
    w = s.charCodeAt(i) === 9 ? (Math.floor(w / 8) + 1) * 8 : w + 1;
  return w;
}

/** Pads to a tab-stop column as BIND's master-file dumper does: tabs if short, else a space. */
export function padColumn(s: string, col: number): string {
  let out = s;
  let w = columns(out);
  if (w >= col) return out + ' ';
  while (w < col) {
    out += '\t';
    w = (Math.floor(w / 8) + 1) * 8;
  }
  return out;
}

/**
 * A record as dig and BIND's cache dumps print it: owner to column 24, TTL to 32, class to 40,
 * type to 48, then RDATA ("www.server.com.\t\t300\tIN\tA\t198.51.100.80").
 */
export function formatRecordLine(r: DnsRecord): string {
  let s = padColumn(r.name, 24) + String(r.ttl);
  s = padColumn(s, 32) + className(r.class);
  s = padColumn(s, 40) + typeName(r.type);
  return padColumn(s, 48) + formatRData(r);
}

/** A name as tshark prints it: no trailing dot, "<Root>" for the root. */
function tsharkName(n: string): string {
  return n === '.' ? '<Root>' : n.endsWith('.') ? n.slice(0, -1) : n;
}

function tsharkRData(r: DnsRecord): string {
  const d = r.data;
  switch (d.kind) {
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return tsharkName(d.target);
    case 'MX':
      return `${d.preference} ${tsharkName(d.exchange)}`;
    case 'SOA':
      return tsharkName(d.mname);
    case 'TXT': // tshark prints the type only
    case 'raw':
      return '';
    default:
      return formatRData(r);
  }
}

const RCODE_INFO: Record<number, string> = {
  1: 'Format error',
  2: 'Server failure',
  3: 'No such name',
  4: 'Not implemented',
  5: 'Refused',
};

/**
 * tshark's Info column: "Standard query 0x1a2b A www.server.com OPT",
 * "Standard query response 0x1a2b A www.server.com A 198.51.100.80 OPT",
 * "Standard query response 0x1a2b No such name A nosuch.server.com SOA ns1.server.com".
 */
export function dnsSummary(msg: DnsMessage): string {
  const h = msg.header;
  const op =
    h.opcode === 0
      ? 'Standard query'
      : h.opcode === 4
        ? 'Zone change notification'
        : h.opcode === 5
          ? 'Dynamic update'
          : `Opcode ${h.opcode}`;
  let s = `${op}${h.qr ? ' response' : ''} 0x${h.id.toString(16).padStart(4, '0')}`;
  if (h.qr && h.rcode !== 0) s += ` ${RCODE_INFO[h.rcode] ?? `Unknown error (${h.rcode})`}`;
  for (const q of msg.questions) s += ` ${typeName(q.type)} ${tsharkName(q.name)}`;
  for (const r of [...msg.answers, ...msg.authorities, ...msg.additionals]) {
    if (r.type === DnsType.OPT) {
      s += ' OPT';
      continue;
    }
    const v = tsharkRData(r);
    s += v === '' ? ` ${typeName(r.type)}` : ` ${typeName(r.type)} ${v}`;
  }
  return s;
}

// ─────────────────────────────────────── decoder layer ───────────────────────────────────

/**
 * The DNS layer for the packet decoder (src/wire/decode.ts, UDP or TCP port 53). `start` and
 * `end` delimit the DNS message inside `frame`; byte ranges are relative to the frame. Returns
 * undefined when the bytes are not a well-formed DNS message (the decoder then shows the
 * payload as data and counts the reason).
 */
export function dnsLayer(frame: Uint8Array, start: number, end: number): Layer | undefined {
  const spans: ParseSpans = { questions: [], records: [] };
  const r =
    start >= 0 && end <= frame.length && start <= end
      ? parseInner(frame, start, end, spans)
      : err('truncated');
  if (!r.ok) return undefined;
  const m = r.value;
  const h = m.header;
  const fl = flagsOf(h);
  const fields: Field[] = [
    f('dns.id', 'Transaction ID', start, start + 2, hexN(h.id, 4)),
    f('dns.flags', 'Flags', start + 2, start + 4, hexN(fl, 4), [
      f(
        'dns.flags.response',
        'Response',
        start + 2,
        start + 3,
        h.qr ? '1 (Message is a response)' : '0 (Message is a query)',
      ),
      f(
        'dns.flags.opcode',
        'Opcode',
        start + 2,
        start + 3,
        `${h.opcode} (${opcodeName(h.opcode)})`,
      ),
      f('dns.flags.authoritative', 'Authoritative', start + 2, start + 3, flagText(h.aa)),
      f('dns.flags.truncated', 'Truncated', start + 2, start + 3, flagText(h.tc)),
      f('dns.flags.recdesired', 'Recursion desired', start + 2, start + 3, flagText(h.rd)),
      f('dns.flags.recavail', 'Recursion available', start + 3, start + 4, flagText(h.ra)),
      f('dns.flags.z', 'Z', start + 3, start + 4, flagText(h.z)),
      f('dns.flags.authenticated', 'Answer authenticated', start + 3, start + 4, flagText(h.ad)),
      f('dns.flags.checkdisable', 'Non-authenticated data', start + 3, start + 4, flagText(h.cd)),
      f(
        'dns.flags.rcode',
        'Reply code',
        start + 3,
        start + 4,
        `${h.rcode} (${rcodeName(h.rcode)})`,
      ),
    ]),
    f('dns.count.queries', 'Questions', start + 4, start + 6, String(m.questions.length)),
    f('dns.count.answers', 'Answer RRs', start + 6, start + 8, String(m.answers.length)),
    f('dns.count.auth_rr', 'Authority RRs', start + 8, start + 10, String(m.authorities.length)),
    f('dns.count.add_rr', 'Additional RRs', start + 10, start + 12, String(m.additionals.length)),
  ];
  if (m.questions.length > 0) {
    const qs = m.questions.map((q, i) => {
      const sp = spans.questions[i];
      return f(
        'dns.qry',
        'Query',
        sp.start,
        sp.end,
        `${tsharkName(q.name)}: type ${typeName(q.type)}, class ${className(q.class)}`,
        [
          f('dns.qry.name', 'Name', sp.start, sp.nameEnd, q.name),
          f('dns.qry.type', 'Type', sp.nameEnd, sp.nameEnd + 2, `${typeName(q.type)} (${q.type})`),
          f(
            'dns.qry.class',
            'Class',
            sp.nameEnd + 2,
            sp.end,
            `${className(q.class)} (0x${q.class.toString(16).padStart(4, '0')})`,
          ),
        ],
      );
    });
    fields.push(
      f('dns.queries', 'Queries', qs[0].start, qs[qs.length - 1].end, String(qs.length), qs),
    );
  }
  let k = 0;
  const sections: [string, string, DnsRecord[]][] = [
    ['dns.answers', 'Answers', m.answers],
    ['dns.authority', 'Authoritative nameservers', m.authorities],
    ['dns.additional', 'Additional records', m.additionals],
  ];
  for (const [name, label, recs] of sections) {
    if (recs.length === 0) {
      continue;
    }
    const rs = recs.map((rec) => recordField(frame, start, rec, spans.records[k++]));
    fields.push(f(name, label, rs[0].start, rs[rs.length - 1].end, String(rs.length), rs));
  }
  return {
    protocol: 'Domain Name System',
    short: 'dns',
    start,
    end,
    summary: dnsSummary(m),
    fields,
  };
}

function recordField(frame: Uint8Array, base: number, r: DnsRecord, sp: RecordSpan): Field {
  const at = sp.nameEnd;
  const kids: Field[] = [
    f('dns.resp.name', 'Name', sp.start, at, r.name),
    f('dns.resp.type', 'Type', at, at + 2, `${typeName(r.type)} (${r.type})`),
  ];
  if (r.type === DnsType.OPT) {
    const e = { udp: r.class, ext: r.ttl >>> 24, ver: (r.ttl >>> 16) & 0xff, z: r.ttl & 0xffff };
    kids.push(
      f('dns.rr.udp_payload_size', 'UDP payload size', at + 2, at + 4, String(e.udp)),
      f(
        'dns.resp.ext_rcode',
        'Higher bits in extended RCODE',
        at + 4,
        at + 5,
        `0x${e.ext.toString(16).padStart(2, '0')}`,
      ),
      f('dns.resp.edns0_version', 'EDNS0 version', at + 5, at + 6, String(e.ver)),
      f('dns.resp.z', 'Z', at + 6, at + 8, `0x${e.z.toString(16).padStart(4, '0')}`, [
        f(
          'dns.resp.z.do',
          'DO bit',
          at + 6,
          at + 7,
          (e.z & 0x8000) !== 0
            ? '1 (Accepts DNSSEC security RRs)'
            : '0 (Cannot handle DNSSEC security RRs)',
        ),
      ]),
    );
  } else {
    kids.push(
      f(
        'dns.resp.class',
        'Class',
        at + 2,
        at + 4,
        `${className(r.class)} (0x${r.class.toString(16).padStart(4, '0')})`,
      ),
      f('dns.resp.ttl', 'Time to live', at + 4, at + 8, `${r.ttl}`),
    );
  }
  kids.push(f('dns.resp.len', 'Data length', at + 8, at + 10, String(sp.end - sp.rdataStart)));
  const d = r.data;
  const rs = sp.rdataStart;
  switch (d.kind) {
    case 'A':
      kids.push(f('dns.a', 'Address', rs, sp.end, formatIpv4(d.address)));
      break;
    case 'AAAA':
      kids.push(f('dns.aaaa', 'AAAA Address', rs, sp.end, formatIpv6(d.address)));
      break;
    case 'NS':
      kids.push(f('dns.ns', 'Name Server', rs, sp.end, d.target));
      break;
    case 'CNAME':
      kids.push(f('dns.cname', 'CNAME', rs, sp.end, d.target));
      break;
    case 'PTR':
      kids.push(f('dns.ptr.domain_name', 'Domain Name', rs, sp.end, d.target));
      break;
    case 'MX':
      kids.push(
        f('dns.mx.preference', 'Preference', rs, rs + 2, String(d.preference)),
        f('dns.mx.mail_exchange', 'Mail Exchange', rs + 2, sp.end, d.exchange),
      );
      break;
    case 'SOA': {
      const e = sp.end;
      const m = readName(frame, base, rs, e);
      const mEnd = m.ok ? m.value.next : rs;
      kids.push(
        f('dns.soa.mname', 'Primary name server', rs, mEnd, d.mname),
        f('dns.soa.rname', "Responsible authority's mailbox", mEnd, e - 20, d.rname),
        f('dns.soa.serial_number', 'Serial Number', e - 20, e - 16, String(d.serial)),
        f('dns.soa.refresh_interval', 'Refresh Interval', e - 16, e - 12, String(d.refresh)),
        f('dns.soa.retry_interval', 'Retry Interval', e - 12, e - 8, String(d.retry)),
        f('dns.soa.expire_limit', 'Expire limit', e - 8, e - 4, String(d.expire)),
        f('dns.soa.minimum_ttl', 'Minimum TTL', e - 4, e, String(d.minimum)),
      );
      break;
    }
    case 'TXT':
      kids.push(f('dns.txt', 'TXT', rs, sp.end, d.strings.map(formatCharString).join(' ')));
      break;
    case 'OPT':
      if (d.options.length > 0)
        kids.push(f('dns.opt', 'Option', rs, sp.end, `${d.options.length} option(s)`));
      break;
    case 'raw':
      kids.push(f('dns.data', 'Data', rs, sp.end, hex(d.bytes)));
      break;
  }
  const value =
    r.type === DnsType.OPT
      ? '<Root>: type OPT'
      : `${tsharkName(r.name)}: type ${typeName(r.type)}, class ${className(r.class)}`;
  return f(
    'dns.rr',
    typeName(r.type),
    sp.start,
    sp.end,
    tsharkRData(r) === '' ? value : `${value}, ${tsharkRData(r)}`,
    kids,
  );
}
