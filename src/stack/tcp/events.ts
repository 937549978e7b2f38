/**
 * The trace events TCP emits (DESIGN.md principle 4: why, not only what). Emitters check
 * `bus.active` first, so none of these objects exist when nobody listens.
 *
 * Read first: RFC 9293 § 3.3.2 (state names used in `tcp.state`).
 */

/** Addresses of the connection an event belongs to (numbers, formatted by readers). */
export interface TcpConnRef {
  laddr: number;
  lport: number;
  raddr: number;
  rport: number;
}

declare module '../../sim/trace.js' {
  interface TraceEventMap {
    /** A state transition (RFC 9293 § 3.3.2 names) and its cause. */
    'tcp.state': {
      laddr: number;
      lport: number;
      raddr: number;
      rport: number;
      from: string;
      to: string;
      why: string;
    };
    /** A segment handed to IPv4; `why` says what caused it ("data", "retransmit (RTO)", "delayed ACK", ...). */
    'tcp.segment-out': {
      laddr: number;
      lport: number;
      raddr: number;
      rport: number;
      seq: number;
      ack: number;
      /** tcpdump-style flags: "S", "S.", ".", "P.", "F.", "R", "R." */
      flags: string;
      len: number;
      win: number;
      why: string;
    };
    /** A segment received for a connection or listener (before state processing). */
    'tcp.segment-in': {
      laddr: number;
      lport: number;
      raddr: number;
      rport: number;
      seq: number;
      ack: number;
      flags: string;
      len: number;
      win: number;
    };
    /** Congestion state after a change (bytes, ns). */
    'tcp.cwnd': {
      laddr: number;
      lport: number;
      raddr: number;
      rport: number;
      cwnd: number;
      ssthresh: number;
      /** Smoothed RTT, ns (0 before the first sample). */
      rtt: number;
      rto: number;
      why: string;
    };
    /** Path MTU lowered by an ICMP "fragmentation needed" (RFC 1191): the new MTU and MSS. */
    'tcp.pmtu': {
      laddr: number;
      lport: number;
      raddr: number;
      rport: number;
      from: string;
      mtu: number;
      mss: number;
    };
    /** A segment dropped by TCP, with the reason (counted in TcpStats.drops). */
    'tcp.drop': { laddr: number; lport: number; raddr: number; rport: number; reason: string };
  }
}

export {};
