/**
 * dig, as BIND 9.18's dig prints it (bin/dig/dig.c: printmessage, short_answer; the record
 * columns of lib/dns/masterdump.c), over a DgramApi (and a NetApi for TCP): one query, or
 * `+trace` (root → TLD → authoritative, asking each server without recursion, as the seeds'
 * picture does), plus `+short`, `+tcp`, `+ignore`, `+norecurse`, `+noedns`, `+bufsize`,
 * `+dnssec`, `-x`.
 *
 * Read first: RFC 1035 § 4.1 (the sections dig prints), RFC 6891 § 6 (the OPT pseudosection),
 * RFC 8914 (EDE), RFC 7766 § 5 (dig retries over TCP when TC is set, unless +ignore).
 *
 * Pure functions format; `dig` and `digTrace` do the I/O. "WHEN" is simulated time on a
 * wall-clock epoch (DigEnv.epochMs), so the output is deterministic. Exit statuses are BIND's
 * (`DigExit`, from bin/dig/dighost.c): 0 a reply came (any rcode, NXDOMAIN included), 1 usage,
 * 8 batch file, 9 no reply, 10 internal error ("couldn't get address for ...").
 *
 *   ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 16812
 *   ;; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 1, ADDITIONAL: 2
 */
import type { Clock } from '../../sim/clock.js';
import type { Rng } from '../../sim/rng.js';
import { MS, SECOND } from '../../sim/time.js';
import type { DgramApi, NetApi } from '../../stack/api.js';
import { formatIpv4, parseIpv4, type Ipv4Addr } from '../../wire/addr.js';
import {
  DnsClass,
  DnsType,
  Rcode,
  canonicalName,
  className,
  ednsOf,
  formatIpv6,
  formatRData,
  formatRecordLine,
  fullRcode,
  padColumn,
  opcodeName,
  parseIpv6,
  rcodeName,
  typeFromName,
  typeName,
  type DnsMessage,
  type DnsRecord,
} from '../../wire/dns.js';
import { exchange, type ExchangeResult } from '../dns/client.js';

export interface DigEnv {
  dgram: DgramApi;
  net?: NetApi;
  clock: Clock;
  rng: Rng;
  /** Wall-clock time (ms since 1970) at simulated time 0, for WHEN (default 2025-01-01). */
  epochMs?: number;
  /** Names of known servers, for "SERVER: 198.41.0.4#53(a.root-servers.net)". */
  serverNames?: Map<Ipv4Addr, string>;
}

export interface DigOptions {
  name: string;
  type?: number | string;
  class?: number;
  /** @server (the resolver of resolv.conf when omitted: the caller decides). */
  server: Ipv4Addr;
  /** How the user wrote the server ("127.0.0.1", "dns-local"). */
  serverLabel?: string;
  port?: number;
  /** +[no]recurse (default on). */
  recurse?: boolean;
  /** +tcp */
  tcp?: boolean;
  /** +ignore: keep a truncated UDP answer, no TCP retry. */
  ignoreTc?: boolean;
  /** +bufsize=N, or false for +noedns (default 1232). */
  edns?: number | false;
  /** +dnssec: the DO bit. */
  dnssec?: boolean;
  /** +timeout=T seconds (default 5). */
  timeout?: number;
  /** +tries=N (default 3). */
  tries?: number;
  /** The command line as typed, for the banner. */
  argv?: string;
  /** +short: RDATA only. */
  shortOutput?: boolean;
  /**
   * What to print (dig.c printmessage): +[no]cmd, +[no]comments, +[no]question, +[no]answer,
   * +[no]authority, +[no]additional, +[no]stats; +[no]all sets them all. Default: all on.
   */
  display?: Partial<DigDisplay>;
  /** The user named the server (@server): dig then says "(1 server found)". */
  serverGiven?: boolean;
}

