/**
 * The Internet checksum.
 *
 * Read first:
 * - RFC 1071 "Computing the Internet Checksum": one's complement sum of 16-bit words, the
 *   properties used here (byte-order independence § 2.(B), deferred carries § 2.(C), parallel
 *   summation § 2.(D)).
 * - RFC 1624 "Computation of the Internet Checksum via Incremental Update": eqn. 3,
 *   HC' = ~(~HC + ~m + m'), used for the TTL decrement of forwarding (RFC 1812 § 5.3.1).
 * - RFC 768 / RFC 9293 § 3.1: the pseudo-header of UDP and TCP.
 *
 * Speed: the sum runs over 32-bit little-endian loads of an aligned Uint32Array view (cached
 * per ArrayBuffer), adding whole words into double accumulators (deferred carries, RFC 1071
 * § 2.(C)); the byte swap that little-endian loads
 * introduce is undone once at the end (byte-order independence, RFC 1071 § 2.(B)). Short or
 * odd-aligned ranges take a plain unrolled loop over big-endian 16-bit words.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Words summed between folds (each accumulator stays below 2^53). */
const CHUNK_WORDS = 1 << 20;

/** Ranges at least this long take the 32-bit path (below it the view lookup costs more). */
const WIDE_MIN = 64;

let cachedBuffer: ArrayBufferLike | undefined;
let cachedWords: Uint32Array = new Uint32Array(0);

function wordsOf(buffer: ArrayBufferLike): Uint32Array {
  if (buffer !== cachedBuffer) {
    cachedBuffer = buffer;
    cachedWords = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  return cachedWords;
}

/** Folds carries of a (non-negative, < 2^53) sum into 16 bits. */
export function foldSum(sum: number): number {
  // Two folds of a 32-bit value suffice; larger values are first reduced by division.
  if (sum > 0xffff_ffff) sum = (sum % 0x1_0000_0000) + Math.floor(sum / 0x1_0000_0000);
  sum = (sum >>> 16) + (sum & 0xffff);
  sum = (sum >>> 16) + (sum & 0xffff);
  sum = (sum >>> 16) + (sum & 0xffff);
  return sum;
}

/** Sum of big-endian 16-bit words with a plain unrolled loop; the result is not folded. */
function sumScalar(b: Uint8Array, i: number, end: number): number {
  let s = 0;
  // 16 bytes per iteration; each term < 2^16, 8 terms per round, s stays far below 2^53.
  while (i + 16 <= end) {
    s +=
      ((b[i] << 8) | b[i + 1]) +
      ((b[i + 2] << 8) | b[i + 3]) +
      ((b[i + 4] << 8) | b[i + 5]) +
      ((b[i + 6] << 8) | b[i + 7]) +
      ((b[i + 8] << 8) | b[i + 9]) +
      ((b[i + 10] << 8) | b[i + 11]) +
      ((b[i + 12] << 8) | b[i + 13]) +
      ((b[i + 14] << 8) | b[i + 15]);
    i += 16;
  }
  while (i + 2 <= end) {
    s += (b[i] << 8) | b[i + 1];
    i += 2;
  }
  // RFC 1071 § 4.1: an odd last byte is padded with a zero byte on the right.
  if (i < end) s += b[i] << 8;
  return s;
}

/**
 * One's complement sum of the bytes b[start..end) as big-endian 16-bit words, folded to 16 bits
 * and added to `initial` (a previous folded or unfolded sum, e.g. a pseudo-header sum). Returns
 * a folded value in [0, 0xffff] (not complemented).
 */
export function onesSum(b: Uint8Array, start: number, end: number, initial = 0): number {
  const len = end - start;
  if (len < WIDE_MIN || !LITTLE_ENDIAN || ((b.byteOffset + start) & 1) !== 0) {
    return foldSum(initial + sumScalar(b, start, end));
  }
  let i = start;
  let s = initial;
  // Head: big-endian words until the absolute address is 4-aligned (keeps grid parity even).
  if (((b.byteOffset + i) & 3) !== 0) {
    s += (b[i] << 8) | b[i + 1];
    i += 2;
  }
  const words = wordsOf(b.buffer);
  let w = (b.byteOffset + i) >>> 2;
  const wEnd = w + ((end - i) >>> 2);
  // Body: little-endian 32-bit loads added whole. A 32-bit word is congruent to the sum of its
  // 16-bit halves modulo 2^16 − 1 (2^16 ≡ 1), so the sum of words folds to the sum of halves
  // (deferred carries, RFC 1071 § 2.(C)); one add per 4 bytes instead of two masks and two
  // adds. Words are < 2^32: two double accumulators stay exact for 2^21 words each, and are
  // folded every CHUNK_WORDS words to keep it so for any length.
  let body = 0;
  while (w < wEnd) {
    const stop = wEnd - w > CHUNK_WORDS ? w + CHUNK_WORDS : wEnd;
    let s0 = 0;
    let s1 = 0;
    while (w + 4 <= stop) {
      s0 += words[w] + words[w + 1];
      s1 += words[w + 2] + words[w + 3];
      w += 4;
    }
    while (w < stop) s0 += words[w++];
    body = foldSum(body + foldSum(s0 + s1));
  }
  const swapped = body;
  s += ((swapped & 0xff) << 8) | (swapped >>> 8);
  i = (w << 2) - b.byteOffset;
  // Tail: fewer than 4 bytes.
  s += sumScalar(b, i, end);
  return foldSum(s);
}

/** The Internet checksum (RFC 1071) of b[start..end) plus `initial`: ~sum & 0xffff. */
export function internetChecksum(b: Uint8Array, start: number, end: number, initial = 0): number {
  return ~onesSum(b, start, end, initial) & 0xffff;
}

/**
 * Unfolded sum of the IPv4 pseudo-header used by UDP (RFC 768) and TCP (RFC 9293 § 3.1):
 * source address, destination address, zero, protocol, length. Pass it as `initial`.
 */
export function pseudoHeaderSum(
  src: number,
  dst: number,
  protocol: number,
  length: number,
): number {
  return (
    (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + (length & 0xffff)
  );
}

/**
 * RFC 1624 eqn. 3: the new checksum after a 16-bit word of the covered data changes from
 * `oldWord` to `newWord`. HC' = ~(~HC + ~m + m').
 */
export function checksumUpdate16(checksum: number, oldWord: number, newWord: number): number {
  let s = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  s = (s >>> 16) + (s & 0xffff);
  s = (s >>> 16) + (s & 0xffff);
  return ~s & 0xffff;
}

/** RFC 1624 eqn. 3 applied to both halves of a 32-bit field (an address rewritten by NAT). */
export function checksumUpdate32(checksum: number, oldValue: number, newValue: number): number {
  return checksumUpdate16(
    checksumUpdate16(checksum, oldValue >>> 16, newValue >>> 16),
    oldValue & 0xffff,
    newValue & 0xffff,
  );
}
