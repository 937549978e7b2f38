/**
 * Explicit Congestion Notification in TCP: negotiation in the handshake, ECT(0) on new data,
 * the receiver's ECE echo until CWR, and the sender's once-per-window reduction announced with
 * CWR.
 *
 * Read first: RFC 3168 § 5 (the ECT(0), ECT(1) and CE codepoints of the IP header), § 6.1.1
 * (ECN-setup SYN: ECE and CWR; ECN-setup SYN-ACK: ECE only; no ECT on SYN or SYN-ACK),
 * § 6.1.1.1 (a host MAY fall back to a non-ECN-setup SYN after a timeout), § 6.1.2 (the
 * sender treats ECE like a loss for its window, at most once per window of data, and sets CWR
 * on the first new data packet after the reduction), § 6.1.3 (the receiver sets ECE on every
 * ACK after a CE packet until a packet with CWR arrives), § 6.1.4–6.1.6 (no ECT on pure ACKs,
 * retransmissions or window probes).
 *
 * Defaults follow Linux: `ecn: 'passive'` (tcp_ecn = 2: accept ECN when the peer asks, do not
 * ask), `ecnSynRetries: 0` (tcp_ecn_fallback: a retransmitted SYN is no longer ECN-setup;
 * FreeBSD's net.inet.tcp.ecn.maxretries keeps it for that many retransmissions). On the first
 * CE of an episode the receiver ACKs at once, as Linux does, so the sender hears it within
 * one RTT.
 */
import { ACK, CWR, ECE, RST, SYN } from './segment.js';
import type { Seg } from './segment.js';
import { F_ACK_NOW, SYN_SENT } from './tcb.js';
import type { Tcb } from './tcb.js';

/** ECN was negotiated: new data goes out ECT(0), ECE is acted upon. */
export const ECN_OK = 1;
/** Our SYN was ECN-setup (ECE and CWR). */
export const ECN_SYN_SENT = 2;
/** The peer's SYN was ECN-setup. */
export const ECN_PEER_SYN = 4;
/** A CE packet arrived: every ACK carries ECE until the peer's CWR. */
export const ECN_ECHO = 8;
/** Our window was reduced: the next new data segment carries CWR. */
export const ECN_QUEUE_CWR = 16;
/** An ECT or CE packet arrived on the connection (Linux TCP_ECN_SEEN; `ss -io`'s "ecnseen"). */
export const ECN_SEEN = 32;

/** IP ECN field codepoints (RFC 3168 § 5). */
export const IP_NOT_ECT = 0;
export const IP_ECT0 = 2;
export const IP_CE = 3;

/** ECE/CWR for a SYN (active open) or a SYN-ACK we are about to send (§ 6.1.1). */
export function synEcnFlags(t: Tcb): number {
  const c = t.layer.config;
  if (t.state === SYN_SENT) {
    if (c.ecn === 'on' && t.rtxShift <= c.ecnSynRetries) {
      t.ecn |= ECN_SYN_SENT;
      return ECE | CWR;
    }
    t.ecn &= ~ECN_SYN_SENT; // § 6.1.1.1: fallen back to a non-ECN-setup SYN
    return 0;
  }
  // A SYN-ACK is ECN-setup only in answer to an ECN-setup SYN; sending it agrees to ECN.
  if (c.ecn !== 'off' && t.ecn & ECN_PEER_SYN) {
    t.ecn |= ECN_OK;
    return ECE;
  }
  t.ecn &= ~ECN_OK;
  return 0;
}

/** What the peer's SYN or SYN-ACK says about ECN (§ 6.1.1). */
export function ecnOnSyn(t: Tcb, seg: Seg): void {
  const ee = seg.flags & (ECE | CWR);
  if (seg.flags & ACK) {
    // An ECN-setup SYN-ACK (ECE without CWR) answering our ECN-setup SYN.
    if (t.ecn & ECN_SYN_SENT && ee === ECE) t.ecn |= ECN_OK;
    else t.ecn &= ~ECN_OK;
  } else if (ee === (ECE | CWR)) t.ecn |= ECN_PEER_SYN;
  else t.ecn &= ~ECN_PEER_SYN;
}

/**
 * Sets ECE/CWR on an outgoing non-SYN segment and returns the IP ECN codepoint it goes out
 * with: ECT(0) for new data only (§ 6.1.4–6.1.6).
 */
export function ecnOutgoing(t: Tcb, s: Seg, len: number, retransmit: boolean): number {
  if (!(t.ecn & ECN_OK) || s.flags & (SYN | RST)) return IP_NOT_ECT;
  if (t.ecn & ECN_ECHO && s.flags & ACK) s.flags |= ECE;
  if (len === 0 || retransmit || t.sndWnd === 0) return IP_NOT_ECT;
  if (t.ecn & ECN_QUEUE_CWR) {
    s.flags |= CWR;
    t.ecn &= ~ECN_QUEUE_CWR;
  }
  return IP_ECT0;
}

/**
 * The receiver's side of an acceptable segment (§ 6.1.3): CWR ends the echo, CE (re)starts it.
 * Returns true when the segment carries ECE, i.e. the sender should reduce its window.
 */
export function ecnInput(t: Tcb, seg: Seg): boolean {
  if (!(t.ecn & ECN_OK)) return false;
  if (seg.ipEcn !== IP_NOT_ECT) t.ecn |= ECN_SEEN;
  if (seg.flags & CWR) t.ecn &= ~ECN_ECHO;
  if (seg.ipEcn === IP_CE && !(t.ecn & ECN_ECHO)) {
    t.ecn |= ECN_ECHO;
    t.flags |= F_ACK_NOW;
  }
  return (seg.flags & (ECE | SYN)) === ECE;
}

/** A window reduction happened (loss, timeout, ECE, local congestion): announce it with CWR. */
export function ecnQueueCwr(t: Tcb): void {
  if (t.ecn & ECN_OK) t.ecn |= ECN_QUEUE_CWR;
}
