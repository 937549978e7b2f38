/**
 * Connection timers: retransmission (RTO), persist (zero window), delayed ACK, and one slot for
 * keep-alive / TIME-WAIT / FIN-WAIT-2 / connection-establishment timeouts.
 *
 * Read first:
 * - RFC 9293 § 3.8.1 (retransmission timeout), § 3.8.6.1 (zero-window probing).
 * - RFC 6298 § 5 (managing the RTO timer: start when data is sent and the timer is off, restart
 *   when an ACK acknowledges new data, stop when all data is acknowledged; on expiry retransmit
 *   the earliest unacknowledged segment, back off RTO ← RTO·2, bounded by maxRto).
 * - RFC 5681 § 3.1 eq. (4) and LW (ssthresh and cwnd after a timeout); RFC 2018 § 8 (after a
 *   timeout SACKed bits may be cleared as the receiver may have reneged).
 * - RFC 9293 § 3.8.6.1 and RFC 1122 § 4.2.2.17 (zero-window probing: do not give up while the
 *   peer answers), § 4.2.3.2 (delayed ACK ≤ 0.5 s), § 4.2.3.5 (R2 = retries2), § 4.2.3.6
 *   (keep-alive), RFC 9293 § 3.10.7.4 / § 3.10.8 (TIME-WAIT for 2·MSL).
 *
 * One clock timer per connection serves every deadline (the earliest one): re-arming an RTO on
 * every ACK only moves a number, and the scheduled event finds the new deadline when it fires
 * (lazy timers, as Linux's sk_reset_timer users effectively get). No timer runs when the
 * connection is idle without keep-alive.
 */
import { seqDiff } from './seqnum.js';
import {
  CLOSED,
  ESTABLISHED,
  FIN_WAIT_2,
  F_FIN_QUEUED,
  F_CWR,
  F_IN_RECOVERY,
  F_KEEPALIVE,
  F_LOSS,
  F_ORPHAN,
  F_PERSIST,
  F_PTO,
  F_RTO_RECOVERY,
  F_RTT_TIMING,
  F_SYN_RTX,
  SYN_RECEIVED,
  SYN_SENT,
  TIME_WAIT,
} from './tcb.js';
import type { Tcb } from './tcb.js';
import { ecnQueueCwr } from './ecn.js';
import { probeTimeout, tlpEligible } from './tlp.js';
import { sendAck, sendKeepalive, sendProbe, sendSyn, tcpOutput } from './output.js';
import { abortTcb, closeTcb } from './conn.js';
import { initUndo, rackTimeout } from './recovery.js';
import { frtoOnRto } from './frto.js';

function now(t: Tcb): number {
  return t.layer.host.clock.now();
}

/** Current RTO with exponential back-off (RFC 6298 (5.5)), bounded by maxRto. */
export function backedOffRto(t: Tcb): number {
  const c = t.layer.config;
  let rto = t.rto * 2 ** Math.min(t.rtxShift, 30);
  // An optional slop (FreeBSD's rexmit_slop) once there is a measurement or a back-off.
  if (c.rtoSlop > 0 && (t.rtxShift > 0 || t.srtt > 0)) rto += c.rtoSlop;
  return Math.min(rto, c.maxRto);
}

function schedule(t: Tcb): void {
  let next = 0;
  if (t.rtoAt !== 0) next = t.rtoAt;
  if (t.delackAt !== 0 && (next === 0 || t.delackAt < next)) next = t.delackAt;
  if (t.keepAt !== 0 && (next === 0 || t.keepAt < next)) next = t.keepAt;
  if (t.rackAt !== 0 && (next === 0 || t.rackAt < next)) next = t.rackAt;
  if (next === 0) return;
  const timer = t.timer;
  if (timer !== null && timer.pending) {
    if (t.timerAt <= next) return; // fires earlier and re-arms
    timer.cancel();
  }
  const clock = t.layer.host.clock;
  t.timerAt = next;
  t.timer = clock.schedule(next - clock.now(), () => fire(t));
}

/** (Re)starts the retransmission timer (RFC 6298 (5.1)/(5.3)); leaves persist mode. */
export function armRto(t: Tcb): void {
  t.flags &= ~(F_PERSIST | F_PTO);
  t.rtoAt = now(t) + backedOffRto(t);
  schedule(t);
}

/**
 * Arms the retransmission timer, or the tail loss probe timeout in its place when a probe may
 * be sent (RFC 8985 § 7.2): after new data went out and on ACKs that leave data in flight.
 */
export function armRtoOrProbe(t: Tcb): void {
  if (tlpEligible(t)) armProbe(t);
  else armRto(t);
}

/** Arms the tail loss probe timeout; the caller checked tlpEligible. */
export function armProbe(t: Tcb): void {
  t.flags &= ~F_PERSIST;
  t.flags |= F_PTO;
  t.rtoAt = now(t) + probeTimeout(t, backedOffRto(t));
  schedule(t);
}

