/**
 * TCP configuration: the knobs Linux exposes as net.ipv4.tcp_* sysctls and socket options, with
 * Linux-like defaults. One TcpConfig per TcpLayer; some fields can be overridden per socket.
 *
 * Read first:
 * - RFC 9293 (TCP) § 3.8.1 (retransmission timeout), § 3.8.6 (managing the window), § 3.10.7.4
 *   (TIME-WAIT lasts 2·MSL).
 * - RFC 6298 (RTO): § 2 initial RTO 1 s; § 2.4 minimum RTO (RFC says 1 s; Linux uses 200 ms and so
 *   do we by default, as the brief asks); § 5 back-off.
 * - RFC 1122 § 4.2.3.2 (delayed ACK ≤ 500 ms), § 4.2.3.5 (R1/R2 retransmission thresholds),
 *   § 4.2.3.6 (keep-alive: default off, idle ≥ 2 h).
 * - RFC 5961 § 7 (challenge ACK rate limit), RFC 6928 (initial window of 10 segments), RFC 7323
 *   (window scale and timestamps), RFC 2018 (SACK).
 */
import { MS, SECOND } from '../../sim/time.js';
import type { Duration } from '../../sim/time.js';

export type CongestionName = 'newreno' | 'cubic';

export interface TcpConfig {
  /** Maximum segment lifetime; TIME-WAIT lasts 2·MSL (RFC 9293 § 3.10.7.4). Linux: 60 s TW. */
  msl: Duration;
  /** RFC 6298 (2.1): RTO before any RTT sample. */
  initialRto: Duration;
  /** RFC 6298 (2.4) lower bound; Linux's TCP_RTO_MIN is 200 ms. */
  minRto: Duration;
  /** RFC 6298 (2.5) upper bound (at least 60 s); Linux's TCP_RTO_MAX is 120 s. */
  maxRto: Duration;
  /** SYN retransmissions before ETIMEDOUT (Linux tcp_syn_retries = 6, about 127 s). */
  synRetries: number;
  /** SYN-ACK retransmissions of a passive opener (Linux tcp_synack_retries = 5). */
  synAckRetries: number;
  /** Data retransmissions before the connection is aborted (RFC 1122 R2; Linux tcp_retries2). */
  retries2: number;
  /** Delayed ACK (RFC 1122 § 4.2.3.2, RFC 5681 § 4.2). */
  delayedAck: boolean;
  /** Delayed-ACK timeout (Linux TCP_DELACK_MIN 40 ms; at most 500 ms per RFC 1122). */
  delAckTimeout: Duration;
  /** Window scaling, timestamps, SACK offered on SYNs (RFC 7323, RFC 2018). */
  windowScaling: boolean;
  timestamps: boolean;
  sack: boolean;
  /** Default receive and send buffer sizes in bytes (per socket, SO_RCVBUF / SO_SNDBUF). */
  rcvBuf: number;
  sndBuf: number;
  /** Largest buffer a socket may ask for; chooses the window scale shift we offer (RFC 7323 § 2.3). */
  maxBuf: number;
  /**
   * Round the receive buffer up to a whole number of MSS once the MSS is known, as FreeBSD does
   * (tcp_mss_update); keeps the advertised window a multiple of the segment size (RFC 1122
   * § 4.2.3.3 receiver SWS avoidance works in units of the MSS).
   */
  roundRcvBufToMss: boolean;
  /** Initial congestion window in segments (RFC 6928). */
  initialCwndSegments: number;
  congestion: CongestionName;
  /** Keep-alive (RFC 1122 § 4.2.3.6): off by default per socket; times as Linux. */
  keepIdle: Duration;
  keepInterval: Duration;
  keepCount: number;
  /** Abort a connection that has not completed its handshake after this long (FreeBSD keepinit, 0 = SYN retries only). */
  keepInit: Duration;
  /** RFC 5961 § 4: answer in-window SYNs with a challenge ACK instead of a reset. */
  rfc5961Syn: boolean;
  /** RFC 5961 § 3: reset only on SEG.SEQ = RCV.NXT; other in-window RSTs get a challenge ACK. */
  rfc5961Rst: boolean;
  /** RFC 5961 § 7: challenge ACKs per second for the whole layer (0 = unlimited). */
  challengeAckLimit: number;
  /** SYN cookies when the SYN queue is full (RFC 4987 § 3.6). */
  synCookies: boolean;
  /** Lower bound of the SYN queue length of a listener (max(backlog, this)). */
  synQueueMin: number;
  /** Drop segments with both SYN and FIN set (FreeBSD net.inet.tcp.drop_synfin). */
  dropSynFin: boolean;
  /** Out-of-order reassembly: maximum separate ranges held (RFC 9293 § 3.10.7.4 allows dropping). */
  maxOooRanges: number;
  /** Ephemeral port range (Linux ip_local_port_range). */
  ephemeralLow: number;
  ephemeralHigh: number;
  /** FIN-WAIT-2 timeout after the application closed (Linux tcp_fin_timeout = 60 s). */
  finWait2Timeout: Duration;
  /** Persist timer bounds (RFC 9293 § 3.8.6.1, RFC 1122 § 4.2.2.17). */
  persistMin: Duration;
  persistMax: Duration;
  /** Default TTL of our datagrams (Linux ip_default_ttl). */
  ttl: number;
  /**
   * Accept non-RST segments without TSopt after timestamps were negotiated (RFC 7323 § 3.2 says
   * SHOULD drop them; Linux accepts them).
   */
  tolerateMissingTs: boolean;
  /**
   * ICMP hard errors (protocol/port unreachable, administratively prohibited) abort a connection
   * that is being established (RFC 5461 § 4; FreeBSD net.inet.tcp.icmp_may_rst).
   */
  icmpHardErrorsAbort: boolean;
  /**
   * ICMP soft errors (net or host unreachable, time exceeded) abort a connection that is being
   * established, as Linux does (tcp_v4_err in SYN-SENT / SYN-RECEIVED): connect() fails with
   * EHOSTUNREACH / ENETUNREACH at once instead of retrying its SYN for two minutes. RFC 1122
   * § 4.2.3.9 has TCP keep such errors as soft, and RFC 5461 § 4 describes this workaround for
   * connection establishment; false keeps them soft (reported only when the SYNs time out).
   */
  icmpSoftErrorsAbortConnect: boolean;
  /**
   * Process the ACK field of a segment lying just left of the receive window (at most one
   * window before RCV.NXT) instead of only answering it with an ACK: BSD behaviour (TCP/IP
   * Illustrated vol. 2 § 28.8). RFC 9293 § 3.10.7.4 drops such segments; the ACK is still
   * validated per RFC 5961 § 5.2.
   */
  processOldAcks: boolean;
  /**
   * Let a new SYN with a higher sequence number (or timestamp) reopen a connection in
   * TIME-WAIT (RFC 9293 § 3.6.1 MAY, RFC 6191). Off: the SYN is answered per RFC 5961 § 4 —
   * our ISNs (RFC 6528) are not guaranteed to exceed the old connection's sequence space,
   * which the MAY requires.
   */
  timeWaitReuse: boolean;
  /** Added to every computed RTO (FreeBSD's net.inet.tcp.rexmit_slop; 0 as RFC 6298 and Linux). */
  rtoSlop: Duration;
  /**
   * After this many SYN retransmissions offer only the MSS option, in case a middlebox drops
   * SYNs with newer options (FreeBSD's net.inet.tcp.rexmit_drop_options; 0 = never, as Linux).
   */
  synRtxDropOptions: number;
  /**
   * Explicit Congestion Notification (RFC 3168, src/stack/tcp/ecn.ts): 'on' asks for it on
   * active opens and accepts it on passive ones; 'passive' only accepts (Linux's default,
   * tcp_ecn = 2); 'off' neither.
   */
  ecn: 'off' | 'passive' | 'on';
  /**
   * SYN retransmissions that still ask for ECN before falling back to a plain SYN (RFC 3168
   * § 6.1.1.1; Linux 0, tcp_ecn_fallback; FreeBSD's net.inet.tcp.ecn.maxretries).
   */
  ecnSynRetries: number;
  /**
   * Initial reordering degree in segments, the DupThresh of RFC 5681 / RFC 6675 (Linux
   * tcp_reordering = 3).
   */
  reordering: number;
  /**
   * Raise the reordering degree when SACK or a spurious retransmission shows that segments
   * arrived out of order (Linux tp->reordering up to tcp_max_reordering; RFC 4653 § 3 ideas);
   * 0 keeps DupThresh fixed.
   */
  maxReordering: number;
  /**
   * Detect spurious fast retransmits and timeouts with D-SACK (RFC 3708) and timestamps
   * (RFC 3522) and undo the congestion response (Linux tcp_undo_cwnd_reduction; RFC 4015 for
   * timeouts).
   */
  undo: boolean;
  /** Detect lost retransmissions during SACK recovery and resend them before the RTO. */
  lostRetransmitDetection: boolean;
  /**
   * Proportional Rate Reduction (RFC 6937) during SACK recovery: the window comes down to
   * ssthresh in step with the data delivered instead of at once (RFC 6675's cwnd = ssthresh
   * at the start of recovery, the default). Linux runs PRR together with RACK-TLP; without
   * RACK-TLP (not implemented) it measured no better here: on the netsim matrix's 256 KiB
   * cells over 3 seeds, 38.0 vs 40.4 Mbit/s at 1 % loss, 12.4 vs 13.6 at 5 %, 3.3 vs 3.2 at
   * 10 % — so it is off by default.
   */
  prr: boolean;
  /**
   * Tail loss probes (RFC 8985 § 7, tlp.ts; Linux tcp_early_retrans = 3): with SACK, outside
   * recovery, a probe two RTTs after the last transmission instead of waiting for the RTO.
   */
  tlp: boolean;
  /**
   * Early Retransmit (RFC 5827, SACK): a lower duplicate threshold when fewer than four
   * segments are outstanding and nothing new can be sent.
   */
  earlyRetransmit: boolean;
  /**
   * RACK time-based loss detection (RFC 8985 § 6, rack.ts; Linux's default): with SACK, a
   * segment is lost when one sent after it was delivered an RTT plus a reordering window ago.
   * It works beside DupThresh (RFC 6675 IsLost), which still marks losses too.
   */
  rack: boolean;
  /**
   * HyStart++ (RFC 9406, hystart.ts): the initial slow start ends on a rise in RTT, through
   * Conservative Slow Start, instead of on a loss. It works under any congestion control
   * (RFC 9406 § 4).
   */
  hystart: boolean;
  /**
   * F-RTO (RFC 5682, frto.ts; Linux tcp_frto = 2): after a timeout, send new data instead of
   * going back N once the retransmission is ACKed, and call the timeout spurious when the next
   * ACK covers data that was never retransmitted (§ 3 with SACK, § 2 without); the response is
   * RFC 4015's (the undo of recovery.ts, with `undo`).
   */
  frto: boolean;
}

