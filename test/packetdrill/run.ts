/**
 * Runs a packetdrill script (parse.ts) against one TcpLayer in the simulator: inbound segments
 * are built as TCP bytes (wire/tcp.ts emit, real checksums) and handed to TcpLayer.input as
 * IPv4 would; outbound segments are what the layer hands to TransportHost.ipSend, parsed back
 * with wire/tcp.ts and compared with the script; system calls go to a small BSD-socket shim
 * over the layer's core calls (conn.ts); time is the Scheduler's.
 *
 * General relaxation rules (the only ways in which FreeBSD-specific details are not checked;
 * no script is edited). They are listed in docs/tcp-deviations.md too:
 *
 *  R1 Window values: an advertised window is compared only as zero versus non-zero (the exact
 *     value is local buffer policy: FreeBSD rounds buffers to the MSS, scales by its own shift).
 *  R2 TCP options are compared as a set: order, NOP and EOL padding are ignored; the window
 *     scale shift and TSval are local choices and only their presence is checked; MSS values,
 *     SACK-permitted, TSecr and SACK blocks (in order) are checked exactly.
 *  R3 getsockopt(SO_RCVBUF / SO_SNDBUF) values are not compared (buffer sizing policy).
 *  R4 `sysctl -w` lines map onto TcpLayer configuration where an equivalent exists (sack.enable,
 *     rfc1323, recvspace, sendspace, maxsockbuf, delacktime, insecure_syn, insecure_rst,
 *     drop_synfin, keepinit/keepidle/keepintvl/keepcnt, icmp_may_rst, rexmit_initial,
 *     syncookies, tolerate_missing_ts, rexmit_slop, rexmit_drop_options, ecn.enable,
 *     ecn.maxretries); the others (blackhole,
 *     hostcache, udp_tunneling_*) have no equivalent and are accepted as no-ops.
 *  R5 `sockstat ... | grep -c STATE | grep N` counts the layer's sockets in that state;
 *     `tcpdrop -s TIME_WAIT` drops TIME-WAIT connections; `setkey -F` is a no-op.
 *  R6 Relative times are relative to the previous event's actual time, as packetdrill does; the
 *     tolerance is the script's --tolerance_usecs (packetdrill's default 4 ms otherwise).
 *  R7 `#ifdef STANDARD` blocks (the RFC behaviour) are used, `#ifdef FreeBSD` blocks are not
 *     (parse.ts).
 *  R8 ICMP soft errors do not abort a connection being established (FreeBSD's and RFC 1122's
 *     rule; wiretrail's default follows Linux, icmpSoftErrorsAbortConnect).
 */
import { Scheduler } from '../../src/sim/scheduler.js';
import { SECOND } from '../../src/sim/time.js';
import { parseTcp, emitTcp, tcpHeaderLen, TcpFlags } from '../../src/wire/tcp.js';
import type { TcpOption, TcpRepr } from '../../src/wire/tcp.js';
import { SocketError } from '../../src/stack/api.js';
import { TcpLayer } from '../../src/stack/tcp/layer.js';
import type { Tcb, TcbUser } from '../../src/stack/tcp/tcb.js';
import type { Listener } from '../../src/stack/tcp/listener.js';
import {
  userClose,
  userRecv,
  userSend,
  userShutdown,
  setNoDelay,
} from '../../src/stack/tcp/conn.js';
import {
  F_NOOPT,
  F_RCVD_FIN,
  F_SACK_OK,
  F_TS_OK,
  F_WS_OK,
  CLOSED,
} from '../../src/stack/tcp/tcb.js';
import { ECN_OK } from '../../src/stack/tcp/ecn.js';
import { FakeHost, rxMeta } from '../../src/stack/tcp/testing.js';
import type { SentDatagram } from '../../src/stack/tcp/testing.js';
import { parseScript } from './parse.js';
import type { IcmpEvent, PacketEvent, ScriptEvent, ScriptOption, SyscallEvent } from './parse.js';

const LOCAL = 0xc0a80001; // 192.168.0.1, packetdrill's default local address
const REMOTE = 0xc0000201; // 192.0.2.1, packetdrill's default remote address
const SERVER_PORT = 8080;
const CLIENT_PORT = 40000;
/** The remote side's ISN (script sequence numbers of inbound segments are relative to it). */
const REMOTE_ISN = 0x10000000;

export interface RunResult {
  ok: boolean;
  error?: string;
  line?: number;
}

class ScriptFailure extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** FreeBSD state names (sockstat) by RFC 9293 state number. */
const BSD_STATES = [
  'CLOSED',
  'LISTEN',
  'SYN_SENT',
  'SYN_RCVD',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
];

interface FdOpts {
  rcvBuf?: number;
  sndBuf?: number;
  noOpt: boolean;
  noDelay: boolean;
  ttl?: number;
  tos?: number;
  keepInit?: number;
  keepIdle?: number;
  keepIntvl?: number;
  keepCnt?: number;
}

