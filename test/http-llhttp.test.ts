/**
 * Runs llhttp's Markdown test vectors (nodejs/llhttp, MIT; ../shared/vectors/llhttp) against
 * src/apps/http/parser.ts and compares event logs.
 *
 * Each case is a `<!-- meta={...} -->` comment, an ```http input block and a ```log block with
 * llhttp's event log. The input is prepared exactly as llhttp's test/md-test.ts does (escaped
 * newlines removed, newlines normalised to CRLF, \r \n \t \f \xHH \NNN escapes), encoded as
 * UTF-8, and fed to our parser whole and, unless the case says noScan, also in pieces of every
 * size from 1 to its length (llparse-test-fixture's "scan"): every run must give the log.
 *
 * Our events are printed in llhttp's format (print_span's cr/lf splitting, span merging of
 * llparse-test-fixture's normalizeSpans, llhttp's method numbers and flag bits, error codes
 * mapped from our (code, where) pairs; the reason text is ours, so only `off` and `code` of an
 * error line are compared).
 *
 * General rules (never per-case edits):
 * - Skipped: cases whose type asks for a lenient flag (`*-lenient-*`), cases with a `pause` meta
 *   (llhttp's pause API), url.md (llhttp's URL splitter, not the message parser), and inputs
 *   whose start line uses the RTSP or ICE protocol (not HTTP).
 * - A token span (method, url, protocol, version, status, header field/value, chunk extension)
 *   that no `<kind> complete` line follows is a partial token that llhttp flushes at an error or
 *   at the end of the input; our parser reports a token only when it is complete. Such lines
 *   are removed from both logs before comparing.
 *
 * The test fails when a case listed in test/http-llhttp.expected.json stops passing; set
 * UPDATE_LLHTTP=1 to rewrite that list from the current results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpParser } from '../src/apps/http/parser.js';
import type { HttpParseError, HttpSpanKind, HttpHead } from '../src/apps/http/parser.js';

const here = dirname(fileURLToPath(import.meta.url));
const VECTORS = resolve(
  process.env.WIRETRAIL_LLHTTP_VECTORS ??
    join(here, 'vectors', 'llhttp', 'test'), // vendored copy of ../shared/vectors/llhttp (MIT, see LICENSE)
);
const EXPECTED_FILE = join(here, 'http-llhttp.expected.json');

const FILES = [
  'request/sample.md',
  'request/method.md',
  'request/uri.md',
  'request/connection.md',
  'request/content-length.md',
  'request/transfer-encoding.md',
  'request/invalid.md',
  'request/finish.md',
  'request/pipelining.md',
  'request/pausing.md',
  'request/lenient-headers.md',
  'request/lenient-header-value-relaxed.md',
  'request/lenient-version.md',
  'response/sample.md',
  'response/connection.md',
  'response/content-length.md',
  'response/transfer-encoding.md',
  'response/invalid.md',
  'response/finish.md',
  'response/pipelining.md',
  'response/pausing.md',
  'response/lenient-version.md',
  'url.md',
];

interface Case {
  file: string;
  line: number;
  name: string;
  meta: Record<string, unknown>;
  input: string;
  log: string;
}

/** Splits a Markdown file into cases: a meta comment, then an input fence, then a log fence. */
function parseMarkdown(file: string, text: string): Case[] {
  const lines = text.split('\n');
  const cases: Case[] = [];
  let heading = '';
  let meta: Record<string, unknown> | undefined;
  let metaLine = 0;
  let input: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const h = /^#+\s+(.*)$/.exec(l);
    if (h) {
      heading = h[1].trim();
      continue;
    }
    const m = /^<!--\s*meta=(.*?)\s*-->\s*$/.exec(l);
    if (m) {
      meta = JSON.parse(m[1]) as Record<string, unknown>;
      metaLine = i + 1;
      input = undefined;
      continue;
    }
    const fence = /^```(\w+)\s*$/.exec(l);
    if (fence) {
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !/^```\s*$/.test(lines[j])) body.push(lines[j++]);
      i = j;
      const content = body.map((b) => b + '\n').join('');
      if (fence[1] === 'http' || fence[1] === 'url') {
        input = content;
      } else if (fence[1] === 'log' && input !== undefined) {
        cases.push({ file, line: metaLine, name: heading, meta: meta ?? {}, input, log: content });
        input = undefined;
        meta = undefined;
      }
    }
  }
  return cases;
}

