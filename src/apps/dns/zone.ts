/**
 * Zone files: the RFC 1035 § 5 master-file format, parsed from text (browser-safe: reading
 * files is the CLI's job), into a validated in-memory zone.
 *
 * Read first: RFC 1035 § 5.1 (format: $ORIGIN, $INCLUDE, blank owner = previous owner, "@",
 * relative names, parentheses, ";" comments, quoted strings, "\X" and "\DDD" escapes), RFC 2308
 * § 4 ($TTL), RFC 1034 § 4.2.1 (a zone has one SOA at its apex and NS records there), RFC 1034
 * § 3.6.2 and RFC 2181 § 10.1 (a CNAME owner has no other data), RFC 2181 § 5.2 (the TTLs of an
 * RRset are equal) and § 8 (TTLs are 0 … 2^31 − 1), RFC 3597 § 5 (generic "\# len hex" RDATA).
 *
 * Supported types: A, AAAA, NS, CNAME, SOA, MX, TXT, PTR, and any type (TYPEnnn or a known
 * name) in the RFC 3597 generic form. Not supported: $INCLUDE and $GENERATE (an error says so),
 * classes other than IN.
 *
 * Errors name the file and the line ("server.com.zone:12: ..."); every error in a file is
 * reported, not only the first.
 */
import { parseIpv4 } from '../../wire/addr.js';
import {
  DnsClass,
  DnsType,
  canonicalName,
  formatRData,
  isSubdomain,
  nameToLabels,
  parentName,
  parseIpv6,
  typeFromName,
  typeName,
  type DnsRecord,
  type RData,
  type SoaData,
} from '../../wire/dns.js';

export interface ZoneError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export function formatZoneError(e: ZoneError): string {
  return e.line > 0 ? `${e.file}:${e.line}: ${e.message}` : `${e.file}: ${e.message}`;
}

/** All records of one owner and type (RFC 2181 § 5). */
export interface RRset {
  /** Canonical owner name (lowercase, trailing dot). */
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  readonly rdata: readonly RData[];
}

export interface ZoneOptions {
  /** The zone's origin (apex), e.g. "server.com." */
  origin: string;
  /** Shown in error messages. */
  file?: string;
  /** TTL for records before any $TTL and without their own (default: an error). */
  defaultTtl?: number;
}

export type ZoneResult =
  | { ok: true; zone: Zone; warnings: ZoneError[] }
  | { ok: false; errors: ZoneError[]; warnings: ZoneError[] };

/** RFC 2181 § 8: TTLs are unsigned 31-bit. */
const MAX_TTL = 0x7fffffff;

/**
 * A validated zone: RRsets by owner, the delegation points (zone cuts) below the apex, and
 * every name that exists, empty non-terminals included (RFC 8020: they are NOERROR/NODATA).
 */
export class Zone {
  /** Owner → type → RRset. Owners are canonical names. */
  private readonly nodes = new Map<string, Map<number, RRset>>();
  /** Names that exist: owners and their ancestors up to the apex (empty non-terminals). */
  private readonly existing = new Set<string>();
  /** Delegation points: owners of NS RRsets other than the apex. */
  readonly cuts = new Set<string>();

  constructor(
    readonly origin: string,
    readonly file: string,
    rrsets: readonly RRset[],
  ) {
    for (const s of rrsets) {
      let node = this.nodes.get(s.name);
      if (!node) this.nodes.set(s.name, (node = new Map()));
      node.set(s.type, s);
      if (s.type === DnsType.NS && s.name !== origin) this.cuts.add(s.name);
      for (
        let n: string | undefined = s.name;
        n !== undefined && isSubdomain(n, origin);
        n = parentName(n)
      ) {
        if (this.existing.has(n)) break;
        this.existing.add(n);
        if (n === origin) break;
      }
    }
  }

  get soa(): RRset {
    return this.nodes.get(this.origin)!.get(DnsType.SOA)!;
  }

  get soaData(): SoaData {
    return this.soa.rdata[0] as SoaData & { kind: 'SOA' };
  }

  /** The RRsets at a canonical name (undefined if it owns none). */
  node(name: string): ReadonlyMap<number, RRset> | undefined {
    return this.nodes.get(name);
  }

  rrset(name: string, type: number): RRset | undefined {
    return this.nodes.get(name)?.get(type);
  }

  /** True if the name owns records or is an empty non-terminal. */
  exists(name: string): boolean {
    return this.existing.has(name);
  }

