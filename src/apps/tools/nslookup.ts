/**
 * nslookup, as BIND 9.18's nslookup prints it (bin/dig/nslookup.c: printsection, the
 * "Non-authoritative answer:" banner), non-interactive mode: queries A then AAAA (or the
 * given type) with recursion desired.
 *
 * Read first: RFC 1035 § 4.1.1 (AA decides "Non-authoritative answer").
 *
 *   Server:		203.0.113.53
 *   Address:	203.0.113.53#53
 *
 *   Non-authoritative answer:
 *   Name:	www.server.com
 *   Address: 198.51.100.80
 */
import { formatIpv4 } from '../../wire/addr.js';
import { Rcode, formatRData, rcodeName, type DnsRecord } from '../../wire/dns.js';
import { dig, reverseName, type DigEnv, type DigResult } from './dig.js';

export interface NslookupOptions {
  name: string;
  server: { address: number; label?: string; port?: number };
  /** -type=X (default: A then AAAA). */
  type?: string;
  timeout?: number;
}

export interface NslookupResult {
  text: string;
  /** 0 found, 1 not found or error (nslookup's status). */
  exitCode: number;
}

const bare = (n: string): string => (n.endsWith('.') && n !== '.' ? n.slice(0, -1) : n);

function recordLine(r: DnsRecord): string {
  const n = bare(r.name);
  switch (r.data.kind) {
    case 'A':
      return `Name:\t${n}\nAddress: ${formatRData(r)}`;
    case 'AAAA':
      return `Name:\t${n}\nAddress: ${formatRData(r)}`;
    case 'CNAME':
      return `${n}\tcanonical name = ${r.data.target}`;
    case 'MX':
      return `${n}\tmail exchanger = ${r.data.preference} ${r.data.exchange}`;
    case 'NS':
      return `${n}\tnameserver = ${r.data.target}`;
    case 'PTR':
      return `${n}\tname = ${r.data.target}`;
    case 'TXT':
      return `${n}\ttext = ${formatRData(r)}`;
    case 'SOA':
      return `${n}\n\torigin = ${r.data.mname}\n\tmail addr = ${r.data.rname}\n\tserial = ${r.data.serial}\n\trefresh = ${r.data.refresh}\n\tretry = ${r.data.retry}\n\texpire = ${r.data.expire}\n\tminimum = ${r.data.minimum}`;
    default:
      return `${n}\trdata_${r.type} = ${formatRData(r)}`;
  }
}

export async function nslookup(env: DigEnv, o: NslookupOptions): Promise<NslookupResult> {
  const port = o.server.port ?? 53;
  const L: string[] = [
    `Server:\t\t${o.server.label ?? formatIpv4(o.server.address)}`,
    `Address:\t${formatIpv4(o.server.address)}#${port}`,
    '',
  ];
  const rev = reverseName(o.name);
  const name = rev ?? o.name;
  const types = o.type ? [o.type.toUpperCase()] : rev ? ['PTR'] : ['A', 'AAAA'];
  let printedBanner = false;
  const seen = new Set<string>();
  let found = false;
  for (const t of types) {
    const r: DigResult = await dig(env, {
      name,
      type: t,
      server: o.server.address,
      port,
      timeout: o.timeout ?? 5,
      tries: 2,
    });
    if (!r.ok) {
      L.push(';; connection timed out; no servers could be reached', '');
      return { text: L.join('\n') + '\n', exitCode: 1 };
    }
    const m = r.response!;
    if (m.header.rcode !== Rcode.NOERROR) {
      L.push(`** server can't find ${bare(o.name)}: ${rcodeName(m.header.rcode)}`, '');
      return { text: L.join('\n') + '\n', exitCode: 1 };
    }
    if (m.answers.length === 0) continue;
    if (!m.header.aa && !printedBanner) {
      L.push('Non-authoritative answer:');
      printedBanner = true;
    }
    // the AAAA query repeats the CNAME chain: print it once, as nslookup does
    for (const a of m.answers) {
      const line = recordLine(a);
      if (!seen.has(line)) L.push(line);
      seen.add(line);
    }
    found = true;
  }
  if (!found) L.push(`*** Can't find ${bare(o.name)}: No answer`);
  L.push('');
  return { text: L.join('\n') + '\n', exitCode: found ? 0 : 1 };
}
