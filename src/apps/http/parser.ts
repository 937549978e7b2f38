/**
 * A strict, incremental HTTP/1.1 message parser for requests and responses.
 *
 * Read first:
 * - RFC 9112 (HTTP/1.1 message syntax and framing): § 2.2 message parsing (CRLF, bare CR, leading
 *   empty lines, whitespace after the start line), § 3 request line and § 3.2 request-target
 *   forms, § 4 status line, § 5 field syntax (§ 5.1 no whitespace before the colon, § 5.2
 *   obs-fold), § 6.1 Transfer-Encoding, § 6.3 message body length, § 7.1 chunked transfer
 *   coding (extensions, trailers), § 9.3 persistence, § 11.2 request smuggling.
 * - RFC 9110 (HTTP semantics): § 5 fields, § 6.2 versions, § 8.6 Content-Length, § 9.1 methods,
 *   § 15 status codes.
 * - llhttp (nodejs/llhttp, MIT) in its default strict mode is the behavioural reference: its
 *   Markdown test vectors run against this parser (test/http-llhttp.test.ts), and the events and
 *   their offsets follow llhttp's callbacks so the logs can be compared.
 *
 * Call chain: execute(chunk) → per-byte state machine → handler callbacks (message begin,
 * spans of the start line and fields, headers complete, body pieces, chunk header/complete,
 * message complete). The input is fed in arbitrary pieces; nothing is lost or reordered at a
 * split. Bytes of the head are accumulated in one bounded scratch buffer; body bytes are handed
 * out as views of the input chunk (no copy).
 *
 * Fast path: at the start of a message, `fastHead` tries to take the whole head at once when it
 * is all in the chunk and ordinary (ASCII, origin-form, HTTP/1.x, plain framing fields): range
 * scans, one decode, the same events and decisions. It declines before any side effect, so every
 * unusual, split or malformed head goes through the state machine, which alone decides errors.
 *
 * Ambiguity is an error (RFC 9112 § 11.2, request smuggling): Content-Length together with
 * Transfer-Encoding, two Content-Length fields (even equal ones, stricter than RFC 9110 § 8.6
 * allows), a request whose final transfer coding is not chunked, chunked applied twice or not
 * last in a request, obs-fold, bare CR, bare LF where CRLF is required (§ 2.2 allows a recipient
 * to accept a lone LF; we do not, as llhttp does not), whitespace before the colon, whitespace
 * after the chunk size (the grammar's BWS, rejected as llhttp does because recipients disagree on
 * it), invalid chunk sizes or extensions. The first error stops the parser; the server answers
 * 400 (or the status suggested by `errorStatus`) and closes the connection.
 *
 * Not supported, on purpose: HTTP/0.9 request lines (no version), versions other than 1.x,
 * RTSP/ICE protocols (llhttp parses them; they are not HTTP).
 */
import { HttpHeaders, TCHAR as TCHAR_TABLE } from './headers.js';

export type HttpMessageKind = 'request' | 'response';

/** Why a message was rejected. */
export type HttpParseErrorCode =
  | 'bad-method' // method is not a token or not followed by one SP (RFC 9112 § 3)
  | 'bad-target' // request-target has a byte or form RFC 9112 § 3.2 does not allow
  | 'target-too-long' // request-target over the limit (414)
  | 'bad-protocol' // not "HTTP/" where the version must start
  | 'bad-version' // HTTP-version syntax (RFC 9112 § 2.3)
  | 'unsupported-version' // well-formed but not HTTP/1.x (505)
  | 'bad-status' // status-code not 3 digits in 100..599 (RFC 9110 § 15)
  | 'bad-reason' // control character in the reason phrase
  | 'bare-cr' // CR not followed by LF (RFC 9112 § 2.2)
  | 'bare-lf' // LF without the CR before it
  | 'space-after-start-line' // whitespace before the first field line (RFC 9112 § 2.2)
  | 'bad-field-name' // empty name or a byte that is not tchar (RFC 9110 § 5.1)
  | 'space-before-colon' // whitespace between field name and colon (RFC 9112 § 5.1)
  | 'bad-field-value' // control character in a field value (RFC 9110 § 5.5)
  | 'obs-fold' // a field line continued on the next line (RFC 9112 § 5.2)
  | 'bad-content-length' // Content-Length is not 1*DIGIT (RFC 9110 § 8.6)
  | 'duplicate-content-length'
  | 'content-length-overflow'
  | 'content-length-with-transfer-encoding' // RFC 9112 § 6.3 item 3
  | 'bad-transfer-encoding' // RFC 9112 § 6.1 / § 6.3 item 4
  | 'bad-trailer' // a framing field in the trailer section (RFC 9110 § 6.5.1)
  | 'bad-chunk-size' // RFC 9112 § 7.1
  | 'chunk-size-overflow'
  | 'bad-chunk-extension' // RFC 9112 § 7.1.1
  | 'chunk-extension-too-long'
  | 'bad-chunk-end' // chunk-data not followed by CRLF
  | 'header-overflow' // head larger than limits.maxHeadBytes (431)
  | 'too-many-fields' // more than limits.maxFields field lines (431)
  | 'body-too-large' // body larger than limits.maxBodyBytes (413)
  | 'data-after-close' // bytes after a message that ended the connection (RFC 9112 § 9.6)
  | 'incomplete-message'; // the connection ended inside a message (RFC 9112 § 8)

/** Where in the message the error was found. */
export type HttpParseWhere =
  | 'start-line'
  | 'field-name'
  | 'field-value'
  | 'headers-end'
  | 'chunk-size'
  | 'chunk-extension'
  | 'chunk-data'
  | 'body'
  | 'between-messages'
  | 'eof';

export interface HttpParseError {
  readonly code: HttpParseErrorCode;
  readonly where: HttpParseWhere;
  /** Offset of the byte the error was detected at, from the first byte fed to this parser. */
  readonly offset: number;
  /** A sentence for people (logs, narration). */
  readonly reason: string;
}

/** Labels of the spans the parser reports (llhttp's spans, with HTTP names). */
export type HttpSpanKind =
  | 'method'
  | 'target'
  | 'protocol'
  | 'version'
  | 'reason'
  | 'field-name'
  | 'field-value'
  | 'ext-name'
  | 'ext-value';

/** The parsed head of a message plus what the framing rules decided. */
export interface HttpHead {
  readonly kind: HttpMessageKind;
  /** Request method, case preserved (RFC 9110 § 9.1: methods are case-sensitive); '' for responses. */
  readonly method: string;
  /** Request-target as sent; '' for responses. */
  readonly target: string;
  /** Status code; 0 for requests. */
  readonly status: number;
  /** Reason phrase (may be empty); '' for requests. */
  readonly reason: string;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly headers: HttpHeaders;
  /** Content-Length value when the field is present. */
  readonly contentLength: number | undefined;
  /** Transfer codings in order, lower-cased (RFC 9112 § 6.1). */
  readonly transferCodings: readonly string[];
  /** The chunked coding is the final transfer coding. */
  readonly chunked: boolean;
  /** Connection options, lower-cased (RFC 9110 § 7.6.1). */
  readonly connection: readonly string[];
  /** The connection persists after this message (RFC 9112 § 9.3). */
  readonly keepAlive: boolean;
  /** After this message the connection carries another protocol (CONNECT, 101 + Upgrade). */
  readonly upgrade: boolean;
  /** Bytes of the head on the wire: start line, field lines and the empty line. */
  readonly headBytes: number;
}

export interface HttpParserHandler {
  /** The first byte of a start line (after any empty lines). */
  onMessageBegin?(offset: number): void;
  /** A complete token of the start line, a field name or value (raw, trailing OWS included), a chunk extension. */
  onSpan?(kind: HttpSpanKind, bytes: Uint8Array, offset: number): void;
  /** A token and its delimiter have been consumed (llhttp's *_complete callbacks). */
  onComplete?(kind: HttpSpanKind, offset: number): void;
  /**
   * The header section is complete. Return 'skip-body' when the message cannot have a body
   * whatever its fields say: a response to HEAD (RFC 9112 § 6.3 item 1).
   */
  onHeadersComplete?(head: HttpHead, offset: number): 'skip-body' | void;
  /** A piece of the (de-chunked) body; a view valid during the call. */
  onBody?(chunk: Uint8Array, offset: number): void;
  onChunkHeader?(size: number, offset: number): void;
  onChunkComplete?(offset: number): void;
  onMessageComplete?(trailers: HttpHeaders, offset: number): void;
  /** A second or later message begins on the same stream (pipelining, keep-alive). */
  onReset?(offset: number): void;
}

