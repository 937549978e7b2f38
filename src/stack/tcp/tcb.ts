/**
 * The transmission control block: the state of one connection (RFC 9293 § 3.3.1 "Send Sequence
 * Variables", "Receive Sequence Variables", and § 3.3.2 the state machine).
 *
 * Read first:
 * - RFC 9293 § 3.3.1 (SND.UNA, SND.NXT, SND.WND, SND.WL1, SND.WL2, ISS, RCV.NXT, RCV.WND, IRS)
 *   and § 3.3.2 (states).
 * - RFC 7323 § 4.3 (TS.Recent, Last.ACK.sent), RFC 6298 § 2 (SRTT, RTTVAR, RTO),
 *   RFC 5681 § 3 (cwnd, ssthresh), RFC 6675 § 2 (HighRxt, RecoveryPoint), RFC 6582 (recover).
 *
 * Memory (issue 4: ≤ 8 KB per idle established connection beyond buffers): numbers and a few
 * references only; buffers, the reassembly list and the SACK scoreboard are allocated on first
 * use and released when the connection closes.
 */
import type { HyStart } from './hystart.js';
import type { Rack } from './rack.js';
import type { TimerHandle } from '../../sim/clock.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type { SocketErrorCode } from '../api.js';
import type { RecvBuffer, SendBuffer } from './buffers.js';
import type { CongestionOps } from './congestion/types.js';
import type { Listener } from './listener.js';
import type { Assembler } from './reassembly.js';
import type { Scoreboard } from './sack.js';
import type { TcpLayer } from './layer.js';

// RFC 9293 § 3.3.2 states.
export const CLOSED = 0;
export const LISTEN = 1;
export const SYN_SENT = 2;
export const SYN_RECEIVED = 3;
export const ESTABLISHED = 4;
export const FIN_WAIT_1 = 5;
export const FIN_WAIT_2 = 6;
export const CLOSE_WAIT = 7;
export const CLOSING = 8;
export const LAST_ACK = 9;
export const TIME_WAIT = 10;

/** RFC 9293 spelling, as NetSocket.state shows it. */
export const STATE_NAMES = [
  'CLOSED',
  'LISTEN',
  'SYN-SENT',
  'SYN-RECEIVED',
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
] as const;

/** Linux's spelling (netstat). */
export const LINUX_STATE_NAMES = [
  'CLOSE',
  'LISTEN',
  'SYN_SENT',
  'SYN_RECV',
  'ESTABLISHED',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
] as const;

/** States in which the connection is synchronized (RFC 9293 § 3.10.7.4). */
export function isSynchronized(state: number): boolean {
  return state >= ESTABLISHED;
}

// Flag bits of Tcb.flags.
export const F_PASSIVE = 1 << 0; // created by a listener (RFC 9293: "passive OPEN")
export const F_NODELAY = 1 << 1; // TCP_NODELAY: Nagle off
export const F_FIN_QUEUED = 1 << 2; // user closed the send side: FIN after queued data
export const F_RCVD_FIN = 1 << 3; // peer's FIN received in order
export const F_SACK_OK = 1 << 4; // RFC 2018 negotiated
export const F_TS_OK = 1 << 5; // RFC 7323 timestamps negotiated
export const F_WS_OK = 1 << 6; // RFC 7323 window scaling negotiated
export const F_ACK_NOW = 1 << 7; // send an ACK at the next output
export const F_KEEPALIVE = 1 << 8; // SO_KEEPALIVE
export const F_NOOPT = 1 << 9; // TCP_NOOPT: no options on the SYN
export const F_IN_RECOVERY = 1 << 10; // fast recovery (RFC 6582 / RFC 6675)
export const F_ORPHAN = 1 << 11; // the application closed the socket (no reader)
export const F_OOO_FIN = 1 << 12; // a FIN arrived out of order (oooFinSeq)
export const F_RTT_TIMING = 1 << 13; // a segment is being timed (rttSeq, rttStart)
export const F_PERSIST = 1 << 14; // rtoAt is the persist timer (zero window)
export const F_SYN_RTX = 1 << 15; // the SYN was retransmitted (RFC 6298 § 5.7)
export const F_USER_SHUT_RD = 1 << 16; // shutdown(SHUT_RD)
export const F_DETACHED = 1 << 17; // removed from the layer's tables
export const F_WND_UPDATE = 1 << 18; // send a window update at the next output
export const F_RTO_RECOVERY = 1 << 19; // after an RTO, resending [SND.NXT, SND.MAX) (go-back-N)
export const F_UNDO = 1 << 20; // a congestion response that may be undone (RFC 3708 / RFC 4015)
export const F_LOSS = 1 << 21; // the episode began with an RTO (Linux TCP_CA_Loss) until RecoveryPoint is ACKed
export const F_PTO = 1 << 23; // rtoAt is the tail loss probe timeout (RFC 8985 § 7)
export const F_CWR = 1 << 22; // window reduced for local congestion until cwrEnd is ACKed (Linux TCP_CA_CWR)
export const F_HYSTART_DONE = 1 << 24; // the initial slow start is over, or HyStart++ is off (hystart.ts)