class Fd implements TcbUser {
  nonblock = false;
  tcb: Tcb | null = null;
  listener: Listener | null = null;
  bound = false;
  soError = '';
  opts: FdOpts = { noOpt: false, noDelay: false };
  constructor(readonly num: number) {}
  onEstablished(): void {}
  onReadable(): void {}
  onWritable(): void {}
  onEof(): void {}
  onClosed(err: string | undefined): void {
    if (err !== undefined) this.soError = err;
  }
}

interface Pending {
  ev: ScriptEvent;
  call: SyscallEvent;
  /** Returns the result when the call can complete, else undefined. */
  attempt: () => { ret: number; errno?: string } | undefined;
}

const ICMP_TYPES: Record<string, [number, Record<string, number>]> = {
  unreachable: [
    3,
    {
      net_unreachable: 0,
      host_unreachable: 1,
      protocol_unreachable: 2,
      port_unreachable: 3,
      frag_needed: 4,
      source_route_failed: 5,
      net_unknown: 6,
      host_unknown: 7,
      source_host_isolated: 8,
      net_prohibited: 9,
      host_prohibited: 10,
      net_tos: 11,
      host_tos: 12,
      net_unreachable_for_tos: 11,
      host_unreachable_for_tos: 12,
      packet_filtered: 13,
      precedence_violation: 14,
      precedence_cutoff: 15,
    },
  ],
  time_exceeded: [
    11,
    { ttl_exceeded: 0, exceeded_in_transit: 0, ttl_exceeded_in_transit: 0, frag_reass_exceeded: 1 },
  ],
  parameter_problem: [12, { code_0: 0, code_1: 1, code_2: 2 }],
  source_quench: [4, { code_0: 0 }],
  redirect: [5, { code_0: 0, net: 0, host: 1 }],
};

function flagLetters(flags: number): string {
  let s = '';
  if (flags & TcpFlags.SYN) s += 'S';
  if (flags & TcpFlags.FIN) s += 'F';
  if (flags & TcpFlags.RST) s += 'R';
  if (flags & TcpFlags.PSH) s += 'P';
  if (flags & TcpFlags.URG) s += 'U';
  if (flags & TcpFlags.ECE) s += 'E';
  if (flags & TcpFlags.CWR) s += 'W';
  if (flags & TcpFlags.ACK) s += '.';
  return s;
}

function flagBits(s: string): number {
  let f = 0;
  for (const c of s) {
    if (c === 'S') f |= TcpFlags.SYN;
    else if (c === 'F') f |= TcpFlags.FIN;
    else if (c === 'R') f |= TcpFlags.RST;
    else if (c === 'P') f |= TcpFlags.PSH;
    else if (c === 'U') f |= TcpFlags.URG;
    else if (c === 'E') f |= TcpFlags.ECE;
    else if (c === 'W') f |= TcpFlags.CWR;
    else if (c === '.') f |= TcpFlags.ACK;
  }
  return f;
}

function errnoName(e: string | undefined): string | undefined {
  if (e === 'EAGAIN') return 'EWOULDBLOCK';
  return e;
}

/** The options of a parsed segment without NOP/EOL/padding, from the Repr's fields. */
function normOptions(v: TcpRepr): TcpOption[] {
  const out: TcpOption[] = [];
  if (v.mss !== undefined) out.push({ kind: 'mss', value: v.mss });
  if (v.windowScale !== undefined) out.push({ kind: 'ws', shift: v.windowScale });
  if (v.sackPermitted === true) out.push({ kind: 'sack-perm' });
  if (v.timestamp !== undefined)
    out.push({ kind: 'ts', tsval: v.timestamp.tsval, tsecr: v.timestamp.tsecr });
  if (v.sack !== undefined) out.push({ kind: 'sack', blocks: v.sack });
  for (const o of v.options ?? []) if (o.kind === 'unknown') out.push(o);
  return out;
}

export class Runner {
  readonly clock = new Scheduler();
  readonly host: FakeHost;
  readonly layer: TcpLayer;
  private outQ: SentDatagram[] = [];
  private localIsn: number | undefined;
  private tsOffset: number | undefined;
  private readonly fds = new Map<number, Fd>();
  private lastFd: Fd | undefined;
  private tolerance: number;
  private prevTime = 0;
  private pending: Pending | undefined;
  /** The flow the script talks about: our port and the remote port. */
  private flow = { local: SERVER_PORT, remote: CLIENT_PORT };
  private line = 0;

  constructor(readonly options: Record<string, string>) {
    this.host = new FakeHost('packetdrill', this.clock, LOCAL, 1);
    if (options.mtu !== undefined) this.host.mtu = Number(options.mtu);
    this.host.onSend = (d) => this.outQ.push(d);
    this.host.record = false;
    // R8: FreeBSD keeps ICMP net/host unreachable soft while connecting (Linux aborts).
    this.layer = new TcpLayer(this.host, { icmpSoftErrorsAbortConnect: false });
    this.tolerance =
      (options.tolerance_usecs !== undefined ? Number(options.tolerance_usecs) : 4000) * 1000;
  }

  private fail(msg: string): never {
    throw new ScriptFailure(msg, this.line);
  }

  // ───────────────────────────── time ─────────────────────────────