export interface HttpParserLimits {
  /** Bytes of the head (start line + field lines); larger → 'header-overflow'. Default 16 KiB (Node's). */
  maxHeadBytes: number;
  /** Longest request-target; default 8 KiB (RFC 9112 § 3 recommends supporting ≥ 8000 octets). */
  maxTargetBytes: number;
  /** Field lines in the header or trailer section; default 100. */
  maxFields: number;
  /** Bytes of one chunk-size line including extensions; default 4 KiB. */
  maxChunkHeaderBytes: number;
  /** Body bytes of one message; default unlimited. */
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: Readonly<HttpParserLimits> = {
  maxHeadBytes: 16 * 1024,
  maxTargetBytes: 8 * 1024,
  maxFields: 100,
  maxChunkHeaderBytes: 4 * 1024,
  maxBodyBytes: Infinity,
};

export type HttpExecResult =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly error: HttpParseError }
  /** The rest of the stream belongs to another protocol; `rest` starts at `offset`. */
  | { readonly kind: 'upgrade'; readonly offset: number; readonly rest: Uint8Array };

/** What the parser is doing, for idle timeouts, EOF handling and diagnostics. */
export type HttpParserPhase =
  | 'idle' // between messages (or before the first)
  | 'head' // inside a start line or header section
  | 'body' // reading a body whose end is known (Content-Length or chunked)
  | 'body-until-eof' // reading a response body delimited by the connection close
  | 'closed' // the last message said the connection ends
  | 'upgraded'
  | 'error';

const OK: HttpExecResult = Object.freeze({ kind: 'ok' });

/** The status a server answers with for a parse error (RFC 9110 § 15). */
export function errorStatus(e: HttpParseError): number {
  switch (e.code) {
    case 'target-too-long':
      return 414;
    case 'header-overflow':
    case 'too-many-fields':
      return 431;
    case 'body-too-large':
      return 413;
    case 'unsupported-version':
      return 505;
    default:
      return 400;
  }
}

// ───────────────────────────── character classes ─────────────────────────────

function table(f: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = f(c) ? 1 : 0;
  return t;
}
/** A module-local binding: an imported binding can cost a getter call per byte under some loaders. */
const TCHAR: Uint8Array = TCHAR_TABLE;
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
/** field-vchar / SP / HTAB, obs-text included (RFC 9110 § 5.5). */
const FIELD_CHAR = table((c) => c === HTAB || (c >= 0x20 && c !== 0x7f));
/** VCHAR (RFC 5234 B.1). */
const VCHAR = table((c) => c >= 0x21 && c <= 0x7e);
const DIGIT = table((c) => c >= 0x30 && c <= 0x39);
const ALPHA = table((c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
const HEXVAL = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0; c < 10; c++) t[0x30 + c] = c;
  for (let c = 0; c < 6; c++) {
    t[0x41 + c] = 10 + c;
    t[0x61 + c] = 10 + c;
  }
  return t;
})();
/** RFC 3986 scheme chars after the first ALPHA. */
const SCHEME = table(
  (c) => ALPHA[c] === 1 || DIGIT[c] === 1 || c === 0x2b || c === 0x2d || c === 0x2e,
);
/** RFC 3986 authority chars: unreserved / sub-delims / pct-encoded / ":" / "[" / "]" ("@" apart). */
const AUTHORITY = table(
  (c) => ALPHA[c] === 1 || DIGIT[c] === 1 || "-._~!$&'()*+,;=%:[]".includes(String.fromCharCode(c)),
);
/** qdtext (RFC 9110 § 5.6.4). */
const QDTEXT = table(
  (c) =>
    c === HTAB ||
    c === SP ||
    c === 0x21 ||
    (c >= 0x23 && c <= 0x5b) ||
    (c >= 0x5d && c <= 0x7e) ||
    c >= 0x80,
);
/** quoted-pair second byte: HTAB / SP / VCHAR / obs-text. */
const QPAIR = table((c) => c === HTAB || c === SP || (c >= 0x21 && c <= 0x7e) || c >= 0x80);

/** Bytes → string, one char per byte (RFC 9110 § 5.5: obs-text is opaque). */
export function latin1(b: Uint8Array, start = 0, end = b.length): string {
  // Short strings (field names and most values): a plain loop beats fromCharCode.apply on a
  // typed-array view.
  if (end - start <= 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
    return s;
  }
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(
      null,
      b.subarray(i, Math.min(end, i + 4096)) as unknown as number[],
    );
  }
  return s;
}

const PROTO_HTTP = new Uint8Array([0x48, 0x54, 0x54, 0x50]); // "HTTP"
const EMPTY = new Uint8Array(0);

/** FIELD_CHAR without obs-text: the bytes the fast path accepts in a field value or reason. */
const FIELD_ASCII = table((c) => c === HTAB || (c >= 0x20 && c < 0x7f));
/**
 * Decodes an ASCII-only head in one call. For bytes below 0x80 UTF-8 and Latin-1 agree, so the
 * strings are the ones `latin1` would build (the fast path only runs on ASCII heads).
 */
const ASCII = new TextDecoder('utf-8', { ignoreBOM: true });

/** Lower-case names of the fields that decide framing and persistence, as bytes. */
const NAME_UPGRADE = new TextEncoder().encode('upgrade');
const NAME_CONNECTION = new TextEncoder().encode('connection');
const NAME_CONTENT_LENGTH = new TextEncoder().encode('content-length');
const NAME_TRANSFER_ENCODING = new TextEncoder().encode('transfer-encoding');
const CODING_CHUNKED = new TextEncoder().encode('chunked');

/** "HTTP/1." DIGIT at data[j, j + 8): the versions the fast path takes (RFC 9112 § 2.3). */
function isHttp1At(data: Uint8Array, j: number): boolean {
  return (
    data[j] === 0x48 &&
    data[j + 1] === 0x54 &&
    data[j + 2] === 0x54 &&
    data[j + 3] === 0x50 &&
    data[j + 4] === 0x2f &&
    data[j + 5] === 0x31 &&
    data[j + 6] === 0x2e &&
    DIGIT[data[j + 7]] === 1
  );
}

/**
 * True if data[start, start + lower.length) equals `lower` ignoring ASCII case. `b | 0x20` folds
 * A-Z onto a-z; the only other byte it maps onto a letter or "-" is CR (onto "-"), which a
 * caller has already excluded (tokens and field values hold no CR).
 */
function equalsLower(data: Uint8Array, start: number, lower: Uint8Array): boolean {
  for (let k = 0; k < lower.length; k++) {
    if ((data[start + k] | 0x20) !== lower[k]) return false;
  }
  return true;
}

const U64_MAX = 18446744073709551615;

// ───────────────────────────── states ─────────────────────────────

const enum S {
  Start,
  // request line
  Method,
  TargetStart,
  TargetPath,
  TargetAsterisk,
  TargetScheme,
  TargetSlash1,
  TargetSlash2,
  TargetAuthority,
  TargetConnect,
  ReqProto,
  ReqProtoSlash,
  ReqMajor,
  ReqDot,
  ReqMinor,
  ReqLineEnd,
  ReqLineLf,
  // status line
  ResProto,
  ResProtoSlash,
  ResMajor,
  ResDot,
  ResMinor,
  ResSp,
  Status1,
  Status2,
  Status3,
  StatusAfter,
  Reason,
  ResLineLf,
  // fields
  HeadersStart,
  FieldStart,
  FieldName,
  ValueWs,
  ValueWsLf,
  ValueEmptyLws,
  Value,
  ValueLf,
  ValueLws,
  HeadersLf,
  // body
  BodyIdentity,
  BodyEof,
  ChunkSizeStart,
  ChunkSize,
  ChunkExtStart,
  ChunkExtName,
  ChunkExtValueStart,
  ChunkExtValue,
  ChunkExtQuoted,
  ChunkExtQuotedPair,
  ChunkExtQuotedDone,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  // end states
  Closed,
  Upgraded,
  Dead,
}

const enum Special {
  None,
  ContentLength,
  TransferEncoding,
  Connection,
  Upgrade,
}

export class HttpParser {
  readonly kind: HttpMessageKind;
  handler: HttpParserHandler;
  private readonly limits: HttpParserLimits;

  private state = S.Start;
  /** Absolute offset of data[0] of the chunk being executed. */
  private base = 0;
  private error: HttpParseError | undefined;

  // scratch for the current token
  /** Allocated on first use: a head the fast path takes never needs it. */
  private buf: Uint8Array = EMPTY;
  private len = 0;
  private tokStart = 0;

