/**
 * Frame buffers (DESIGN.md principle 6: no per-packet allocation beyond the buffer).
 *
 * A fresh `new Uint8Array(n)` of more than 64 bytes gets its own ArrayBuffer and backing store
 * (a calloc and, later, a finalizer in the garbage collector), which costs more than everything
 * else a router does with a 1500-byte frame. While nobody listens to the trace, frames are
 * therefore carved from 64 KiB slabs, as TCP carves its segments (src/stack/tcp/codec.ts):
 * views never overlap and a slab is never reused, so a frame stays immutable once handed to a
 * link (links, captures and receivers may keep it) and a slab is collected with its last frame.
 *
 * While the trace is active, frames get their own exact-size buffer: trace events keep frame
 * bytes for as long as the listener wants (a recorder, the web UI posting the trace to a
 * worker, where a view would drag its whole slab along).
 */
import type { TraceBus } from '../sim/trace.js';

const SLAB = 64 * 1024;
/** Larger frames (beyond 9000-byte jumbo frames: loopback MTU, in-process TCP) get their own buffer. */
const CARVE_MAX = 9216;

let slab = new ArrayBuffer(SLAB);
let slabOff = 0;

/** A zero-filled buffer of `len` bytes for one frame (see the file header). */
export function allocFrame(len: number, trace: TraceBus): Uint8Array {
  if (trace.active || len > CARVE_MAX) return new Uint8Array(len);
  if (slabOff + len > SLAB) {
    slab = new ArrayBuffer(SLAB);
    slabOff = 0;
  }
  // The constructor, not subarray(): no species lookup, about half the cost.
  const view = new Uint8Array(slab, slabOff, len);
  // 8-byte aligned starts: the CRC-32 and checksum loops read 32-bit words.
  slabOff += (len + 7) & ~7;
  return view;
}
