/**
 * A parser for the subset of the packetdrill script language that the FreeBSD TCP test suite
 * (../shared/vectors/tcp-testsuite) uses: `--option=value` lines, events with absolute (`0.1`),
 * relative (`+0.1`), any-time (`*`) or range (`1.0...6.0`) times; shell commands in backticks;
 * `%{ assert tcpi_state == TCPI_X }%`; inbound (`<`) and outbound (`>`) TCP segments with
 * relative sequence numbers `start:end(len)` or `...`, `ack`, `win`, IP `(ttl N)` / `(tos 0xN)`,
 * ECN markings `[ect0]`, and `<options>` (mss, wscale, sackOK, TS val/ecr, sack blocks, nop,
 * eol, md5, `...`); inbound ICMP errors quoting a segment; and system calls with their expected
 * return value and errno.
 *
 * Reference: packetdrill's grammar (google/packetdrill gtests/net/packetdrill/parser.y), of which
 * this is the part the suite needs.
 */

export type TimeSpec =
  | { kind: 'absolute'; t: number }
  | { kind: 'relative'; t: number }
  | { kind: 'any' }
  | { kind: 'range'; lo: number; hi: number; relative: boolean };

export type ScriptOption =
  | { kind: 'mss'; value: number }
  | { kind: 'wscale'; value: number }
  | { kind: 'sackOK' }
  | { kind: 'ts'; val: number; ecr: number }
  | { kind: 'sack'; blocks: [number, number][] }
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'md5' };

export interface PacketEvent {
  kind: 'packet';
  dir: '<' | '>';
  flags: string;
  /** null for `...` (any sequence number). */
  seq: number | null;
  /** `start:end(len)!`: the sequence number is absolute, not relative to the ISN. */
  absolute?: boolean;
  /** `/udp(a > b)`: TCP encapsulated in UDP (not supported). */
  udpEncap?: string;
  len: number;
  ack?: number;
  win?: number;
  /** undefined: no options written; 'any': `<...>`. */
  options?: ScriptOption[] | 'any';
  ttl?: number;
  tos?: number;
  ecn?: string;
}

export interface IcmpEvent {
  kind: 'icmp';
  dir: '<' | '>';
  type: string;
  code: string;
  seq: number;
  len: number;
  mtu?: number;
}

export interface SyscallEvent {
  kind: 'syscall';
  name: string;
  args: string[];
  /** Expected return value. */
  ret: number | string;
  errno?: string;
}

export interface ShellEvent {
  kind: 'shell';
  command: string;
}

export interface AssertEvent {
  kind: 'assert';
  code: string;
}

export type ScriptAction = PacketEvent | IcmpEvent | SyscallEvent | ShellEvent | AssertEvent;

export interface ScriptEvent {
  line: number;
  text: string;
  time: TimeSpec;
  action: ScriptAction;
}

export interface Script {
  options: Record<string, string>;
  events: ScriptEvent[];
}

export class ParseError extends Error {}