  private checkPending(): void {
    const p = this.pending;
    if (p === undefined) return;
    const r = p.attempt();
    if (r === undefined) return;
    this.pending = undefined;
    this.compareResult(p.call, r.ret, r.errno, p.ev.line);
  }

  /** Runs the simulation up to `target`; any segment sent meanwhile is unexpected. */
  private advanceTo(target: number): void {
    for (;;) {
      if (this.outQ.length > 0) {
        const d = this.outQ[0];
        this.fail(
          `unexpected outbound segment at ${(d.t / SECOND).toFixed(4)}s: ${this.describe(d)}`,
        );
      }
      this.checkPending();
      if (!this.clock.step(target)) break;
    }
    this.checkPending();
    if (this.outQ.length > 0) {
      const d = this.outQ[0];
      this.fail(
        `unexpected outbound segment at ${(d.t / SECOND).toFixed(4)}s: ${this.describe(d)}`,
      );
    }
    if (target > this.clock.now()) this.clock.runSync({ until: target });
  }

  /** Waits for the next outbound segment until `deadline`. */
  private waitPacket(deadline: number): SentDatagram | undefined {
    for (;;) {
      if (this.outQ.length > 0) return this.outQ.shift();
      this.checkPending();
      if (!this.clock.step(deadline)) break;
    }
    this.checkPending();
    if (this.outQ.length > 0) return this.outQ.shift();
    return undefined;
  }

  // ───────────────────────────── packets ─────────────────────────────

  private describe(d: SentDatagram): string {
    const r = parseTcp(d.bytes, 0, d.bytes.length, d.src, d.dst, false);
    if (!r.ok) return `unparsable (${r.error})`;
    const v = r.value;
    const base = this.localIsn ?? 0;
    const seq = (v.seq - base) >>> 0;
    let s = `${flagLetters(v.flags)} ${seq}:${(seq + v.payloadLen) >>> 0}(${v.payloadLen})`;
    if (v.flags & TcpFlags.ACK) s += ` ack ${(v.ack - REMOTE_ISN) >>> 0}`;
    s += ` win ${v.window}`;
    const opts = normOptions(v)
      .map((o) => this.optText(o))
      .filter((x) => x !== '');
    if (opts.length > 0) s += ` <${opts.join(',')}>`;
    return s;
  }

  private optText(o: TcpOption): string {
    switch (o.kind) {
      case 'mss':
        return `mss ${o.value}`;
      case 'ws':
        return `wscale ${o.shift}`;
      case 'sack-perm':
        return 'sackOK';
      case 'ts':
        return `TS val ${o.tsval} ecr ${o.tsecr}`;
      case 'sack':
        return `sack ${o.blocks.map((b) => `${(b.left - REMOTE_ISN) >>> 0}:${(b.right - REMOTE_ISN) >>> 0}`).join(' ')}`;
      case 'nop':
        return 'nop';
      case 'eol':
        return 'eol';
      default:
        return o.kind;
    }
  }

  private inbound(ev: PacketEvent): void {
    if (ev.udpEncap !== undefined) this.fail('TCP over UDP encapsulation is not implemented');
    if (ev.seq === null) this.fail('inbound segment with "..." sequence number');
    const flags = flagBits(ev.flags);
    const opts: TcpOption[] = [];
    if (ev.options === 'any') this.fail('inbound segment with <...> options');
    for (const o of ev.options ?? []) opts.push(this.toWireOption(o));
    const base = this.localIsn ?? 0;
    const repr: TcpRepr = {
      srcPort: this.flow.remote,
      dstPort: this.flow.local,
      seq: (REMOTE_ISN + ev.seq) >>> 0,
      ack: ev.ack !== undefined ? (base + ev.ack) >>> 0 : 0,
      flags,
      window: ev.win ?? (flags & TcpFlags.RST ? 0 : 65535),
      urgent: 0,
      options: opts,
      payloadLen: ev.len,
    };
    const hl = tcpHeaderLen(repr);
    const bytes = new Uint8Array(hl + ev.len);
    emitTcp(repr, bytes, 0, REMOTE, LOCAL);
    const ecn = ev.ecn !== undefined ? ECN_NAMES.indexOf(ev.ecn) : -1;
    const tos = ((ev.tos ?? 0) & ~3) | (ecn > 0 ? ecn : 0);
    this.layer.input(rxMeta(REMOTE, LOCAL, ev.ttl ?? 64, tos), bytes);
  }

  private toWireOption(o: ScriptOption): TcpOption {
    switch (o.kind) {
      case 'mss':
        return { kind: 'mss', value: o.value };
      case 'wscale':
        return { kind: 'ws', shift: o.value };
      case 'sackOK':
        return { kind: 'sack-perm' };
      case 'ts':
        return {
          kind: 'ts',
          tsval: o.val >>> 0,
          tsecr: o.ecr === 0 ? 0 : (o.ecr + (this.tsOffset ?? 0)) >>> 0,
        };
      case 'sack': {
        const base = this.localIsn ?? 0;
        return {
          kind: 'sack',
          blocks: o.blocks.map(([l, r]) => ({ left: (base + l) >>> 0, right: (base + r) >>> 0 })),
        };
      }
      case 'nop':
        return { kind: 'nop' };
      case 'eol':
        return { kind: 'eol' };
      case 'md5':
        // RFC 2385 signature option (kind 19, 18 bytes) with a zero digest.
        return { kind: 'unknown', type: 19, data: new Uint8Array(16) };
    }
  }

