/**
 * Initial sequence numbers and SYN cookies.
 *
 * Read first:
 * - RFC 9293 § 3.4.1 (ISN selection) and RFC 6528 § 3: ISN = M + F(localip, localport, remoteip,
 *   remoteport, secretkey), M a timer ticking every 4 µs, F a keyed pseudorandom function.
 * - RFC 4987 § 3.6 (SYN cookies): the SYN-ACK's ISN encodes what the server would otherwise
 *   have kept in its SYN queue; the final ACK proves the client saw it.
 * - RFC 7323 § 5.4 (randomised timestamp offset per connection).
 *
 * F is HalfSipHash-2-4 (Aumasson & Bernstein; the 32-bit SipHash variant Linux uses as
 * hsiphash), keyed by 64 bits drawn from the node's seeded stream rng('tcp-isn'): deterministic
 * for a seed, unpredictable to an off-path attacker who does not know it.
 */
import type { Rng } from '../../sim/rng.js';
import type { Instant } from '../../sim/time.js';

function rotl(x: number, b: number): number {
  return (x << b) | (x >>> (32 - b));
}

/** HalfSipHash state (v0..v3), reused: the hash runs per SYN, not per segment. */
const sip = new Int32Array(4);

/** n SipRounds of HalfSipHash over `sip` (the ARX round with rotations 5, 16, 8, 7, 13, 16). */
function sipRounds(n: number): void {
  let v0 = sip[0];
  let v1 = sip[1];
  let v2 = sip[2];
  let v3 = sip[3];
  for (let r = 0; r < n; r++) {
    v0 = (v0 + v1) | 0;
    v1 = rotl(v1, 5);
    v1 ^= v0;
    v0 = rotl(v0, 16);
    v2 = (v2 + v3) | 0;
    v3 = rotl(v3, 8);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = rotl(v3, 7);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = rotl(v1, 13);
    v1 ^= v2;
    v2 = rotl(v2, 16);
  }
  sip[0] = v0;
  sip[1] = v1;
  sip[2] = v2;
  sip[3] = v3;
}

/** HalfSipHash-2-4 of four 32-bit words (16 bytes of message) with a 64-bit key → 32 bits. */
export function halfSipHash(
  k0: number,
  k1: number,
  m0: number,
  m1: number,
  m2: number,
  m3: number,
): number {
  sip[0] = k0 | 0;
  sip[1] = k1 | 0;
  sip[2] = 0x6c796765 ^ k0;
  sip[3] = 0x74656462 ^ k1;
  for (const m of [m0 | 0, m1 | 0, m2 | 0, m3 | 0]) {
    sip[3] ^= m;
    sipRounds(2); // c = 2 compression rounds
    sip[0] ^= m;
  }
  const b = 16 << 24; // message length in the last byte
  sip[3] ^= b;
  sipRounds(2);
  sip[0] ^= b;
  sip[2] ^= 0xff;
  sipRounds(4); // d = 4 finalisation rounds
  return (sip[1] ^ sip[3]) >>> 0;
}

/** MSS values a SYN cookie can encode (3 bits), as Linux's msstab. */
export const COOKIE_MSS_TABLE = [536, 1300, 1440, 1460, 4312, 8960, 8960, 8960] as const;
/** A cookie's time counter ticks every 64 s; cookies of the last two ticks are accepted. */
const COOKIE_PERIOD_NS = 64_000_000_000;

export interface CookieInfo {
  /** Index into COOKIE_MSS_TABLE. */
  mssIndex: number;
}

/** Per-layer secrets for ISNs, timestamp offsets and SYN cookies. */
export class IsnGenerator {
  private readonly k0: number;
  private readonly k1: number;
  private readonly c0: number;
  private readonly c1: number;

  constructor(rng: Rng) {
    this.k0 = rng.u32();
    this.k1 = rng.u32();
    this.c0 = rng.u32();
    this.c1 = rng.u32();
  }

  /** RFC 6528 § 3: M (4 µs ticks of `now`) + F(4-tuple, key). */
  isn(now: Instant, la: number, lp: number, ra: number, rp: number): number {
    const m = Math.floor(now / 4000) % 0x1_0000_0000;
    const f = halfSipHash(this.k0, this.k1, la, ra, (lp << 16) | rp, 0);
    return (m + f) >>> 0;
  }

  /** RFC 7323 § 5.4: a per-connection random offset for TSval (keyed hash, no clock term). */
  tsOffset(la: number, lp: number, ra: number, rp: number): number {
    return halfSipHash(this.k1, this.k0, la, ra, (lp << 16) | rp, 0x7473);
  }

  /**
   * SYN cookie (RFC 4987 § 3.6): 5 bits of time counter, 3 bits MSS index, 24 bits keyed hash of
   * the 4-tuple, the client's ISN and the counter.
   */
  cookie(
    now: Instant,
    la: number,
    lp: number,
    ra: number,
    rp: number,
    peerIsn: number,
    mssIndex: number,
  ): number {
    const t = Math.floor(now / COOKIE_PERIOD_NS) & 31;
    return ((t << 27) | ((mssIndex & 7) << 24) | this.cookieHash(la, lp, ra, rp, peerIsn, t)) >>> 0;
  }

  /** Checks a cookie returned as SEG.ACK − 1; returns what it encodes or undefined. */
  checkCookie(
    now: Instant,
    la: number,
    lp: number,
    ra: number,
    rp: number,
    peerIsn: number,
    cookie: number,
  ): CookieInfo | undefined {
    const t = cookie >>> 27;
    const nowT = Math.floor(now / COOKIE_PERIOD_NS) & 31;
    const age = (nowT - t + 32) & 31;
    if (age > 1) return undefined;
    if ((cookie & 0xffffff) !== this.cookieHash(la, lp, ra, rp, peerIsn, t)) return undefined;
    return { mssIndex: (cookie >>> 24) & 7 };
  }

  private cookieHash(
    la: number,
    lp: number,
    ra: number,
    rp: number,
    peerIsn: number,
    t: number,
  ): number {
    const h = halfSipHash(this.c0, this.c1, la ^ t, ra, (lp << 16) | rp, peerIsn);
    return h & 0xffffff;
  }
}

/** The largest table entry not above `mss` (at least index 0). */
export function cookieMssIndex(mss: number): number {
  let idx = 0;
  for (let i = 0; i < COOKIE_MSS_TABLE.length; i++) if (COOKIE_MSS_TABLE[i] <= mss) idx = i;
  return idx;
}
