/**
 * CRC-32 as IEEE 802.3 uses it for the Ethernet frame check sequence (FCS).
 *
 * Read first: IEEE 802.3 § 3.2.9 (Frame Check Sequence field): generator polynomial
 * 0x04C11DB7, register preset to all ones, result complemented, sent least significant bit
 * first; that is the reflected polynomial 0xEDB88320 computed LSB-first, and the 4 FCS bytes
 * are the CRC value in little-endian byte order. Check value: crc32("123456789") = 0xCBF43926.
 *
 * Speed: slicing-by-8 (Kounavis & Berry, "A Systematic Approach to Building High Performance
 * Software-based CRC Generators", 2005) over 32-bit little-endian loads of an aligned view,
 * with Int32Array tables so every intermediate stays a 32-bit integer.
 */

const POLY = 0xedb88320;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** T[k * 256 + n]: the CRC of byte n followed by k zero bytes. */
const T = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = T[n];
  for (let k = 1; k < 8; k++) {
    c = T[c & 0xff] ^ (c >>> 8);
    T[k * 256 + n] = c;
  }
}
const T0 = T.subarray(0, 256);
const T1 = T.subarray(256, 512);
const T2 = T.subarray(512, 768);
const T3 = T.subarray(768, 1024);
const T4 = T.subarray(1024, 1280);
const T5 = T.subarray(1280, 1536);
const T6 = T.subarray(1536, 1792);
const T7 = T.subarray(1792, 2048);

let cachedBuffer: ArrayBufferLike | undefined;
let cachedWords: Int32Array = new Int32Array(0);

function wordsOf(buffer: ArrayBufferLike): Int32Array {
  if (buffer !== cachedBuffer) {
    cachedBuffer = buffer;
    cachedWords = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  return cachedWords;
}

/**
 * Continues a CRC-32 over b[start..end). `crc` is a previous result (0 to start), so
 * crc32(b, 0, n) === crc32(b, k, n, crc32(b, 0, k)). Returns an unsigned 32-bit number.
 */
export function crc32(b: Uint8Array, start = 0, end = b.length, crc = 0): number {
  let c = ~crc | 0;
  let i = start;
  if (end - i >= 32 && LITTLE_ENDIAN) {
    // Head bytes until the absolute address is 4-aligned.
    while (((b.byteOffset + i) & 3) !== 0) {
      c = T0[(c ^ b[i]) & 0xff] ^ (c >>> 8);
      i++;
    }
    const words = wordsOf(b.buffer);
    let w = (b.byteOffset + i) >> 2;
    const wEnd = w + (((end - i) >> 3) << 1);
    while (w < wEnd) {
      const a = c ^ words[w];
      const d = words[w + 1];
      c =
        T7[a & 0xff] ^
        T6[(a >>> 8) & 0xff] ^
        T5[(a >>> 16) & 0xff] ^
        T4[a >>> 24] ^
        T3[d & 0xff] ^
        T2[(d >>> 8) & 0xff] ^
        T1[(d >>> 16) & 0xff] ^
        T0[d >>> 24];
      w += 2;
    }
    i = (w << 2) - b.byteOffset;
  }
  while (i < end) {
    c = T0[(c ^ b[i]) & 0xff] ^ (c >>> 8);
    i++;
  }
  return ~c >>> 0;
}