export const DEFAULT_TCP_CONFIG: Readonly<TcpConfig> = Object.freeze({
  msl: 30 * SECOND,
  initialRto: 1 * SECOND,
  minRto: 200 * MS,
  maxRto: 120 * SECOND,
  synRetries: 6,
  synAckRetries: 5,
  retries2: 15,
  delayedAck: true,
  delAckTimeout: 40 * MS,
  windowScaling: true,
  timestamps: true,
  sack: true,
  rcvBuf: 131072,
  sndBuf: 131072,
  maxBuf: 2097152,
  roundRcvBufToMss: true,
  initialCwndSegments: 10,
  congestion: 'newreno' as CongestionName,
  keepIdle: 7200 * SECOND,
  keepInterval: 75 * SECOND,
  keepCount: 9,
  keepInit: 0,
  rfc5961Syn: true,
  rfc5961Rst: true,
  challengeAckLimit: 1000,
  synCookies: true,
  synQueueMin: 16,
  dropSynFin: false,
  maxOooRanges: 32,
  ephemeralLow: 32768,
  ephemeralHigh: 60999,
  finWait2Timeout: 60 * SECOND,
  persistMin: 200 * MS,
  persistMax: 60 * SECOND,
  ttl: 64,
  tolerateMissingTs: false,
  icmpHardErrorsAbort: true,
  icmpSoftErrorsAbortConnect: true,
  processOldAcks: true,
  timeWaitReuse: false,
  rtoSlop: 0,
  synRtxDropOptions: 0,
  ecn: 'passive',
  ecnSynRetries: 0,
  reordering: 3,
  maxReordering: 300,
  undo: true,
  lostRetransmitDetection: true,
  prr: false,
  tlp: true,
  earlyRetransmit: true,
  rack: true,
  hystart: true,
  frto: true,
});

/** The window scale shift to offer so that 65535 << shift covers `maxBuf` (RFC 7323 § 2.3, ≤ 14). */
export function windowScaleFor(maxBuf: number): number {
  let shift = 0;
  while (shift < 14 && 65535 * 2 ** shift < maxBuf) shift++;
  return shift;
}
