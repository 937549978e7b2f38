/**
 * `netstat -napt`, `ss -tan` and the TCP part of `netstat -s`, shaped like net-tools'
 * netstat (netstat.c tcp_do_one, statistics.c) and iproute2's ss print them. Pure functions:
 * a TcpLayer (or rows taken from it) in, lines of text out; nothing is changed.
 *
 * Read first: RFC 9293 § 3.3.2 (the states shown), RFC 4022 (the TCP-MIB counters behind
 * `netstat -s`'s "Tcp:" section).
 */
import { formatIpv4 } from '../../wire/addr.js';
import type { TcpLayer } from '../../stack/tcp/layer.js';
import type { TcpStats } from '../../stack/tcp/stats.js';
import { LINUX_STATE_NAMES } from '../../stack/tcp/tcb.js';

/** One line of the socket table. */
export interface TcpSocketRow {
  /** RFC 9293 state number (0 CLOSED ... 10 TIME-WAIT). */
  state: number;
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  /** Receive queue: unread bytes, or for a listener the connections waiting for accept(). */
  recvQ: number;
  /** Send queue: unacknowledged + unsent bytes, or for a listener its backlog (ss). */
  sendQ: number;
  /** "pid/program" if the caller knows it (netstat -p), else "-". */
  program?: string;
}

const SS_STATE = [
  'UNCONN',
  'LISTEN',
  'SYN-SENT',
  'SYN-RECV',
  'ESTAB',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
];

/** Listeners first (by port), then connections (by local port, remote address and port). */
export function tcpSocketRows(layer: TcpLayer): TcpSocketRow[] {
  const rows: TcpSocketRow[] = [];
  for (const l of layer.listenerList()) {
    rows.push({
      state: 1,
      localAddr: l.localAddr,
      localPort: l.localPort,
      remoteAddr: 0,
      remotePort: 0,
      recvQ: l.acceptQueue.length,
      sendQ: l.backlog,
    });
  }
  rows.sort((a, b) => a.localPort - b.localPort || a.localAddr - b.localAddr);
  const conns = layer
    .connections()
    .map((t) => ({
      state: t.state,
      localAddr: t.localAddr,
      localPort: t.localPort,
      remoteAddr: t.remoteAddr,
      remotePort: t.remotePort,
      recvQ: t.recvQueued,
      sendQ: t.sendQueued,
    }))
    .sort(
      (a, b) =>
        a.localPort - b.localPort ||
        a.localAddr - b.localAddr ||
        a.remoteAddr - b.remoteAddr ||
        a.remotePort - b.remotePort,
    );
  return rows.concat(conns);
}

function endpoint(addr: number, port: number): string {
  return `${formatIpv4(addr)}:${port === 0 ? '*' : port}`;
}

/**
 * `netstat -napt` (net-tools: "%-4s  %6ld %6ld %-23s %-23s %-11s %-20s"). netstat shows a
 * listener's Send-Q as 0, as /proc/net/tcp does.
 */
export function formatNetstatNapt(rows: readonly TcpSocketRow[]): string[] {
  const out = [
    'Active Internet connections (servers and established)',
    'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    ',
  ];
  for (const r of rows) {
    const sendQ = r.state === 1 ? 0 : r.sendQ;
    out.push(
      'tcp'.padEnd(4) +
        '  ' +
        String(r.recvQ).padStart(6) +
        ' ' +
        String(sendQ).padStart(6) +
        ' ' +
        endpoint(r.localAddr, r.localPort).padEnd(23) +
        ' ' +
        endpoint(r.remoteAddr, r.remotePort).padEnd(23) +
        ' ' +
        LINUX_STATE_NAMES[r.state].padEnd(11) +
        ' ' +
        (r.program ?? '-').padEnd(20),
    );
  }
  return out;
}

/** `ss -tan`: addresses right-aligned on the ':' as iproute2 prints them. */
export function formatSsTan(rows: readonly TcpSocketRow[]): string[] {
  const la = rows.map((r) => formatIpv4(r.localAddr));
  const lp = rows.map((r) => (r.localPort === 0 ? '*' : String(r.localPort)));
  const pa = rows.map((r) => formatIpv4(r.remoteAddr));
  const pp = rows.map((r) => (r.remotePort === 0 ? '*' : String(r.remotePort)));
  const law = Math.max(13, ...la.map((s) => s.length));
  const lpw = Math.max(4, ...lp.map((s) => s.length));
  const paw = Math.max(12, ...pa.map((s) => s.length));
  const ppw = Math.max(4, ...pp.map((s) => s.length));
  const out = [
    'State'.padEnd(10) +
      ' ' +
      'Recv-Q'.padEnd(6) +
      ' ' +
      'Send-Q'.padEnd(6) +
      ' ' +
      'Local Address'.padStart(law) +
      ':' +
      'Port'.padEnd(lpw) +
      ' ' +
      'Peer Address'.padStart(paw) +
      ':' +
      'Port'.padEnd(ppw) +
      ' ' +
      'Process',
  ];
  rows.forEach((r, i) => {
    out.push(
      (
        SS_STATE[r.state].padEnd(10) +
        ' ' +
        String(r.recvQ).padEnd(6) +
        ' ' +
        String(r.sendQ).padEnd(6) +
        ' ' +
        la[i].padStart(law) +
        ':' +
        lp[i].padEnd(lpw) +
        ' ' +
        pa[i].padStart(paw) +
        ':' +
        pp[i].padEnd(ppw) +
        ' ' +
        (r.program !== undefined ? `users:(("${r.program}"))` : '')
      ).trimEnd(),
    );
  });
  return out;
}

