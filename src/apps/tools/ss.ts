/**
 * iproute2's `ss`: the socket list (`-tan`), `-i` (tcp_info), `-o` (timers), `-s` (summary),
 * state filters and filter expressions (ss.c, ssfilter.y). Pure functions: rows (sockets.ts)
 * in, lines of text out, or a parsed filter.
 *
 * Names: ss names ports by default (`-n`: not; ss.c resolve_service), except a port of
 * ip_local_port_range, never looked up; host names only with `-r` (lib/utils.c format_host),
 * and then every address, 0.0.0.0 included. Nothing is cut: the columns widen.
 */
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type { TcpLayer } from '../../stack/tcp/layer.js';
import { SERVICES, serviceName } from './services.js';
import type { ServiceProto } from './services.js';
import { tcpSocketRows } from './sockets.js';
import type { EndpointNames, SsTcpInfo, SsTimer, TcpSocketRow } from './sockets.js';
/**
 * ss.c print_ms_timer: "1min", "59sec", "200ms", "1.500ms" as iproute2 spells them (minutes
 * drop the ms, and above 9 minutes the seconds; seconds above 9 drop the ms; 0 is "").
 */
export function printMsTimer(timeout: number): string {
  let secs = Math.floor(timeout / 1000);
  const minutes = Math.floor(secs / 60);
  secs %= 60;
  let msecs = timeout % 1000;
  let buf = '';
  if (minutes) {
    msecs = 0;
    buf = `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    buf += `${secs}${msecs ? '.' : 'sec'}`;
  }
  if (msecs) buf += `${String(msecs).padStart(3, '0')}ms`;
  return buf;
}

/** ss.c tcp_timer_print: " timer:(name,time,retrans)", nothing without a timer. */
export function formatSsTimer(t: SsTimer | null | undefined): string {
  if (t === null || t === undefined) return '';
  return ` timer:(${t.name},${printMsTimer(t.ms)},${t.retrans})`;
}

/**
 * C's printf("%.Pg") (P = 6 by default): P significant digits, trailing zeros dropped, an
 * exponent when it is below -4 or at least P.
 */
export function formatG(x: number, precision = 6): string {
  if (x === 0) return '0';
  const [m, ex] = x.toExponential(precision - 1).split('e');
  const e = Number(ex);
  const trim = (d: string): string =>
    d.includes('.') ? d.replace(/0+$/, '').replace(/\.$/, '') : d;
  if (e < -4 || e >= precision)
    return `${trim(m)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return trim(x.toFixed(Math.max(0, precision - 1 - e)));
}

/**
 * ss's sprint_bw: bits per second, "%.0f" with -n, else "%.3g" and T/G/M/k ("2.32G"; the
 * caller adds "bps").
 */
export function formatBw(bps: number, numeric: boolean): string {
  if (numeric) return bps.toFixed(0);
  if (bps >= 1e12) return `${formatG(bps / 1e12, 3)}T`;
  if (bps >= 1e9) return `${formatG(bps / 1e9, 3)}G`;
  if (bps >= 1e6) return `${formatG(bps / 1e6, 3)}M`;
  if (bps >= 1e3) return `${formatG(bps / 1e3, 3)}k`;
  return formatG(bps);
}

/**
 * The second line `ss -i` prints under a TCP socket (iproute2 ss.c tcp_stats_print, in its
 * order): a tab, then " name:value" for each field that is not zero. Fields we do not model
 * (rcvmss, pacing_rate, delivery_rate, delivered, busy, a connection's unacked, lost, sacked,
 * rcv_rtt, rcv_space, rcv_ssthresh, rcv_wnd) are left out. With `options` (-o) the line opens
 * with the option words (ts sack ecn ecnseen). null (TIME-WAIT, SYN-RECV): the tab alone.
 */
export function formatSsInfo(i: SsTcpInfo | null, numeric = false, options = false): string {
  let s = '\t';
  if (i === null) return s;
  // tcp_show_info reads the option words only with -o (show_options)
  if (options) {
    if (i.ts) s += ' ts';
    if (i.sack) s += ' sack';
    if (i.ecn) s += ' ecn';
    if (i.ecnseen) s += ' ecnseen';
  }
  if (i.cong !== '') s += ` ${i.cong}`;
  if (i.wscale !== undefined) s += ` wscale:${i.wscale[0]},${i.wscale[1]}`;
  if (i.rto) s += ` rto:${formatG(i.rto)}`;
  if (i.backoff) s += ` backoff:${i.backoff}`;
  if (i.rtt) s += ` rtt:${formatG(i.rtt)}/${formatG(i.rttvar)}`;
  if (i.ato) s += ` ato:${formatG(i.ato)}`;
  if (i.mss) s += ` mss:${i.mss}`;
  if (i.pmtu) s += ` pmtu:${i.pmtu}`;
  if (i.advmss) s += ` advmss:${i.advmss}`;
  if (i.cwnd) s += ` cwnd:${i.cwnd}`;
  if (i.ssthresh && i.ssthresh < 0xffff) s += ` ssthresh:${i.ssthresh}`;
  if (i.bytesSent) s += ` bytes_sent:${i.bytesSent}`;
  if (i.bytesRetrans) s += ` bytes_retrans:${i.bytesRetrans}`;
  if (i.bytesAcked) s += ` bytes_acked:${i.bytesAcked}`;
  if (i.bytesReceived) s += ` bytes_received:${i.bytesReceived}`;
  if (i.segsOut) s += ` segs_out:${i.segsOut}`;
  if (i.segsIn) s += ` segs_in:${i.segsIn}`;
  if (i.dataSegsOut) s += ` data_segs_out:${i.dataSegsOut}`;
  if (i.dataSegsIn) s += ` data_segs_in:${i.dataSegsIn}`;
  // tcp_show_info: cwnd · mss · 8 / rtt, from tcp_info's whole microseconds
  const rttUs = Math.round(i.rtt * 1000);
  if (rttUs > 0 && i.mss && i.cwnd)
    s += ` send ${formatBw((i.cwnd * i.mss * 8_000_000) / rttUs, numeric)}bps`;
  if (i.lastsnd) s += ` lastsnd:${i.lastsnd}`;
  if (i.lastrcv) s += ` lastrcv:${i.lastrcv}`;
  if (i.lastack) s += ` lastack:${i.lastack}`;
  if (i.unacked) s += ` unacked:${i.unacked}`;
  if (i.retrans || i.totalRetrans) s += ` retrans:${i.retrans ?? 0}/${i.totalRetrans ?? 0}`;
  if (i.reordering !== 3) s += ` reordering:${i.reordering}`;
  if (i.notsent) s += ` notsent:${i.notsent}`;
  if (i.minrtt) s += ` minrtt:${formatG(i.minrtt)}`;
  if (i.sndWnd) s += ` snd_wnd:${i.sndWnd}`;
  return s;
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

/** ss's display options beyond the names. */
export interface SsOptions {
  /** -i: a second line of TCP internals under each TCP socket (rows carry `info`). */
  info?: boolean;
  /** -o: the timer column (rows carry `timer`), and with -i the option words. */
  options?: boolean;
  /** -n: also makes the rates of -i plain numbers (sprint_bw). */
  numeric?: boolean;
  /**
   * The State column (default shown). iproute2 hides it when the state filter holds one
   * state only (`ss -t state established`, `ss -u`).
   */
  state?: boolean;
}

/**
 * `ss -tan`: addresses right-aligned on the ':' as iproute2 prints them; with `names`, `ss -ta`
 * (services) and `ss -tar` (hosts too); with `o.info`, `ss -tani`.
 */
export function formatSsTan(
  rows: readonly TcpSocketRow[],
  names: EndpointNames = {},
  o: SsOptions = {},
): string[] {
  const stateCol = o.state ?? true;
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
    (stateCol ? 'State'.padEnd(10) + ' ' : '') +
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
        (stateCol ? SS_STATE[r.state].padEnd(10) + ' ' : '') +
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
        // the Process column: proc_ctx_print's " users:(...)", then inet_show_sock's timer
        (r.program !== undefined ? ` users:(("${r.program}"))` : '') +
        (o.options ? formatSsTimer(r.timer) : '')
      ).trimEnd(),
    );
    // ss.c inet_show_sock: no tcp_info line for UDP
    if (o.info && (r.proto ?? 'tcp') === 'tcp')
      out.push(formatSsInfo(r.info ?? null, o.numeric, o.options));
  });
  return out;
}

