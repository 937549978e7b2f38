/**
 * Send and receive byte rings of a connection (RFC 9293 § 3.3.1: the send buffer holds data
 * from SND.UNA on; the receive buffer holds data the user has not read yet plus, beyond it,
 * out-of-order data within the window).
 *
 * Memory: rings are allocated on first use and grow by doubling up to their capacity, so an idle
 * connection holds no buffer memory (issue 4: ≤ 8 KB per idle connection beyond buffers).
 */

const INITIAL = 4096;

function grow(buf: Uint8Array, head: number, len: number, need: number, cap: number): Uint8Array {
  let size = Math.max(buf.length, INITIAL);
  while (size < need) size *= 2;
  if (size > cap) size = cap;
  const out = new Uint8Array(size);
  // Linearise the used part (head .. head+len, wrapping).
  const first = Math.min(len, buf.length - head);
  if (first > 0) out.set(buf.subarray(head, head + first), 0);
  if (len > first) out.set(buf.subarray(0, len - first), first);
  return out;
}

const EMPTY = new Uint8Array(0);

/** Bytes from SND.UNA onward: sent-but-unacknowledged, then not yet sent. */
export class SendBuffer {
  buf: Uint8Array = EMPTY;
  head = 0;
  length = 0;

  constructor(public capacity: number) {}

  get space(): number {
    return this.capacity - this.length;
  }

  /** Appends up to `space` bytes of data[off, off+n); returns how many were taken. */
  write(data: Uint8Array, off = 0, n = data.length - off): number {
    n = Math.min(n, this.capacity - this.length);
    if (n <= 0) return 0;
    if (this.length + n > this.buf.length) {
      this.buf = grow(
        this.buf,
        this.head,
        this.length,
        this.length + n,
        Math.max(this.capacity, this.length + n),
      );
      this.head = 0;
    }
    const size = this.buf.length;
    let tail = this.head + this.length;
    if (tail >= size) tail -= size;
    const first = Math.min(n, size - tail);
    this.buf.set(first === data.length && off === 0 ? data : data.subarray(off, off + first), tail);
    if (n > first) this.buf.set(data.subarray(off + first, off + n), 0);
    this.length += n;
    return n;
  }

  /** Drops n bytes from the front (acknowledged data). */
  consume(n: number): void {
    if (n >= this.length) {
      this.head = 0;
      this.length = 0;
      return;
    }
    this.head += n;
    if (this.head >= this.buf.length) this.head -= this.buf.length;
    this.length -= n;
  }

  /** Copies n bytes starting at `offset` from the front into dst[dstOff...]. */
  copyOut(offset: number, n: number, dst: Uint8Array, dstOff: number): void {
    const size = this.buf.length;
    let pos = this.head + offset;
    if (pos >= size) pos -= size;
    const first = Math.min(n, size - pos);
    dst.set(this.buf.subarray(pos, pos + first), dstOff);
    if (n > first) dst.set(this.buf.subarray(0, n - first), dstOff + first);
  }

  release(): void {
    this.buf = EMPTY;
    this.head = 0;
    this.length = 0;
  }
}

/**
 * Received bytes: `length` in-order bytes not yet read, starting at `head`; out-of-order bytes
 * are written at offsets beyond them (offset 0 = RCV.NXT).
 */
export class RecvBuffer {
  buf: Uint8Array = EMPTY;
  head = 0;
  length = 0;

  constructor(public capacity: number) {}

  /** Room for in-order data plus out-of-order data measured from RCV.NXT. */
  get space(): number {
    return this.capacity - this.length;
  }

  private ensure(need: number): void {
    if (need <= this.buf.length) return;
    // Rotate the whole old ring (in-order and out-of-order bytes) so that head moves to 0.
    const old = this.buf;
    let size = Math.max(old.length, INITIAL);
    while (size < need) size *= 2;
    size = Math.min(size, Math.max(this.capacity, need));
    const out = new Uint8Array(size);
    out.set(old.subarray(this.head), 0);
    out.set(old.subarray(0, this.head), old.length - this.head);
    this.buf = out;
    this.head = 0;
  }

  /** Writes data[off, off+n) at `offset` bytes past RCV.NXT (offset + n ≤ space). */
  writeAt(offset: number, data: Uint8Array, off: number, n: number): void {
    this.ensure(this.length + offset + n);
    const size = this.buf.length;
    let pos = this.head + this.length + offset;
    while (pos >= size) pos -= size;
    const first = Math.min(n, size - pos);
    this.buf.set(data.subarray(off, off + first), pos);
    if (n > first) this.buf.set(data.subarray(off + first, off + n), 0);
  }

  /** n bytes at RCV.NXT became in-order (after writeAt or reassembly). */
  commit(n: number): void {
    this.length += n;
  }

  /** Copies up to `max` in-order bytes out; removes them unless `peek`. */
  read(max: number, peek = false): Uint8Array {
    const n = Math.min(max, this.length);
    const out = new Uint8Array(n);
    if (n === 0) return out;
    const size = this.buf.length;
    const first = Math.min(n, size - this.head);
    out.set(this.buf.subarray(this.head, this.head + first), 0);
    if (n > first) out.set(this.buf.subarray(0, n - first), first);
    if (!peek) this.discard(n);
    return out;
  }

  discard(n: number): void {
    n = Math.min(n, this.length);
    this.head += n;
    if (this.head >= this.buf.length) this.head -= this.buf.length;
    this.length -= n;
  }

  release(): void {
    this.buf = EMPTY;
    this.head = 0;
    this.length = 0;
  }
}