  private icmp(ev: IcmpEvent): void {
    const t = ICMP_TYPES[ev.type];
    if (t === undefined) this.fail(`unknown ICMP type ${ev.type}`);
    const code = t[1][ev.code];
    if (code === undefined) this.fail(`unknown ICMP code ${ev.code}`);
    const q = new Uint8Array(8);
    const seq = ((this.localIsn ?? 0) + ev.seq) >>> 0;
    q[0] = this.flow.local >>> 8;
    q[1] = this.flow.local & 0xff;
    q[2] = this.flow.remote >>> 8;
    q[3] = this.flow.remote & 0xff;
    q[4] = seq >>> 24;
    q[5] = (seq >>> 16) & 0xff;
    q[6] = (seq >>> 8) & 0xff;
    q[7] = seq & 0xff;
    this.layer.icmpError({
      type: t[0],
      code,
      from: REMOTE,
      src: LOCAL,
      dst: REMOTE,
      protocol: 6,
      quoted: q,
      mtu: ev.mtu ?? 0,
    });
  }

  private outbound(ev: PacketEvent, d: SentDatagram): void {
    const r = parseTcp(d.bytes, 0, d.bytes.length, d.src, d.dst, true);
    if (!r.ok) this.fail(`outbound segment does not parse: ${r.error}`);
    const v = r.value;
    const got = this.describe(d);
    const mismatch = (what: string): never =>
      this.fail(
        `outbound ${what} mismatch: expected "${ev.flags} ${ev.seq ?? '...'}:${ev.seq === null ? '...' : ev.seq + ev.len}(${ev.len})${ev.ack !== undefined ? ` ack ${ev.ack}` : ''}" got "${got}"`,
      );
    const want = flagBits(ev.flags);
    if ((v.flags & 0xff) !== want) mismatch('flags');
    if (v.srcPort !== this.flow.local || v.dstPort !== this.flow.remote) {
      // A connection of the flow always uses these ports.
      mismatch(`ports ${v.srcPort}->${v.dstPort}`);
    }
    if (
      v.flags & TcpFlags.SYN &&
      ev.absolute !== true &&
      (ev.seq === null || this.localIsn === undefined)
    ) {
      this.localIsn = (v.seq - (ev.seq ?? 0)) >>> 0;
    }
    if (ev.udpEncap !== undefined) mismatch('encapsulation (TCP over UDP is not implemented)');
    if (ev.seq !== null) {
      const rel = ev.absolute === true ? v.seq : (v.seq - (this.localIsn ?? 0)) >>> 0;
      if (rel !== ev.seq >>> 0) mismatch('sequence number');
    }
    if (v.payloadLen !== ev.len) mismatch('length');
    if (ev.ack !== undefined && v.flags & TcpFlags.ACK) {
      const rel = (v.ack - REMOTE_ISN) >>> 0;
      if (rel !== ev.ack >>> 0) mismatch('ack');
    }
    // R1: windows compared as zero / non-zero.
    if (ev.win !== undefined && (ev.win === 0) !== (v.window === 0))
      mismatch('window (zero vs non-zero)');
    if (ev.ttl !== undefined && d.ttl !== ev.ttl) mismatch(`TTL ${d.ttl}`);
    if (ev.tos !== undefined && d.tos !== ev.tos) mismatch(`TOS ${d.tos}`);
    if (ev.ecn !== undefined && !ecnMatches(ev.ecn, d.tos & 3))
      mismatch(`ECN codepoint ${ECN_NAMES[d.tos & 3]} (expected ${ev.ecn})`);
    if (ev.options !== 'any') this.compareOptions(ev, v, mismatch);
  }

  /** R2: options as a set; wscale and TSval by presence. */
  private compareOptions(ev: PacketEvent, v: TcpRepr, mismatch: (w: string) => never): void {
    const exp = ((ev.options as ScriptOption[] | undefined) ?? []).filter(
      (o) => o.kind !== 'nop' && o.kind !== 'eol',
    );
    const act = normOptions(v);
    if (exp.length !== act.length) mismatch('options');
    for (const e of exp) {
      switch (e.kind) {
        case 'mss': {
          const a = act.find((o) => o.kind === 'mss');
          if (a === undefined || a.kind !== 'mss' || a.value !== e.value) mismatch('MSS option');
          break;
        }
        case 'wscale':
          if (!act.some((o) => o.kind === 'ws')) mismatch('window scale option');
          break;
        case 'sackOK':
          if (!act.some((o) => o.kind === 'sack-perm')) mismatch('SACK-permitted option');
          break;
        case 'ts': {
          const a = act.find((o) => o.kind === 'ts');
          if (a === undefined || a.kind !== 'ts') mismatch('timestamp option');
          else {
            if (this.tsOffset === undefined) this.tsOffset = (a.tsval - e.val) | 0;
            if (a.tsecr !== e.ecr >>> 0) mismatch('TSecr');
          }
          break;
        }
        case 'sack': {
          const a = act.find((o) => o.kind === 'sack');
          if (a === undefined || a.kind !== 'sack' || a.blocks.length !== e.blocks.length)
            mismatch('SACK blocks');
          else {
            for (let i = 0; i < e.blocks.length; i++) {
              const l = (a.blocks[i].left - REMOTE_ISN) >>> 0;
              const r = (a.blocks[i].right - REMOTE_ISN) >>> 0;
              if (l !== e.blocks[i][0] >>> 0 || r !== e.blocks[i][1] >>> 0) mismatch('SACK blocks');
            }
          }
          break;
        }
        case 'md5':
          mismatch('TCP MD5 option (RFC 2385 not implemented)');
      }
    }
  }