/** The parts of dig's output that +[no]<part> turns on and off. */
export interface DigDisplay {
  /** The banner: "; <<>> DiG … <<>> args", "; (1 server found)", ";; global options: +cmd". */
  cmd: boolean;
  /** ";; Got answer:", the header and flags, the OPT pseudosection, the section titles. */
  comments: boolean;
  question: boolean;
  answer: boolean;
  authority: boolean;
  additional: boolean;
  /** ";; Query time", ";; SERVER", ";; WHEN", ";; MSG SIZE". */
  stats: boolean;
}

const DISPLAY_ALL: DigDisplay = {
  cmd: true,
  comments: true,
  question: true,
  answer: true,
  authority: true,
  additional: true,
  stats: true,
};

export interface DigResult {
  options: DigOptions;
  ok: boolean;
  response?: DnsMessage;
  size?: number;
  /** ns */
  rtt?: number;
  transport?: 'udp' | 'tcp';
  /** Set when a truncated UDP answer was retried over TCP. */
  retriedTcp?: boolean;
  /** Simulated time when the answer came. */
  at: number;
  /** Communication errors, one line each (";; communications error to ..."). */
  errors: string[];
}

export const DEFAULT_EPOCH_MS = Date.UTC(2025, 0, 1, 0, 0, 0);

/**
 * BIND dig's exit statuses (bin/dig/dighost.c, "Exit Codes"). A reply with any rcode is Ok
 * ("Everything went well, including things like NXDOMAIN"). BatchFile (-f) is listed for
 * completeness: wiretrail's dig has no -f.
 */
export const DigExit = {
  Ok: 0,
  Usage: 1,
  BatchFile: 8,
  NoReply: 9,
  /** dighost.c fatal(): e.g. "couldn't get address for 'x': not found" for @x. */
  Internal: 10,
} as const;

/** The exit status of one dig run: 9 when no server replied (";; no servers could be reached"). */
export function digExitCode(r: DigResult): number {
  return r.ok ? DigExit.Ok : DigExit.NoReply;
}

/** "80.100.51.198.in-addr.arpa." for -x 198.51.100.80 (and ip6.arpa for IPv6). */
export function reverseName(address: string): string | undefined {
  const v4 = parseIpv4(address);
  if (v4 !== undefined)
    return `${v4 & 0xff}.${(v4 >>> 8) & 0xff}.${(v4 >>> 16) & 0xff}.${v4 >>> 24}.in-addr.arpa.`;
  const v6 = parseIpv6(address);
  if (!v6) return undefined;
  const nibbles: string[] = [];
  for (let i = 15; i >= 0; i--) nibbles.push((v6[i] & 15).toString(16), (v6[i] >>> 4).toString(16));
  return nibbles.join('.') + '.ip6.arpa.';
}

function qtypeOf(t: number | string | undefined): number {
  if (t === undefined) return DnsType.A;
  if (typeof t === 'number') return t;
  return typeFromName(t) ?? DnsType.A;
}

/** One query as dig makes it: tries over UDP, TCP when truncated (unless +ignore). */
export async function dig(env: DigEnv, o: DigOptions): Promise<DigResult> {
  const type = qtypeOf(o.type);
  const name = canonicalName(o.name);
  const tries = o.tcp ? 1 : (o.tries ?? 3);
  const errors: string[] = [];
  const port = o.port ?? 53;
  const where = `${formatIpv4(o.server)}#${port}`;
  for (let i = 0; i < tries; i++) {
    const r: ExchangeResult = await exchange({
      dgram: env.dgram,
      net: env.net,
      clock: env.clock,
      rng: env.rng,
      server: o.server,
      port,
      question: { name, type, class: o.class ?? DnsClass.IN },
      rd: o.recurse !== false,
      edns: o.edns === undefined ? 1232 : o.edns,
      dnssecOk: o.dnssec,
      timeout: (o.timeout ?? 5) * SECOND,
      tcp: o.tcp,
      tcpFallback: !o.ignoreTc,
      randomPort: false,
    });
    if (r.ok) {
      return {
        options: o,
        ok: true,
        response: r.response,
        size: r.bytes.length,
        rtt: r.rtt,
        transport: r.transport,
        retriedTcp: r.truncated !== undefined,
        at: env.clock.now(),
        errors,
      };
    }
    errors.push(
      `;; communications error to ${where}: ${r.error === 'timeout' ? 'timed out' : r.error === 'refused' ? 'connection refused' : r.detail}`,
    );
    if (r.error === 'refused') break;
  }
  return { options: o, ok: false, at: env.clock.now(), errors };
}

