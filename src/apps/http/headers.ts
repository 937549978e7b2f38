/**
 * An ordered list of HTTP field lines (RFC 9110 § 5: fields; RFC 9112 § 5: field syntax).
 *
 * Read first: RFC 9110 § 5.1 (field names are case-insensitive), § 5.2 (field lines, order),
 * § 5.3 (a recipient MAY combine repeated field lines into one comma-separated value, in order;
 * Set-Cookie is the known exception, RFC 6265 § 3), § 5.5 (field values: leading and trailing
 * whitespace is not part of the value; obs-text is opaque, so values are kept as Latin-1
 * strings, one char per byte).
 *
 * Names keep the case they were received or set with (they are shown to learners as sent), and
 * are matched case-insensitively.
 */

export type FieldLine = readonly [name: string, value: string];

/** RFC 9110 § 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
export const TCHAR: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const c of "!#$%&'*+-.^_`|~") t[c.charCodeAt(0)] = 1;
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  return t;
})();

/** True if `s` is a token (RFC 9110 § 5.6.2): non-empty and only tchar. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255 || TCHAR[c] === 0) return false;
  }
  return true;
}

/** True if `s` may be sent as a field value: field-vchar / SP / HTAB, no CR, LF or NUL (RFC 9110 § 5.5). */
export function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) return false;
    if (c < 0x20 ? c !== 0x09 : c === 0x7f) return false;
  }
  return true;
}

/**
 * `name.toLowerCase() === lower` (RFC 9110 § 5.1: names are case-insensitive) without lower-casing
 * `name`, which allocates a string for every line with a capital letter; names with non-ASCII
 * characters take toLowerCase as before.
 */
function nameIs(name: string, lower: string): boolean {
  if (name.length !== lower.length) {
    // Only a non-ASCII name can change length when lower-cased (U+0130 → "i̇").
    for (let i = 0; i < name.length; i++)
      if (name.charCodeAt(i) > 0x7f) return name.toLowerCase() === lower;
    return false;
  }
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c > 0x7f) return name.toLowerCase() === lower;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export class HttpHeaders implements Iterable<FieldLine> {
  private readonly lines: [string, string][] = [];

  constructor(init?: Iterable<readonly [string, string]> | Record<string, string>) {
    if (init === undefined) return;
    if (Symbol.iterator in (init as object)) {
      for (const [n, v] of init as Iterable<readonly [string, string]>) this.append(n, v);
    } else {
      for (const [n, v] of Object.entries(init as Record<string, string>)) this.append(n, v);
    }
  }

  /** Number of field lines. */
  get size(): number {
    return this.lines.length;
  }

  /** Adds a field line (a repeated name adds another line, RFC 9110 § 5.2). */
  append(name: string, value: string): this {
    this.lines.push([name, value]);
    return this;
  }

  /** Appends without validation; for the parser, which has already checked the bytes. */
  appendTrusted(name: string, value: string): void {
    this.lines.push([name, value]);
  }

  /** Replaces every line of `name` with one line. */
  set(name: string, value: string): this {
    const lower = name.toLowerCase();
    const i = this.lines.findIndex(([n]) => nameIs(n, lower));
    if (i < 0) {
      this.lines.push([name, value]);
      return this;
    }
    this.lines[i] = [name, value];
    for (let j = this.lines.length - 1; j > i; j--) {
      if (nameIs(this.lines[j][0], lower)) this.lines.splice(j, 1);
    }
    return this;
  }

  delete(name: string): this {
    const lower = name.toLowerCase();
    for (let j = this.lines.length - 1; j >= 0; j--) {
      if (nameIs(this.lines[j][0], lower)) this.lines.splice(j, 1);
    }
    return this;
  }

  has(name: string): boolean {
    const lower = name.toLowerCase();
    return this.lines.some(([n]) => nameIs(n, lower));
  }

  /**
   * The combined value (RFC 9110 § 5.3: lines joined with ", " in order), or undefined when
   * absent. For Set-Cookie use getAll().
   */
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    let out: string | undefined;
    for (const [n, v] of this.lines) {
      if (!nameIs(n, lower)) continue;
      out = out === undefined ? v : `${out}, ${v}`;
    }
    return out;
  }

  /** Each line's value for `name`, in order. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (const [n, v] of this.lines) if (nameIs(n, lower)) out.push(v);
    return out;
  }

  /**
   * The comma-separated list elements of a list-based field (RFC 9110 § 5.6.1), trimmed, empty
   * elements dropped. Quoted strings are respected (a comma inside quotes does not split).
   */
  list(name: string): string[] {
    const v = this.get(name);
    return v === undefined ? [] : splitList(v);
  }

  /** Lower-cased list elements, convenient for tokens (Connection, Transfer-Encoding, ...). */
  tokens(name: string): string[] {
    return this.list(name).map((t) => t.toLowerCase());
  }

  [Symbol.iterator](): Iterator<FieldLine> {
    return (this.lines as FieldLine[])[Symbol.iterator]();
  }

  entries(): FieldLine[] {
    return this.lines.slice();
  }

  clone(): HttpHeaders {
    return new HttpHeaders(this.lines);
  }

  /** A plain object (lower-cased names, combined values), for JSON and trace events. */
  toObject(): Record<string, string> {
    const o: Record<string, string> = {};
    for (const [n] of this.lines) {
      const k = n.toLowerCase();
      if (!(k in o)) o[k] = this.get(k)!;
    }
    return o;
  }
}

/** Splits a list-based field value on commas outside quoted strings (RFC 9110 § 5.6.1). */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      cur += c;
      if (c === '\\' && i + 1 < value.length) cur += value[++i];
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      cur += c;
    } else if (c === ',') {
      const t = cur.trim();
      if (t !== '') out.push(t);
      cur = '';
    } else {
      cur += c;
    }
  }
  const t = cur.trim();
  if (t !== '') out.push(t);
  return out;
}
