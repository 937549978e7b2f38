// Shared helpers for the batteries that run the `wiretrail` command line in-process.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { main } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/main.js';
import { DnsType, parseDns, rcodeName } from '../src/wire/dns.js';
import { readPcapng } from '../src/wire/pcapng.js';

/** What a `wiretrail` command returned and printed. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** `wiretrail <argv...>` with standard output and standard error captured. */
export async function run(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => (out += s), err: (s) => (err += s), exitCode: 0 };
  const code = await main(argv, io);
  return { code, out, err };
}

/** The same, with the bytes a command writes to standard output (`--pcapng -`) kept apart. */
export async function runBytes(...argv: string[]): Promise<CliResult & { bytes: Buffer }> {
  let out = '';
  let err = '';
  const chunks: Uint8Array[] = [];
  const io: CliIo = {
    out: (s) => (out += s),
    err: (s) => (err += s),
    outBytes: (b) => chunks.push(b),
    exitCode: 0,
  };
  const code = await main(argv, io);
  return { code, out, err, bytes: Buffer.concat(chunks) };
}

/** `wiretrail run internet pc -- <command...>`: a command on the default internet's pc. */
export function onPc(...command: string[]): Promise<CliResult> {
  return run('run', 'internet', 'pc', '--', ...command);
}

/**
 * `wiretrail run internet <node> --pcapng <file> -- <command...>`: a command on a node of the
 * default internet, the capture written to `file`.
 */
export function capturedOn(node: string, file: string, ...command: string[]): Promise<CliResult> {
  return run('run', 'internet', node, '--pcapng', file, '--', ...command);
}

/** A DNS message (UDP port 53) seen in a capture. */
export interface DnsSeen {
  /** 'query' or 'response' */
  qr: 'query' | 'response';
  name: string;
  type: number;
  rcode: string;
  /** PTR targets in the answer */
  ptr: string[];
}

/** The DNS messages (UDP port 53) of a pcapng file, in capture order; each must parse. */
export function dnsIn(file: string): DnsSeen[] {
  const cap = readPcapng(new Uint8Array(readFileSync(file)));
  assert.ok(cap.ok, 'the capture reads');
  if (!cap.ok) return [];
  const out: DnsSeen[] = [];
  for (const p of cap.value.packets) {
    const d = p.data;
    const fcs = cap.value.interfaces[p.interfaceId].fcsLen;
    if (d.length < 42 || d[12] !== 0x08 || d[13] !== 0x00 || d[23] !== 17) continue;
    const udp = 14 + (d[14] & 0x0f) * 4;
    const sport = (d[udp] << 8) | d[udp + 1];
    const dport = (d[udp + 2] << 8) | d[udp + 3];
    if (sport !== 53 && dport !== 53) continue;
    const m = parseDns(d, udp + 8, d.length - fcs);
    assert.ok(m.ok, 'a DNS message that parses');
    if (!m.ok) continue;
    const q = m.value.questions[0];
    out.push({
      qr: m.value.header.qr ? 'response' : 'query',
      name: q.name,
      type: q.type,
      rcode: rcodeName(m.value.header.rcode),
      ptr: m.value.answers.flatMap((r) => (r.data.kind === 'PTR' ? [r.data.target] : [])),
    });
  }
  return out;
}

/** The names the PTR queries of `seen` asked for, in order. */
export const ptrQueries = (seen: DnsSeen[]): string[] =>
  seen.filter((m) => m.qr === 'query' && m.type === DnsType.PTR).map((m) => m.name);