// ───────────────────────────────────────── formatting ────────────────────────────────────

/** A record in dig's columns: owner (24) TTL (32) class (40) type (48) RDATA. */
export const formatDigRecord = formatRecordLine;

/**
 * ";www.server.com.			IN	A": BIND lays the question out as a record whose TTL is
 * empty, counting columns from after the ";" (so the bytes, not the looks, match dig's).
 */
export function formatDigQuestion(q: { name: string; type: number; class: number }): string {
  let s = padColumn(q.name, 32) + className(q.class);
  s = padColumn(s, 40) + typeName(q.type);
  return ';' + s;
}

const EDE_TEXT: Record<number, string> = {
  0: 'Other',
  3: 'Stale Answer',
  6: 'DNSSEC Bogus',
  13: 'Cached Error',
  15: 'Blocked',
  18: 'Prohibited',
  20: 'Not Authoritative',
  21: 'Not Supported',
  22: 'No Reachable Authority',
  23: 'Network Error',
};

function flagsText(m: DnsMessage): string {
  const h = m.header;
  const f: string[] = [];
  if (h.qr) f.push('qr');
  if (h.aa) f.push('aa');
  if (h.tc) f.push('tc');
  if (h.rd) f.push('rd');
  if (h.ra) f.push('ra');
  if (h.ad) f.push('ad');
  if (h.cd) f.push('cd');
  return f.join(' ');
}

