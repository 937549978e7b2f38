/**
 * Field lists with byte ranges: what the packet inspector (web/), `wiretrail decode` and the
 * narration use to show a header field by field, like Wireshark's packet details pane.
 */

export interface Field {
  /** Stable machine name, e.g. "ip.ttl" (close to Wireshark's display-filter names). */
  readonly name: string;
  /** Human label, e.g. "Time to Live". */
  readonly label: string;
  /** Byte range [start, end) relative to the start of the frame being described. */
  readonly start: number;
  readonly end: number;
  /** Formatted value, e.g. "64" or "0x0800 (IPv4)". */
  readonly value: string;
  /** Bit-level or nested fields (flags, options). */
  readonly children?: readonly Field[];
}

/** One decoded protocol layer: its name, Info-column summary and its fields. */
export interface Layer {
  /** Protocol name as tshark prints it: "Ethernet II", "Internet Protocol Version 4", ... */
  readonly protocol: string;
  /** Short name: "eth", "arp", "ip", "icmp", "udp", "tcp", "dns", "http". */
  readonly short: string;
  readonly start: number;
  readonly end: number;
  readonly summary: string;
  readonly fields: readonly Field[];
}
