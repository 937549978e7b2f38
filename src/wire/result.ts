/**
 * Errors as values for every parser in wiretrail (STYLE.md: "errors as values").
 *
 * A parser never throws on input bytes: it returns `{ ok: false, error, detail }` where `error`
 * is a short machine-readable reason that nodes count as a drop reason (`netstat -s`,
 * `ip -s link`), and `detail` is a human sentence for `wiretrail decode` and the narration.
 */

/** Reasons a packet or message can be rejected. Shared by all formats so counters line up. */
export type WireError =
  | 'truncated' // buffer shorter than a header or a length field says
  | 'bad-checksum' // Internet checksum or CRC-32 FCS mismatch
  | 'bad-length' // a length field is inconsistent (too small, larger than the buffer, ...)
  | 'bad-version' // IPv4 version != 4, unsupported ARP hardware/protocol type, ...
  | 'bad-pointer' // DNS compression pointer loop, forward or out of range
  | 'bad-label' // DNS label over 63 octets or reserved label type
  | 'bad-name' // DNS name over 255 octets
  | 'bad-option' // malformed TCP/IPv4 option
  | 'bad-field' // a field holds a value the format forbids
  | 'unsupported'; // well-formed but outside what wiretrail implements

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<E extends string = WireError> = {
  readonly ok: false;
  readonly error: E;
  readonly detail?: string;
};
export type Result<T, E extends string = WireError> = Ok<T> | Err<E>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<E extends string = WireError>(error: E, detail?: string): Err<E> {
  return detail === undefined ? { ok: false, error } : { ok: false, error, detail };
}