/** "Sun Nov 22 03:18:17 UTC 2026" from simulated ns and an epoch. */
export function formatWhen(t: number, epochMs = DEFAULT_EPOCH_MS): string {
  const d = new Date(epochMs + Math.floor(t / MS));
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/**
 * The message part of dig's output (header, OPT pseudosection, sections), as dig.c's
 * printmessage() prints it: with comments, ";; Got answer:" and the header, a blank line, the
 * OPT pseudosection, and each non-empty section under its title followed by a blank line;
 * without, the records alone.
 */
export function formatDigMessage(
  m: DnsMessage,
  opts: { rdWanted?: boolean; display?: Partial<DigDisplay> } = {},
): string[] {
  const d = { ...DISPLAY_ALL, ...opts.display };
  const L: string[] = [];
  if (d.comments) L.push(...formatDigHeader(m, opts.rdWanted));
  const section = (title: string, lines: string[]): void => {
    if (lines.length === 0) return;
    if (d.comments) L.push(`;; ${title} SECTION:`, ...lines, '');
    else L.push(...lines);
  };
  if (d.question) section('QUESTION', m.questions.map(formatDigQuestion));
  if (d.answer) section('ANSWER', m.answers.map(formatDigRecord));
  if (d.authority) section('AUTHORITY', m.authorities.map(formatDigRecord));
  if (d.additional)
    section('ADDITIONAL', m.additionals.filter((r) => r.type !== DnsType.OPT).map(formatDigRecord));
  return L;
}

/** ";; Got answer:" … the OPT pseudosection: what +nocomments leaves out. */
function formatDigHeader(m: DnsMessage, rdWanted: boolean | undefined): string[] {
  const L: string[] = [';; Got answer:'];
  const rc = fullRcode(m);
  L.push(
    `;; ->>HEADER<<- opcode: ${opcodeName(m.header.opcode)}, status: ${rcodeName(rc)}, id: ${m.header.id}`,
  );
  L.push(
    `;; flags: ${flagsText(m)}; QUERY: ${m.questions.length}, ANSWER: ${m.answers.length}, AUTHORITY: ${m.authorities.length}, ADDITIONAL: ${m.additionals.length}`,
  );
  if (rdWanted !== false && m.header.rd && !m.header.ra)
    L.push(';; WARNING: recursion requested but not available');
  L.push('');
  const e = ednsOf(m);
  if (e) {
    L.push(';; OPT PSEUDOSECTION:');
    L.push(`; EDNS: version: ${e.version}, flags:${e.dnssecOk ? ' do' : ''}; udp: ${e.udpSize}`);
    for (const o of e.options) {
      if (o.code === 15 && o.data.length >= 2) {
        const code = (o.data[0] << 8) | o.data[1];
        const text = new TextDecoder().decode(o.data.subarray(2));
        L.push(`; EDE: ${code} (${EDE_TEXT[code] ?? 'Unknown'})${text ? `: (${text})` : ''}`);
      }
    }
  }
  return L;
}

/** The whole output of one dig run, as BIND prints it. */
export function formatDig(r: DigResult, env: { epochMs?: number } = {}): string {
  const o = r.options;
  const L: string[] = [];
  if (o.shortOutput) {
    if (!r.ok) return [...r.errors, ';; no servers could be reached', ''].join('\n');
    return (
      r.response!.answers.map((x) => formatRData(x)).join('\n') +
      (r.response!.answers.length ? '\n' : '')
    );
  }
  const d = { ...DISPLAY_ALL, ...o.display };
  L.push(...r.errors);
  if (r.ok && r.retriedTcp) L.push(';; Truncated, retrying in TCP mode.');
  if (d.cmd) {
    L.push('');
    L.push(
      `; <<>> wiretrail dig <<>> ${o.argv ?? `${o.serverLabel ? '@' + o.serverLabel + ' ' : ''}${o.name}`}`,
    );
    if (o.serverGiven) L.push('; (1 server found)');
    L.push(';; global options: +cmd');
  }
  if (!r.ok) {
    L.push(';; no servers could be reached');
    L.push('');
    return L.join('\n');
  }
  const m = r.response!;
  L.push(...formatDigMessage(m, { rdWanted: o.recurse !== false, display: d }));
  if (d.stats) {
    const label = o.serverLabel ?? formatIpv4(o.server);
    L.push(`;; Query time: ${Math.round((r.rtt ?? 0) / MS)} msec`);
    L.push(
      `;; SERVER: ${formatIpv4(o.server)}#${o.port ?? 53}(${label}) (${(r.transport ?? 'udp').toUpperCase()})`,
    );
    L.push(`;; WHEN: ${formatWhen(r.at, env.epochMs)}`);
    L.push(`;; MSG SIZE  rcvd: ${r.size}`);
    L.push('');
  }
  return L.length === 0 ? '' : L.join('\n') + '\n';
}

// ─────────────────────────────────────────── +trace ──────────────────────────────────────

export interface TraceStep {
  /** The server asked, and its name. */
  server: Ipv4Addr;
  serverName: string;
  /** The port asked: -p (default 53) for every step, as BIND's dig does. */
  port: number;
  ok: boolean;
  response?: DnsMessage;
  size?: number;
  rtt?: number;
  error?: string;
}

export interface DigTraceResult {
  options: DigOptions;
  steps: TraceStep[];
  /** How it ended. */
  outcome: 'answer' | 'nxdomain' | 'nodata' | 'error';
  detail?: string;
  /**
   * Why an 'error' trace stopped, when BIND's dig would exit non-zero: a server did not reply
   * (9), or a name server's address could not be found (10). Other dead ends (an error rcode,
   * a lame referral) came with replies, which BIND prints and exits 0 on.
   */
  failure?: 'no-reply' | 'no-address';
}

/** The exit status of a dig +trace run (see DigTraceResult.failure). */
export function digTraceExitCode(r: DigTraceResult): number {
  if (r.failure === 'no-reply') return DigExit.NoReply;
  if (r.failure === 'no-address') return DigExit.Internal;
  return DigExit.Ok;
}

/**
 * dig +trace (BIND's dig.c, `trace` handling): ask the configured resolver for the root NS
 * (with recursion), then ask one root server for the name without recursion, follow each
 * referral to one of the named servers (its glue, or its address from the resolver) until
 * an authoritative answer, NXDOMAIN or an error.
 */
export async function digTrace(env: DigEnv, o: DigOptions): Promise<DigTraceResult> {
  const type = qtypeOf(o.type);
  const name = canonicalName(o.name);
  const steps: TraceStep[] = [];
  const timeout = (o.timeout ?? 5) * SECOND;
  const names = env.serverNames ?? new Map<Ipv4Addr, string>();
  const ask = async (server: Ipv4Addr, qname: string, qtype: number, rd: boolean, port = 53) => {
    let last: ExchangeResult | undefined;
    for (let i = 0; i < (o.tries ?? 3); i++) {
      last = await exchange({
        dgram: env.dgram,
        net: env.net,
        clock: env.clock,
        rng: env.rng,
        server,
        port,
        question: { name: qname, type: qtype, class: DnsClass.IN },
        rd,
        edns: o.edns === undefined ? 1232 : o.edns,
        timeout,
        randomPort: false,
        tcpFallback: !o.ignoreTc,
      });
      if (last.ok || last.error === 'refused') break;
    }
    return last!;
  };
  const record = (
    server: Ipv4Addr,
    serverName: string,
    r: ExchangeResult,
    port = 53,
  ): TraceStep => {
    const st: TraceStep = r.ok
      ? {
          server,
          serverName,
          port,
          ok: true,
          response: r.response,
          size: r.bytes.length,
          rtt: r.rtt,
        }
      : { server, serverName, port, ok: false, error: r.detail };
    steps.push(st);
    return st;
  };
  const resolverName = o.serverLabel ?? formatIpv4(o.server);
  // 1. the root servers, from the resolver
  const root = record(
    o.server,
    resolverName,
    await ask(o.server, '.', DnsType.NS, true, o.port ?? 53),
    o.port ?? 53,
  );
  if (!root.ok)
    return { options: o, steps, outcome: 'error', detail: root.error, failure: 'no-reply' };
  let servers = nsWithGlue(root.response!, '.');
  let zone = '.';
  for (let hop = 0; hop < 16; hop++) {
    // pick a server with an address (glue), else ask the resolver for one
    const withAddr = servers.filter((s) => s.address !== undefined);
    let pick: { name: string; address?: Ipv4Addr } | undefined =
      withAddr.length > 0 ? withAddr[env.rng.int(withAddr.length)] : servers[0];
    if (!pick)
      return { options: o, steps, outcome: 'error', detail: `no name servers for ${zone}` };
    if (pick.address === undefined) {
      const a = await ask(o.server, pick.name, DnsType.A, true, o.port ?? 53);
      const addr = a.ok ? a.response.answers.find((x) => x.data.kind === 'A') : undefined;
      if (!addr || addr.data.kind !== 'A')
        return {
          options: o,
          steps,
          outcome: 'error',
          detail: `could not find the address of ${pick.name}`,
          failure: a.ok ? 'no-address' : 'no-reply',
        };
      pick = { name: pick.name, address: addr.data.address };
    }
    const label = pick.name.replace(/\.$/, '');
    names.set(pick.address!, label);
    // BIND's dig asks every server of the trace at the -p port, not only the first.
    const st = record(
      pick.address!,
      label,
      await ask(pick.address!, name, type, false, o.port ?? 53),
      o.port ?? 53,
    );
    if (!st.ok)
      return { options: o, steps, outcome: 'error', detail: st.error, failure: 'no-reply' };
    const m = st.response!;
    if (m.header.rcode === Rcode.NXDOMAIN) return { options: o, steps, outcome: 'nxdomain' };
    if (m.header.rcode !== Rcode.NOERROR)
      return { options: o, steps, outcome: 'error', detail: rcodeName(m.header.rcode) };
    if (m.answers.length > 0 || m.header.aa)
      return { options: o, steps, outcome: m.answers.length > 0 ? 'answer' : 'nodata' };
    const ns = m.authorities.filter((r) => r.type === DnsType.NS);
    if (ns.length === 0)
      return { options: o, steps, outcome: 'error', detail: 'no referral and no answer' };
    const child = canonicalName(ns[0].name);
    if (child === zone)
      return { options: o, steps, outcome: 'error', detail: `lame referral to ${child}` };
    zone = child;
    servers = nsWithGlue(m, child);
  }
  return { options: o, steps, outcome: 'error', detail: 'too many referrals' };
}

function nsWithGlue(m: DnsMessage, zone: string): { name: string; address?: Ipv4Addr }[] {
  const src = [...m.answers, ...m.authorities].filter(
    (r) => r.type === DnsType.NS && canonicalName(r.name) === canonicalName(zone),
  );
  return src.flatMap((r) => {
    if (r.data.kind !== 'NS') return [];
    const n = canonicalName(r.data.target);
    const g = m.additionals.find(
      (a) => a.type === DnsType.A && canonicalName(a.name) === n && a.data.kind === 'A',
    );
    return [{ name: n, address: g && g.data.kind === 'A' ? g.data.address : undefined }];
  });
}

/** BIND's +trace output: each step's answer and authority records, then "Received …". */
export function formatDigTrace(r: DigTraceResult): string {
  const o = r.options;
  const L: string[] = [
    '',
    `; <<>> wiretrail dig <<>> ${o.argv ?? `+trace ${o.name}`}`,
    ';; global options: +cmd',
  ];
  for (const st of r.steps) {
    if (!st.ok) {
      L.push(
        `;; communications error to ${formatIpv4(st.server)}#${st.port}: ${st.error ?? 'timed out'}`,
      );
      continue;
    }
    const m = st.response!;
    for (const x of [...m.answers, ...m.authorities]) L.push(formatDigRecord(x));
    L.push(
      `;; Received ${st.size} bytes from ${formatIpv4(st.server)}#${st.port}(${st.serverName}) in ${Math.round((st.rtt ?? 0) / MS)} ms`,
    );
    L.push('');
  }
  if (r.outcome === 'error' && r.detail) L.push(`;; ${r.detail}`);
  return L.join('\n') + '\n';
}

// ────────────────────────────────── host and nslookup share ──────────────────────────────

/** The addresses of an answer as text (A and AAAA). */
export function answerAddresses(m: DnsMessage): string[] {
  return m.answers.flatMap((r) =>
    r.data.kind === 'A'
      ? [formatIpv4(r.data.address)]
      : r.data.kind === 'AAAA'
        ? [formatIpv6(r.data.address)]
        : [],
  );
}

// ────────────────────────────────────── the command line ─────────────────────────────────

export interface DigCommand {
  /** @server as written (an address or a name the caller resolves), if given. */
  server?: string;
  options: Omit<DigOptions, 'server'>;
  trace: boolean;
  /** -h: print DIG_USAGE and exit 0 (dig.c dash_option: help(); exit(0)). */
  help?: boolean;
  /** BIND's warnings on stderr (";; Warning, extra type option"). */
  warnings: string[];
}

/** Sets one +[no]<part> display toggle. */
function show(part: keyof DigDisplay) {
  return (c: DigCommand, _v: string | undefined, on: boolean): undefined => {
    c.options.display = { ...c.options.display, [part]: on };
    return undefined;
  };
}

const DIG_FLAGS: Record<
  string,
  (o: DigCommand, value: string | undefined, on: boolean) => string | undefined
> = {
  trace: (c, _v, on) => void (c.trace = on),
  short: (c, _v, on) => void (c.options.shortOutput = on),
  tcp: (c, _v, on) => void (c.options.tcp = on),
  vc: (c, _v, on) => void (c.options.tcp = on),
  ignore: (c, _v, on) => void (c.options.ignoreTc = on),
  recurse: (c, _v, on) => void (c.options.recurse = on),
  rec: (c, _v, on) => void (c.options.recurse = on),
  dnssec: (c, _v, on) => void (c.options.dnssec = on),
  edns: (c, v, on) => {
    if (!on) c.options.edns = false;
    else if (v !== undefined && v !== '0') return 'only EDNS version 0 is supported';
    else if (c.options.edns === false) c.options.edns = 1232;
    return undefined;
  },
  bufsize: (c, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      return `+bufsize wants 0..65535, got "${v ?? ''}"`;
    c.options.edns = n;
    return undefined;
  },
  timeout: (c, v) => {
    const n = Number(v);
    if (!(n >= 1)) return `+timeout wants seconds ≥ 1, got "${v ?? ''}"`;
    c.options.timeout = n;
    return undefined;
  },
  tries: (c, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) return `+tries wants a count ≥ 1, got "${v ?? ''}"`;
    c.options.tries = n;
    return undefined;
  },
  retry: (c, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) return `+retry wants a count ≥ 0, got "${v ?? ''}"`;
    c.options.tries = n + 1;
    return undefined;
  },
  // dig.c plus_option: +[no]all sets every display toggle, then each one by name
  all: (c, _v, on) => {
    c.options.display = {
      cmd: on,
      comments: on,
      question: on,
      answer: on,
      authority: on,
      additional: on,
      stats: on,
    };
    return undefined;
  },
  cmd: show('cmd'),
  comments: show('comments'),
  question: show('question'),
  answer: show('answer'),
  authority: show('authority'),
  additional: show('additional'),
  stats: show('stats'),
};

