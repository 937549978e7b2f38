/**
 * Helpers for the wire tests: byte vectors written as commented hex, and an "emit at an offset
 * inside a larger buffer" check (as dns-packet's tests do). Used only by *.test.ts.
 */

/** Bytes from hex text; `#` starts a comment to the end of the line; spaces ignored. */
export function bytes(text: string): Uint8Array {
  const clean = text.replace(/#[^\n]*/g, '').replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2 !== 0) throw new Error('odd number of hex digits in test vector');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/**
 * Runs `emit(buf, off)` into a buffer of `len` bytes at offset 0 and at offset 7 inside a larger
 * buffer prefilled with 0xaa, and returns both results; the bytes around must be untouched.
 */
export function emitTwice(
  len: number,
  emit: (buf: Uint8Array, off: number) => void,
  prefill?: (buf: Uint8Array, off: number) => void,
): { exact: Uint8Array; shifted: Uint8Array; guardOk: boolean } {
  const exact = new Uint8Array(len);
  prefill?.(exact, 0);
  emit(exact, 0);
  const big = new Uint8Array(len + 7 + 5).fill(0xaa);
  prefill?.(big, 7);
  emit(big, 7);
  let guardOk = true;
  for (let i = 0; i < 7; i++) if (big[i] !== 0xaa) guardOk = false;
  for (let i = len + 7; i < big.length; i++) if (big[i] !== 0xaa) guardOk = false;
  return { exact, shifted: big.slice(7, 7 + len), guardOk };
}

/** Naive RFC 1071 checksum, as an independent reference. */
export function naiveChecksum(b: Uint8Array, start = 0, end = b.length, initial = 0): number {
  let x = initial;
  for (let i = start; i < end; i += 2) x += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  while (x > 0xffff) x = (x & 0xffff) + Math.floor(x / 0x10000);
  return ~x & 0xffff;
}

/** Bitwise CRC-32 (IEEE 802.3), as an independent reference. */
export function naiveCrc32(b: Uint8Array, start = 0, end = b.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c ^= b[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
