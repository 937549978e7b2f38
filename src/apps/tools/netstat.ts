/**
 * `netstat -napt`, `ss -tan` and the TCP part of `netstat -s`, shaped like net-tools'
 * netstat (netstat.c tcp_do_one, statistics.c) and iproute2's ss print them. Pure functions:
 * a TcpLayer (or rows taken from it) in, lines of text out; nothing is changed.
 *
 * Names, as the Linux tools print them unless told not to (the caller looks the hosts up and
 * passes what it found, EndpointNames):
 * - net-tools netstat (lib/inet.c INET_rresolve, get_sname; netstat.c addr_do_one) names
 *   every address but 0.0.0.0 (gethostbyaddr: the hosts file, then DNS) and every port in
 *   /etc/services; `-n` neither, `--numeric-hosts` / `--numeric-ports` one of them. Port 0
 *   is "*", 0.0.0.0 stays "0.0.0.0". A "host:port" longer than 22 characters is cut to fit
 *   the 23-character column unless `-W`: the port keeps its length (at most 18), the host
 *   part is shortened ("eth0.r-core.isp.ne:http").
 * - iproute2 ss (ss.c resolve_service, inet_addr_print; lib/utils.c format_host) names ports
 *   by default (`-n`: not), except a port of ip_local_port_range, never looked up; host names
 *   only with `-r`, and then every address, 0.0.0.0 included. Nothing is cut: the columns
 *   widen.
 *
 * Read first: RFC 9293 § 3.3.2 (the states shown), RFC 4022 (the TCP-MIB counters behind
 * `netstat -s`'s "Tcp:" section).
 */
import { formatIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type { TcpLayer } from '../../stack/tcp/layer.js';
import type { TcpStats } from '../../stack/tcp/stats.js';
import { LINUX_STATE_NAMES } from '../../stack/tcp/tcb.js';
import { serviceName } from './services.js';
import type { ServiceProto } from './services.js';

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
  /** 'udp' for a UDP socket (state 0, unconnected); default 'tcp'. */
  proto?: ServiceProto;
}

/**
 * How addresses and ports are named; a missing function, or one that answers undefined,
 * leaves the number (`-n`).
 */
export interface EndpointNames {
  /** The host name of an address (looked up beforehand: the hosts file, then a PTR query). */
  host?: (addr: Ipv4Addr) => string | undefined;
  /** The service name of a port (/etc/services). */
  service?: (port: number, proto: ServiceProto) => string | undefined;
}

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

/** The addresses `ss -r` asks names for, in the order it prints them (0.0.0.0 too). */
export function ssLookups(rows: readonly TcpSocketRow[]): Ipv4Addr[] {
  const seen = new Set<Ipv4Addr>();
  for (const r of rows) for (const a of [r.localAddr, r.remoteAddr]) seen.add(a >>> 0);
  return [...seen];
}

/** Linux's default net.ipv4.ip_local_port_range. */
const LOCAL_PORT_RANGE: readonly [number, number] = [32768, 60999];

/**
 * ss's service names (ss.c resolve_service, is_ephemeral): /etc/services, but never for a
 * port of ip_local_port_range (default 32768–60999: "socks" or "cfinger" on a client port
 * would mislead).
 */
export function ssServiceNames(
  range: readonly [number, number] = LOCAL_PORT_RANGE,
): (port: number, proto: ServiceProto) => string | undefined {
  return (port, proto) =>
    port >= range[0] && port <= range[1] ? undefined : serviceName(port, proto);
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

/**
 * `ss -tan`: addresses right-aligned on the ':' as iproute2 prints them; with `names`, `ss -ta`
 * (services) and `ss -tar` (hosts too).
 */
export function formatSsTan(rows: readonly TcpSocketRow[], names: EndpointNames = {}): string[] {
  const host = (a: Ipv4Addr): string => names.host?.(a) ?? formatIpv4(a);
  const port = (p: number, proto: ServiceProto): string =>
    p === 0 ? '*' : (names.service?.(p, proto) ?? String(p));
  const la = rows.map((r) => host(r.localAddr));
  const lp = rows.map((r) => port(r.localPort, r.proto ?? 'tcp'));
  const pa = rows.map((r) => host(r.remoteAddr));
  const pp = rows.map((r) => port(r.remotePort, r.proto ?? 'tcp'));
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

/**
 * `ss -s` (iproute2 ss.c print_summary, from /proc/net/sockstat): "Total" counts every socket;
 * the TCP line's total counts TIME-WAIT ones too, "closed" is total − hashed + timewait as ss
 * computes it, "estab" is CurrEstab (ESTABLISHED and CLOSE-WAIT). No IPv6, raw sockets or
 * fragments here: those columns are 0.
 */
export function formatSsSummary(tcp: readonly TcpSocketRow[], udpSockets: number): string[] {
  const CLOSED = 0;
  const ESTABLISHED = 4;
  const CLOSE_WAIT = 7;
  const TIME_WAIT = 10;
  const total = tcp.length;
  const hashed = tcp.filter((r) => r.state !== CLOSED).length;
  const tw = tcp.filter((r) => r.state === TIME_WAIT).length;
  const estab = tcp.filter((r) => r.state === ESTABLISHED || r.state === CLOSE_WAIT).length;
  const row = (name: string, n: number): string =>
    `${name}\t  ${String(n).padEnd(9)} ${String(n).padEnd(9)} ${'0'.padEnd(9)}`;
  return [
    `Total: ${total + udpSockets}`,
    `TCP:   ${total} (estab ${estab}, closed ${total - hashed + tw}, orphaned 0, timewait ${tw})`,
    '',
    'Transport Total     IP        IPv6',
    row('RAW', 0),
    row('UDP', udpSockets),
    row('TCP', hashed),
    row('INET', udpSockets + hashed),
    row('FRAG', 0),
  ];
}