/** Query classes as dns_rdataclass_fromtext() knows them (only IN is asked here). */
const CLASSES = new Set(['IN', 'CH', 'CHAOS', 'HS', 'HESIOD', 'NONE', 'ANY']);
function isClass(word: string): boolean {
  const u = word.toUpperCase();
  return CLASSES.has(u) || /^CLASS\d+$/.test(u);
}

/**
 * `dig -h` as BIND 9.18 lays it out (dig.c help()), with the options this dig takes.
 */
export const DIG_USAGE = `Usage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}
            {global-d-opt} host [@local-server] {local-d-opt}
Where:  domain	  is in the Domain Name System
        q-class  is IN (the only class here) [default: in]
        q-type   is one of (a,any,mx,ns,soa,txt,ptr,cname,aaaa,...) [default:a]
        q-opt    is one of:
                 -c class            (specify query class)
                 -p port             (specify port number)
                 -q name             (specify query name)
                 -t type             (specify query type)
                 -x dot-notation     (shortcut for reverse lookups)
        d-opt    is of the form +keyword[=value], where keyword is:
                 +[no]additional     (Control display of additional section)
                 +[no]all            (Set or clear all display flags)
                 +[no]answer         (Control display of answer section)
                 +[no]authority      (Control display of authority section)
                 +bufsize[=###]      (Set EDNS0 Max UDP packet size)
                 +[no]cmd            (Control display of command line -
                                      global option)
                 +[no]comments       (Control display of packet header
                                      and section name comments)
                 +[no]dnssec         (Request DNSSEC records)
                 +[no]edns[=###]     (Set EDNS version) [0]
                 +[no]ignore         (Don't revert to TCP for TC responses.)
                 +[no]question       (Control display of question section)
                 +[no]recurse        (Recursive mode (+[no]rdflag))
                 +retry=###          (Set number of UDP retries) [2]
                 +[no]short          (Display nothing except short
                                      form of answers - global option)
                 +[no]stats          (Control display of statistics)
                 +[no]tcp            (TCP mode (+[no]vc))
                 +timeout=###        (Set query timeout) [5]
                 +[no]trace          (Trace delegation down from root [implies
                                      +dnssec])
                 +tries=###          (Set number of UDP attempts) [3]
                 +[no]vc             (TCP mode (+[no]tcp))
        -h                           (print help and exit)
`;