/** Arms the RACK reordering timer at t.rackAt (RFC 8985 § 6.3). */
export function armRackTimer(t: Tcb): void {
  schedule(t);
}

/** Stops the retransmission timer (RFC 6298 (5.2)). */
export function stopRto(t: Tcb): void {
  t.rtoAt = 0;
  t.flags &= ~(F_PERSIST | F_PTO);
}

/** Starts the persist timer (RFC 9293 § 3.8.6.1) with back-off between persistMin and persistMax. */
export function armPersist(t: Tcb): void {
  const c = t.layer.config;
  let d = Math.max(t.rto, c.persistMin) * 2 ** Math.min(t.rtxShift, 30);
  if (d > c.persistMax) d = c.persistMax;
  t.flags |= F_PERSIST;
  t.rtoAt = now(t) + d;
  schedule(t);
}

export function armDelack(t: Tcb): void {
  if (t.delackAt !== 0) return;
  t.delackAt = now(t) + t.layer.config.delAckTimeout;
  schedule(t);
}

export function cancelDelack(t: Tcb): void {
  t.delackAt = 0;
}

/** Sets the keep-alive / TIME-WAIT / FIN-WAIT-2 / establishment deadline. */
export function armKeep(t: Tcb, at: number): void {
  t.keepAt = at;
  schedule(t);
}

/** Stops every timer (the connection is closing or entering TIME-WAIT). */
export function stopAllTimers(t: Tcb): void {
  t.rtoAt = 0;
  t.delackAt = 0;
  t.keepAt = 0;
  t.rackAt = 0;
  t.flags &= ~(F_PERSIST | F_PTO);
  if (t.timer !== null) {
    t.timer.cancel();
    t.timer = null;
  }
}

/** Arms keep-alive if enabled (after data or a handshake), measured from the last segment received. */
export function armKeepalive(t: Tcb): void {
  if (!(t.flags & F_KEEPALIVE) || t.state < ESTABLISHED || t.state === TIME_WAIT) return;
  const idle = t.keepIdle > 0 ? t.keepIdle : t.layer.config.keepIdle;
  armKeep(t, t.lastRecv + idle);
}

function fire(t: Tcb): void {
  t.timer = null;
  const n = now(t);
  if (t.rtoAt !== 0 && n >= t.rtoAt) {
    t.rtoAt = 0;
    if (t.flags & F_PERSIST) {
      t.flags &= ~F_PERSIST;
      onPersist(t);
    } else if (t.flags & F_PTO) {
      t.flags &= ~F_PTO;
      sendProbe(t);
    } else onRto(t);
    if (t.state === CLOSED) return;
  }
  if (t.delackAt !== 0 && n >= t.delackAt) {
    t.delackAt = 0;
    if (t.ackPending > 0 && t.state !== CLOSED) sendAck(t, 'delayed ACK');
  }
  if (t.keepAt !== 0 && n >= t.keepAt) {
    t.keepAt = 0;
    onKeep(t);
    if (t.state === CLOSED) return;
  }
  if (t.rackAt !== 0 && n >= t.rackAt) {
    t.rackAt = 0;
    rackTimeout(t);
    if (t.state === CLOSED) return;
  }
  schedule(t);
}