// F-RTO (frto.ts, RFC 5682) steps of Tcb.frto.
export const FRTO_STEP2 = 2; // the RTO retransmission is out: waiting for the first new ACK
export const FRTO_STEP3 = 3; // new data went out after it: the next ACK decides

/** What the connection reports to the socket layer above it. */
export interface TcbUser {
  /** Handshake completed (ESTABLISHED or CLOSE-WAIT reached). */
  onEstablished(): void;
  /**
   * In-order data arrived. When `flowing` is true and the receive buffer is empty the bytes are
   * offered directly (a view that must not be written to) and `onData` returns true if it took
   * them; otherwise they are buffered and `onReadable` runs.
   */
  readonly flowing?: boolean;
  onData?(chunk: Uint8Array): boolean;
  onReadable(): void;
  /** Send-buffer space was freed by an ACK. */
  onWritable(): void;
  /** The peer's FIN arrived after all data: no more data. */
  onEof(): void;
  /** The connection ended: `err` is undefined on an orderly close. */
  onClosed(err: SocketErrorCode | undefined): void;
}

export class Tcb {
  state = CLOSED;
  flags = 0;
  /** Next connection in the same demux hash bucket. */
  hashNext: Tcb | null = null;
  hashKey = 0;
  /** The listener of a passive connection until accept(). */
  listener: Listener | null = null;
  user: TcbUser | null = null;

  // RFC 9293 § 3.3.1 send sequence variables
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  /** Highest sequence number sent + 1 (SND.NXT can go back after an RTO). */
  sndMax = 0;
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  /** Largest window the peer offered (RFC 5961 § 5.2 MAX.SND.WND, RFC 1122 SWS). */
  maxSndWnd = 0;
  /** Shift applied to the peer's window field (RFC 7323 Snd.Wind.Shift). */
  sndScale = 0;

  // receive sequence variables
  irs = 0;
  rcvNxt = 0;
  /** Right edge last advertised: RCV.NXT + RCV.WND at the last ACK sent (never moves left). */
  rcvAdv = 0;
  /** Shift applied to our window field (RFC 7323 Rcv.Wind.Shift). */
  rcvScale = 0;
  /** Sequence number of a FIN that arrived out of order (F_OOO_FIN). */
  oooFinSeq = 0;
  /** End of the last sub-MSS segment sent (Nagle with Minshall's modification). */
  smallEnd = 0;
  /** Sequence number of our FIN, fixed when the user closes (F_FIN_QUEUED). */
  sndFin = 0;
  /** Pending D-SACK range for the next ACK (RFC 2883), start/end, valid when dsackEnd !== dsackStart. */
  dsackStart = 0;
  dsackEnd = 0;

  // segment sizes
  /** Data bytes per full-sized segment (SMSS minus fixed options, RFC 6691). */
  mss = 536;
  /** MSS we advertised (RFC 9293 § 3.7.1). */
  advMss = 536;
  /** MSS the peer advertised (536 when absent, RFC 9293 § 3.7.1). */
  peerMss = 536;
  /** Path MTU for this connection (RFC 1191). */
  pmtu = 576;

  // buffers (allocated on first use)
  sndBuf: SendBuffer | null = null;
  rcvBuf: RecvBuffer | null = null;
  sndBufSize: number;
  rcvBufSize: number;
  asm: Assembler | null = null;
  sb: Scoreboard | null = null;

  // RFC 7323 timestamps
  tsRecent = 0;
  tsRecentAt = 0;
  tsOffset = 0;
  lastAckSent = 0;

  // RFC 6298 RTT / RTO
  srtt = 0;
  rttvar = 0;
  rto: number;
  lastRtt = 0;
  minRtt = 0;
  rttSeq = 0;
  rttStart = 0;
  /** Consecutive expirations of the retransmission timer (back-off exponent). */
  rtxShift = 0;

  // RFC 5681 / 6582 / 6675 congestion control and recovery
  cwnd = 0;
  ssthresh = 0x7fffffff;
  bytesAcked = 0;
  ccState: unknown = undefined;
  cc: CongestionOps;
  dupAcks = 0;
  /** RFC 6582 "recover" / RFC 6675 RecoveryPoint. */
  recover = 0;
  /** With F_CWR: the SND.MAX at the reduction; the window is reduced once until it is ACKed. */
  cwrEnd = 0;
  /** RFC 6937 (PRR) state of the current recovery: RecoverFS, prr_delivered, prr_out. */
  recoverFs = 0;
  prrDelivered = 0;
  prrOut = 0;
  /** RFC 8985 § 6 state (rack.ts), with SACK and config.rack; null otherwise. */
  rack: Rack | null = null;
  /** The RACK reordering timer (RFC 8985 § 6.3), 0 when not armed. */
  rackAt = 0;
  /** RFC 8985 § 7: TLP.end_seq of the probe episode (0 = none), and whether the probe resent data. */
  tlpEnd = 0;
  tlpRetrans = false;
  /** RFC 6675 HighRxt. */
  highRxt = 0;
  /** RFC 9406 state while the initial slow start runs with HyStart++ (hystart.ts), else null. */
  hystart: HyStart | null = null;
  /** F-RTO (RFC 5682, frto.ts): 0, FRTO_STEP2 or FRTO_STEP3; and its RecoveryPoint. */
  frto = 0;
  frtoHigh = 0;