  // the message being parsed
  private completed = 0;
  private headStart = 0;
  private method = '';
  private target = '';
  private status = 0;
  private reason = '';
  private major = 0;
  private minor = 0;
  private headers = new HttpHeaders();
  private trailers = new HttpHeaders();
  private fields = 0;
  private trailing = false;
  private fieldName = '';
  private special = Special.None;
  private contentLength = -1;
  private clValue = 0;
  private clPhase = 0; // 0 digits, 1 trailing OWS
  private teSeen = false;
  private codings: string[] = [];
  private teElem = '';
  private chunked = false;
  private connection: string[] = [];
  private upgradeField = false;
  private keepAlive = true;
  private upgrade = false;
  private bodyLeft = 0;
  private bodyTotal = 0;
  private chunkSize = 0;
  private chunkHeaderBytes = 0;
  private authorityAt = false;
  private authorityLen = 0;
  private protoIdx = 0;
  private headBytes = 0;
  /** Fast path scratch: per field line, offsets into the chunk (see `fastHead`). */
  private marks: number[] = [];

  constructor(
    kind: HttpMessageKind,
    handler: HttpParserHandler = {},
    limits: Partial<HttpParserLimits> = {},
  ) {
    this.kind = kind;
    this.handler = handler;
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Bytes fed so far. */
  get offset(): number {
    return this.base;
  }

  get phase(): HttpParserPhase {
    switch (this.state) {
      case S.Start:
        return 'idle';
      case S.Closed:
        return 'closed';
      case S.Upgraded:
        return 'upgraded';
      case S.Dead:
        return 'error';
      case S.BodyEof:
        return 'body-until-eof';
      case S.BodyIdentity:
        return 'body';
      default:
        return this.state >= S.ChunkSizeStart && this.state <= S.ChunkDataLf
          ? 'body'
          : this.trailing
            ? 'body'
            : 'head';
    }
  }

  /** The error that stopped the parser, if any. */
  get lastError(): HttpParseError | undefined {
    return this.error;
  }

  /**
   * Feeds bytes. Returns 'ok' when all were consumed, the error that stopped the parser, or
   * 'upgrade' with the bytes that follow the last HTTP message.
   */
  execute(data: Uint8Array): HttpExecResult {
    if (this.state === S.Dead) return { kind: 'error', error: this.error! };
    if (this.state === S.Upgraded) {
      const r: HttpExecResult = { kind: 'upgrade', offset: this.base, rest: data };
      this.base += data.length;
      return r;
    }
    const r = this.run(data);
    this.base += data.length;
    return r;
  }

  /**
   * The stream ended (the peer closed). Completes a response delimited by the close (RFC 9112
   * § 6.3 item 8); an end inside any other message is 'incomplete-message' (§ 8).
   */
  finish(): HttpParseError | undefined {
    switch (this.state) {
      case S.Start:
      case S.Closed:
      case S.Upgraded:
        return undefined;
      case S.Dead:
        return this.error;
      case S.BodyEof:
        this.messageComplete(this.base);
        this.state = S.Closed;
        return undefined;
      default:
        this.fail('incomplete-message', 'eof', this.base, 'the connection ended inside a message');
        return this.error;
    }
  }

  // ───────────────────────────── internals ─────────────────────────────

  private fail(
    code: HttpParseErrorCode,
    where: HttpParseWhere,
    offset: number,
    reason: string,
  ): HttpExecResult {
    this.error = { code, where, offset, reason };
    this.state = S.Dead;
    return { kind: 'error', error: this.error };
  }

  /** Makes room for `n` more bytes in the scratch buffer. */
  private grow(n: number): void {
    let size = Math.max(256, this.buf.length * 2);
    while (size < this.len + n) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  private push(c: number): void {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = c;
  }

  /** Appends data[from, to) to the scratch buffer. */
  private pushRun(data: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.len + n > this.buf.length) this.grow(n);
    this.buf.set(data.subarray(from, to), this.len);
    this.len += n;
  }

  private span(kind: HttpSpanKind, offset: number, bytes?: Uint8Array): void {
    const f = this.handler.onSpan;
    if (f !== undefined)
      f.call(this.handler, kind, bytes ?? this.buf.subarray(0, this.len), offset);
  }

  private complete(kind: HttpSpanKind, offset: number): void {
    this.handler.onComplete?.(kind, offset);
  }

  private beginMessage(pos: number): void {
    if (this.completed > 0) this.handler.onReset?.(pos);
    this.handler.onMessageBegin?.(pos);
    this.headStart = pos;
    this.method = '';
    this.target = '';
    this.status = 0;
    this.reason = '';
    this.major = 0;
    this.minor = 0;
    this.headers = new HttpHeaders();
    this.trailers = new HttpHeaders();
    this.fields = 0;
    this.trailing = false;
    this.contentLength = -1;
    this.teSeen = false;
    this.codings = [];
    this.chunked = false;
    this.connection = [];
    this.upgradeField = false;
    this.keepAlive = true;
    this.upgrade = false;
    this.bodyTotal = 0;
    this.len = 0;
    this.tokStart = pos;
  }

  private versionOk(pos: number): HttpExecResult | undefined {
    // RFC 9110 § 6.2: a 1.x recipient treats a higher minor version as the highest it knows.
    if (this.major !== 1) {
      return this.fail(
        'unsupported-version',
        'start-line',
        pos,
        `HTTP/${this.major}.${this.minor} is not supported (only HTTP/1.x)`,
      );
    }
    return undefined;
  }

  private versionSpan(start: number): void {
    if (this.handler.onSpan) {
      this.span('version', start, new Uint8Array([0x30 + this.major, 0x2e, 0x30 + this.minor]));
    }
  }

  /** A field line is complete: store it and apply what it means for framing. */
  private finishField(raw: Uint8Array, pos: number): HttpExecResult | undefined {
    // RFC 9110 § 5.5: leading and trailing whitespace is not part of the value.
    let end = raw.length;
    while (end > 0 && (raw[end - 1] === SP || raw[end - 1] === HTAB)) end--;
    const value = latin1(raw, 0, end);
    if (this.trailing) {
      this.trailers.appendTrusted(this.fieldName, value);
      return undefined;
    }
    this.headers.appendTrusted(this.fieldName, value);
    switch (this.special) {
      case Special.ContentLength:
        if (this.clValue > Number.MAX_SAFE_INTEGER) {
          return this.fail(
            'content-length-overflow',
            'field-value',
            pos,
            'Content-Length is too large',
          );
        }
        this.contentLength = this.clValue;
        break;
      case Special.TransferEncoding: {
        const e = this.teElem.trim();
        if (e !== '') this.codings.push(e);
        this.teElem = '';
        this.chunked =
          this.codings.length > 0 && this.codings[this.codings.length - 1] === 'chunked';
        if (this.codings.filter((c) => c === 'chunked').length > 1) {
          // RFC 9112 § 6.1: a sender MUST NOT apply chunked more than once.
          return this.fail(
            'bad-transfer-encoding',
            'field-value',
            pos,
            'chunked is applied more than once',
          );
        }
        break;
      }
      case Special.Connection:
        this.addConnectionOptions(value);
        break;
      case Special.Upgrade:
        this.upgradeField = true;
        break;
    }
    return undefined;
  }

  private classify(name: string): Special {
    switch (name.length) {
      case 7:
        return name.toLowerCase() === 'upgrade' ? Special.Upgrade : Special.None;
      case 10:
        return name.toLowerCase() === 'connection' ? Special.Connection : Special.None;
      case 14:
        return name.toLowerCase() === 'content-length' ? Special.ContentLength : Special.None;
      case 17:
        return name.toLowerCase() === 'transfer-encoding' ? Special.TransferEncoding : Special.None;
      default:
        return Special.None;
    }
  }

  /** `classify` on the bytes of a field name (tchar only), without building a string. */
  private classifyBytes(data: Uint8Array, start: number, end: number): Special {
    switch (end - start) {
      case 7:
        return equalsLower(data, start, NAME_UPGRADE) ? Special.Upgrade : Special.None;
      case 10:
        return equalsLower(data, start, NAME_CONNECTION) ? Special.Connection : Special.None;
      case 14:
        return equalsLower(data, start, NAME_CONTENT_LENGTH) ? Special.ContentLength : Special.None;
      case 17:
        return equalsLower(data, start, NAME_TRANSFER_ENCODING)
          ? Special.TransferEncoding
          : Special.None;
      default:
        return Special.None;
    }
  }

  /** Connection options (RFC 9110 § 7.6.1): a comma-separated list of tokens, lower-cased. */
  private addConnectionOptions(value: string): void {
    if (value.indexOf(',') < 0) {
      // The usual single option ("keep-alive", "close", "upgrade"): no split.
      const t = value.trim().toLowerCase();
      if (t !== '') this.connection.push(t);
      return;
    }
    for (const part of value.split(',')) {
      const t = part.trim().toLowerCase();
      if (t !== '') this.connection.push(t);
    }
  }

  private messageComplete(pos: number): void {
    this.completed++;
    const trailers = this.trailers;
    this.state = this.upgrade ? S.Upgraded : this.keepAlive ? S.Start : S.Closed;
    this.handler.onMessageComplete?.(trailers, pos);
  }

  /** The empty line after the header (or trailer) section has been consumed; `pos` is after it. */
  private headersComplete(pos: number): HttpExecResult | undefined {
    if (this.trailing) {
      this.handler.onChunkComplete?.(pos);
      this.messageComplete(pos);
      return undefined;
    }
    const isReq = this.kind === 'request';
    const v11 = this.major > 1 || (this.major === 1 && this.minor >= 1);
    // RFC 9112 § 9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
    let keepAlive = v11
      ? !this.connection.includes('close')
      : this.connection.includes('keep-alive');
    // RFC 9110 § 7.8: Upgrade is honoured with the "upgrade" connection option (request, or a
    // 101 response); CONNECT always switches the connection to a tunnel (RFC 9110 § 9.3.6).
    let upgrade: boolean;
    if (this.upgradeField && this.connection.includes('upgrade')) {
      upgrade = isReq || this.status === 101;
    } else {
      upgrade = isReq && this.method === 'CONNECT';
    }
    const noBodyStatus =
      !isReq && (this.status < 200 || this.status === 204 || this.status === 304);
    const needsEof = !isReq && !noBodyStatus && !this.chunked && this.contentLength < 0;
    if (needsEof) keepAlive = false;
    this.keepAlive = keepAlive;
    this.upgrade = upgrade;
    this.headBytes = pos - this.headStart;
    const head: HttpHead = {
      kind: this.kind,
      method: this.method,
      target: this.target,
      status: this.status,
      reason: this.reason,
      versionMajor: this.major,
      versionMinor: this.minor,
      headers: this.headers,
      contentLength: this.contentLength >= 0 ? this.contentLength : undefined,
      transferCodings: this.codings,
      chunked: this.chunked,
      connection: this.connection,
      keepAlive,
      upgrade,
      headBytes: this.headBytes,
    };
    const skip = this.handler.onHeadersComplete?.(head, pos) === 'skip-body';
    if (this.state === S.Dead) return { kind: 'error', error: this.error! };
    if (isReq && this.teSeen) {
      // RFC 9112 § 6.3 item 4: a request whose final coding is not chunked has no knowable length.
      if (!this.chunked) {
        return this.fail(
          'bad-transfer-encoding',
          'headers-end',
          pos,
          'the final transfer coding of a request must be chunked',
        );
      }
      // RFC 9112 § 6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
      if (!v11)
        return this.fail(
          'bad-transfer-encoding',
          'headers-end',
          pos,
          'Transfer-Encoding in an HTTP/1.0 request',
        );
    }
    const hasBody = this.chunked || this.contentLength > 0;
    if (upgrade && ((isReq && this.method === 'CONNECT') || skip || noBodyStatus || !hasBody)) {
      this.messageComplete(pos);
      return undefined;
    }
    if (skip || noBodyStatus) {
      this.messageComplete(pos);
    } else if (this.chunked) {
      this.state = S.ChunkSizeStart;
    } else if (this.contentLength > 0) {
      if (this.contentLength > this.limits.maxBodyBytes) {
        return this.fail(
          'body-too-large',
          'headers-end',
          pos,
          `a body of ${this.contentLength} bytes is over the limit`,
        );
      }
      this.bodyLeft = this.contentLength;
      this.state = S.BodyIdentity;
    } else if (this.contentLength === 0 || isReq) {
      // RFC 9112 § 6.3 item 7: a request without Content-Length or Transfer-Encoding has no body.
      this.messageComplete(pos);
    } else {
      // RFC 9112 § 6.3 item 8: the response body ends when the connection closes.
      this.state = S.BodyEof;
    }
    return undefined;
  }

  private countBody(n: number, pos: number): HttpExecResult | undefined {
    this.bodyTotal += n;
    if (this.bodyTotal > this.limits.maxBodyBytes) {
      return this.fail('body-too-large', 'body', pos, 'the body is over the limit');
    }
    return undefined;
  }

  private run(data: Uint8Array): HttpExecResult {
    const base = this.base;
    const end = data.length;
    const lim = this.limits;
    let i = 0;
    while (i < end) {
      const c = data[i];
      const pos = base + i;
      switch (this.state) {
        case S.Start:
          // RFC 9112 § 2.2: ignore empty lines received before a start line.
          if (c === CR || c === LF) {
            i++;
            continue;
          }
          this.beginMessage(pos);
          this.state = this.kind === 'request' ? S.Method : S.ResProto;
          this.protoIdx = 0;
          {
            // The common head, whole in this chunk, in one go; anything else byte by byte.
            const lf = this.fastHead(data, i, end);
            if (lf >= 0) i = lf; // at the LF of the empty line, state HeadersLf
          }
          continue;

        // ───────────── request line (RFC 9112 § 3) ─────────────
        case S.Method:
          if (TCHAR[c] === 1) {
            this.push(c);
            break;
          }
          if (c === SP && this.len > 0) {
            this.method = latin1(this.buf, 0, this.len);
            this.span('method', this.tokStart);
            this.complete('method', pos);
            this.state = S.TargetStart;
            this.len = 0;
            this.tokStart = pos + 1;
            break;
          }
          return this.fail(
            'bad-method',
            'start-line',
            pos,
            'the method must be a token followed by one space',
          );

        case S.TargetStart:
          this.tokStart = pos;
          this.len = 0;
          if (c === 0x2f) this.state = S.TargetPath;
          else if (c === 0x2a) this.state = S.TargetAsterisk;
          else if (this.method === 'CONNECT' && AUTHORITY[c] === 1) {
            // RFC 9112 § 3.2.3: authority-form, only for CONNECT.
            this.state = S.TargetConnect;
          } else if (ALPHA[c] === 1) {
            // RFC 9112 § 3.2.2: absolute-form.
            this.state = S.TargetScheme;
          } else {
            return this.fail(
              'bad-target',
              'start-line',
              pos,
              'the request-target must start with "/", "*" or a scheme',
            );
          }
          this.push(c);
          break;

        case S.TargetPath:
          if (VCHAR[c] === 1 && i + 1 < end && VCHAR[data[i + 1]] === 1) {
            let j = i + 1;
            while (j + 1 < end && VCHAR[data[j + 1]] === 1) j++;
            this.pushRun(data, i, j);
            i = j;
            continue;
          }
          if (VCHAR[c] === 1) {
            this.push(c);
            if (this.len > lim.maxTargetBytes) {
              return this.fail(
                'target-too-long',
                'start-line',
                pos,
                'the request-target is too long',
              );
            }
            break;
          }
          if (c === SP) {
            this.endTarget(pos);
            break;
          }
          return this.fail(
            'bad-target',
            'start-line',
            pos,
            'a byte in the request-target is not allowed (RFC 3986)',
          );

        case S.TargetAsterisk:
          // RFC 9112 § 3.2.4: asterisk-form is exactly "*".
          if (c === SP) {
            this.endTarget(pos);
            break;
          }
          return this.fail('bad-target', 'start-line', pos, 'asterisk-form is a lone "*"');

        case S.TargetScheme:
          if (SCHEME[c] === 1) {
            this.push(c);
            break;
          }
          if (c === 0x3a) {
            this.push(c);
            this.state = S.TargetSlash1;
            break;
          }
          return this.fail('bad-target', 'start-line', pos, 'unexpected byte in the URI scheme');

        case S.TargetSlash1:
        case S.TargetSlash2:
          // RFC 9110 § 4.2.1: http-URI = "http" "://" authority path-abempty [ "?" query ].
          if (c !== 0x2f)
            return this.fail(
              'bad-target',
              'start-line',
              pos,
              'an absolute URI must have "//" after the scheme',
            );
          this.push(c);
          if (this.state === S.TargetSlash1) this.state = S.TargetSlash2;
          else {
            this.state = S.TargetAuthority;
            this.authorityAt = false;
            this.authorityLen = 0;
          }
          break;

        case S.TargetAuthority:
          if (AUTHORITY[c] === 1) {
            this.push(c);
            this.authorityLen++;
            break;
          }
          if (c === 0x40) {
            if (this.authorityAt)
              return this.fail('bad-target', 'start-line', pos, 'two "@" in the authority');
            this.authorityAt = true;
            this.authorityLen = 0;
            this.push(c);
            break;
          }
          if (c === 0x2f || c === 0x3f || c === SP) {
            if (this.authorityLen === 0) {
              // RFC 9110 § 4.2.1: an http URI with an empty host is invalid.
              return this.fail('bad-target', 'start-line', pos, 'the URI has an empty host');
            }
            if (c === SP) {
              this.endTarget(pos);
              break;
            }
            this.push(c);
            this.state = S.TargetPath;
            break;
          }
          return this.fail('bad-target', 'start-line', pos, 'unexpected byte in the URI authority');

        case S.TargetConnect:
          if (AUTHORITY[c] === 1) {
            this.push(c);
            break;
          }
          if (c === SP) {
            // authority-form = uri-host ":" port
            if (
              !/^[^:]+:[0-9]+$/.test(latin1(this.buf, 0, this.len)) &&
              !/^\[[^\]]+\]:[0-9]+$/.test(latin1(this.buf, 0, this.len))
            ) {
              return this.fail('bad-target', 'start-line', pos, 'CONNECT needs host:port');
            }
            {
              this.endTarget(pos);
              break;
            }
          }
          return this.fail(
            'bad-target',
            'start-line',
            pos,
            'unexpected byte in the CONNECT authority',
          );

        case S.ReqProto:
        case S.ResProto:
          if (c !== PROTO_HTTP[this.protoIdx]) {
            return this.fail('bad-protocol', 'start-line', pos, 'expected "HTTP/"');
          }
          if (this.protoIdx === 0) this.tokStart = pos;
          if (++this.protoIdx === 4) {
            if (this.handler.onSpan) this.span('protocol', this.tokStart, PROTO_HTTP);
            this.complete('protocol', pos + 1);
            this.state = this.state === S.ReqProto ? S.ReqProtoSlash : S.ResProtoSlash;
          }
          break;

        case S.ReqProtoSlash:
        case S.ResProtoSlash:
          if (c !== 0x2f) return this.fail('bad-protocol', 'start-line', pos, 'expected "HTTP/"');
          this.state = this.state === S.ReqProtoSlash ? S.ReqMajor : S.ResMajor;
          break;

        case S.ReqMajor:
        case S.ResMajor:
          if (DIGIT[c] !== 1)
            return this.fail(
              'bad-version',
              'start-line',
              pos,
              'the HTTP version must be DIGIT "." DIGIT',
            );
          this.tokStart = pos;
          this.major = c - 0x30;
          this.state = this.state === S.ReqMajor ? S.ReqDot : S.ResDot;
          break;

        case S.ReqDot:
        case S.ResDot:
          if (c !== 0x2e)
            return this.fail(
              'bad-version',
              'start-line',
              pos,
              'the HTTP version must be DIGIT "." DIGIT',
            );
          this.state = this.state === S.ReqDot ? S.ReqMinor : S.ResMinor;
          break;

        case S.ReqMinor:
        case S.ResMinor: {
          if (DIGIT[c] !== 1)
            return this.fail(
              'bad-version',
              'start-line',
              pos,
              'the HTTP version must be DIGIT "." DIGIT',
            );
          this.minor = c - 0x30;
          const bad = this.versionOk(pos + 1);
          if (bad) return bad;
          this.versionSpan(this.tokStart);
          this.complete('version', pos + 1);
          this.state = this.state === S.ReqMinor ? S.ReqLineEnd : S.ResSp;
          break;
        }

        case S.ReqLineEnd:
          if (c === CR) {
            this.state = S.ReqLineLf;
            break;
          }
          if (c === LF)
            return this.fail(
              'bare-lf',
              'start-line',
              pos + 1,
              'the request line must end with CRLF',
            );
          return this.fail(
            'bad-version',
            'start-line',
            pos,
            'expected CRLF after the HTTP version',
          );

        case S.ReqLineLf:
          if (c !== LF)
            return this.fail('bare-cr', 'start-line', pos, 'CR without LF after the request line');
          this.state = S.HeadersStart;
          break;

        // ───────────── status line (RFC 9112 § 4) ─────────────
        case S.ResSp:
          if (c !== SP)
            return this.fail(
              'bad-version',
              'start-line',
              pos,
              'expected one space after the HTTP version',
            );
          this.state = S.Status1;
          this.status = 0;
          break;

        case S.Status1:
        case S.Status2:
        case S.Status3:
          if (DIGIT[c] !== 1)
            return this.fail('bad-status', 'start-line', pos, 'the status code must be 3 digits');
          this.status = this.status * 10 + (c - 0x30);
          if (this.state === S.Status3) {
            if (this.status < 100 || this.status > 599) {
              return this.fail(
                'bad-status',
                'start-line',
                pos + 1,
                'the status code must be within 100..599',
              );
            }
            this.state = S.StatusAfter;
          } else this.state = this.state === S.Status1 ? S.Status2 : S.Status3;
          break;

        case S.StatusAfter:
          if (c === SP) {
            this.state = S.Reason;
            this.len = 0;
            this.tokStart = pos + 1;
            break;
          }
          if (c === CR) {
            this.state = S.ResLineLf;
            break;
          }
          if (c === LF)
            return this.fail(
              'bare-lf',
              'start-line',
              pos + 1,
              'the status line must end with CRLF',
            );
          return this.fail('bad-status', 'start-line', pos, 'the status code must be 3 digits');

        case S.Reason:
          if (c === CR) {
            this.reason = latin1(this.buf, 0, this.len);
            this.span('reason', this.tokStart);
            this.state = S.ResLineLf;
            break;
          }
          if (c === LF)
            return this.fail(
              'bare-lf',
              'start-line',
              pos + 1,
              'the status line must end with CRLF',
            );
          if (FIELD_CHAR[c] !== 1)
            return this.fail(
              'bad-reason',
              'start-line',
              pos,
              'a control character in the reason phrase',
            );
          this.push(c);
          break;

        case S.ResLineLf:
          if (c !== LF)
            return this.fail('bare-cr', 'start-line', pos, 'CR without LF after the status line');
          this.complete('reason', pos + 1);
          this.state = S.HeadersStart;
          break;

        // ───────────── fields (RFC 9112 § 5) ─────────────
        case S.HeadersStart:
          // RFC 9112 § 2.2: whitespace between the start line and the first field → invalid.
          if (c === SP || c === HTAB) {
            return this.fail(
              'space-after-start-line',
              'field-name',
              pos + 1,
              'whitespace before the first field line',
            );
          }
          this.state = S.FieldStart;
          continue;

        case S.FieldStart:
          if (pos - this.headStart > lim.maxHeadBytes) {
            return this.fail(
              'header-overflow',
              'field-name',
              pos,
              'the header section is too large',
            );
          }
          if (c === CR) {
            this.state = S.HeadersLf;
            break;
          }
          if (c === LF)
            return this.fail(
              'bare-lf',
              'field-name',
              pos + 1,
              'the header section must end with CRLF',
            );
          if (TCHAR[c] !== 1)
            return this.fail('bad-field-name', 'field-name', pos, 'a field name must be a token');
          if (++this.fields > lim.maxFields)
            return this.fail('too-many-fields', 'field-name', pos, 'too many field lines');
          this.len = 0;
          this.tokStart = pos;
          this.state = S.FieldName;
          continue;

        case S.FieldName:
          if (TCHAR[c] === 1 && i + 1 < end && TCHAR[data[i + 1]] === 1) {
            // Fast path: a run of token bytes (the last one goes through the checks below).
            let j = i + 1;
            while (j + 1 < end && TCHAR[data[j + 1]] === 1) j++;
            this.pushRun(data, i, j);
            i = j;
            continue;
          }
          if (TCHAR[c] === 1) {
            this.push(c);
            if (pos - this.headStart > lim.maxHeadBytes) {
              return this.fail(
                'header-overflow',
                'field-name',
                pos,
                'the header section is too large',
              );
            }
            break;
          }
          if (c === 0x3a) {
            const name = latin1(this.buf, 0, this.len);
            this.fieldName = name;
            this.span('field-name', this.tokStart);
            this.complete('field-name', pos + 1);
            const sp = this.classify(name);
            if (this.trailing) {
              // RFC 9110 § 6.5.1: framing fields are not allowed in trailers.
              if (sp === Special.ContentLength || sp === Special.TransferEncoding) {
                return this.fail(
                  'bad-trailer',
                  'field-name',
                  pos + 1,
                  `${name} is not allowed in a trailer section`,
                );
              }
              this.special = Special.None;
            } else {
              this.special = sp;
              // RFC 9112 § 6.3 item 3: both Content-Length and Transfer-Encoding → error.
              if (sp === Special.TransferEncoding && this.contentLength >= 0) {
                return this.fail(
                  'content-length-with-transfer-encoding',
                  'field-name',
                  pos + 1,
                  'Transfer-Encoding together with Content-Length',
                );
              }
              if (sp === Special.ContentLength && this.teSeen) {
                return this.fail(
                  'content-length-with-transfer-encoding',
                  'field-name',
                  pos + 1,
                  'Content-Length together with Transfer-Encoding',
                );
              }
            }
            this.state = S.ValueWs;
            break;
          }
          if (c === SP || c === HTAB) {
            return this.fail(
              'space-before-colon',
              'field-name',
              pos,
              'whitespace between a field name and the colon',
            );
          }
          return this.fail('bad-field-name', 'field-name', pos, 'a field name must be a token');

        case S.ValueWs:
          if (c === SP || c === HTAB) break;
          if (pos - this.headStart > lim.maxHeadBytes) {
            return this.fail(
              'header-overflow',
              'field-value',
              pos,
              'the header section is too large',
            );
          }
          if (c === CR) {
            this.state = S.ValueWsLf;
            break;
          }
          if (c === LF)
            return this.fail('bare-lf', 'field-value', pos + 1, 'a field line must end with CRLF');
          // The first byte of a non-empty value.
          this.len = 0;
          this.tokStart = pos;
          if (this.special === Special.ContentLength) {
            if (this.contentLength >= 0) {
              return this.fail(
                'duplicate-content-length',
                'field-value',
                pos,
                'Content-Length appears twice',
              );
            }
            this.clValue = 0;
            this.clPhase = 0;
          } else if (this.special === Special.TransferEncoding) {
            if (this.kind === 'request' && this.chunked) {
              // RFC 9112 § 6.1: in a request, chunked must be the final coding.
              return this.fail(
                'bad-transfer-encoding',
                'field-value',
                pos + 1,
                'a transfer coding after chunked',
              );
            }
            this.teSeen = true;
            this.teElem = '';
          }
          this.state = S.Value;
          continue;

        case S.ValueWsLf:
          if (c !== LF)
            return this.fail('bare-cr', 'field-value', pos, 'CR without LF in a field line');
          this.state = S.ValueEmptyLws;
          break;

        case S.ValueEmptyLws:
          if (c === SP || c === HTAB)
            return this.fail(
              'obs-fold',
              'field-value',
              pos + 1,
              'obsolete line folding (RFC 9112 § 5.2)',
            );
          if (this.special === Special.ContentLength) {
            return this.fail('bad-content-length', 'field-value', pos, 'Content-Length is empty');
          }
          if (this.special === Special.TransferEncoding) {
            return this.fail(
              'bad-transfer-encoding',
              'field-value',
              pos,
              'Transfer-Encoding is empty',
            );
          }
          this.len = 0;
          this.span('field-value', pos);
          this.complete('field-value', pos);
          {
            const bad = this.finishField(this.buf.subarray(0, 0), pos);
            if (bad) return bad;
          }
          this.state = S.FieldStart;
          continue;

        case S.Value:
          if (this.special === Special.None && FIELD_CHAR[c] === 1) {
            // Fast path: a run of ordinary value bytes.
            let j = i + 1;
            while (j < end && FIELD_CHAR[data[j]] === 1) j++;
            this.pushRun(data, i, j);
            if (base + j - 1 - this.headStart > lim.maxHeadBytes) {
              return this.fail(
                'header-overflow',
                'field-value',
                base + j - 1,
                'the header section is too large',
              );
            }
            i = j;
            continue;
          }
          if (c === CR) {
            const raw = this.buf.subarray(0, this.len);
            this.span('field-value', this.tokStart, raw);
            this.state = S.ValueLf;
            break;
          }
          if (c === LF)
            return this.fail('bare-lf', 'field-value', pos, 'a field line must end with CRLF');
          if (FIELD_CHAR[c] !== 1)
            return this.fail(
              'bad-field-value',
              'field-value',
              pos,
              'a control character in a field value',
            );
          if (this.special === Special.ContentLength) {
            // RFC 9110 § 8.6: Content-Length = 1*DIGIT (OWS around it is the field's).
            if (this.clPhase === 0 && DIGIT[c] === 1) {
              const d = c - 0x30;
              if (this.clValue > (U64_MAX - d) / 10) {
                return this.fail(
                  'content-length-overflow',
                  'field-value',
                  pos + 1,
                  'Content-Length overflows 64 bits',
                );
              }
              this.clValue = this.clValue * 10 + d;
            } else if (c === SP || c === HTAB) {
              this.clPhase = 1;
            } else {
              return this.fail(
                'bad-content-length',
                'field-value',
                pos,
                'Content-Length must be digits only',
              );
            }
          } else if (this.special === Special.TransferEncoding) {
            if (c === 0x2c) {
              const e = this.teElem.trim();
              if (this.kind === 'request' && e === 'chunked') {
                return this.fail(
                  'bad-transfer-encoding',
                  'field-value',
                  pos + 1,
                  'a transfer coding after chunked',
                );
              }
              if (e !== '') this.codings.push(e);
              this.teElem = '';
            } else {
              this.teElem += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
            }
          }
          this.push(c);
          if (pos - this.headStart > lim.maxHeadBytes) {
            return this.fail(
              'header-overflow',
              'field-value',
              pos,
              'the header section is too large',
            );
          }
          break;

        case S.ValueLf:
          if (c !== LF)
            return this.fail('bare-cr', 'field-value', pos, 'CR without LF in a field line');
          this.state = S.ValueLws;
          break;

        case S.ValueLws: {
          if (c === SP || c === HTAB)
            return this.fail(
              'obs-fold',
              'field-value',
              pos,
              'obsolete line folding (RFC 9112 § 5.2)',
            );
          this.complete('field-value', pos);
          const bad = this.finishField(this.buf.subarray(0, this.len), pos);
          if (bad) return bad;
          this.state = S.FieldStart;
          continue;
        }

        case S.HeadersLf: {
          if (c !== LF)
            return this.fail(
              'bare-cr',
              'headers-end',
              pos,
              'CR without LF after the header section',
            );
          const bad = this.headersComplete(pos + 1);
          if (bad) return bad;
          i++;
          if ((this.state as S) === S.Upgraded)
            return { kind: 'upgrade', offset: base + i, rest: data.subarray(i) };
          continue;
        }

        // ───────────── body (RFC 9112 § 6, § 7) ─────────────
        case S.BodyIdentity: {
          const n = Math.min(this.bodyLeft, end - i);
          const bad = this.countBody(n, pos);
          if (bad) return bad;
          this.handler.onBody?.(data.subarray(i, i + n), pos);
          i += n;
          this.bodyLeft -= n;
          if (this.bodyLeft === 0) {
            this.messageComplete(base + i);
            if ((this.state as S) === S.Upgraded)
              return { kind: 'upgrade', offset: base + i, rest: data.subarray(i) };
          }
          continue;
        }

        case S.BodyEof: {
          const bad = this.countBody(end - i, pos);
          if (bad) return bad;
          this.handler.onBody?.(data.subarray(i, end), pos);
          i = end;
          continue;
        }

        case S.ChunkSizeStart: {
          const h = HEXVAL[c];
          if (h < 0)
            return this.fail(
              'bad-chunk-size',
              'chunk-size',
              pos,
              'a chunk size must be hexadecimal digits',
            );
          this.chunkSize = h;
          this.chunkHeaderBytes = 1;
          this.state = S.ChunkSize;
          break;
        }

        case S.ChunkSize: {
          if (++this.chunkHeaderBytes > lim.maxChunkHeaderBytes) {
            return this.fail(
              'chunk-extension-too-long',
              'chunk-extension',
              pos,
              'the chunk header line is too long',
            );
          }
          const h = HEXVAL[c];
          if (h >= 0) {
            if (this.chunkSize > (Number.MAX_SAFE_INTEGER - h) / 16) {
              return this.fail(
                'chunk-size-overflow',
                'chunk-size',
                pos + 1,
                'the chunk size is too large',
              );
            }
            this.chunkSize = this.chunkSize * 16 + h;
            break;
          }
          if (c === CR) {
            this.state = S.ChunkSizeLf;
            break;
          }
          if (c === 0x3b) {
            this.state = S.ChunkExtStart;
            break;
          }
          if (c === LF)
            return this.fail(
              'bare-lf',
              'chunk-size',
              pos + 1,
              'the chunk size line must end with CRLF',
            );
          if (c === SP || c === HTAB) {
            return this.fail(
              'bad-chunk-size',
              'chunk-size',
              pos + 1,
              'whitespace after the chunk size',
            );
          }
          return this.fail(
            'bad-chunk-size',
            'chunk-size',
            pos,
            'a chunk size must be hexadecimal digits',
          );
        }

        case S.ChunkExtStart:
        case S.ChunkExtName:
        case S.ChunkExtValueStart:
        case S.ChunkExtValue:
        case S.ChunkExtQuoted:
        case S.ChunkExtQuotedPair:
        case S.ChunkExtQuotedDone: {
          if (++this.chunkHeaderBytes > lim.maxChunkHeaderBytes) {
            return this.fail(
              'chunk-extension-too-long',
              'chunk-extension',
              pos,
              'the chunk header line is too long',
            );
          }
          const r = this.chunkExt(c, pos);
          if (r !== undefined) return r;
          break;
        }

        case S.ChunkSizeLf:
          if (c !== LF)
            return this.fail('bare-cr', 'chunk-size', pos, 'CR without LF after the chunk size');
          this.handler.onChunkHeader?.(this.chunkSize, pos + 1);
          if (this.chunkSize === 0) {
            // RFC 9112 § 7.1.2: last-chunk, then the trailer section.
            this.trailing = true;
            this.fields = 0;
            this.headStart = pos + 1;
            this.state = S.FieldStart;
          } else {
            this.state = S.ChunkData;
          }
          break;

        case S.ChunkData: {
          const n = Math.min(this.chunkSize, end - i);
          const bad = this.countBody(n, pos);
          if (bad) return bad;
          this.handler.onBody?.(data.subarray(i, i + n), pos);
          i += n;
          this.chunkSize -= n;
          if (this.chunkSize === 0) this.state = S.ChunkDataCr;
          continue;
        }

        case S.ChunkDataCr:
          if (c === CR) {
            this.state = S.ChunkDataLf;
            break;
          }
          if (c === LF)
            return this.fail(
              'bare-lf',
              'chunk-data',
              pos + 1,
              'chunk data must be followed by CRLF',
            );
          return this.fail(
            'bad-chunk-end',
            'chunk-data',
            pos,
            'chunk data must be followed by CRLF',
          );

        case S.ChunkDataLf:
          if (c !== LF)
            return this.fail(
              'bad-chunk-end',
              'chunk-data',
              pos,
              'chunk data must be followed by CRLF',
            );
          this.handler.onChunkComplete?.(pos + 1);
          this.state = S.ChunkSizeStart;
          break;

        // ───────────── after the last message ─────────────
        case S.Closed:
          if (c === CR || c === LF) break;
          // RFC 9112 § 9.6: nothing may follow a message that closes the connection.
          return this.fail(
            'data-after-close',
            'between-messages',
            pos + 1,
            'data after a message that closes the connection',
          );

        case S.Upgraded:
          return { kind: 'upgrade', offset: pos, rest: data.subarray(i) };

        case S.Dead:
          return { kind: 'error', error: this.error! };
      }
      i++;
    }
    return OK;
  }