/**
 * Parses dig's command line (BIND's order-free syntax): `@server`, `-p port`, `-t type`,
 * `-c class`, `-x address`, `-q name`, `+[no]option[=value]`, and words. As dig.c
 * parse_args: until -t or -c was given, a word that is a type is the type (a second one wins,
 * with ";; Warning, extra type option"), else one that is a class is the class, else it is the
 * name — so `dig AAAA www.server.com` and `dig www.server.com AAAA` ask the same. BIND makes
 * one lookup per name; this dig takes one.
 */
export function parseDigArgs(argv: readonly string[]): DigCommand | { error: string } {
  const c: DigCommand = { options: { name: '' }, trace: false, warnings: [] };
  let openTypeClass = true;
  let typeSet = false;
  let nameSet = false;
  const setName = (n: string): string | undefined => {
    if (nameSet)
      return `unexpected argument "${n}": one name per dig here (already "${c.options.name}")`;
    c.options.name = n;
    nameSet = true;
    return undefined;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('@')) {
      c.server = a.slice(1);
      continue;
    }
    if (a.startsWith('+')) {
      const m = /^\+(no)?([a-z-]+)(?:=(.*))?$/.exec(a);
      const f = m ? DIG_FLAGS[m[2]] : undefined;
      if (!m || !f) return { error: `Invalid option: ${a}` };
      const e = f(c, m[3], m[1] === undefined);
      if (e) return { error: e };
      continue;
    }
    if (a === '-h') {
      c.help = true;
      return c;
    }
    if (a === '-p' || a === '-t' || a === '-c' || a === '-x' || a === '-q') {
      const v = argv[++i];
      if (v === undefined) return { error: `option ${a} needs a value` };
      if (a === '-p') {
        const p = Number(v);
        if (!Number.isInteger(p) || p < 1 || p > 65535)
          return { error: `-p wants a port, got "${v}"` };
        c.options.port = p;
      } else if (a === '-t') {
        openTypeClass = false;
        if (typeFromName(v) === undefined) return { error: `invalid type: ${v}` };
        if (typeSet) c.warnings.push(';; Warning, extra type option');
        c.options.type = v.toUpperCase();
        typeSet = true;
      } else if (a === '-c') {
        openTypeClass = false;
        if (v.toUpperCase() !== 'IN') return { error: `only class IN is supported, got ${v}` };
      } else if (a === '-q') {
        const e = setName(v);
        if (e) return { error: e };
      } else {
        const r = reverseName(v);
        if (!r) return { error: `-x wants an IPv4 or IPv6 address, got "${v}"` };
        const e = setName(r);
        if (e) return { error: e };
        if (!typeSet) c.options.type = 'PTR';
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) return { error: `Invalid option: ${a}` };
    if (openTypeClass && typeFromName(a) !== undefined) {
      if (typeSet) c.warnings.push(';; Warning, extra type option');
      c.options.type = a.toUpperCase();
      typeSet = true;
      continue;
    }
    if (openTypeClass && isClass(a)) {
      if (a.toUpperCase() !== 'IN') return { error: `only class IN is supported, got ${a}` };
      continue;
    }
    const e = setName(a);
    if (e) return { error: e };
  }
  if (c.options.name === '') {
    // dig.c: no name, the root's NS (whatever type was given)
    c.options.name = '.';
    c.options.type = 'NS';
  }
  if (c.options.type === undefined) c.options.type = 'A';
  c.options.argv = argv.join(' ');
  return c;
}