  // ───────────────────────────── system calls ─────────────────────────────

  private fd(arg: string): Fd {
    const f = this.fds.get(Number(arg));
    if (f === undefined) this.fail(`bad file descriptor ${arg}`);
    this.lastFd = f;
    return f;
  }

  private newFd(): Fd {
    let n = 3;
    while (this.fds.has(n)) n++;
    const f = new Fd(n);
    this.fds.set(n, f);
    this.lastFd = f;
    return f;
  }

  private compareResult(
    call: SyscallEvent,
    ret: number,
    errno: string | undefined,
    line: number,
  ): void {
    if (
      ret !== call.ret ||
      (call.errno !== undefined && errnoName(call.errno) !== errnoName(errno))
    ) {
      throw new ScriptFailure(
        `${call.name}() returned ${ret}${errno ? ` ${errno}` : ''}, expected ${call.ret}${call.errno ? ` ${call.errno}` : ''}`,
        line,
      );
    }
  }

  private soErrorOf(f: Fd): string {
    const e = f.soError;
    f.soError = '';
    return e;
  }

  private syscall(ev: ScriptEvent, c: SyscallEvent): void {
    const a = c.args;
    const done = (ret: number, errno?: string): void => this.compareResult(c, ret, errno, ev.line);
    const block = (attempt: Pending['attempt']): void => {
      const r = attempt();
      if (r !== undefined) return done(r.ret, r.errno);
      if (this.pending !== undefined) this.fail('two blocking system calls at once');
      this.pending = { ev, call: c, attempt };
    };
    switch (c.name) {
      case 'socket':
        return done(this.newFd().num);
      case 'bind': {
        const f = this.fd(a[0]);
        f.bound = true;
        this.flow = { local: SERVER_PORT, remote: CLIENT_PORT };
        return done(0);
      }
      case 'listen': {
        const f = this.fd(a[0]);
        try {
          const l = this.layer.listen(0, SERVER_PORT, Number(a[1]));
          const o = l.opts;
          if (f.opts.rcvBuf !== undefined) o.rcvBuf = f.opts.rcvBuf;
          if (f.opts.sndBuf !== undefined) o.sndBuf = f.opts.sndBuf;
          o.noOpt = f.opts.noOpt;
          o.noDelay = f.opts.noDelay;
          if (f.opts.ttl !== undefined) o.ttl = f.opts.ttl;
          if (f.opts.tos !== undefined) o.tos = f.opts.tos;
          f.listener = l;
          return done(0);
        } catch (e) {
          if (e instanceof SocketError) return done(-1, e.code);
          throw e;
        }
      }
      case 'accept': {
        const f = this.fd(a[0]);
        const l = f.listener;
        if (l === null) return done(-1, 'EINVAL');
        const attempt = (): { ret: number; errno?: string } | undefined => {
          const t = l.accept();
          if (t === undefined) return f.nonblock ? { ret: -1, errno: 'EWOULDBLOCK' } : undefined;
          const n = this.newFd();
          n.tcb = t;
          n.opts = { ...f.opts };
          t.user = n;
          return { ret: n.num };
        };
        return block(attempt);
      }
      case 'connect': {
        const f = this.fd(a[0]);
        let t: Tcb;
        try {
          t = this.layer.openActive({
            remoteAddr: REMOTE,
            remotePort: SERVER_PORT,
            localPort: f.bound ? SERVER_PORT : 0,
            rcvBuf: f.opts.rcvBuf,
            sndBuf: f.opts.sndBuf,
            noOpt: f.opts.noOpt,
            noDelay: f.opts.noDelay,
            ttl: f.opts.ttl,
            tos: f.opts.tos,
            timeout: f.opts.keepInit,
          });
        } catch (e) {
          if (e instanceof SocketError) return done(-1, e.code);
          throw e;
        }
        f.tcb = t;
        t.user = f;
        this.flow = { local: t.localPort, remote: SERVER_PORT };
        if (f.nonblock) return done(-1, 'EINPROGRESS');
        return block(() => {
          if (t.state >= 4) return { ret: 0 };
          if (t.state === CLOSED) return { ret: -1, errno: this.soErrorOf(f) || 'ECONNREFUSED' };
          return undefined;
        });
      }
      case 'fcntl': {
        const f = this.fd(a[0]);
        if (a[1] === 'F_GETFL') return done(0x02 | (f.nonblock ? 0x04 : 0));
        if (a[1] === 'F_SETFL') {
          f.nonblock = a[2].includes('O_NONBLOCK');
          return done(0);
        }
        return done(-1, 'EINVAL');
      }
      case 'setsockopt':
        return this.setsockopt(c, done);
      case 'getsockopt':
        return this.getsockopt(c, done);
      case 'send':
      case 'write': {
        const f = this.fd(a[0]);
        const n = Number(a[2]);
        const t = f.tcb;
        if (t === null) return done(-1, 'ENOTCONN');
        let sent = 0;
        const data = new Uint8Array(n);
        return block(() => {
          if (t.state === CLOSED) return { ret: -1, errno: this.soErrorOf(f) || 'EPIPE' };
          sent += userSend(t, data, sent, n - sent);
          if (sent === n || (f.nonblock && sent > 0)) return { ret: sent };
          if (f.nonblock) return { ret: -1, errno: 'EWOULDBLOCK' };
          return undefined;
        });
      }
      case 'recv':
      case 'read': {
        const f = this.fd(a[0]);
        const n = Number(a[2]);
        const peek = c.name === 'recv' && (a[3] ?? '').includes('MSG_PEEK');
        const t = f.tcb;
        if (t === null) return done(-1, 'ENOTCONN');
        return block(() => {
          if (t.recvQueued > 0) return { ret: userRecv(t, n, peek).length };
          if (t.flags & F_RCVD_FIN) return { ret: 0 };
          if (t.state === CLOSED) {
            const e = this.soErrorOf(f);
            return e === '' ? { ret: 0 } : { ret: -1, errno: e };
          }
          if (f.nonblock) return { ret: -1, errno: 'EWOULDBLOCK' };
          return undefined;
        });
      }
      case 'shutdown': {
        const f = this.fd(a[0]);
        if (f.tcb === null) return done(-1, 'ENOTCONN');
        if (a[1] === 'SHUT_WR' || a[1] === 'SHUT_RDWR') userShutdown(f.tcb);
        return done(0);
      }
      case 'close': {
        const f = this.fd(a[0]);
        this.fds.delete(f.num);
        if (f.listener !== null) f.listener.close();
        if (f.tcb !== null) userClose(f.tcb);
        return done(0);
      }
      default:
        this.fail(`unsupported system call ${c.name}()`);
    }
  }