  // Reordering and spurious-retransmission undo (recovery.ts)
  /** Reordering degree of the path in segments: the DupThresh in use (Linux tp->reordering). */
  reordering = 3;
  /** Highest sequence number retransmitted + 1: data at or above it was sent once only. */
  rtxHigh = 0;
  /** SND.UNA when the undoable congestion response began (valid with F_UNDO). */
  undoMarker = 0;
  /** Bytes retransmitted in the episode not yet reported as duplicates by D-SACK (RFC 3708 § 3). */
  undoRetrans = 0;
  /** cwnd and ssthresh before the response, restored by an undo. */
  priorCwnd = 0;
  priorSsthresh = 0;
  /** Highest SACKed sequence number when the episode began. */
  undoFack = 0;
  /** TSval of the episode's first retransmission (RFC 3522 § 2), -1 = nothing retransmitted. */
  retransStamp = -1;
  /** Retransmissions during SACK recovery, watched for loss: [seq, end, SND.MAX when sent], ... */
  rtxLog: number[] | null = null;

  // delayed ACK: full segments received since the last ACK we sent
  ackPending = 0;

  // timers (absolute instants, 0 = off); one clock timer serves all (see timers.ts)
  timer: TimerHandle | null = null;
  timerAt = 0;
  rtoAt = 0;
  delackAt = 0;
  /** Keep-alive, TIME-WAIT, FIN-WAIT-2 or connection-establishment deadline by state. */
  keepAt = 0;
  keepProbes = 0;
  /** Time of the last segment received (keep-alive idle time). */
  lastRecv = 0;
  /** Connection establishment deadline from ConnectOptions.timeout / keepinit (0 = none). */
  connectDeadline = 0;

  // per-connection counters (Linux tcp_info, `ss -i`): integer increments on paths that run anyway
  /** Segments sent (retransmissions, pure ACKs, SYN, FIN, RST included): tcpi_segs_out. */
  segsOut = 0;
  /** Segments that carried data, and their data bytes (retransmissions included). */
  dataSegsOut = 0;
  bytesSent = 0;
  /** Segments retransmitted (SYN included) and their data bytes: tcpi_total_retrans, bytes_retrans. */
  totalRetrans = 0;
  bytesRetrans = 0;
  /** Segments that reached the connection, and those with data: tcpi_segs_in, data_segs_in. */
  segsIn = 0;
  dataSegsIn = 0;
  /** Times of the last data segment sent and received (set at establishment, as Linux does). */
  lastDataSent = 0;
  lastDataRecv = 0;

  /** Errors: `softError` is remembered (RFC 1122 § 4.2.3.9), `error` ended the connection. */
  softError: SocketErrorCode | '' = '';
  error: SocketErrorCode | '' = '';

  ttl: number;
  tos = 0;
  /** ECN state bits (ecn.ts: ECN_OK, ECN_ECHO, ...). */
  ecn = 0;
  /** Per-socket override of keep-alive idle time (TCP_KEEPIDLE), 0 = layer default. */
  keepIdle = 0;

  constructor(
    readonly layer: TcpLayer,
    public localAddr: Ipv4Addr,
    public localPort: number,
    public remoteAddr: Ipv4Addr,
    public remotePort: number,
  ) {
    const c = layer.config;
    this.sndBufSize = c.sndBuf;
    this.rcvBufSize = c.rcvBuf;
    this.rto = c.initialRto;
    this.ttl = c.ttl;
    this.cc = layer.defaultCc;
    this.reordering = c.reordering;
  }

  get stateName(): string {
    return STATE_NAMES[this.state];
  }

  /** Bytes queued by the user and not yet acknowledged (send queue of netstat). */
  get sendQueued(): number {
    return this.sndBuf === null ? 0 : this.sndBuf.length;
  }

  /** In-order bytes received and not yet read (receive queue of netstat). */
  get recvQueued(): number {
    return this.rcvBuf === null ? 0 : this.rcvBuf.length;
  }

  /** True once our FIN has been sent and acknowledged. */
  get finAcked(): boolean {
    return (this.flags & F_FIN_QUEUED) !== 0 && this.sndUna === (this.sndFin + 1) >>> 0;
  }

  /** Sequence number of the first byte of send-buffer data (ISS + 1 once the SYN is counted). */
  get dataSeq(): number {
    return this.sndUna === this.iss ? (this.iss + 1) >>> 0 : this.sndUna;
  }
}
