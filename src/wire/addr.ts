/**
 * Addresses as numbers (DESIGN.md principle 6): an IPv4 address is an unsigned 32-bit number,
 * a MAC address a 48-bit number (exact in a double, as 2^48 < 2^53). No strings on the hot path;
 * these helpers format and parse at the edges.
 */

export type Ipv4Addr = number;
export type MacAddr = number;

export const MAC_BROADCAST: MacAddr = 0xffff_ffff_ffff;
export const IPV4_ANY: Ipv4Addr = 0;
export const IPV4_BROADCAST: Ipv4Addr = 0xffff_ffff;

export function readMac(b: Uint8Array, off: number): MacAddr {
  return (
    ((b[off] << 8) | b[off + 1]) * 0x1_0000_0000 +
    (((b[off + 2] << 24) | (b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5]) >>> 0)
  );
}

export function writeMac(b: Uint8Array, off: number, mac: MacAddr): void {
  const hi = Math.floor(mac / 0x1_0000_0000);
  const lo = mac >>> 0;
  b[off] = hi >>> 8;
  b[off + 1] = hi & 0xff;
  b[off + 2] = lo >>> 24;
  b[off + 3] = (lo >>> 16) & 0xff;
  b[off + 4] = (lo >>> 8) & 0xff;
  b[off + 5] = lo & 0xff;
}

export function readIpv4(b: Uint8Array, off: number): Ipv4Addr {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

export function writeIpv4(b: Uint8Array, off: number, a: Ipv4Addr): void {
  b[off] = a >>> 24;
  b[off + 1] = (a >>> 16) & 0xff;
  b[off + 2] = (a >>> 8) & 0xff;
  b[off + 3] = a & 0xff;
}

const HEX = '0123456789abcdef';

/** "02:00:00:00:01:0a" */
export function formatMac(mac: MacAddr): string {
  let s = '';
  for (let i = 5; i >= 0; i--) {
    const byte = Math.floor(mac / 2 ** (8 * i)) & 0xff;
    s += HEX[byte >>> 4] + HEX[byte & 15];
    if (i > 0) s += ':';
  }
  return s;
}

/** Parses "02:00:00:00:01:0a" or "02-00-00-00-01-0a"; undefined if malformed. */
export function parseMac(text: string): MacAddr | undefined {
  const parts = text.trim().split(/[:-]/);
  if (parts.length !== 6) return undefined;
  let mac = 0;
  for (const p of parts) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined;
    mac = mac * 256 + parseInt(p, 16);
  }
  return mac;
}

/** "192.168.3.10" */
export function formatIpv4(a: Ipv4Addr): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** Parses dotted-quad notation strictly (no leading zeros ambiguity, 0-255 each). */
export function parseIpv4(text: string): Ipv4Addr | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 4) return undefined;
  let a = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    a = a * 256 + n;
  }
  return a >>> 0;
}

/** Parses "10.0.0.1/24" into address and prefix length. */
export function parseCidr(text: string): { addr: Ipv4Addr; prefix: number } | undefined {
  const [a, p, extra] = text.trim().split('/');
  if (extra !== undefined || a === undefined) return undefined;
  const addr = parseIpv4(a);
  if (addr === undefined) return undefined;
  if (p === undefined) return { addr, prefix: 32 };
  if (!/^[0-9]{1,2}$/.test(p) || Number(p) > 32) return undefined;
  return { addr, prefix: Number(p) };
}

/** Netmask for a prefix length: 24 → 0xffffff00. */
export function prefixToMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffff_ffff << (32 - prefix)) >>> 0;
}

export function maskToPrefix(mask: number): number {
  let n = 0;
  while (n < 32 && (mask & (0x8000_0000 >>> n)) !== 0) n++;
  return n;
}

export function sameSubnet(a: Ipv4Addr, b: Ipv4Addr, prefix: number): boolean {
  const m = prefixToMask(prefix);
  return ((a & m) >>> 0) === ((b & m) >>> 0);
}

export function isMulticastMac(mac: MacAddr): boolean {
  return (Math.floor(mac / 0x100_0000_0000) & 1) === 1;
}
