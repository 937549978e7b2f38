/**
 * Why a FreeBSD TCP-suite script fails against wiretrail's TCP: the RFC reason, matched by the
 * script's path. docs/tcp-deviations.md is generated from these and the battery's results
 * (TCP_DEVIATIONS_UPDATE=1 node scripts/test.mjs tcp-packetdrill).
 */

export interface Deviation {
  /** Matches the script path relative to the suite root. */
  readonly pattern: RegExp;
  readonly reason: string;
}

export const DEVIATIONS: readonly Deviation[] = [
  {
    pattern: /rcv-fin-time-wait/,
    reason:
      'RFC 9293 § 3.10.7.4 (first check): a segment that is not acceptable is answered with ' +
      '<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> — and TIME-WAIT acknowledges anything that may be a ' +
      'retransmitted FIN. FreeBSD silently drops FIN segments without ACK in TIME-WAIT (README note 1 of ' +
      'the folder says the same).',
  },
  {
    pattern: /rcv-syn-ack-listen/,
    reason:
      'RFC 9293 § 3.10.7.2 (LISTEN, second: "any acknowledgment is bad ... an acceptable reset segment ' +
      'should be formed for any arriving ACK-bearing segment"): a SYN-ACK to a listener gets ' +
      '<SEQ=SEG.ACK><CTL=RST>. FreeBSD drops it silently.',
  },
  {
    pattern: /rcv-icmp-hard-error-(comm|host|net)-prohibited/,
    reason:
      'RFC 1122 § 4.2.3.9 does not classify "administratively prohibited" (RFC 1812 § 5.2.7.1); ' +
      'it aborts a connection being established (RFC 5461 § 4) with ENETUNREACH / EHOSTUNREACH as ' +
      'Linux reports it (icmp_err_convert), where FreeBSD reports ECONNREFUSED.',
  },
  {
    pattern: /rcv-icmp-hard-error-ttl-exceeded/,
    reason:
      'RFC 1122 § 4.2.3.9: Time Exceeded is a soft error ("MUST NOT abort"); under R8 it is remembered, ' +
      'not reported through SO_ERROR. FreeBSD treats it as a hard error (the folder README note 3 says ' +
      "so); Linux aborts a connection being established on it (wiretrail's default).",
  },
  {
    pattern: /md5/,
    reason:
      'RFC 2385 / RFC 5925 (TCP MD5 signatures, TCP-AO) and TCP-over-UDP encapsulation are not implemented.',
  },
  {
    pattern: /setsockopt-(tos|ttl)/,
    reason:
      'The core has no bound-but-unconnected sockets (bind() is local to the socket shim), so the RST ' +
      'answering a segment for such a port carries the default TTL/TOS (RFC 9293 § 3.10.7.1 sets no ' +
      'rule); the scripts also use TCP-over-UDP encapsulation, which is not implemented.',
  },
  {
    pattern: /snd-syn-rtx-max-number/,
    reason:
      'SYN retransmissions follow Linux (tcp_syn_retries = 6, about 127 s, the NetApi contract); the ' +
      "script expects FreeBSD's 10 retransmissions bounded by keepinit.",
  },
];

export function deviationFor(path: string): string {
  for (const d of DEVIATIONS) if (d.pattern.test(path)) return d.reason;
  return 'Not yet analysed.';
}
