/**
 * Connection life cycle and the user calls of RFC 9293 § 3.10 (OPEN, SEND, RECEIVE, CLOSE,
 * ABORT, STATUS) on a Tcb. The socket classes (socket.ts) and the packetdrill syscall shim are
 * thin layers over these.
 *
 * Read first:
 * - RFC 9293 § 3.10.2 (SEND: queue in SYN-SENT/SYN-RECEIVED, error after CLOSE), § 3.10.3
 *   (RECEIVE), § 3.10.4 (CLOSE per state: SYN-SENT deletes the TCB, ESTABLISHED → FIN-WAIT-1,
 *   CLOSE-WAIT → LAST-ACK), § 3.10.5 (ABORT sends RST in synchronized states), § 3.6 (closing
 *   a connection, half-close), § 3.6.1 (half-closed connections: a host that closes with
 *   unread data SHOULD send RST, as RFC 1122 § 4.2.2.13 and RFC 2525 § 2.17 say).
 * - RFC 9293 § 3.10.7.4 and § 3.10.8 (TIME-WAIT lasts 2·MSL).
 */
import type { SocketErrorCode } from '../api.js';
import { RecvBuffer, SendBuffer } from './buffers.js';
import { rcvWindow, sendRstFor, tcpOutput } from './output.js';
import { seqDiff } from './seqnum.js';
import {
  CLOSED,
  CLOSE_WAIT,
  ESTABLISHED,
  FIN_WAIT_1,
  FIN_WAIT_2,
  F_DETACHED,
  F_FIN_QUEUED,
  F_NODELAY,
  F_ORPHAN,
  F_RCVD_FIN,
  F_WND_UPDATE,
  LAST_ACK,
  STATE_NAMES,
  SYN_RECEIVED,
  SYN_SENT,
  TIME_WAIT,
  isSynchronized,
} from './tcb.js';
import type { Tcb } from './tcb.js';
import { armKeep, stopAllTimers } from './timers.js';

/** Moves to `to` and traces why (RFC 9293 § 3.3.2 names). */
export function setState(t: Tcb, to: number, why: string): void {
  const from = t.state;
  if (from === to) return;
  t.state = to;
  const layer = t.layer;
  if (to === ESTABLISHED && from < ESTABLISHED) layer.currEstab++;
  else if ((from === ESTABLISHED || from === CLOSE_WAIT) && to !== ESTABLISHED && to !== CLOSE_WAIT)
    layer.currEstab--;
  else if (from < ESTABLISHED && to === CLOSE_WAIT) layer.currEstab++;
  const trace = layer.host.trace;
  if (trace.active) {
    trace.emit('tcp.state', layer.host.name, {
      laddr: t.localAddr,
      lport: t.localPort,
      raddr: t.remoteAddr,
      rport: t.remotePort,
      from: STATE_NAMES[from],
      to: STATE_NAMES[to],
      why,
    });
  }
}

/** Releases buffers and per-connection lists (TIME-WAIT and CLOSED keep none). */
function release(t: Tcb): void {
  t.sndBuf?.release();
  t.rcvBuf?.release();
  t.sndBuf = null;
  t.rcvBuf = null;
  t.asm = null;
  t.sb = null;
  t.ccState = undefined;
}

/**
 * Deletes the TCB (→ CLOSED): timers off, out of the demux table, buffers released, and the user
 * told (`err` undefined for an orderly end).
 */
export function closeTcb(t: Tcb, err: SocketErrorCode | undefined, why: string): void {
  if (t.state === CLOSED && t.flags & F_DETACHED) return;
  if (err !== undefined) t.error = err;
  setState(t, CLOSED, why);
  stopAllTimers(t);
  t.layer.unhash(t);
  t.flags |= F_DETACHED;
  if (t.listener !== null) {
    t.listener.forget(t);
    t.listener = null;
  }
  release(t);
  const user = t.user;
  t.user = null;
  if (user !== null) user.onClosed(err);
}

/**
 * ABORT (RFC 9293 § 3.10.5) or a fatal error: a reset goes out in synchronized states when
 * `sendRst`, then the TCB is deleted with `err` reported to the user.
 */
export function abortTcb(
  t: Tcb,
  err: SocketErrorCode | undefined,
  why: string,
  sendRst: boolean,
): void {
  if (t.state === CLOSED) return;
  if (sendRst && (isSynchronized(t.state) || t.state === SYN_RECEIVED) && t.state !== TIME_WAIT)
    sendRstFor(t, why);
  if (t.state === ESTABLISHED || t.state === CLOSE_WAIT) {
    if (err === 'ECONNRESET' || err === 'ETIMEDOUT') t.layer.stats.estabResets++;
  }
  closeTcb(t, err, why);
}

/** Enters TIME-WAIT for 2·MSL (RFC 9293 § 3.10.7.4); the user sees the connection closed. */
export function enterTimeWait(t: Tcb, why: string): void {
  setState(t, TIME_WAIT, why);
  stopAllTimers(t);
  release(t);
  armKeep(t, t.layer.host.clock.now() + 2 * t.layer.config.msl);
  const user = t.user;
  t.user = null;
  if (user !== null) user.onClosed(undefined);
}

// ───────────────────────────── user calls ─────────────────────────────

/**
 * SEND (RFC 9293 § 3.10.2): queues up to the free send-buffer space; returns the bytes taken.
 * Throws nothing: the caller checks state first (EPIPE after CLOSE).
 */