  private setsockopt(c: SyscallEvent, done: (ret: number, errno?: string) => void): void {
    const f = this.fd(c.args[0]);
    const name = c.args[2];
    const raw = c.args[3].replace(/[[\]]/g, '').trim();
    const dscp = /^IPTOS_DSCP_CS(\d)$/.exec(raw);
    const val = dscp ? Number(dscp[1]) << 5 : Number(raw);
    const t = f.tcb;
    switch (name) {
      case 'SO_REUSEADDR':
        return done(0);
      case 'SO_RCVBUF':
        f.opts.rcvBuf = val;
        return done(0);
      case 'SO_SNDBUF':
        f.opts.sndBuf = val;
        return done(0);
      case 'TCP_NODELAY':
        f.opts.noDelay = val !== 0;
        if (t !== null) setNoDelay(t, val !== 0);
        return done(0);
      case 'TCP_NOOPT':
        f.opts.noOpt = val !== 0;
        if (t !== null) t.flags = val !== 0 ? t.flags | F_NOOPT : t.flags & ~F_NOOPT;
        return done(0);
      case 'IP_TTL':
        f.opts.ttl = val;
        if (t !== null) t.ttl = val;
        if (f.listener !== null) f.listener.opts.ttl = val;
        return done(0);
      case 'IP_TOS':
        f.opts.tos = val;
        if (t !== null) t.tos = val;
        if (f.listener !== null) f.listener.opts.tos = val;
        return done(0);
      case 'TCP_KEEPINIT':
        f.opts.keepInit = val * SECOND;
        return done(0);
      case 'TCP_KEEPIDLE':
        f.opts.keepIdle = val * SECOND;
        if (t !== null) t.keepIdle = val * SECOND;
        return done(0);
      case 'TCP_KEEPINTVL':
        f.opts.keepIntvl = val * SECOND;
        return done(0);
      case 'TCP_KEEPCNT':
        f.opts.keepCnt = val;
        return done(0);
      default:
        return done(-1, 'ENOPROTOOPT');
    }
  }

  private getsockopt(c: SyscallEvent, done: (ret: number, errno?: string) => void): void {
    const f = this.fd(c.args[0]);
    const name = c.args[2];
    const expected = c.args[3].replace(/[[\]]/g, '').trim();
    const cfg = this.layer.config;
    let value: string;
    switch (name) {
      case 'SO_ERROR':
        value = this.soErrorOf(f) || '0';
        break;
      case 'SO_RCVBUF':
      case 'SO_SNDBUF':
        value = expected; // R3
        break;
      case 'TCP_KEEPIDLE':
        value = String(Math.round((f.opts.keepIdle ?? cfg.keepIdle) / SECOND));
        break;
      case 'TCP_KEEPINTVL':
        value = String(Math.round((f.opts.keepIntvl ?? cfg.keepInterval) / SECOND));
        break;
      case 'TCP_KEEPCNT':
        value = String(f.opts.keepCnt ?? cfg.keepCount);
        break;
      case 'TCP_KEEPINIT':
        value = String(Math.round((f.opts.keepInit ?? cfg.keepInit) / SECOND));
        break;
      default:
        return done(-1, 'ENOPROTOOPT');
    }
    if (value !== expected)
      this.fail(`getsockopt(${name}) gave [${value}], expected [${expected}]`);
    return done(0);
  }