  /** Every RRset, apex first, then owners in canonical order. */
  rrsets(): RRset[] {
    const names = [...this.nodes.keys()].sort(canonicalCompare);
    const out: RRset[] = [];
    for (const n of names) {
      const node = this.nodes.get(n)!;
      const types = [...node.keys()].sort((a, b) =>
        a === DnsType.SOA ? -1 : b === DnsType.SOA ? 1 : a - b,
      );
      for (const t of types) out.push(node.get(t)!);
    }
    return out;
  }

  /** Every record, as DnsRecords (class IN). */
  records(): DnsRecord[] {
    return this.rrsets().flatMap((s) =>
      s.rdata.map((data) => ({ name: s.name, type: s.type, class: DnsClass.IN, ttl: s.ttl, data })),
    );
  }
}

/** Canonical DNS name order (RFC 4034 § 6.1): by labels from the right. */
export function canonicalCompare(a: string, b: string): number {
  const la = a === '.' ? [] : a.slice(0, -1).split('.').reverse();
  const lb = b === '.' ? [] : b.slice(0, -1).split('.').reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return la[i] < lb[i] ? -1 : 1;
  }
  return la.length - lb.length;
}

/** The zone as master-file text (one record per line, absolute names). */
export function formatZone(zone: Zone): string {
  const lines = [`$ORIGIN ${zone.origin}`];
  for (const r of zone.records())
    lines.push(`${r.name}\t${r.ttl}\tIN\t${typeName(r.type)}\t${formatRData(r)}`);
  return lines.join('\n') + '\n';
}

// ──────────────────────────────────────── tokenizer ──────────────────────────────────────

interface Token {
  text: string;
  quoted: boolean;
  /** True if the text contained escapes (kept escaped in `text`). */
  line: number;
}

interface Entry {
  line: number;
  /** The entry began with whitespace: its owner is the previous owner (RFC 1035 § 5.1). */
  blankOwner: boolean;
  tokens: Token[];
}

/**
 * Splits master-file text into entries. Parentheses join lines; ";" starts a comment outside
 * quotes; quoted strings keep their escapes (decoded later by type).
 */
function tokenize(text: string, errors: (line: number, msg: string) => void): Entry[] {
  const entries: Entry[] = [];
  let line = 1;
  let depth = 0;
  let openLine = 0;
  let cur: Entry | undefined;
  let i = 0;
  const n = text.length;
  let atLineStart = true;
  const flush = (): void => {
    if (cur && cur.tokens.length > 0) entries.push(cur);
    cur = undefined;
  };
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      if (depth === 0) {
        flush();
        atLineStart = true;
      }
      continue;
    }
    if (atLineStart && depth === 0) {
      cur = { line, blankOwner: c === ' ' || c === '\t', tokens: [] };
      atLineStart = false;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === ';') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '(') {
      if (depth > 0) errors(line, 'nested "(" is not allowed');
      depth++;
      openLine = line;
      i++;
      continue;
    }
    if (c === ')') {
      if (depth === 0) errors(line, '")" without a matching "("');
      else depth--;
      i++;
      continue;
    }
    if (c === '"') {
      let s = '';
      const start = line;
      i++;
      let closed = false;
      while (i < n) {
        const d = text[i];
        if (d === '\\' && i + 1 < n) {
          s += d + text[i + 1];
          if (text[i + 1] === '\n') line++;
          i += 2;
          continue;
        }
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\n') line++;
        s += d;
        i++;
      }
      if (!closed) errors(start, 'unterminated quoted string');
      cur!.tokens.push({ text: s, quoted: true, line: start });
      continue;
    }
    let s = '';
    while (i < n) {
      const d = text[i];
      if (d === '\\' && i + 1 < n) {
        s += d + text[i + 1];
        i += 2;
        continue;
      }
      if (
        d === ' ' ||
        d === '\t' ||
        d === '\r' ||
        d === '\n' ||
        d === ';' ||
        d === '(' ||
        d === ')' ||
        d === '"'
      )
        break;
      s += d;
      i++;
    }
    cur!.tokens.push({ text: s, quoted: false, line });
  }
  if (depth > 0) errors(openLine, '"(" is never closed');
  flush();
  return entries;
}