export function userSend(t: Tcb, data: Uint8Array, off = 0, n = data.length - off): number {
  if (t.flags & F_FIN_QUEUED) return 0;
  const st = t.state;
  if (st !== ESTABLISHED && st !== CLOSE_WAIT && st !== SYN_SENT && st !== SYN_RECEIVED) return 0;
  if (t.sndBuf === null) t.sndBuf = new SendBuffer(t.sndBufSize);
  const taken = t.sndBuf.write(data, off, n);
  if (taken > 0 && (st === ESTABLISHED || st === CLOSE_WAIT)) tcpOutput(t);
  return taken;
}

/** Free send-buffer space. */
export function sendSpace(t: Tcb): number {
  return t.sndBuf === null ? t.sndBufSize : t.sndBuf.space;
}

/**
 * RECEIVE (RFC 9293 § 3.10.3): up to `max` in-order bytes (removed unless `peek`). Sends a
 * window update when reading opened the window enough (RFC 9293 § 3.8.6.2.2).
 */
export function userRecv(t: Tcb, max: number, peek = false): Uint8Array {
  if (t.rcvBuf === null || t.rcvBuf.length === 0) return new Uint8Array(0);
  const before = seqDiff(t.rcvAdv, t.rcvNxt);
  const data = t.rcvBuf.read(max, peek);
  if (!peek && data.length > 0) maybeWindowUpdate(t, before);
  return data;
}

/** Discards `n` in-order bytes the user consumed through a view (flowing mode). */
export function userConsumed(t: Tcb, n: number): void {
  if (t.rcvBuf === null || n <= 0) return;
  const before = seqDiff(t.rcvAdv, t.rcvNxt);
  t.rcvBuf.discard(n);
  maybeWindowUpdate(t, before);
}

function maybeWindowUpdate(t: Tcb, before: number): void {
  const st = t.state;
  if (st !== ESTABLISHED && st !== FIN_WAIT_1 && st !== FIN_WAIT_2) return;
  if (t.flags & F_RCVD_FIN) return;
  const after = rcvWindow(t);
  // Announce when the window grew by two segments or half the buffer, or reopened from
  // below one segment (Linux's tcp_cleanup_rbuf rule; receiver SWS avoidance holds in rcvWindow).
  const grew = after - Math.max(before, 0);
  if (
    grew >= 2 * t.advMss ||
    grew >= t.rcvBufSize >> 1 ||
    (before < t.advMss && after >= t.advMss)
  ) {
    t.flags |= F_WND_UPDATE;
    tcpOutput(t);
  }
}

/** Allocates the receive buffer on first data. */
export function recvBuffer(t: Tcb): RecvBuffer {
  if (t.rcvBuf === null) t.rcvBuf = new RecvBuffer(t.rcvBufSize);
  return t.rcvBuf;
}

/**
 * CLOSE for the send side (shutdown(SHUT_WR), Node's end()): FIN after the queued data
 * (RFC 9293 § 3.10.4). Returns false if there is nothing to close.
 */
export function userShutdown(t: Tcb): boolean {
  if (t.flags & F_FIN_QUEUED) return false;
  switch (t.state) {
    case SYN_SENT:
      // RFC 9293 § 3.10.4: delete the TCB; queued SENDs fail.
      closeTcb(t, undefined, 'CLOSE in SYN-SENT');
      return true;
    case SYN_RECEIVED:
    case ESTABLISHED:
      queueFin(t);
      setState(t, FIN_WAIT_1, 'user closed the send side (CLOSE)');
      break;
    case CLOSE_WAIT:
      queueFin(t);
      setState(t, LAST_ACK, 'user closed after the peer did (CLOSE)');
      break;
    default:
      return false;
  }
  tcpOutput(t);
  return true;
}

function queueFin(t: Tcb): void {
  t.flags |= F_FIN_QUEUED;
  t.sndFin = (t.dataSeq + t.sendQueued) >>> 0;
}

/**
 * close() of the socket (no more reads either): RST if unread data is pending (RFC 9293 § 3.6.1,
 * RFC 2525 § 2.17), else an orderly shutdown; the connection becomes an orphan that finishes
 * on its own (FIN-WAIT-2 times out, TIME-WAIT expires).
 */
export function userClose(t: Tcb): void {
  t.user = null;
  t.flags |= F_ORPHAN;
  if (t.state === CLOSED) return;
  if (t.state === TIME_WAIT) return;
  if (t.recvQueued > 0 && isSynchronized(t.state)) {
    t.layer.stats.abortOnClose++;
    abortTcb(t, undefined, 'closed with unread data (RFC 2525 § 2.17)', true);
    return;
  }
  if (t.state === SYN_SENT || t.state === LISTEN_STATE) {
    closeTcb(t, undefined, 'CLOSE in SYN-SENT');
    return;
  }
  if (!(t.flags & F_FIN_QUEUED)) userShutdown(t);
  if (t.state === FIN_WAIT_2) armKeep(t, t.layer.host.clock.now() + t.layer.config.finWait2Timeout);
}

const LISTEN_STATE = 1;

/** TCP_NODELAY. */
export function setNoDelay(t: Tcb, on: boolean): void {
  if (on) t.flags |= F_NODELAY;
  else t.flags &= ~F_NODELAY;
  if (on && t.state >= ESTABLISHED) tcpOutput(t);
}