/** Removes // and /* *\/ comments (outside backticks). */
function stripComments(src: string): string {
  let out = '';
  let i = 0;
  let inTick = false;
  while (i < src.length) {
    const c = src[i];
    if (c === '`') inTick = !inTick;
    if (!inTick && c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (!inTick && c === '/' && src[i + 1] === '*') {
      i += 2;
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) {
        if (src[i] === '\n') out += '\n';
        i++;
      }
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

const TIME_RE = /^(\*|\+?\s*\d+(?:\.\d+)?(?:\s*\.\.\.\s*\d+(?:\.\d+)?)?)\s+/;

function parseTime(s: string): TimeSpec {
  s = s.replace(/\s+/g, '');
  if (s === '*') return { kind: 'any' };
  const relative = s.startsWith('+');
  if (relative) s = s.slice(1);
  const range = s.split('...');
  if (range.length === 2)
    return { kind: 'range', lo: Number(range[0]), hi: Number(range[1]), relative };
  const t = Number(s);
  return relative ? { kind: 'relative', t } : { kind: 'absolute', t };
}

function parseOptions(text: string): ScriptOption[] | 'any' {
  const body = text.trim();
  if (body === '...') return 'any';
  const out: ScriptOption[] = [];
  for (const raw of body.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const w = item.split(/\s+/);
    switch (w[0]) {
      case 'mss':
        out.push({ kind: 'mss', value: Number(w[1]) });
        break;
      case 'wscale':
        out.push({ kind: 'wscale', value: Number(w[1]) });
        break;
      case 'sackOK':
        out.push({ kind: 'sackOK' });
        break;
      case 'TS':
        // TS val N ecr N
        out.push({ kind: 'ts', val: Number(w[2]), ecr: Number(w[4]) });
        break;
      case 'sack': {
        const blocks: [number, number][] = [];
        for (const b of w.slice(1)) {
          const [l, r] = b.split(':').map(Number);
          blocks.push([l, r]);
        }
        out.push({ kind: 'sack', blocks });
        break;
      }
      case 'nop':
        out.push({ kind: 'nop' });
        break;
      case 'eol':
        out.push({ kind: 'eol' });
        break;
      case 'md5':
        out.push({ kind: 'md5' });
        break;
      default:
        throw new ParseError(`unknown TCP option "${item}"`);
    }
  }
  return out;
}

function parsePacket(dir: '<' | '>', rest: string): PacketEvent | IcmpEvent {
  let s = rest.trim();
  const ev: PacketEvent = { kind: 'packet', dir, flags: '', seq: 0, len: 0 };
  // IP-level annotations and ECN markings, in any order.
  for (;;) {
    let m = /^\[(\w+)\]\s*/.exec(s);
    if (m) {
      ev.ecn = m[1];
      s = s.slice(m[0].length);
      continue;
    }
    m = /^\((ttl|tos)\s+(0x[0-9a-fA-F]+|\d+)\)\s*/.exec(s);
    if (m) {
      if (m[1] === 'ttl') ev.ttl = Number(m[2]);
      else ev.tos = Number(m[2]);
      s = s.slice(m[0].length);
      continue;
    }
    break;
  }
  if (s.startsWith('icmp')) {
    // icmp <type> <code> [start:end(len)] [mtu N]
    const m = /^icmp\s+(\w+)(?:\s+(\w+))?\s*(?:\[(\d+):(\d+)\((\d+)\)\])?(?:\s+mtu\s+(\d+))?/.exec(
      s,
    );
    if (!m) throw new ParseError(`bad ICMP line "${s}"`);
    return {
      kind: 'icmp',
      dir,
      type: m[1],
      code: m[2] ?? 'code_0',
      seq: Number(m[3] ?? 0),
      len: Number(m[5] ?? 0),
      mtu: m[6] !== undefined ? Number(m[6]) : undefined,
    };
  }
  const fm = /^([SFRPUEW.]+)\s+/.exec(s);
  if (!fm) throw new ParseError(`bad TCP flags in "${s}"`);
  ev.flags = fm[1];
  s = s.slice(fm[0].length);
  const um = /\/udp\(([^)]*)\)\s*$/.exec(s);
  if (um) {
    ev.udpEncap = um[1];
    s = s.slice(0, um.index).trim();
  }
  let sm = /^(\d+):(\d+)\((\d+)\)(!?)\s*/.exec(s);
  if (sm) {
    ev.seq = Number(sm[1]);
    ev.len = Number(sm[3]);
    if (sm[4] === '!') ev.absolute = true;
    s = s.slice(sm[0].length);
  } else {
    sm = /^\.\.\.\((\d+)\)\s*/.exec(s);
    if (!sm) throw new ParseError(`bad sequence range in "${s}"`);
    ev.seq = null;
    ev.len = Number(sm[1]);
    s = s.slice(sm[0].length);
  }
  for (;;) {
    let m = /^ack\s+(\d+)\s*/.exec(s);
    if (m) {
      ev.ack = Number(m[1]);
      s = s.slice(m[0].length);
      continue;
    }
    m = /^win\s+(\d+)\s*/.exec(s);
    if (m) {
      ev.win = Number(m[1]);
      s = s.slice(m[0].length);
      continue;
    }
    m = /^urg\s+(\d+)\s*/.exec(s);
    if (m) {
      s = s.slice(m[0].length);
      continue;
    }
    break;
  }
  if (s.startsWith('<')) {
    const end = s.lastIndexOf('>');
    if (end < 0) throw new ParseError(`unterminated options in "${s}"`);
    ev.options = parseOptions(s.slice(1, end));
    s = s.slice(end + 1).trim();
  }
  if (s !== '') throw new ParseError(`trailing text "${s}" in packet`);
  return ev;
}

/** Splits top-level comma-separated arguments (brackets and parentheses nest). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '[' || c === '(' || c === '{') depth++;
    if (c === ']' || c === ')' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

function parseSyscall(s: string): SyscallEvent {
  const m = /^(\w+)\s*\((.*)\)\s*=\s*(.*)$/.exec(s);
  if (!m) throw new ParseError(`bad system call "${s}"`);
  const [, name, args, result] = m;
  const r = /^(0x[0-9a-fA-F]+|-?\d+)(?:\s+(\w+))?/.exec(result.trim());
  if (!r) throw new ParseError(`bad return value "${result}"`);
  return { kind: 'syscall', name, args: splitArgs(args), ret: Number(r[1]), errno: r[2] };
}

/**
 * The C-preprocessor conditionals some scripts use: `#ifdef STANDARD` marks the behaviour the
 * RFCs require and `#ifdef FreeBSD` FreeBSD's own; STANDARD is defined here, FreeBSD is not.
 */
export const DEFINED_SYMBOLS = new Set(['STANDARD']);

function preprocess(text: string): string {
  const out: string[] = [];
  const stack: boolean[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    let m = /^#ifdef\s+(\w+)/.exec(t);
    if (m) {
      stack.push(DEFINED_SYMBOLS.has(m[1]));
      out.push('');
      continue;
    }
    m = /^#ifndef\s+(\w+)/.exec(t);
    if (m) {
      stack.push(!DEFINED_SYMBOLS.has(m[1]));
      out.push('');
      continue;
    }
    if (/^#else/.test(t)) {
      stack[stack.length - 1] = !stack[stack.length - 1];
      out.push('');
      continue;
    }
    if (/^#endif/.test(t)) {
      stack.pop();
      out.push('');
      continue;
    }
    out.push(stack.every((x) => x) ? line : '');
  }
  return out.join('\n');
}

/** Joins lines whose backtick command continues on the next line. */
function joinBackticks(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    while ((line.split('`').length - 1) % 2 === 1 && i + 1 < lines.length) {
      line += ' ' + lines[++i].trim();
      out.push('');
    }
    out.push(line);
  }
  return out;
}

export function parseScript(src: string): Script {
  const text = preprocess(stripComments(src));
  const options: Record<string, string> = {};
  const events: ScriptEvent[] = [];
  const lines = joinBackticks(text.split('\n'));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const om = /^--(\w+)(?:=(.*))?$/.exec(line);
    if (om) {
      options[om[1]] = om[2] ?? '';
      continue;
    }
    const tm = TIME_RE.exec(line);
    // A command without a time runs at the start (packetdrill's set-up commands).
    if (!tm && !line.startsWith('`')) throw new ParseError(`line ${i + 1}: no time in "${line}"`);
    const time: TimeSpec = tm ? parseTime(tm[1]) : { kind: 'absolute', t: 0 };
    const rest = tm ? line.slice(tm[0].length).trim() : line;
    let action: ScriptAction;
    try {
      if (rest.startsWith('`')) {
        action = { kind: 'shell', command: rest.slice(1, rest.lastIndexOf('`')) };
      } else if (rest.startsWith('%{')) {
        action = { kind: 'assert', code: rest.slice(2, rest.lastIndexOf('}%')).trim() };
      } else if (rest.startsWith('<') || rest.startsWith('>')) {
        action = parsePacket(rest[0] as '<' | '>', rest.slice(1));
      } else {
        action = parseSyscall(rest);
      }
    } catch (e) {
      throw new ParseError(`line ${i + 1}: ${(e as Error).message}`);
    }
    events.push({ line: i + 1, text: line, time, action });
  }
  return { options, events };
}