/** RFC 6298 (5.4)–(5.7): retransmission timer expired. */
function onRto(t: Tcb): void {
  const layer = t.layer;
  const c = layer.config;
  if (t.state === SYN_SENT) {
    t.rtxShift++;
    if (t.rtxShift > c.synRetries) {
      layer.stats.attemptFails++;
      // RFC 1122 § 4.2.3.9: report a remembered soft error (as Linux's sk_err_soft) rather
      // than a bare timeout.
      abortTcb(t, t.softError || 'ETIMEDOUT', 'SYN retransmissions exhausted', false);
      return;
    }
    t.flags |= F_SYN_RTX;
    t.flags &= ~F_RTT_TIMING;
    layer.stats.timeouts++;
    sendSyn(t, 'retransmit SYN (RTO)');
    return;
  }
  if (t.state === SYN_RECEIVED) {
    t.rtxShift++;
    if (t.rtxShift > c.synAckRetries) {
      layer.stats.attemptFails++;
      abortTcb(t, 'ETIMEDOUT', 'SYN-ACK retransmissions exhausted', false);
      return;
    }
    t.flags |= F_SYN_RTX;
    t.flags &= ~F_RTT_TIMING;
    layer.stats.timeouts++;
    sendSyn(t, 'retransmit SYN-ACK (RTO)');
    return;
  }
  if (t.state === TIME_WAIT || t.state === CLOSED) return;
  if (t.sndUna === t.sndMax) return; // nothing outstanding
  if (t.sndWnd === 0) {
    // The peer's window is closed: this is window probing, not loss (RFC 9293 § 3.8.6.1).
    onPersist(t);
    return;
  }
  t.rtxShift++;
  // RFC 1122 § 4.2.2.17: a zero window is not a failure while the peer keeps answering.
  const zeroWindow = t.sndWnd === 0 && n0(t) - t.lastRecv < backedOffRto(t) * 2;
  if (t.rtxShift > c.retries2 && !zeroWindow) {
    layer.stats.abortOnTimeout++;
    abortTcb(t, t.softError || 'ETIMEDOUT', 'retransmissions exhausted (R2)', false);
    return;
  }
  layer.stats.timeouts++;
  // A raised reordering threshold that let SACKed data pile up without recovery goes back to
  // the default (Linux tcp_enter_loss).
  const c0 = layer.config.reordering;
  if (!(t.flags & F_IN_RECOVERY) && t.sb !== null && t.sb.sacked >= c0 * t.mss && t.reordering > c0)
    t.reordering = c0;
  // F-RTO (RFC 5682 § 2.1 / § 3.1 step 1) for this timeout, or not (frto.ts).
  frtoOnRto(t);
  // An undoable episode starts here unless one is running (Linux tcp_enter_loss): the timeout
  // may prove spurious (RFC 3522 / RFC 3708 / RFC 5682, response RFC 4015).
  if (!(t.flags & (F_IN_RECOVERY | F_LOSS))) initUndo(t);
  t.flags |= F_LOSS;
  t.rtxLog = null;
  t.tlpEnd = 0;
  // Everything from SND.UNA is sent again: RACK starts over (RFC 8985 § 6.3).
  if (t.rack !== null) t.rack.reset(t.sndUna);
  t.rackAt = 0;
  if (!zeroWindow) {
    const flight = seqDiff(t.sndMax, t.sndUna);
    t.cc.onRto(t, flight, n0(t));
    ecnQueueCwr(t);
    layer.traceCwnd(t, 'RTO');
  }
  // Leave recovery (and a CWR reduction); dup ACKs from the go-back-N resend must not start a
  // new one (RFC 6582 § 3.2 step 2).
  t.flags &= ~(F_IN_RECOVERY | F_RTT_TIMING | F_CWR);
  t.recover = t.sndMax;
  t.dupAcks = 0;
  t.highRxt = t.sndUna;
  // RFC 2018 § 8: the receiver may have reneged; after a second timeout forget its SACKs.
  if (t.sb !== null && t.rtxShift >= 2) t.sb.clear();
  t.sndNxt = t.sndUna;
  t.flags |= F_RTO_RECOVERY;
  layer.stats.slowStartRetrans++;
  tcpOutput(t);
  if (t.rtoAt === 0 && t.state !== CLOSED) armRto(t);
}

function n0(t: Tcb): number {
  return now(t);
}

/** Persist timer: send a window probe or the data Nagle/SWS held back (RFC 1122 § 4.2.3.4 (d)). */
function onPersist(t: Tcb): void {
  if (t.state < ESTABLISHED || t.state === TIME_WAIT) return;
  const unsent = t.sendQueued - seqDiff(t.sndNxt, t.dataSeq);
  if (unsent <= 0 && t.sndUna === t.sndMax && !(t.flags & F_FIN_QUEUED)) return;
  if (t.sndWnd === 0) {
    t.layer.stats.lossProbes++;
    // Probe from SND.UNA: a probe octet sent before is sent again.
    t.sndNxt = t.sndUna;
  }
  tcpOutput(t, true);
  if (t.rtxShift < 30) t.rtxShift++;
  if (t.state === CLOSED) return;
  if (t.sndWnd === 0 && (t.rtoAt === 0 || t.flags & F_PERSIST)) armPersist(t);
}

/** Keep-alive, TIME-WAIT expiry, FIN-WAIT-2 timeout, or connection-establishment timeout. */
function onKeep(t: Tcb): void {
  const layer = t.layer;
  const c = layer.config;
  switch (t.state) {
    case TIME_WAIT:
      closeTcb(t, undefined, 'TIME-WAIT 2·MSL expired');
      return;
    case SYN_SENT:
    case SYN_RECEIVED:
      layer.stats.attemptFails++;
      abortTcb(t, 'ETIMEDOUT', 'connection establishment timed out', false);
      return;
    case FIN_WAIT_2:
      if (t.flags & F_ORPHAN) {
        closeTcb(t, undefined, 'FIN-WAIT-2 timeout');
        return;
      }
      break;
  }
  if (!(t.flags & F_KEEPALIVE)) return;
  const n = now(t);
  const idle = t.keepIdle > 0 ? t.keepIdle : c.keepIdle;
  if (n - t.lastRecv < idle) {
    armKeep(t, t.lastRecv + idle);
    return;
  }
  if (t.keepProbes >= c.keepCount) {
    layer.stats.keepaliveTimeouts++;
    abortTcb(t, 'ETIMEDOUT', 'keep-alive probes unanswered', false);
    return;
  }
  t.keepProbes++;
  sendKeepalive(t);
  armKeep(t, n + c.keepInterval);
}