/** Decodes "\X" and "\DDD" escapes of a character-string into octets (RFC 1035 § 5.1). */
function unescapeString(s: string): Uint8Array | string {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) {
      const d = s.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(d)) {
        const v = Number(d);
        if (v > 255) return `escape \\${d} is over 255`;
        out.push(v);
        i += 3;
      } else if (i + 1 < s.length) {
        out.push(s.charCodeAt(i + 1));
        i += 1;
      }
      continue;
    }
    if (c > 0x7f) {
      // UTF-8 encode non-ASCII text in TXT strings
      for (const b of new TextEncoder().encode(s[i])) out.push(b);
      continue;
    }
    out.push(c);
  }
  return Uint8Array.from(out);
}

/** "3600", "1h", "2d", "1w2d", "30m" (BIND's units) → seconds. */
export function parseTtl(s: string): number | undefined {
  if (/^[0-9]+$/.test(s)) return Number(s);
  const re = /([0-9]+)([smhdwSMHDW])/g;
  let total = 0;
  let used = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const mult = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2].toLowerCase() as 's'];
    total += Number(m[1]) * mult;
    used += m[0].length;
  }
  return used === s.length && used > 0 ? total : undefined;
}

// ───────────────────────────────────────── parser ────────────────────────────────────────

function readRecords(
  text: string,
  options: ZoneOptions,
  report: (line: number, msg: string) => void,
): MasterRecord[] {
  let lastErrorLine = -1;
  const error = (line: number, msg: string): void => {
    lastErrorLine = line;
    report(line, msg);
  };
  const apex = canonicalName(options.origin);
  let origin = apex;
  let ttlDefault: number | undefined = options.defaultTtl;
  let lastTtl: number | undefined;
  let lastOwner: string | undefined;

  /** Resolves a name token against the current origin. */
  const absName = (tok: string, line: number, what: string): string | undefined => {
    let name: string;
    if (tok === '@') name = origin;
    else if (tok.endsWith('.') && !tok.endsWith('\\.')) name = tok;
    else name = origin === '.' ? tok + '.' : tok + '.' + origin;
    const l = nameToLabels(name);
    if (!l.ok) {
      error(line, `${what} "${tok}": ${l.detail}`);
      return undefined;
    }
    return canonicalName(name);
  };

  interface Pending {
    line: number;
    name: string;
    type: number;
    ttl: number;
    explicitTtl: boolean;
    data: RData;
  }
  const records: Pending[] = [];

  const entries = tokenize(text, error);
  for (const e of entries) {
    const toks = e.tokens;
    const first = toks[0];
    if (!e.blankOwner && !first.quoted && first.text.startsWith('$')) {
      const dir = first.text.toUpperCase();
      if (dir === '$ORIGIN') {
        if (toks.length !== 2) {
          error(e.line, '$ORIGIN needs exactly one domain name');
          continue;
        }
        const o = absName(toks[1].text, e.line, '$ORIGIN');
        if (o) origin = o;
      } else if (dir === '$TTL') {
        const t = toks.length === 2 ? parseTtl(toks[1].text) : undefined;
        if (t === undefined || t > MAX_TTL)
          error(
            e.line,
            `$TTL needs one TTL (seconds, or units like 1h), got "${toks
              .slice(1)
              .map((x) => x.text)
              .join(' ')}"`,
          );
        else ttlDefault = t;
      } else if (dir === '$INCLUDE') {
        error(e.line, '$INCLUDE is not supported: put the records in this file');
      } else if (dir === '$GENERATE') {
        error(e.line, '$GENERATE is not supported');
      } else {
        error(e.line, `unknown directive ${first.text}`);
      }
      continue;
    }
    let k = 0;
    let owner: string | undefined;
    if (e.blankOwner) {
      owner = lastOwner;
      if (owner === undefined) {
        error(
          e.line,
          'the first record has no owner name (a line starting with a space repeats the previous owner)',
        );
        continue;
      }
    } else {
      owner = absName(toks[0].text, e.line, 'owner name');
      k = 1;
      if (owner === undefined) continue;
      lastOwner = owner;
    }
    // [TTL] [class] type, or [class] [TTL] type (RFC 1035 § 5.1)
    let ttl: number | undefined;
    let klass: number | undefined;
    let type: number | undefined;
    for (let guard = 0; guard < 3 && k < toks.length; guard++) {
      const t = toks[k].text;
      if (ttl === undefined && /^[0-9]/.test(t)) {
        const v = parseTtl(t);
        if (v === undefined) {
          error(e.line, `"${t}" is not a TTL`);
          ttl = -1;
        } else if (v > MAX_TTL) {
          error(e.line, `TTL ${v} is over 2^31 - 1 (RFC 2181 § 8)`);
          ttl = -1;
        } else ttl = v;
        k++;
        continue;
      }
      const up = t.toUpperCase();
      if (
        klass === undefined &&
        (up === 'IN' || up === 'CH' || up === 'HS' || up === 'CS' || /^CLASS[0-9]+$/.test(up))
      ) {
        klass = up === 'IN' ? DnsClass.IN : -1;
        k++;
        continue;
      }
      type = typeFromName(t);
      if (type === undefined) error(e.line, `unknown record type "${t}"`);
      k++;
      break;
    }
    if (type === undefined) {
      if (k >= toks.length && lastErrorLine !== e.line) error(e.line, 'the record has no type');
      continue;
    }
    if (klass === -1) {
      error(e.line, 'only class IN is supported');
      continue;
    }
    if (ttl === -1) continue;
    const explicitTtl = ttl !== undefined;
    if (ttl === undefined) ttl = ttlDefault ?? lastTtl;
    if (ttl === undefined) {
      error(e.line, 'no TTL: give the record a TTL or put "$TTL 3600" at the top of the file');
      continue;
    }
    if (explicitTtl) lastTtl = ttl;
    const data = parseRDataText(
      type,
      toks.slice(k),
      e.line,
      origin,
      (l, m) => error(l, m),
      absName,
    );
    if (data === undefined) continue;
    // RFC 2308 § 4: the SOA MINIMUM no longer supplies a default TTL; $TTL does
    records.push({ line: e.line, name: owner, type, ttl, explicitTtl, data });
  }
  return records;
}

