/**
 * A packet buffer with headroom, like Linux's sk_buff and lwIP's pbuf (DESIGN.md principle 3):
 * on the way down each layer prepends its header into the reserved space in front of the
 * payload without copying it; on the way up each layer advances past its header.
 *
 *   buf: [ headroom ........ | start ... payload ... end | tailroom ]
 */
export const DEFAULT_HEADROOM = 14 + 4 + 60 + 60; // Ethernet + 802.1Q + IPv4 max + TCP max

export class PacketBuf {
  constructor(
    public buf: Uint8Array,
    public start: number,
    public end: number,
  ) {}

  /** A zero-filled buffer of `length` payload bytes with `headroom` bytes in front. */
  static alloc(length: number, headroom = DEFAULT_HEADROOM): PacketBuf {
    return new PacketBuf(new Uint8Array(headroom + length), headroom, headroom + length);
  }

  /** Copies `bytes` into a new buffer with headroom. */
  static from(bytes: Uint8Array, headroom = DEFAULT_HEADROOM): PacketBuf {
    const p = PacketBuf.alloc(bytes.length, headroom);
    p.buf.set(bytes, headroom);
    return p;
  }

  /** Wraps received bytes (no headroom needed on the way up). */
  static wrap(bytes: Uint8Array): PacketBuf {
    return new PacketBuf(bytes, 0, bytes.length);
  }

  get length(): number {
    return this.end - this.start;
  }

  get headroom(): number {
    return this.start;
  }

  /** A view of the current contents (no copy). */
  bytes(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /**
   * Makes room for an n-byte header in front and returns a view of it. Copies the buffer only
   * when the headroom is too small (counted by callers that care).
   */
  prepend(n: number): Uint8Array {
    if (n > this.start) {
      const grown = new Uint8Array(n + DEFAULT_HEADROOM + this.length);
      grown.set(this.bytes(), n + DEFAULT_HEADROOM);
      this.end = n + DEFAULT_HEADROOM + this.length;
      this.start = n + DEFAULT_HEADROOM;
      this.buf = grown;
    }
    this.start -= n;
    return this.buf.subarray(this.start, this.start + n);
  }

  /** Strips an n-byte header from the front. */
  advance(n: number): void {
    this.start = Math.min(this.start + n, this.end);
  }

  /** Cuts the contents to n bytes (drops link-layer padding, for example). */
  truncate(n: number): void {
    if (n < this.length) this.end = this.start + n;
  }

  /** An independent copy with the same headroom. */
  clone(): PacketBuf {
    return new PacketBuf(this.buf.slice(), this.start, this.end);
  }
}