/** `ss -tan` of a layer. */
export function ssTan(layer: TcpLayer): string {
  return formatSsTan(tcpSocketRows(layer)).join('\n');
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

// ───────────────────────────── ss state filters (iproute2 ss.c) ──────────────────────────────

/** ss's state bits (ss.c SS_UNKNOWN ... SS_CLOSING), by our RFC 9293 state number. */
const SS_BIT_OF_STATE = [7, 10, 2, 3, 1, 4, 5, 8, 11, 9, 6];
const SS_ESTABLISHED = 1;
const SS_SYN_SENT = 2;
const SS_SYN_RECV = 3;
const SS_TIME_WAIT = 6;
const SS_CLOSE = 7;
const SS_LISTEN = 10;
/** SS_ALL: every state bit (1 << SS_MAX) - 1. */
export const SS_ALL = (1 << 12) - 1;
/** SS_CONN: what ss lists of TCP by default (not LISTEN, CLOSE, TIME-WAIT, SYN-RECV). */
export const SS_CONN =
  SS_ALL & ~((1 << SS_LISTEN) | (1 << SS_CLOSE) | (1 << SS_TIME_WAIT) | (1 << SS_SYN_RECV));
/** `-l`: listening (TCP) and unconnected (UDP) sockets. */
export const SS_LISTENING = (1 << SS_LISTEN) | (1 << SS_CLOSE);
/** UDP's default: connected sockets only. */
export const SS_UDP_DEFAULT = 1 << SS_ESTABLISHED;

/** ss.c scan_state's names (sstate_namel), by state bit. */
const SS_STATE_NAMES = [
  'UNKNOWN',
  'established',
  'syn-sent',
  'syn-recv',
  'fin-wait-1',
  'fin-wait-2',
  'time-wait',
  'unconnected',
  'close-wait',
  'last-ack',
  'listening',
  'closing',
];

/** ss.c scan_state: one STATE-FILTER word as state bits, undefined if unknown. */
export function ssScanState(word: string): number | undefined {
  const w = word.toLowerCase();
  if (w === 'close' || w === 'closed') return 1 << SS_CLOSE;
  if (w === 'syn-rcv') return 1 << SS_SYN_RECV;
  if (w === 'all') return SS_ALL;
  if (w === 'connected') return SS_ALL & ~((1 << SS_CLOSE) | (1 << SS_LISTEN));
  if (w === 'synchronized')
    return SS_ALL & ~((1 << SS_CLOSE) | (1 << SS_LISTEN) | (1 << SS_SYN_SENT));
  if (w === 'bucket') return (1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT);
  if (w === 'big') return SS_ALL & ~((1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT));
  const i = SS_STATE_NAMES.findIndex((n) => n.toLowerCase() === w);
  return i < 0 ? undefined : 1 << i;
}

/**
 * ss's leading `state STATE` / `exclude STATE` (or `excl`) words, as its main() reads them:
 * the first `state` replaces what -a/-l chose (`initial`), the first `exclude` starts from
 * all states; later ones add or take away. What follows is an expression (`rest`).
 */
export function ssStateFilter(
  initial: number,
  args: readonly string[],
): { states: number; rest: string[] } | { error: string } {
  let states = initial;
  let saw = false;
  let i = 0;
  for (; i < args.length; i++) {
    const kw = args[i];
    if (kw !== 'state' && kw !== 'exclude' && kw !== 'excl') break;
    const word = args[++i];
    if (word === undefined) return { error: 'Command line is not complete. Try option "help"' };
    const bits = ssScanState(word);
    if (bits === undefined) return { error: `ss: wrong state name: ${word}` };
    if (kw === 'state') states = (saw ? states : 0) | bits;
    else states = (saw ? states : SS_ALL) & ~bits;
    saw = true;
  }
  return { states, rest: args.slice(i) };
}

/** Whether a row's state is one of `states` (ss's state bits). */
export function ssStateMatches(states: number, rfcState: number): boolean {
  return (states & (1 << SS_BIT_OF_STATE[rfcState])) !== 0;
}

/** iproute2 hides the State column when the filter holds a single state. */
export function ssShowsState(states: number): boolean {
  return (states & (states - 1)) !== 0;
}

// ─────────────────────── ss filter expressions (iproute2 ssfilter.y) ──────────────────────────

/** A parsed ss filter expression (ssfilter.y's nodes: SSF_DCOND, SSF_D_GE, SSF_AND, ...). */
export type SsExpr =
  | { k: 'and' | 'or'; a: SsExpr; b: SsExpr }
  | { k: 'not'; a: SsExpr }
  /** dport/sport compared with >= or <= (SSF_D_GE, SSF_S_LE, ...). */
  | { k: 'range'; side: 'd' | 's'; ge: boolean; port: number }
  /** dst/src/dport/sport equal to a host condition: an address prefix and/or a port. */
  | { k: 'cond'; side: 'd' | 's'; addr: number; bits: number; port: number };

/** getservbyname(): the port of a service name or alias, for TCP (ss tries UDP too). */
function servicePort(name: string): number | undefined {
  for (const proto of ['tcp', 'udp'] as const)
    for (const s of SERVICES)
      if (s.proto === proto && (s.name === name || s.aliases.includes(name))) return s.port;
  return undefined;
}

/**
 * ss.c parse_hostcond for IPv4: "ADDR[/BITS][:PORT]", "*:PORT", ":PORT" (a port of "*" or
 * none: any); with `portOnly` (dport/sport, parse_port) a bare "80" or "http" is a port.
 */
function hostCond(
  text: string,
  portOnly: boolean,
): { addr: number; bits: number; port: number } | string {
  let t = text;
  if (portOnly && !t.startsWith(':')) t = `:${t}`;
  let addrText = t;
  let portText = '';
  const colon = t.lastIndexOf(':');
  if (colon >= 0) {
    addrText = t.slice(0, colon);
    portText = t.slice(colon + 1);
  }
  let port = -1;
  if (portText !== '' && portText !== '*') {
    if (/^\d+$/.test(portText)) port = Number(portText);
    else {
      const p = servicePort(portText);
      if (p === undefined) return `Error: "${portText}" does not look like a port.`;
      port = p;
    }
  }
  if (addrText === '' || addrText === '*') return { addr: 0, bits: 0, port };
  const [a, b] = addrText.split('/');
  const addr = parseIpv4(a);
  const bits = b === undefined ? 32 : /^\d+$/.test(b) ? Number(b) : NaN;
  if (addr === undefined || !(bits >= 0 && bits <= 32))
    return `Error: an inet prefix is expected rather than "${addrText}".`;
  return { addr, bits, port };
}

const SS_OPS: Readonly<Record<string, string>> = {
  '=': 'eq',
  '==': 'eq',
  eq: 'eq',
  '!=': 'ne',
  ne: 'ne',
  neq: 'ne',
  '>=': 'ge',
  ge: 'ge',
  geq: 'ge',
  '<=': 'le',
  le: 'le',
  leq: 'le',
  '>': 'gt',
  gt: 'gt',
  '<': 'lt',
  lt: 'lt',
};

/**
 * ss's filter expression (ssfilter.y): `dport`/`sport` OP port, `dst`/`src` [=|!=] host
 * condition, joined by `and` (`&`, `&&`, or nothing), `or` (`|`, `||`), `not` (`!`) and
 * parentheses, which may sit inside one quoted word (`'( dport = :http )'`). OP: = == eq,
 * != ne neq, > gt, < lt, >= ge geq, <= le leq. Other keywords (dev, fwmark, cgroup, host
 * names) are not supported: an error string.
 */
export function parseSsExpr(args: readonly string[]): SsExpr | string {
  const toks = args
    .join(' ')
    .replace(/([()])/g, ' $1 ')
    .split(/\s+/)
    .filter((w) => w !== '');
  let i = 0;
  const syntax = 'ss: bison bellows (while parsing filter): "syntax error!"';
  const peek = (): string | undefined => toks[i];
  function cond(): SsExpr | string {
    const kw = toks[i++];
    if (kw === undefined) return syntax;
    const side = kw === 'dport' || kw === 'dst' ? 'd' : 's';
    if (kw === 'dport' || kw === 'sport') {
      let op = 'eq';
      if (peek() !== undefined && SS_OPS[peek()!] !== undefined) op = SS_OPS[toks[i++]];
      const v = toks[i++];
      if (v === undefined) return syntax;
      const h = hostCond(v, true);
      if (typeof h === 'string') return h;
      if (op === 'eq' || op === 'ne') {
        const c: SsExpr = { k: 'cond', side, ...h };
        return op === 'eq' ? c : { k: 'not', a: c };
      }
      // ssfilter.y: > is not <=, < is not >=
      if (op === 'ge' || op === 'le') return { k: 'range', side, ge: op === 'ge', port: h.port };
      return { k: 'not', a: { k: 'range', side, ge: op === 'lt', port: h.port } };
    }
    if (kw === 'dst' || kw === 'src') {
      let neg = false;
      const op = SS_OPS[peek() ?? ''];
      if (op === 'eq' || op === 'ne') {
        neg = op === 'ne';
        i++;
      }
      const v = toks[i++];
      if (v === undefined) return syntax;
      const h = hostCond(v, false);
      if (typeof h === 'string') return h;
      const c: SsExpr = { k: 'cond', side, ...h };
      return neg ? { k: 'not', a: c } : c;
    }
    return `ss: "${kw}" in a filter expression is not supported (dport, sport, dst, src with addresses, and, or, not)`;
  }
  function unary(): SsExpr | string {
    const t = peek();
    if (t === '!' || t === 'not') {
      i++;
      const a = unary();
      return typeof a === 'string' ? a : { k: 'not', a };
    }
    if (t === '(') {
      i++;
      const e = or();
      if (typeof e === 'string') return e;
      if (toks[i++] !== ')') return syntax;
      return e;
    }
    return cond();
  }
  function and(): SsExpr | string {
    let a = unary();
    for (;;) {
      if (typeof a === 'string') return a;
      const t = peek();
      if (t === undefined || t === ')' || t === '|' || t === '||' || t === 'or') return a;
      if (t === '&' || t === '&&' || t === 'and') i++;
      const b = unary();
      if (typeof b === 'string') return b;
      a = { k: 'and', a, b };
    }
  }
  function or(): SsExpr | string {
    let a = and();
    for (;;) {
      if (typeof a === 'string') return a;
      const t = peek();
      if (t !== '|' && t !== '||' && t !== 'or') return a;
      i++;
      const b = and();
      if (typeof b === 'string') return b;
      a = { k: 'or', a, b };
    }
  }
  const e = or();
  if (typeof e !== 'string' && i < toks.length) return syntax;
  return e;
}

/** ss.c run_ssfilter: whether a socket passes the expression. */
export function ssExprMatches(e: SsExpr, r: TcpSocketRow): boolean {
  switch (e.k) {
    case 'and':
      return ssExprMatches(e.a, r) && ssExprMatches(e.b, r);
    case 'or':
      return ssExprMatches(e.a, r) || ssExprMatches(e.b, r);
    case 'not':
      return !ssExprMatches(e.a, r);
    case 'range': {
      const port = e.side === 'd' ? r.remotePort : r.localPort;
      return e.ge ? port >= e.port : port <= e.port;
    }
    case 'cond': {
      const port = e.side === 'd' ? r.remotePort : r.localPort;
      const addr = e.side === 'd' ? r.remoteAddr : r.localAddr;
      if (e.port !== -1 && port !== e.port) return false;
      if (e.bits === 0) return true;
      const mask = e.bits === 32 ? 0xffffffff : ~(0xffffffff >>> e.bits);
      return ((addr ^ e.addr) & mask) === 0;
    }
  }
}