/** Parses zone text. The origin comes from the caller (as in a server's configuration). */
/** One record as read from a master file, with its line. */
export interface MasterRecord {
  readonly line: number;
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  readonly data: RData;
}

function fileNameFor(origin: string): string {
  return `${origin === '.' || origin === '' ? 'root' : canonicalName(origin).slice(0, -1)}.zone`;
}

/**
 * Reads the records of a master file without the checks that make a zone (no SOA needed):
 * for root hints and record lists.
 */
export function parseMasterFile(
  text: string,
  options: ZoneOptions,
): { records: MasterRecord[]; errors: ZoneError[] } {
  const file = options.file ?? fileNameFor(options.origin);
  const errors: ZoneError[] = [];
  const records = readRecords(text, options, (line, message) =>
    errors.push({ file, line, message }),
  );
  errors.sort((a, b) => a.line - b.line);
  return { records, errors };
}

/** Parses zone text. The origin comes from the caller (as in a server's configuration). */
export function parseZone(text: string, options: ZoneOptions): ZoneResult {
  const file = options.file ?? fileNameFor(options.origin);
  const errors: ZoneError[] = [];
  const warnings: ZoneError[] = [];
  const error = (line: number, message: string): void => {
    errors.push({ file, line, message });
  };
  const warn = (line: number, message: string): void => {
    warnings.push({ file, line, message });
  };
  const apex = canonicalName(options.origin);
  if (!nameToLabels(apex).ok) {
    error(0, `the zone name "${options.origin}" is not a valid domain name`);
    return { ok: false, errors, warnings };
  }
  const records = readRecords(text, options, error);
  // ─── zone-level checks ───
  const byName = new Map<
    string,
    Map<number, { ttl: number; line: number; rdata: RData[]; keys: Set<string> }>
  >();
  for (const r of records) {
    if (!isSubdomain(r.name, apex)) {
      error(r.line, `${r.name} is outside the zone ${apex}`);
      continue;
    }
    let node = byName.get(r.name);
    if (!node) byName.set(r.name, (node = new Map()));
    let set = node.get(r.type);
    if (!set) node.set(r.type, (set = { ttl: r.ttl, line: r.line, rdata: [], keys: new Set() }));
    else if (set.ttl !== r.ttl) {
      warn(
        r.line,
        `TTL ${r.ttl} differs from ${set.ttl} of the other ${typeName(r.type)} records of ${r.name}; using ${set.ttl} (RFC 2181 § 5.2)`,
      );
    }
    const key = formatRData({
      name: r.name,
      type: r.type,
      class: 1,
      ttl: 0,
      data: r.data,
    }).toLowerCase();
    if (set.keys.has(key)) {
      warn(r.line, `duplicate record ${r.name} ${typeName(r.type)} ${key} ignored`);
      continue;
    }
    set.keys.add(key);
    set.rdata.push(r.data);
  }
  const apexNode = byName.get(apex);
  const soa = apexNode?.get(DnsType.SOA);
  if (!soa) error(0, `no SOA record at the zone apex ${apex} (RFC 1035 § 5.2)`);
  else if (soa.rdata.length > 1) error(soa.line, `more than one SOA record at ${apex}`);
  if (!apexNode?.get(DnsType.NS)) error(soa?.line ?? 0, `no NS records at the zone apex ${apex}`);
  for (const [name, node] of byName) {
    if (name !== apex && node.has(DnsType.SOA))
      error(
        node.get(DnsType.SOA)!.line,
        `SOA record at ${name}, which is not the zone apex ${apex}`,
      );
    const cname = node.get(DnsType.CNAME);
    if (cname) {
      if (cname.rdata.length > 1)
        error(cname.line, `${name} has more than one CNAME (RFC 2181 § 10.1)`);
      for (const [t, s] of node) {
        if (t !== DnsType.CNAME) {
          error(
            Math.max(s.line, cname.line),
            `${name} has a CNAME and also ${typeName(t)} data; a CNAME owner can have no other data (RFC 1034 § 3.6.2)`,
          );
          break;
        }
      }
    }
  }
  // Cuts and what lies below them: only address records (glue) may be there.
  const cutNames = [...byName.entries()]
    .filter(([n, node]) => n !== apex && node.has(DnsType.NS))
    .map(([n]) => n);
  const cutOf = (name: string): string | undefined => {
    for (
      let n = parentName(name);
      n !== undefined && isSubdomain(n, apex) && n !== apex;
      n = parentName(n)
    ) {
      if (cutNames.includes(n)) return n;
    }
    return undefined;
  };
  for (const [name, node] of byName) {
    const cut = cutOf(name);
    const at = cutNames.includes(name);
    for (const [t, s] of node) {
      if (cut !== undefined && t !== DnsType.A && t !== DnsType.AAAA)
        error(
          s.line,
          `${name} ${typeName(t)} is below the delegation of ${cut} (only glue addresses may be there)`,
        );
      if (
        at &&
        cut === undefined &&
        t !== DnsType.NS &&
        t !== DnsType.A &&
        t !== DnsType.AAAA &&
        t !== DnsType.DS
      )
        error(
          s.line,
          `${name} is delegated (it has NS records) and cannot also hold ${typeName(t)} data`,
        );
    }
  }
  // Glue (RFC 9471): a name server below the delegation it serves needs an address here, and
  // so does an apex name server that lives in this zone's own data (warnings, as
  // named-checkzone gives).
  for (const [name, node] of byName) {
    const ns = node.get(DnsType.NS);
    if (!ns) continue;
    for (const d of ns.rdata) {
      if (d.kind !== 'NS') continue;
      const target = d.target;
      const inDomain =
        name !== apex
          ? isSubdomain(target, name)
          : isSubdomain(target, apex) && cutOf(target) === undefined && !cutNames.includes(target);
      if (!inDomain) continue;
      const tn = byName.get(target);
      if (!tn?.has(DnsType.A) && !tn?.has(DnsType.AAAA))
        warn(
          ns.line,
          `${name} NS ${target}: the name server is inside ${name} but has no address record (missing glue)`,
        );
    }
  }
  if (errors.length > 0) {
    errors.sort((a, b) => a.line - b.line);
    return { ok: false, errors, warnings };
  }
  const rrsets: RRset[] = [];
  for (const [name, node] of byName)
    for (const [type, s] of node) rrsets.push({ name, type, ttl: s.ttl, rdata: s.rdata });
  return { ok: true, zone: new Zone(apex, file, rrsets), warnings };
}