  // ───────────────────────────── shell and asserts ─────────────────────────────

  private shell(cmd: string): void {
    const c = cmd.trim();
    if (c === '' || c.startsWith('setkey')) return;
    let m = /^sysctl -w ([\w.]+)=(\S+)$/.exec(c);
    if (m) return this.sysctl(m[1], Number(m[2]));
    if (/^tcpdrop -s TIME_WAIT$/.test(c)) {
      this.layer.dropTimeWait();
      return;
    }
    m = /^sockstat .*?(?:-p (\d+))?.*\| grep -c (\w+) \| grep (\d+)$/.exec(c);
    if (m && c.startsWith('sockstat')) {
      const pm = /-p (\d+)/.exec(c);
      const port = pm ? Number(pm[1]) : undefined;
      const n = this.countState(m[2], port);
      if (n !== Number(m[3])) this.fail(`${m[2]} sockets: ${n}, expected ${m[3]}`);
      return;
    }
    this.fail(`unsupported shell command \`${c}\``);
  }

  private countState(name: string, port: number | undefined): number {
    let n = 0;
    const match = (lp: number, rp: number): boolean =>
      port === undefined || lp === port || rp === port;
    for (const t of this.layer.connections())
      if (BSD_STATES[t.state] === name && match(t.localPort, t.remotePort)) n++;
    for (const l of this.layer.listenerList()) if (name === 'LISTEN' && match(l.localPort, 0)) n++;
    for (const f of this.fds.values()) {
      if (
        f.tcb !== null &&
        f.tcb.state === CLOSED &&
        name === 'CLOSED' &&
        match(f.tcb.localPort, f.tcb.remotePort)
      )
        n++;
      if (f.tcb === null && f.listener === null && name === 'CLOSED') n++;
    }
    return n;
  }

  private sysctl(name: string, v: number): void {
    const L = this.layer;
    const ms = v * 1_000_000;
    switch (name) {
      case 'net.inet.tcp.sack.enable':
        return L.configure({ sack: v !== 0 });
      case 'net.inet.tcp.rfc1323':
        return L.configure({ windowScaling: v === 1 || v === 2, timestamps: v === 1 || v === 3 });
      case 'net.inet.tcp.recvspace':
        return L.configure({ rcvBuf: v });
      case 'net.inet.tcp.sendspace':
        return L.configure({ sndBuf: v });
      case 'kern.ipc.maxsockbuf':
        return L.configure({ maxBuf: v });
      case 'net.inet.tcp.delacktime':
        return L.configure({ delAckTimeout: ms });
      case 'net.inet.tcp.insecure_syn':
        return L.configure({ rfc5961Syn: v === 0 });
      case 'net.inet.tcp.insecure_rst':
        return L.configure({ rfc5961Rst: v === 0 });
      case 'net.inet.tcp.drop_synfin':
        return L.configure({ dropSynFin: v !== 0 });
      case 'net.inet.tcp.keepinit':
        return L.configure({ keepInit: ms });
      case 'net.inet.tcp.keepidle':
        return L.configure({ keepIdle: ms });
      case 'net.inet.tcp.keepintvl':
        return L.configure({ keepInterval: ms });
      case 'net.inet.tcp.keepcnt':
        return L.configure({ keepCount: v });
      case 'net.inet.tcp.icmp_may_rst':
        return L.configure({ icmpHardErrorsAbort: v !== 0 });
      case 'net.inet.tcp.rexmit_initial':
        return L.configure({ initialRto: ms });
      case 'net.inet.tcp.syncookies':
      case 'net.inet.tcp.syncookies_only':
        return L.configure({ synCookies: v !== 0 });
      case 'net.inet.tcp.rexmit_drop_options':
        return L.configure({ synRtxDropOptions: v !== 0 ? 3 : 0 });
      case 'net.inet.tcp.rexmit_slop':
        return L.configure({ rtoSlop: ms });
      case 'net.inet.tcp.tolerate_missing_ts':
        return L.configure({ tolerateMissingTs: v !== 0 });
      case 'net.inet.tcp.ecn.enable':
        // FreeBSD: 0 off, 1 ask and accept, 2 accept only.
        return L.configure({ ecn: v === 1 ? 'on' : v === 2 ? 'passive' : 'off' });
      case 'net.inet.tcp.ecn.maxretries':
        return L.configure({ ecnSynRetries: v });
      default:
        // R4: no equivalent (blackhole, hostcache.purgenow, udp_tunneling_*, ...).
        return;
    }
  }

