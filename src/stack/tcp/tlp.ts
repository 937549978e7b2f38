/**
 * Tail Loss Probe: when the last segments of a flight are lost no duplicate ACK ever comes, and
 * the sender would wait for the retransmission timeout (at least 200 ms, often much more). A
 * probe two round trips after the last transmission — new data if there is some, else the last
 * segment again — draws an ACK (or a SACK) that lets the loss be repaired at once.
 *
 * Read first: RFC 8985 § 7 (TLP): § 7.2 when the probe timeout (PTO) is armed instead of the RTO
 * and its value (2·SRTT, plus the worst-case delayed-ACK time when one segment is in flight, at
 * most the RTO; 1 s before any RTT sample), § 7.3 what the probe sends, § 7.4 detecting whether
 * the probe repaired a loss (then the congestion window is reduced as for a loss) or was
 * spurious (a D-SACK for it: no response).
 *
 * Not here: RACK's time-based loss marking (RFC 8985 § 6). Loss detection stays with SACK and
 * the adaptive DupThresh (recovery.ts); the probe's ACK feeds it, and a probe that retransmits
 * the only lost segment repairs it by itself.
 */
import { MS, SECOND } from '../../sim/time.js';
import type { Seg } from './segment.js';
import {
  CLOSE_WAIT,
  ESTABLISHED,
  FIN_WAIT_1,
  F_IN_RECOVERY,
  F_LOSS,
  F_PTO,
  F_RTO_RECOVERY,
  F_SACK_OK,
} from './tcb.js';
import type { Tcb } from './tcb.js';
import { seqDiff, seqGe } from './seqnum.js';

/** RFC 8985 § 7.2: WCDelAckT, the worst-case delayed ACK timer of the receiver. */
const WC_DEL_ACK = 200 * MS;

/** May a probe timeout replace the RTO now (RFC 8985 § 7.2)? */
export function tlpEligible(t: Tcb): boolean {
  const st = t.state;
  return (
    t.layer.config.tlp &&
    (t.flags & F_SACK_OK) !== 0 &&
    (st === ESTABLISHED || st === CLOSE_WAIT || st === FIN_WAIT_1) &&
    !(t.flags & (F_IN_RECOVERY | F_RTO_RECOVERY | F_LOSS)) &&
    t.tlpEnd === 0 &&
    t.sndMax !== t.sndUna
  );
}

/** The probe timeout (RFC 8985 § 7.2), never later than the RTO would fire. */
export function probeTimeout(t: Tcb, rto: number): number {
  let pto = t.srtt > 0 ? 2 * t.srtt : 1 * SECOND;
  if (seqDiff(t.sndMax, t.sndUna) <= t.mss) pto += WC_DEL_ACK;
  return Math.min(Math.round(pto), rto);
}

/**
 * An ACK during a TLP episode (RFC 8985 § 7.4). Returns true when it shows that the probe, a
 * retransmission, repaired a loss: the caller then reduces the window once.
 */
export function tlpOnAck(t: Tcb, seg: Seg, dsack: boolean): boolean {
  if (t.tlpEnd === 0) return false;
  if (dsack && t.tlpRetrans) {
    // Both the original and the probe arrived: nothing was lost (§ 7.4.2).
    t.tlpEnd = 0;
    return false;
  }
  if (!seqGe(seg.ack, t.tlpEnd)) return false;
  const repaired = t.tlpRetrans;
  t.tlpEnd = 0;
  return repaired;
}

/** Whether the RTO timer currently stands for a probe timeout. */
export function ptoArmed(t: Tcb): boolean {
  return (t.flags & F_PTO) !== 0;
}