/** The "Tcp:" and "TcpExt:" sections of `netstat -s` (TcpExt lines only when non-zero, as net-tools). */
export function formatNetstatS(s: TcpStats, currEstab: number): string[] {
  const out = [
    'Tcp:',
    `    ${s.activeOpens} active connection openings`,
    `    ${s.passiveOpens} passive connection openings`,
    `    ${s.attemptFails} failed connection attempts`,
    `    ${s.estabResets} connection resets received`,
    `    ${currEstab} connections established`,
    `    ${s.inSegs} segments received`,
    `    ${s.outSegs} segments sent out`,
    `    ${s.retransSegs} segments retransmitted`,
    `    ${s.inErrs} bad segments received`,
    `    ${s.outRsts} resets sent`,
  ];
  if (s.inCsumErrors > 0) out.push(`    InCsumErrors: ${s.inCsumErrors}`);
  const ext: [number, string][] = [
    [s.syncookiesSent, 'SYN cookies sent'],
    [s.syncookiesRecv, 'SYN cookies received'],
    [s.syncookiesFailed, 'invalid SYN cookies received'],
    [s.pawsEstab, 'packets rejected in established connections because of timestamp'],
    [s.delayedAcks, 'delayed acks sent'],
    [s.listenOverflows, 'times the listen queue of a socket overflowed'],
    [s.listenDrops, 'SYNs to LISTEN sockets dropped'],
    [s.hpAcks, 'acknowledgments not containing data payload received'],
    [s.renoRecovery, 'times recovered from packet loss due to fast retransmit'],
    [s.sackRecovery, 'times recovered from packet loss by selective acknowledgements'],
    [s.fastRetrans, 'fast retransmits'],
    [s.slowStartRetrans, 'retransmits in slow start'],
    [s.timeouts, 'other TCP timeouts'],
    [s.dsackSent, 'DSACKs sent for old packets'],
    [s.abortOnData, 'connections reset due to unexpected data'],
    [s.abortOnClose, 'connections reset due to early user close'],
    [s.abortOnTimeout, 'connections aborted due to timeout'],
    [s.lossUndo, 'congestion windows recovered without slow start after partial ack'],
  ];
  const named: [number, string][] = [
    [s.challengeAcks, 'TCPChallengeACK'],
    [s.synChallenge, 'TCPSYNChallenge'],
    [s.ofoQueue, 'TCPOFOQueue'],
    [s.ofoDrop, 'TCPOFODrop'],
    [s.lossProbes, 'TCPWinProbe'],
    [s.keepaliveProbes, 'TCPKeepAlive'],
    [s.partialUndo, 'TCPPartialUndo'],
    [s.sackBlocksRecv, 'TCPSACKBlocksReceived'],
    [s.timeWaitRecycled, 'TCPTimeWaitReuse'],
    [s.pmtuUpdates, 'TCPPMTUUpdate'],
    [s.spuriousRtos, 'TCPSpuriousRTOs'],
    [s.hystartDelayDetect, 'TCPHystartDelayDetect'],
    [s.hystartDelayCwnd, 'TCPHystartDelayCwnd'],
  ];
  const lines: string[] = [];
  for (const [v, text] of ext) if (v > 0) lines.push(`    ${v} ${text}`);
  for (const [v, name] of named) if (v > 0) lines.push(`    ${name}: ${v}`);
  const drops = Object.entries(s.drops).sort(([a], [b]) => a.localeCompare(b));
  for (const [reason, n] of drops) lines.push(`    TCPDrop(${reason}): ${n}`);
  if (lines.length > 0) out.push('TcpExt:', ...lines);
  return out;
}

/** `netstat -napt` of a layer. */
export function netstatNapt(layer: TcpLayer): string {
  return formatNetstatNapt(tcpSocketRows(layer)).join('\n');
}

/** `ss -tan` of a layer. */
export function ssTan(layer: TcpLayer): string {
  return formatSsTan(tcpSocketRows(layer)).join('\n');
}

/** `netstat -s` (TCP part) of a layer. */
export function netstatS(layer: TcpLayer): string {
  return formatNetstatS(layer.stats, layer.currEstab).join('\n');
}
