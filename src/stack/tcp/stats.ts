/**
 * TCP counters, shaped like Linux's /proc/net/snmp "Tcp:" line (RFC 4022 TCP-MIB names) plus the
 * TcpExt counters `netstat -s` prints. Every drop is counted with a reason (DESIGN.md principle 5).
 *
 * Read first: RFC 9293 (the events counted), RFC 4022 § 4 (tcpActiveOpens, tcpPassiveOpens, tcpAttemptFails, tcpEstabResets,
 * tcpCurrEstab, tcpInSegs, tcpOutSegs, tcpRetransSegs, tcpInErrs, tcpOutRsts).
 */

export interface TcpStats {
  // RFC 4022 TCP-MIB
  activeOpens: number;
  passiveOpens: number;
  attemptFails: number;
  estabResets: number;
  inSegs: number;
  outSegs: number;
  retransSegs: number;
  inErrs: number;
  inCsumErrors: number;
  outRsts: number;
  // TcpExt (Linux names in comments)
  syncookiesSent: number; // SyncookiesSent
  syncookiesRecv: number; // SyncookiesRecv
  syncookiesFailed: number; // SyncookiesFailed
  listenOverflows: number; // ListenOverflows
  listenDrops: number; // ListenDrops
  challengeAcks: number; // TCPChallengeACK
  synChallenge: number; // TCPSYNChallenge
  pawsEstab: number; // PAWSEstab
  delayedAcks: number; // DelayedACKs
  quickAcks: number; // immediate ACKs for out-of-order data or holes filled
  pureAcks: number; // TCPPureAcks
  hpAcks: number; // TCPHPAcks (ACKs advancing SND.UNA)
  fastRetrans: number; // TCPFastRetrans
  slowStartRetrans: number; // TCPSlowStartRetrans
  timeouts: number; // TCPTimeouts
  lossProbes: number; // zero-window probes (TCPWinProbe)
  renoRecovery: number; // TCPRenoRecovery
  sackRecovery: number; // TCPSackRecovery
  partialUndo: number; // partial ACKs during recovery
  ofoQueue: number; // TCPOFOQueue
  ofoDrop: number; // TCPOFODrop
  dsackSent: number; // TCPDSACKOldSent + TCPDSACKOfoSent
  sackBlocksRecv: number;
  dsackRecv: number; // TCPDSACKRecv
  reorderSeen: number; // TCPSACKReorder + TCPTSReorder (reordering degree raised)
  fullUndo: number; // TCPFullUndo (recovery undone at its end, timestamps)
  partialUndoSpurious: number; // TCPPartialUndo (recovery undone on a partial ACK, timestamps)
  dsackUndo: number; // TCPDSACKUndo
  lossUndo: number; // TCPLossUndo (an RTO undone)
  spuriousRtos: number; // TCPSpuriousRTOs
  frtoSpurious: number; // spurious RTOs detected by F-RTO (RFC 5682; also in spuriousRtos)
  hystartDelayDetect: number; // TCPHystartDelayDetect (RFC 9406: RTT rise, CSS entered)
  hystartDelayCwnd: number; // TCPHystartDelayCwnd (sum of cwnd in segments at those)
  hystartCssBack: number; // CSS left for slow start again (the RTT fell, RFC 9406 § 4.2)
  hystartExits: number; // slow start ended by HyStart++ (CSS rounds done, ssthresh = cwnd)
  lostRetransmit: number; // TCPLostRetransmit
  localCongestion: number; // segments our own device queue refused (NET_XMIT_DROP → CWR)
  ecnEceRecv: number; // ACKs with ECN-Echo that reduced the window (RFC 3168 § 6.1.2)
  keepaliveProbes: number;
  keepaliveTimeouts: number; // TCPAbortOnTimeout (keep-alive)
  abortOnTimeout: number; // TCPAbortOnTimeout
  abortOnData: number; // TCPAbortOnData (data after close)
  abortOnClose: number; // TCPAbortOnClose (unread data at close)
  timeWaitRecycled: number; // TW reused by a new SYN (RFC 6191)
  icmpErrors: number;
  pmtuUpdates: number;
  /** Drops by reason (bad segments, out of window, ...). */
  drops: Record<string, number>;
}

export function newTcpStats(): TcpStats {
  return {
    activeOpens: 0,
    passiveOpens: 0,
    attemptFails: 0,
    estabResets: 0,
    inSegs: 0,
    outSegs: 0,
    retransSegs: 0,
    inErrs: 0,
    inCsumErrors: 0,
    outRsts: 0,
    syncookiesSent: 0,
    syncookiesRecv: 0,
    syncookiesFailed: 0,
    listenOverflows: 0,
    listenDrops: 0,
    challengeAcks: 0,
    synChallenge: 0,
    pawsEstab: 0,
    delayedAcks: 0,
    quickAcks: 0,
    pureAcks: 0,
    hpAcks: 0,
    fastRetrans: 0,
    slowStartRetrans: 0,
    timeouts: 0,
    lossProbes: 0,
    renoRecovery: 0,
    sackRecovery: 0,
    partialUndo: 0,
    ofoQueue: 0,
    ofoDrop: 0,
    dsackSent: 0,
    sackBlocksRecv: 0,
    dsackRecv: 0,
    reorderSeen: 0,
    fullUndo: 0,
    partialUndoSpurious: 0,
    dsackUndo: 0,
    lossUndo: 0,
    spuriousRtos: 0,
    frtoSpurious: 0,
    hystartDelayDetect: 0,
    hystartDelayCwnd: 0,
    hystartCssBack: 0,
    hystartExits: 0,
    lostRetransmit: 0,
    localCongestion: 0,
    ecnEceRecv: 0,
    keepaliveProbes: 0,
    keepaliveTimeouts: 0,
    abortOnTimeout: 0,
    abortOnData: 0,
    abortOnClose: 0,
    timeWaitRecycled: 0,
    icmpErrors: 0,
    pmtuUpdates: 0,
    drops: {},
  };
}
