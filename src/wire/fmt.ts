/**
 * Small formatting helpers shared by the summaries and field lists of the wire formats. Only
 * called when someone asks for text (decode, inspector, narration), never on the hot path.
 */
import type { Field } from './field.js';

const HEX = '0123456789abcdef';

/** "0x0800" for hex(0x800, 4). */
export function hex(n: number, digits: number): string {
  let s = '';
  for (let i = digits - 1; i >= 0; i--) s += HEX[Math.floor(n / 16 ** i) % 16];
  return '0x' + s;
}

/** "0a 0b 0c" (no prefix); `max` bytes at most, then "…". */
export function hexBytes(b: Uint8Array, start: number, end: number, max = 64): string {
  let s = '';
  const stop = Math.min(end, start + max);
  for (let i = start; i < stop; i++) s += HEX[b[i] >>> 4] + HEX[b[i] & 15];
  if (end > stop) s += '…';
  return s;
}

export function field(
  name: string,
  label: string,
  start: number,
  end: number,
  value: string,
  children?: readonly Field[],
): Field {
  return children === undefined
    ? { name, label, start, end, value }
    : { name, label, start, end, value, children };
}

/** "Set"/"Not set", as Wireshark prints flag bits. */
export function flagText(on: boolean): string {
  return on ? 'Set' : 'Not set';
}

/** Wireshark's bit diagram for one flag: ".1.. .... = Don't fragment: Set" style prefix. */
export function bitLine(value: number, bits: number, mask: number): string {
  let s = '';
  for (let i = bits - 1; i >= 0; i--) {
    const bit = 2 ** i;
    s += (mask & bit) !== 0 ? ((value & bit) !== 0 ? '1' : '0') : '.';
    if (i % 4 === 0 && i > 0) s += ' ';
  }
  return s;
}