  /**
   * The fast path for the common head: called at the first byte of a start line (`start`), it
   * takes the whole head at once when all of it is in this chunk and nothing in it needs the
   * byte-by-byte machine: ASCII only, an origin-form target (RFC 9112 § 3.2.1), HTTP/1.x, no
   * empty Content-Length or Transfer-Encoding, Content-Length as plain digits, Transfer-Encoding
   * as a lone "chunked", no repeated framing field, within the limits.
   *
   * Pass 1 scans and validates with loops over byte ranges (tokens, field values up to CR) and
   * records offsets; it has no side effect, and at the first byte out of the ordinary it returns
   * -1, so the state machine starts from the same byte and reports exactly what it always did
   * (errors and their offsets included). Pass 2 commits: one decode of the head, a slice per
   * token, the same events with the same offsets as the state machine's, the same framing
   * decisions. It leaves the parser in HeadersLf at the LF of the empty line and returns its
   * index, so `headersComplete` runs in one place.
   */
  private fastHead(data: Uint8Array, start: number, end: number): number {
    const lim = this.limits;
    const isReq = this.kind === 'request';
    let j = start;
    // ── pass 1: start line ──
    let methodEnd = 0;
    let targetStart = 0;
    let targetEnd = 0;
    let versionAt: number; // index of the major digit
    let reasonStart = -1;
    let reasonEnd = -1;
    let status = 0;
    if (isReq) {
      // RFC 9112 § 3: method SP request-target SP HTTP-version CRLF.
      while (j < end && TCHAR[data[j]] === 1) j++;
      if (j === start || j >= end || data[j] !== SP) return -1;
      methodEnd = j++;
      // Origin-form only (§ 3.2.1); the other forms take the careful path.
      if (j >= end || data[j] !== 0x2f) return -1;
      targetStart = j;
      while (j < end && VCHAR[data[j]] === 1) j++;
      if (j >= end || data[j] !== SP || j - targetStart > lim.maxTargetBytes) return -1;
      targetEnd = j++;
      // "HTTP/1." DIGIT CRLF (RFC 9112 § 2.3; a 1.x minor above 1 is read as 1.1, RFC 9110 § 6.2).
      if (j + 10 > end || !isHttp1At(data, j) || data[j + 8] !== CR || data[j + 9] !== LF) {
        return -1;
      }
      versionAt = j + 5;
      j += 10;
    } else {
      // RFC 9112 § 4: HTTP-version SP status-code SP [ reason-phrase ] CRLF.
      if (
        j + 14 > end ||
        !isHttp1At(data, j) ||
        data[j + 8] !== SP ||
        DIGIT[data[j + 9]] !== 1 ||
        DIGIT[data[j + 10]] !== 1 ||
        DIGIT[data[j + 11]] !== 1
      ) {
        return -1;
      }
      versionAt = j + 5;
      status = (data[j + 9] - 0x30) * 100 + (data[j + 10] - 0x30) * 10 + (data[j + 11] - 0x30);
      // RFC 9110 § 15: 100..599.
      if (status < 100 || status > 599) return -1;
      j += 12;
      if (data[j] === SP) {
        reasonStart = ++j;
        while (j < end && FIELD_ASCII[data[j]] === 1) j++;
        reasonEnd = j;
      }
      if (j + 1 >= end || data[j] !== CR || data[j + 1] !== LF) return -1;
      j += 2;
    }
    const lineEnd = j; // the first byte after the start line's CRLF

    // ── pass 1: field lines (RFC 9112 § 5), up to the empty line ──
    const marks = this.marks;
    let n = 0;
    let contentLength = -1;
    let chunked = false;
    for (;;) {
      if (j >= end) return -1;
      if (data[j] === CR) {
        if (j + 1 >= end || data[j + 1] !== LF) return -1;
        break;
      }
      // field-name ":" OWS field-value OWS CRLF. A line starting with SP/HTAB (obs-fold, or
      // whitespace after the start line) is not a token and goes to the careful path.
      const nameStart = j;
      while (j < end && TCHAR[data[j]] === 1) j++;
      if (j === nameStart || j >= end || data[j] !== 0x3a) return -1;
      const colon = j++;
      while (j < end && (data[j] === SP || data[j] === HTAB)) j++;
      const valueStart = j;
      while (j < end && FIELD_ASCII[data[j]] === 1) j++;
      if (j + 1 >= end || data[j] !== CR || data[j + 1] !== LF) return -1;
      const cr = j;
      // RFC 9110 § 5.5: trailing whitespace is not part of the value.
      let valueEnd = cr;
      while (valueEnd > valueStart && (data[valueEnd - 1] === SP || data[valueEnd - 1] === HTAB)) {
        valueEnd--;
      }
      if (n === lim.maxFields) return -1;
      const special = this.classifyBytes(data, nameStart, colon);
      if (special === Special.ContentLength) {
        // RFC 9110 § 8.6: 1*DIGIT, once, never with Transfer-Encoding (RFC 9112 § 6.3 item 3).
        // 15 digits stay below 2^53; anything else is decided by the careful path.
        const digits = valueEnd - valueStart;
        if (contentLength >= 0 || chunked || digits === 0 || digits > 15) return -1;
        let v = 0;
        for (let k = valueStart; k < valueEnd; k++) {
          const d = data[k] - 0x30;
          if (d < 0 || d > 9) return -1;
          v = v * 10 + d;
        }
        contentLength = v;
      } else if (special === Special.TransferEncoding) {
        // The usual "chunked", once; lists and other codings take the careful path (§ 6.1).
        if (chunked || contentLength >= 0 || valueEnd - valueStart !== 7) return -1;
        if (!equalsLower(data, valueStart, CODING_CHUNKED)) return -1;
        chunked = true;
      }
      const m = 5 * n++;
      marks[m] = nameStart;
      marks[m + 1] = colon;
      marks[m + 2] = valueStart;
      marks[m + 3] = valueEnd;
      marks[m + 4] = special;
      j = cr + 2;
    }
    const last = j; // the CR of the empty line
    if (last - start > lim.maxHeadBytes) return -1;

    // ── pass 2: commit ──
    const base = this.base;
    const text = ASCII.decode(data.subarray(start, last));
    const events = this.handler.onSpan !== undefined || this.handler.onComplete !== undefined;
    this.major = 1;
    this.minor = data[versionAt + 2] - 0x30;
    if (isReq) {
      this.method = text.slice(0, methodEnd - start);
      this.target = text.slice(targetStart - start, targetEnd - start);
      if (events) {
        this.span('method', base + start, data.subarray(start, methodEnd));
        this.complete('method', base + methodEnd);
        this.span('target', base + targetStart, data.subarray(targetStart, targetEnd));
        this.complete('target', base + targetEnd + 1);
      }
    } else {
      this.status = status;
      if (reasonStart >= 0) this.reason = text.slice(reasonStart - start, reasonEnd - start);
    }
    if (events) {
      const protocolAt = versionAt - 5;
      this.span('protocol', base + protocolAt, PROTO_HTTP);
      this.complete('protocol', base + protocolAt + 4);
      this.versionSpan(base + versionAt);
      this.complete('version', base + versionAt + 3);
      if (!isReq) {
        if (reasonStart >= 0) {
          this.span('reason', base + reasonStart, data.subarray(reasonStart, reasonEnd));
        }
        this.complete('reason', base + lineEnd);
      }
    }
    const headers = this.headers;
    for (let k = 0; k < n; k++) {
      const m = 5 * k;
      const nameStart = marks[m];
      const colon = marks[m + 1];
      const valueStart = marks[m + 2];
      const valueEnd = marks[m + 3];
      const name = text.slice(nameStart - start, colon - start);
      const value = valueEnd > valueStart ? text.slice(valueStart - start, valueEnd - start) : '';
      if (events) {
        // As the state machine reports them: the raw value up to CR (trailing OWS included),
        // completed at the first byte of the next line; an empty value is an empty span there.
        let cr = valueEnd;
        while (data[cr] !== CR) cr++;
        this.span('field-name', base + nameStart, data.subarray(nameStart, colon));
        this.complete('field-name', base + colon + 1);
        if (cr > valueStart)
          this.span('field-value', base + valueStart, data.subarray(valueStart, cr));
        else this.span('field-value', base + cr + 2, EMPTY);
        this.complete('field-value', base + cr + 2);
      }
      headers.appendTrusted(name, value);
      switch (marks[m + 4] as Special) {
        case Special.ContentLength:
          this.contentLength = contentLength;
          break;
        case Special.TransferEncoding:
          this.teSeen = true;
          this.codings.push('chunked');
          this.chunked = true;
          break;
        case Special.Connection:
          this.addConnectionOptions(value);
          break;
        case Special.Upgrade:
          this.upgradeField = true;
          break;
      }
      this.fieldName = name;
    }
    this.fields = n;
    this.special = Special.None;
    this.len = 0;
    this.state = S.HeadersLf;
    return last + 1;
  }