/** llhttp's test/md-test.ts input preparation. */
function prepareInput(raw: string): Uint8Array {
  let input = raw.replace(/\n$/, '');
  input = input.replace(/\\(\r\n|\r|\n)/g, '');
  input = input.replace(/\r\n|\r|\n/g, '\r\n');
  input = input.replace(/\\r/g, '\r');
  input = input.replace(/\\n/g, '\n');
  input = input.replace(/\\t/g, '\t');
  input = input.replace(/\\f/g, '\f');
  input = input.replace(/\\x([0-9a-fA-F]+)/g, (_all, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  input = input.replace(/\\([0-7]{1,3})/g, (_all, digits: string) =>
    String.fromCharCode(parseInt(digits, 8)),
  );
  return new TextEncoder().encode(input);
}

function prepareExpected(raw: string): string[] {
  const expected = raw.replace(/\\t/g, '\t').replace(/\\f/g, '\f');
  return expected.split(/\n/g).slice(0, -1);
}

// llhttp's method numbers (src/llhttp/constants.ts).
const METHODS = [
  'DELETE', 'GET', 'HEAD', 'POST', 'PUT', 'CONNECT', 'OPTIONS', 'TRACE', 'COPY', 'LOCK', 'MKCOL',
  'MOVE', 'PROPFIND', 'PROPPATCH', 'SEARCH', 'UNLOCK', 'BIND', 'REBIND', 'UNBIND', 'ACL', 'REPORT',
  'MKACTIVITY', 'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PATCH',
  'PURGE', 'MKCALENDAR', 'LINK', 'UNLINK', 'SOURCE', 'PRI', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY',
  'PAUSE', 'TEARDOWN', 'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'RECORD', 'FLUSH', 'QUERY',
]; // prettier-ignore

const SPAN_NAME: Record<HttpSpanKind, string> = {
  method: 'method',
  target: 'url',
  protocol: 'protocol',
  version: 'version',
  reason: 'status',
  'field-name': 'header_field',
  'field-value': 'header_value',
  'ext-name': 'chunk_extension_name',
  'ext-value': 'chunk_extension_value',
};

/** llhttp's flag bits at on_headers_complete, from what our parser reports. */
function llhttpFlags(head: HttpHead): number {
  let f = 0;
  for (const [name, value] of head.headers) {
    const n = name.toLowerCase();
    if (n === 'connection' || n === 'proxy-connection') {
      for (const t of value.split(',').map((s) => s.trim().toLowerCase())) {
        if (t === 'keep-alive') f |= 0x1;
        else if (t === 'close') f |= 0x2;
        else if (t === 'upgrade') f |= 0x4;
      }
    }
    if (n === 'upgrade') f |= 0x10;
    if (n === 'transfer-encoding') f |= 0x200;
  }
  if (head.chunked) f |= 0x8;
  if (head.contentLength !== undefined) f |= 0x20;
  return f;
}

/** llhttp error numbers (llhttp.h `llhttp_errno`) for our (code, where). */
function llhttpErrno(e: HttpParseError, kind: 'request' | 'response'): number {
  switch (e.code) {
    case 'bad-method':
      return 6;
    case 'bad-target':
    case 'target-too-long':
      return 7;
    case 'bad-protocol':
      return 8;
    case 'bad-version':
    case 'unsupported-version':
      return 9;
    case 'bad-status':
    case 'bad-reason':
      return 13;
    case 'bare-cr':
      return e.where === 'field-value' ? 3 : 2;
    case 'bare-lf':
      if (e.where === 'field-name') return 10;
      // llhttp: a request line ending in a bare LF is an invalid version; a status line, CR expected.
      if (e.where === 'start-line') return kind === 'request' ? 9 : 25;
      return 25;
    case 'space-after-start-line':
      return 30;
    case 'bad-field-name':
    case 'space-before-colon':
    case 'bad-field-value':
    case 'obs-fold':
      return 10;
    case 'bad-content-length':
    case 'content-length-overflow':
      return 11;
    case 'duplicate-content-length':
      return 4;
    case 'content-length-with-transfer-encoding':
      return e.where === 'field-name' && e.reason.startsWith('Content-Length') ? 11 : 15;
    case 'bad-transfer-encoding':
    case 'bad-trailer':
      return 15;
    case 'bad-chunk-size':
    case 'chunk-size-overflow':
      return 12;
    case 'bad-chunk-extension':
    case 'chunk-extension-too-long':
    case 'bad-chunk-end':
      return 2;
    case 'data-after-close':
      return 5;
    case 'incomplete-message':
      return 14;
    default:
      return 1;
  }
}

/** llparse-test-fixture's llparse__print_span: splits a span at CR and LF. */
function printSpan(out: string[], name: string, bytes: Uint8Array, off: number): void {
  const dec = new TextDecoder();
  let p = 0;
  const endp = bytes.length;
  for (;;) {
    let cr = bytes.indexOf(0x0d, p);
    let lf = bytes.indexOf(0x0a, p);
    if (cr >= 0 && lf >= 0) {
      if (cr < lf) lf = -1;
      else cr = -1;
    }
    const len = lf >= 0 ? lf - p : cr >= 0 ? cr - p : endp - p;
    if (len !== 0 || (lf < 0 && cr < 0)) {
      out.push(
        `off=${off + p} len=${len} span[${name}]="${dec.decode(bytes.subarray(p, p + len))}"`,
      );
      p += len;
    }
    if (lf >= 0) {
      out.push(`off=${off + p} len=1 span[${name}]=lf`);
      p++;
    } else if (cr >= 0) {
      out.push(`off=${off + p} len=1 span[${name}]=cr`);
      p++;
    }
    if (p === endp) break;
  }
}

/** llparse-test-fixture's normalizeSpans: merges contiguous quoted spans of the same name. */
function normalizeSpans(lines: string[]): string[] {
  type Item =
    | { type: 'raw'; value: string }
    | { type: 'span'; off: number; len: number; span: string; value: string };
  const res: Item[] = [];
  const last = new Map<string, Item & { type: 'span' }>();
  for (const line of lines) {
    const m = /^off=(\d+)\s+len=(\d+)\s+span\[([^\]]+)\]="(.*)"$/s.exec(line);
    if (!m) {
      res.push({ type: 'raw', value: line });
      continue;
    }
    const obj = {
      type: 'span' as const,
      off: Number(m[1]),
      len: Number(m[2]),
      span: m[3],
      value: m[4],
    };
    const prev = last.get(obj.span);
    if (prev && prev.off + prev.len === obj.off) {
      prev.len += obj.len;
      prev.value += obj.value;
      res.splice(res.indexOf(prev), 1);
      res.push(prev);
      continue;
    }
    res.push(obj);
    last.set(obj.span, obj);
  }
  return res.map((o) =>
    o.type === 'raw' ? o.value : `off=${o.off} len=${o.len} span[${o.span}]="${o.value}"`,
  );
}

const TOKEN_SPANS = new Set(Object.values(SPAN_NAME));

/** Removes token spans that no completion follows (partial tokens; see the file header). */
function dropPartialTokens(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^off=\d+ len=\d+ span\[([^\]]+)\]/.exec(lines[i]);
    if (m && TOKEN_SPANS.has(m[1])) {
      const name = m[1];
      let completed = false;
      for (let j = i + 1; j < lines.length; j++) {
        const l = lines[j];
        if (l.endsWith(` ${name} complete`)) {
          completed = true;
          break;
        }
        if (/ (message begin|error code=.*|reset)$/.test(l) || l.startsWith('off=NULL')) break;
      }
      if (!completed) continue;
    }
    out.push(lines[i]);
  }
  return out;
}