  private assert(code: string): void {
    const f = this.lastFd;
    const t = f?.tcb;
    let m = /^assert\s+tcpi_state\s*==\s*TCPI_(\w+)$/.exec(code);
    if (m) {
      const canon = (x: string): string =>
        x
          .replace(/^SYN_REC(V|EIVED)$/, 'SYN_RCVD')
          .replace(/^FIN_WAIT(\d)$/, 'FIN_WAIT_$1')
          .replace(/^CLOSE$/, 'CLOSED');
      const state = t ? BSD_STATES[t.state] : f?.listener ? 'LISTEN' : 'CLOSED';
      if (canon(state) !== canon(m[1])) this.fail(`tcpi_state is ${state}, expected ${m[1]}`);
      return;
    }
    m = /^assert\s+tcpi_options\s*==\s*\(?\s*([\w\s|]+?)\s*\)?$/.exec(code);
    if (m) {
      // TCP_INFO's negotiated options, as a set of TCPI_OPT_* names (or 0).
      const want =
        m[1] === '0' ? [] : m[1].split('|').map((x) => x.trim().replace(/^TCPI_OPT_/, ''));
      const have: string[] = [];
      if (t && t.flags & F_TS_OK) have.push('TIMESTAMPS');
      if (t && t.flags & F_SACK_OK) have.push('SACK');
      if (t && t.flags & F_WS_OK) have.push('WSCALE');
      if (t && t.ecn & ECN_OK) have.push('ECN');
      if ([...want].sort().join() !== [...have].sort().join())
        this.fail(
          `tcpi_options is ${have.join(' | ') || '0'}, expected ${want.join(' | ') || '0'}`,
        );
      return;
    }
    this.fail(`unsupported assertion ${code}`);
  }

  // ───────────────────────────── driver ─────────────────────────────

  run(events: ScriptEvent[]): void {
    for (const ev of events) {
      this.line = ev.line;
      const a = ev.action;
      let lo: number;
      let hi: number;
      switch (ev.time.kind) {
        case 'absolute':
          lo = hi = Math.round(ev.time.t * SECOND);
          break;
        case 'relative':
          lo = hi = this.prevTime + Math.round(ev.time.t * SECOND);
          break;
        case 'range': {
          const base = ev.time.relative ? this.prevTime : 0;
          lo = base + Math.round(ev.time.lo * SECOND);
          hi = base + Math.round(ev.time.hi * SECOND);
          break;
        }
        case 'any':
          lo = this.clock.now();
          hi = Infinity;
          break;
      }
      if (a.kind === 'packet' && a.dir === '>') {
        const deadline = hi === Infinity ? this.clock.now() + 600 * SECOND : hi + this.tolerance;
        const d = this.waitPacket(deadline);
        if (d === undefined) this.fail(`expected outbound segment "${ev.text}" was not sent`);
        if (ev.time.kind !== 'any' && (d.t < lo - this.tolerance || d.t > hi + this.tolerance)) {
          this.fail(
            `outbound segment at ${(d.t / SECOND).toFixed(4)}s, expected ${(lo / SECOND).toFixed(4)}s ± ${this.tolerance / 1000} µs: ${this.describe(d)}`,
          );
        }
        this.outbound(a, d);
        this.prevTime = d.t;
        continue;
      }
      const at = Math.max(lo, this.clock.now());
      this.advanceTo(at);
      switch (a.kind) {
        case 'packet':
          this.inbound(a);
          break;
        case 'icmp':
          this.icmp(a);
          break;
        case 'syscall':
          this.syscall(ev, a);
          break;
        case 'shell':
          this.shell(a.command);
          break;
        case 'assert':
          this.assert(a.code);
          break;
      }
      this.prevTime = at;
    }
    if (this.pending !== undefined) {
      // Give a blocking call a last chance (the script ended while it was outstanding).
      this.line = this.pending.ev.line;
      this.fail(`blocking ${this.pending.call.name}() did not return before the end of the script`);
    }
  }
}

/** Parses and runs one script; never throws. */
export function runScript(src: string): RunResult {
  let script;
  try {
    script = parseScript(src);
  } catch (e) {
    return { ok: false, error: `parse: ${(e as Error).message}` };
  }
  if (script.options.ip_version !== undefined && script.options.ip_version !== 'ipv4') {
    return { ok: false, error: `unsupported ip_version ${script.options.ip_version}` };
  }
  const r = new Runner(script.options);
  try {
    r.run(script.events);
    return { ok: true };
  } catch (e) {
    if (e instanceof ScriptFailure) return { ok: false, error: e.message, line: e.line };
    return { ok: false, error: `exception: ${(e as Error).stack ?? e}` };
  }
}

/** packetdrill's names of the IP ECN codepoints (RFC 3168 § 5), by value. */
const ECN_NAMES = ['noecn', 'ect1', 'ect0', 'ce'];

/** Does the codepoint sent match the script's `[ecn]` annotation? (`ect01`: either ECT.) */
function ecnMatches(want: string, got: number): boolean {
  if (want === 'ect01') return got === 1 || got === 2;
  const i = ECN_NAMES.indexOf(want);
  return i < 0 || i === got; // unknown annotations (ect0_ignored, ...) are not checked
}