  /** The SP after the request-target was seen at `pos`. */
  private endTarget(pos: number): void {
    this.target = latin1(this.buf, 0, this.len);
    this.span('target', this.tokStart);
    this.complete('target', pos + 1);
    this.state = S.ReqProto;
    this.protoIdx = 0;
  }

  /** Chunk extensions (RFC 9112 § 7.1.1): *( ";" chunk-ext-name [ "=" chunk-ext-val ] ). */
  private chunkExt(c: number, pos: number): HttpExecResult | undefined {
    switch (this.state) {
      case S.ChunkExtStart:
        if (TCHAR[c] !== 1) {
          return this.fail(
            'bad-chunk-extension',
            'chunk-extension',
            pos + 1,
            'a chunk extension name must be a token',
          );
        }
        this.len = 0;
        this.tokStart = pos;
        this.push(c);
        this.state = S.ChunkExtName;
        return undefined;
      case S.ChunkExtName:
        if (TCHAR[c] === 1) {
          this.push(c);
          return undefined;
        }
        if (c === 0x3d || c === 0x3b || c === CR) {
          this.span('ext-name', this.tokStart);
          this.complete('ext-name', pos + 1);
          this.state =
            c === 0x3d ? S.ChunkExtValueStart : c === 0x3b ? S.ChunkExtStart : S.ChunkSizeLf;
          this.len = 0;
          this.tokStart = pos + 1;
          return undefined;
        }
        if (c === LF) {
          this.span('ext-name', this.tokStart);
          this.complete('ext-name', pos);
          return this.fail(
            'bare-lf',
            'chunk-extension',
            pos,
            'the chunk size line must end with CRLF',
          );
        }
        return this.fail(
          'bad-chunk-extension',
          'chunk-extension',
          pos + 1,
          'a chunk extension name must be a token',
        );
      case S.ChunkExtValueStart:
        if (c === 0x22) {
          this.push(c);
          this.state = S.ChunkExtQuoted;
          return undefined;
        }
        if (TCHAR[c] === 1) {
          this.push(c);
          this.state = S.ChunkExtValue;
          return undefined;
        }
        return this.fail(
          'bad-chunk-extension',
          'chunk-extension',
          pos + 1,
          'a chunk extension value must be a token or a quoted string',
        );
      case S.ChunkExtValue:
        if (TCHAR[c] === 1) {
          this.push(c);
          return undefined;
        }
        if (c === 0x3b || c === CR) {
          this.span('ext-value', this.tokStart);
          this.complete('ext-value', pos + 1);
          this.state = c === 0x3b ? S.ChunkExtStart : S.ChunkSizeLf;
          return undefined;
        }
        if (c === LF) {
          this.span('ext-value', this.tokStart);
          this.complete('ext-value', pos);
          return this.fail(
            'bare-lf',
            'chunk-extension',
            pos,
            'the chunk size line must end with CRLF',
          );
        }
        return this.fail(
          'bad-chunk-extension',
          'chunk-extension',
          pos + 1,
          'a chunk extension value must be a token or a quoted string',
        );
      case S.ChunkExtQuoted:
        if (c === 0x22) {
          this.push(c);
          this.span('ext-value', this.tokStart);
          this.complete('ext-value', pos + 1);
          this.state = S.ChunkExtQuotedDone;
          return undefined;
        }
        if (c === 0x5c) {
          this.push(c);
          this.state = S.ChunkExtQuotedPair;
          return undefined;
        }
        if (QDTEXT[c] === 1) {
          this.push(c);
          return undefined;
        }
        return this.fail(
          'bad-chunk-extension',
          'chunk-extension',
          pos + 1,
          'a byte not allowed in a quoted chunk extension value',
        );
      case S.ChunkExtQuotedPair:
        if (QPAIR[c] !== 1)
          return this.fail(
            'bad-chunk-extension',
            'chunk-extension',
            pos + 1,
            'a bad quoted-pair in a chunk extension',
          );
        this.push(c);
        this.state = S.ChunkExtQuoted;
        return undefined;
      case S.ChunkExtQuotedDone:
        if (c === 0x3b) {
          this.state = S.ChunkExtStart;
          return undefined;
        }
        if (c === CR) {
          this.state = S.ChunkSizeLf;
          return undefined;
        }
        if (c === LF)
          return this.fail(
            'bare-lf',
            'chunk-extension',
            pos,
            'the chunk size line must end with CRLF',
          );
        return this.fail(
          'bad-chunk-extension',
          'chunk-extension',
          pos,
          'unexpected byte after a quoted chunk extension value',
        );
      default:
        return undefined;
    }
  }
}