/** Compares error lines by offset and code only (the reason text is ours). */
function canonical(lines: string[]): string[] {
  return lines.map((l) => l.replace(/^(off=\d+ error code=\d+) reason=.*$/, '$1'));
}

function runOnce(c: Case, input: Uint8Array, chunk: number): string[] {
  const type = String(c.meta.type);
  const kind = type.startsWith('response') ? 'response' : 'request';
  const out: string[] = [];
  const parser = new HttpParser(kind, {
    onMessageBegin: (off) => out.push(`off=${off} message begin`),
    onReset: (off) => out.push(`off=${off} reset`),
    onSpan: (k, bytes, off) => printSpan(out, SPAN_NAME[k], bytes, off),
    onComplete: (k, off) => out.push(`off=${off} ${SPAN_NAME[k]} complete`),
    onHeadersComplete: (head, off) => {
      const flags = llhttpFlags(head).toString(16);
      const cl = head.chunked ? 0 : (head.contentLength ?? 0);
      const v = `v=${head.versionMajor}/${head.versionMinor}`;
      if (kind === 'request') {
        const idx = METHODS.indexOf(head.method);
        const m = idx >= 0 ? String(idx) : `?${head.method}`;
        out.push(
          `off=${off} headers complete method=${m} ${v} flags=${flags} content_length=${cl}`,
        );
      } else {
        out.push(
          `off=${off} headers complete status=${head.status} ${v} flags=${flags} content_length=${cl}`,
        );
      }
      if (c.meta.skipBody === true) {
        out.push(`off=${off} skip body`);
        return 'skip-body';
      }
      return undefined;
    },
    onBody: (bytes, off) => printSpan(out, 'body', bytes, off),
    onChunkHeader: (size, off) => out.push(`off=${off} chunk header len=${size}`),
    onChunkComplete: (off) => out.push(`off=${off} chunk complete`),
    onMessageComplete: (_t, off) => out.push(`off=${off} message complete`),
  });
  let stopped = false;
  for (let i = 0; i < input.length && !stopped; i += chunk) {
    const r = parser.execute(input.subarray(i, Math.min(input.length, i + chunk)));
    if (r.kind === 'error') {
      out.push(
        `off=${r.error.offset} error code=${llhttpErrno(r.error, kind)} reason="${r.error.reason}"`,
      );
      stopped = true;
    } else if (r.kind === 'upgrade') {
      out.push(`off=${r.offset} error code=22 reason="Pause on CONNECT/Upgrade"`);
      stopped = true;
    }
  }
  if (!stopped && type.endsWith('-finish')) {
    const phase = parser.phase;
    const n = phase === 'idle' || phase === 'closed' ? 0 : phase === 'body-until-eof' ? 1 : 2;
    out.push(`off=NULL finish=${n}`);
  }
  return out;
}