type NameResolver = (tok: string, line: number, what: string) => string | undefined;

function parseRDataText(
  type: number,
  toks: Token[],
  line: number,
  origin: string,
  error: (line: number, msg: string) => void,
  absName: NameResolver,
): RData | undefined {
  const tn = typeName(type);
  // RFC 3597 § 5 generic form for any type: \# <length> <hex...>
  if (toks.length >= 2 && toks[0].text === '\\#' && !toks[0].quoted) {
    const len = Number(toks[1].text);
    const hexText = toks
      .slice(2)
      .map((t) => t.text)
      .join('');
    if (
      !/^[0-9]+$/.test(toks[1].text) ||
      !/^([0-9a-fA-F]{2})*$/.test(hexText) ||
      hexText.length / 2 !== len
    ) {
      error(line, `${tn}: the generic form is "\\# <length> <hex>" with exactly <length> octets`);
      return undefined;
    }
    const b = new Uint8Array(len);
    for (let i = 0; i < len; i++) b[i] = parseInt(hexText.slice(2 * i, 2 * i + 2), 16);
    if (type === DnsType.A && len === 4)
      return { kind: 'A', address: ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0 };
    if (type === DnsType.AAAA && len === 16) return { kind: 'AAAA', address: b };
    if (
      [
        DnsType.A,
        DnsType.AAAA,
        DnsType.NS,
        DnsType.CNAME,
        DnsType.PTR,
        DnsType.SOA,
        DnsType.MX,
        DnsType.TXT,
        DnsType.OPT,
      ].includes(type as 1)
    ) {
      error(line, `${tn}: write ${tn} data in its usual form, not the generic one`);
      return undefined;
    }
    return { kind: 'raw', bytes: b };
  }
  const want = (n: number, shape: string): boolean => {
    if (toks.length !== n) {
      error(
        line,
        `${tn} needs ${shape}, got ${toks.length === 0 ? 'nothing' : `"${toks.map((t) => t.text).join(' ')}"`}`,
      );
      return false;
    }
    return true;
  };
  void origin;
  switch (type) {
    case DnsType.A: {
      if (!want(1, 'an IPv4 address')) return undefined;
      const a = parseIpv4(toks[0].text);
      if (a === undefined) {
        error(line, `A: "${toks[0].text}" is not an IPv4 address`);
        return undefined;
      }
      return { kind: 'A', address: a };
    }
    case DnsType.AAAA: {
      if (!want(1, 'an IPv6 address')) return undefined;
      const a = parseIpv6(toks[0].text);
      if (a === undefined) {
        error(line, `AAAA: "${toks[0].text}" is not an IPv6 address`);
        return undefined;
      }
      return { kind: 'AAAA', address: a };
    }
    case DnsType.NS:
    case DnsType.CNAME:
    case DnsType.PTR: {
      if (!want(1, 'a domain name')) return undefined;
      const t = absName(toks[0].text, line, `${tn} target`);
      if (t === undefined) return undefined;
      return { kind: tn as 'NS', target: t };
    }
    case DnsType.MX: {
      if (!want(2, 'a preference and a mail exchange name')) return undefined;
      const p = /^[0-9]+$/.test(toks[0].text) ? Number(toks[0].text) : NaN;
      if (!(p >= 0 && p <= 0xffff)) {
        error(line, `MX: preference "${toks[0].text}" is not a number from 0 to 65535`);
        return undefined;
      }
      const x = absName(toks[1].text, line, 'MX exchange');
      if (x === undefined) return undefined;
      return { kind: 'MX', preference: p, exchange: x };
    }
    case DnsType.SOA: {
      if (!want(7, 'MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM')) return undefined;
      const m = absName(toks[0].text, line, 'SOA MNAME');
      const r = absName(toks[1].text, line, 'SOA RNAME');
      const nums: number[] = [];
      const labels = ['SERIAL', 'REFRESH', 'RETRY', 'EXPIRE', 'MINIMUM'];
      for (let i = 0; i < 5; i++) {
        const v =
          i === 0
            ? /^[0-9]+$/.test(toks[2].text)
              ? Number(toks[2].text)
              : undefined
            : parseTtl(toks[2 + i].text);
        if (v === undefined || v > 0xffffffff) {
          error(line, `SOA ${labels[i]} "${toks[2 + i].text}" is not a number`);
          return undefined;
        }
        nums.push(v);
      }
      if (m === undefined || r === undefined) return undefined;
      return {
        kind: 'SOA',
        mname: m,
        rname: r,
        serial: nums[0],
        refresh: nums[1],
        retry: nums[2],
        expire: nums[3],
        minimum: nums[4],
      };
    }
    case DnsType.TXT: {
      if (toks.length === 0) {
        error(line, 'TXT needs at least one string');
        return undefined;
      }
      const strings: Uint8Array[] = [];
      for (const t of toks) {
        const b = unescapeString(t.text);
        if (typeof b === 'string') {
          error(line, `TXT: ${b}`);
          return undefined;
        }
        if (b.length > 255) {
          error(
            line,
            `TXT: a string of ${b.length} octets is over 255; split it into several quoted strings`,
          );
          return undefined;
        }
        strings.push(b);
      }
      return { kind: 'TXT', strings };
    }
    default:
      error(
        line,
        `type ${tn} is not supported in its usual form; write it as "\\# <length> <hex>" (RFC 3597)`,
      );
      return undefined;
  }
}
