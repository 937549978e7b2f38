/**
 * `netstat -napt`, `netstat -i` and the TCP part of `netstat -s`, shaped like net-tools'
 * netstat (netstat.c tcp_do_one, lib/interface.c ife_print_short, statistics.c). Pure
 * functions: rows (sockets.ts) or counters in, lines of text out.
 *
 * Names, as net-tools prints them unless told not to (the caller looks the hosts up and passes
 * what it found, EndpointNames): netstat (lib/inet.c INET_rresolve, get_sname; netstat.c
 * addr_do_one) names every address but 0.0.0.0 (gethostbyaddr: the hosts file, then DNS) and
 * every port in /etc/services; `-n` neither, `--numeric-hosts` / `--numeric-ports` one of
 * them. Port 0 is "*", 0.0.0.0 stays "0.0.0.0". A "host:port" longer than 22 characters is cut
 * to fit the 23-character column unless `-W`: the port keeps its length (at most 18), the host
 * part is shortened ("eth0.r-core.isp.ne:http").
 *
 * Read first: RFC 4022 (the TCP-MIB counters behind `netstat -s`'s "Tcp:" section).
 */
import { formatIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type { TcpLayer } from '../../stack/tcp/layer.js';
import type { TcpStats } from '../../stack/tcp/stats.js';
import { LINUX_STATE_NAMES } from '../../stack/tcp/tcb.js';
import type { ServiceProto } from './services.js';
import { tcpSocketRows } from './sockets.js';
import type { EndpointNames, TcpSocketRow } from './sockets.js';
/** netstat's options beyond the rows. */
export interface NetstatOptions {
  names?: EndpointNames;
  /** -W: never cut a long "host:port". */
  wide?: boolean;
  /** -p: the PID/Program name column (default: shown). */
  programs?: boolean;
}

/** addr_do_one's short_len: the longest "host:port" netstat prints whole without -W. */
const NETSTAT_SHORT = 22;

/**
 * One endpoint as net-tools' netstat prints it (netstat.c addr_do_one): "host:port", named
 * unless numeric, cut to 23 characters when longer than 22 (the port kept, at most 18
 * characters of it; the host shortened) unless `wide`.
 */
export function netstatEndpoint(
  addr: Ipv4Addr,
  port: number,
  proto: ServiceProto = 'tcp',
  o: NetstatOptions = {},
): string {
  // INET_rresolve: 0.0.0.0 is never looked up
  const a = (addr === 0 ? undefined : o.names?.host?.(addr)) ?? formatIpv4(addr);
  // get_sname: port 0 is "*" even with -n
  const p = port === 0 ? '*' : (o.names?.service?.(port, proto) ?? String(port));
  if (!o.wide && a.length + p.length > NETSTAT_SHORT) {
    const pl = Math.min(p.length, NETSTAT_SHORT - 4);
    return `${a.slice(0, NETSTAT_SHORT - pl)}:${p.slice(0, pl)}`;
  }
  return `${a}:${p}`;
}

/** The addresses netstat asks names for, in the order it prints them (0.0.0.0 never). */
export function netstatLookups(rows: readonly TcpSocketRow[]): Ipv4Addr[] {
  const seen = new Set<Ipv4Addr>();
  for (const r of rows) for (const a of [r.localAddr, r.remoteAddr]) if (a !== 0) seen.add(a >>> 0);
  return [...seen];
}

/**
 * `netstat -napt` (net-tools: "%-4s  %6ld %6ld %-23s %-23s %-11s %-20s"; UDP sockets "%-5s"
 * and no state). netstat shows a listener's Send-Q as 0, as /proc/net/tcp does.
 */
export function formatNetstatNapt(rows: readonly TcpSocketRow[], o: NetstatOptions = {}): string[] {
  const programs = o.programs ?? true;
  const out = [
    'Active Internet connections (servers and established)',
    'Proto Recv-Q Send-Q Local Address           Foreign Address         State      ' +
      (programs ? ' PID/Program name    ' : ''),
  ];
  for (const r of rows) {
    const proto = r.proto ?? 'tcp';
    const sendQ = r.state === 1 ? 0 : r.sendQ;
    const state =
      proto === 'udp' ? (r.state === 4 ? 'ESTABLISHED' : '') : LINUX_STATE_NAMES[r.state];
    out.push(
      proto.padEnd(4) +
        '  ' +
        String(r.recvQ).padStart(6) +
        ' ' +
        String(sendQ).padStart(6) +
        ' ' +
        netstatEndpoint(r.localAddr, r.localPort, proto, o).padEnd(23) +
        ' ' +
        netstatEndpoint(r.remoteAddr, r.remotePort, proto, o).padEnd(23) +
        ' ' +
        state.padEnd(11) +
        (programs ? ' ' + (r.program ?? '-').padEnd(20) : ''),
    );
  }
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

/** `netstat -s` (TCP part) of a layer. */
export function netstatS(layer: TcpLayer): string {
  return formatNetstatS(layer.stats, layer.currEstab).join('\n');
}

/** One interface as `netstat -i` reads it (/proc/net/dev and the SIOCGIFFLAGS bits). */
export interface InterfaceRow {
  name: string;
  mtu: number;
  loopback: boolean;
  up: boolean;
  /** Carrier (IFF_RUNNING). */
  running: boolean;
  promiscuous: boolean;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  /** RX-OVR: the receive FIFO overruns (rx_fifo_errors). */
  rxFifoErrors: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
  txFifoErrors: number;
}

/**
 * `netstat -i` (net-tools lib/interface.c ife_print_short: "%-15.15s %5d %8llu %6lu %6lu %-6lu
 * %8llu %6lu %6lu %6lu ", then one letter per flag in its fixed order). Interfaces that are
 * down are listed only with -a, as net-tools does.
 */
export function formatNetstatI(rows: readonly InterfaceRow[], all = false): string[] {
  const out = [
    'Kernel Interface table',
    'Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg',
  ];
  // net-tools keeps its interface list sorted by name, numbers compared as numbers (nstrcmp)
  const byName = [...rows].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const r of byName) {
    if (!r.up && !all) continue;
    let flg = '';
    if (!r.loopback) flg += 'B';
    if (r.loopback) flg += 'L';
    if (!r.loopback) flg += 'M';
    if (r.promiscuous) flg += 'P';
    if (r.running) flg += 'R';
    if (r.up) flg += 'U';
    const n = (v: number, w: number): string => String(v).padStart(w);
    out.push(
      `${r.name.slice(0, 15).padEnd(15)} ${n(r.mtu, 5)} ${n(r.rxPackets, 8)} ${n(r.rxErrors, 6)} ${n(r.rxDropped, 6)} ${String(r.rxFifoErrors).padEnd(6)} ` +
        `${n(r.txPackets, 8)} ${n(r.txErrors, 6)} ${n(r.txDropped, 6)} ${n(r.txFifoErrors, 6)} ${flg === '' ? '[NO FLAGS]' : flg}`,
    );
  }
  return out;
}