type Verdict =
  { status: 'pass' } | { status: 'fail'; detail: string } | { status: 'skip'; why: string };

function skipReason(c: Case, input: Uint8Array): string | undefined {
  if (c.file === 'url.md') return "llhttp's URL splitter";
  const type = String(c.meta.type ?? '');
  if (type.includes('lenient')) return 'lenient flag';
  if (c.meta.pause !== undefined) return "llhttp's pause API";
  if (type !== 'request' && type !== 'response' && !type.endsWith('-finish')) return `type ${type}`;
  const first = new TextDecoder()
    .decode(input)
    .replace(/^[\r\n]+/, '')
    .split('\r\n')[0];
  if (/^(RTSP|ICE)\//.test(first) || / (RTSP|ICE)\/\d/.test(first)) return 'RTSP/ICE protocol';
  return undefined;
}

function judge(c: Case): Verdict {
  const input = prepareInput(c.input);
  const skip = skipReason(c, input);
  if (skip) return { status: 'skip', why: skip };
  const expected = canonical(dropPartialTokens(prepareExpected(c.log)));
  const sizes = [input.length || 1];
  if (c.meta.noScan !== true) for (let s = 1; s < input.length; s++) sizes.push(s);
  for (const size of sizes) {
    const got = canonical(dropPartialTokens(normalizeSpans(runOnce(c, input, size))));
    try {
      assert.deepEqual(got, expected);
    } catch {
      const diff = [`chunk size ${size}`, '--- expected', ...expected, '--- got', ...got].join(
        '\n',
      );
      return { status: 'fail', detail: diff };
    }
  }
  return { status: 'pass' };
}

test(
  'llhttp vectors',
  (t) => {
    assert.ok(existsSync(VECTORS), `llhttp vectors not found at ${VECTORS}`);
    const expectedPass: Record<string, string[]> = existsSync(EXPECTED_FILE)
      ? (JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Record<string, string[]>)
      : {};
    const nowPass: Record<string, string[]> = {};
    const regressions: string[] = [];
    const summary: string[] = [];
    let totalPass = 0;
    let totalRun = 0;
    let totalSkip = 0;
    for (const file of FILES) {
      const path = join(VECTORS, file);
      if (!existsSync(path)) continue;
      const cases = parseMarkdown(file, readFileSync(path, 'utf8'));
      let pass = 0;
      let run = 0;
      let skipped = 0;
      const ids: string[] = [];
      const failures: string[] = [];
      for (const c of cases) {
        const id = `${c.line}: ${c.name}`;
        const v = judge(c);
        if (v.status === 'skip') {
          skipped++;
          continue;
        }
        run++;
        if (v.status === 'pass') {
          pass++;
          ids.push(id);
        } else {
          failures.push(`${file}:${id}\n${v.detail}`);
          if ((expectedPass[file] ?? []).includes(id))
            regressions.push(`${file}:${id}\n${v.detail}`);
        }
      }
      nowPass[file] = ids;
      totalPass += pass;
      totalRun += run;
      totalSkip += skipped;
      summary.push(
        `${file.padEnd(42)} ${String(pass).padStart(3)}/${String(run).padEnd(3)} passed, ${skipped} skipped`,
      );
      if (process.env.LLHTTP_VERBOSE) for (const f of failures) t.diagnostic(`FAIL ${f}`);
    }
    summary.push(
      `${'total'.padEnd(42)} ${String(totalPass).padStart(3)}/${String(totalRun).padEnd(3)} passed, ${totalSkip} skipped`,
    );
    for (const s of summary) t.diagnostic(s);
    if (process.env.UPDATE_LLHTTP)
      writeFileSync(EXPECTED_FILE, JSON.stringify(nowPass, null, 2) + '\n');
    assert.deepEqual(regressions, [], `regressions against ${EXPECTED_FILE}`);
  },
);
