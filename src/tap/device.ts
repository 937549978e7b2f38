/**
 * A Linux TAP device as seen from Node (Node only): open it (optionally inside a network
 * namespace), receive the Ethernet frames Linux transmits on it, send frames that Linux receives.
 * Frames carry no FCS (the kernel neither expects nor supplies one on TAP) and no packet-info
 * prefix (IFF_NO_PI).
 *
 * Two backends, both built from source on first use (src/tap/build.ts, docs/tap.md):
 *   addon   frames cross between the kernel and JS inside Node's event loop (uv_poll + read/write)
 *   helper  a child process relays frames over a pipe with 16-bit length prefixes
 * The addon is the default because it is faster (bench/tap.bench.ts, docs/tap.md); the helper is
 * the fallback when Node's headers are missing. WIRETRAIL_TAP_BACKEND=addon|helper forces one.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { addonPath, helperPath, TapBuildError, type TapBackendKind } from './build.js';

export interface TapStats {
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  /** Frames Linux did not take (kernel queue full, device gone). */
  txDropped: number;
}

export type FramesListener = (frames: Uint8Array[]) => void;

export interface TapDevice {
  /** Device name inside its namespace, e.g. "wt0". */
  readonly name: string;
  readonly netns: string | undefined;
  readonly backend: TapBackendKind;
  /** Process id of the helper relaying the frames (helper backend only). */
  readonly helperPid?: number;
  /** Sends one frame to Linux (copied or written before returning; the caller may reuse it). */
  send(frame: Uint8Array): void;
  /** Sets the receiver of frames from Linux (in batches, in arrival order) and starts reading. */
  onFrames(fn: FramesListener): void;
  stats(): TapStats;
  /** Closes the descriptor; the device disappears from Linux. */
  close(): Promise<void>;
}

export interface OpenTapOptions {
  /** Device name (≤ 15 bytes); default: the kernel picks tapN. */
  name?: string;
  /** Network namespace name (as `ip netns` knows it) or a path to a namespace file. */
  netns?: string;
  backend?: TapBackendKind;
}

/** Opening failed for a reason the user can act on (no /dev/net/tun, not root, no namespace). */
export class TapOpenError extends Error {
  override name = 'TapOpenError';
}

export function netnsPath(netns: string | undefined): string {
  if (netns === undefined || netns === '') return '';
  return netns.includes('/') ? netns : `/var/run/netns/${netns}`;
}

/** Why TAP cannot work on this machine, or undefined when it can (used to skip tests). */
export function tapUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `TAP devices need Linux (this is ${process.platform})`;
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun does not exist (load the tun module)';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'TAP devices and network namespaces need root (CAP_NET_ADMIN)';
  }
  return undefined;
}

export async function openTap(options: OpenTapOptions = {}): Promise<TapDevice> {
  const name = options.name ?? '';
  if (Buffer.byteLength(name) > 15)
    throw new TapOpenError(`TAP device name "${name}" is longer than 15 bytes`);
  const ns = netnsPath(options.netns);
  if (ns !== '' && !existsSync(ns))
    throw new TapOpenError(`network namespace ${options.netns} does not exist (${ns})`);
  const forced = (options.backend ?? process.env.WIRETRAIL_TAP_BACKEND) as
    TapBackendKind | undefined;
  if (
    forced !== undefined &&
    forced !== 'addon' &&
    forced !== 'addon-inline' &&
    forced !== 'helper'
  ) {
    throw new TapOpenError(`unknown TAP backend "${forced}" (addon, addon-inline or helper)`);
  }
  if (forced === 'helper') return HelperTap.open(name, options.netns, ns);
  if (forced !== undefined) return AddonTap.open(name, options.netns, ns, forced);
  try {
    return await AddonTap.open(name, options.netns, ns, DEFAULT_ADDON_MODE);
  } catch (e) {
    if (!(e instanceof TapBuildError)) throw e;
    return HelperTap.open(name, options.netns, ns); // e.g. no Node headers: the helper needs only libc
  }
}

// ───────────────────────────── addon backend ─────────────────────────────

/** The default: measured in bench/tap.bench.ts, reasons in docs/tap.md. */
const DEFAULT_ADDON_MODE: 'addon' | 'addon-inline' = 'addon';

type Handle = object & { readonly __tap: unique symbol };
interface Addon {
  open(name: string, netns: string): [Handle, string];
  start(h: Handle, cb: (frames: Buffer[], error?: string) => void, threaded: boolean): void;
  write(h: Handle, frame: Uint8Array): number;
  flush(h: Handle): void;
  close(h: Handle): void;
  stats(h: Handle): number[];
}

let addonModule: Promise<Addon> | undefined;
function loadAddon(): Promise<Addon> {
  addonModule ??= addonPath().then((p) => createRequire(import.meta.url)(p) as Addon);
  addonModule.catch(() => (addonModule = undefined));
  return addonModule;
}

class AddonTap implements TapDevice {
  private closed = false;
  private dropped = 0;
  private listener: FramesListener | undefined;
  private early: Uint8Array[] = [];
  private constructor(
    private readonly addon: Addon,
    private readonly handle: Handle,
    readonly name: string,
    readonly netns: string | undefined,
    readonly backend: 'addon' | 'addon-inline',
  ) {
    addon.start(
      handle,
      (frames, error) => {
        if (frames.length > 0) {
          if (this.listener) this.listener(frames);
          else for (const f of frames) this.early.push(f);
        }
        if (error !== undefined && !this.closed) {
          // The device went away (e.g. its namespace was deleted): stop reading.
          void this.close();
        }
      },
      backend === 'addon',
    );
  }

  static async open(
    name: string,
    netns: string | undefined,
    ns: string,
    mode: 'addon' | 'addon-inline',
  ): Promise<TapDevice> {
    const addon = await loadAddon();
    let opened: [Handle, string];
    try {
      opened = addon.open(name, ns);
    } catch (e) {
      throw new TapOpenError((e as Error).message);
    }
    return new AddonTap(addon, opened[0], opened[1], netns, mode);
  }

  send(frame: Uint8Array): void {
    if (this.closed) return;
    const r = this.addon.write(this.handle, frame);
    if (r < 0) this.dropped++;
    if (this.backend === 'addon' && !this.flushQueued) {
      // The writer thread is woken once per event-loop turn for everything sent in it.
      this.flushQueued = true;
      setImmediate(this.flush);
    }
  }

  private flushQueued = false;
  private readonly flush = (): void => {
    this.flushQueued = false;
    if (!this.closed) this.addon.flush(this.handle);
  };

  onFrames(fn: FramesListener): void {
    this.listener = fn;
    if (this.early.length > 0) {
      const e = this.early;
      this.early = [];
      fn(e);
    }
  }

  stats(): TapStats {
    const s = this.addon.stats(this.handle);
    return {
      rxFrames: s[0],
      rxBytes: s[1],
      txFrames: s[3],
      txBytes: s[4],
      txDropped: this.backend === 'addon' ? this.dropped + s[5] : this.dropped,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.addon.close(this.handle);
  }
}

// ───────────────────────────── helper backend ─────────────────────────────

const HELPER_MAX_FRAME = 0xffff;
/** Bytes queued towards the helper beyond which frames are dropped (a full TX ring). */
const HELPER_QUEUE_LIMIT = 8 * 1024 * 1024;

class HelperTap implements TapDevice {
  readonly backend = 'helper';
  get helperPid(): number | undefined {
    return this.child.pid;
  }
  private closed = false;
  private listener: FramesListener | undefined;
  private early: Uint8Array[] = [];
  private pending: Buffer[] = [];
  /** Bytes in `pending` (not yet handed to the pipe). */
  private pendingBytes = 0;
  /** Bytes handed to the pipe whose write has not completed. */
  private inflightBytes = 0;
  private flushQueued = false;
  private rest: Buffer = Buffer.alloc(0);
  private s: TapStats = { rxFrames: 0, rxBytes: 0, txFrames: 0, txBytes: 0, txDropped: 0 };

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly name: string,
    readonly netns: string | undefined,
  ) {}

  static async open(name: string, netns: string | undefined, ns: string): Promise<TapDevice> {
    const exe = await helperPath();
    const child = spawn(exe, ns === '' ? [name] : [name, ns], { stdio: ['pipe', 'pipe', 'pipe'] });
    // One permanent 'data' listener (no pause/resume): the first line is the helper's answer,
    // everything after it is length-prefixed frames.
    let tap: HelperTap | undefined;
    let head = Buffer.alloc(0);
    let stderr = '';
    const opened = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (tap !== undefined) return tap.input(chunk);
        head = Buffer.concat([head, chunk]);
        const nl = head.indexOf(10);
        if (nl < 0) return;
        const line = head.subarray(0, nl).toString();
        const rest = head.subarray(nl + 1);
        if (!line.startsWith('ok ')) return reject(new TapOpenError(line.replace(/^error /, '')));
        tap = new HelperTap(child, line.slice(3), netns);
        resolve(line);
        if (rest.length > 0) tap.input(rest);
      });
      child.once('error', (e) =>
        reject(new TapOpenError(`cannot start the TAP helper: ${e.message}`)),
      );
      child.once('exit', (code) =>
        reject(
          new TapOpenError(
            `the TAP helper exited (${code}) before opening the device ${stderr}`.trim(),
          ),
        ),
      );
    });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdin.on('error', () => {}); // EPIPE after the helper exits: frames count as dropped
    try {
      await opened;
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    return tap!;
  }

  private input(chunk: Buffer): void {
    let buf = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    const frames: Uint8Array[] = [];
    let off = 0;
    while (buf.length - off >= 2) {
      const len = buf.readUInt16BE(off);
      if (buf.length - off < 2 + len) break;
      frames.push(buf.subarray(off + 2, off + 2 + len));
      off += 2 + len;
      this.s.rxFrames++;
      this.s.rxBytes += len;
    }
    this.rest = off < buf.length ? Buffer.from(buf.subarray(off)) : Buffer.alloc(0);
    if (frames.length === 0) return;
    if (this.listener) this.listener(frames);
    else this.early.push(...frames);
  }

  send(frame: Uint8Array): void {
    if (
      this.closed ||
      frame.length > HELPER_MAX_FRAME ||
      this.pendingBytes + this.inflightBytes > HELPER_QUEUE_LIMIT
    ) {
      this.s.txDropped++;
      return;
    }
    const b = Buffer.allocUnsafe(2 + frame.length);
    b.writeUInt16BE(frame.length, 0);
    b.set(frame, 2);
    this.pending.push(b);
    this.pendingBytes += b.length;
    this.s.txFrames++;
    this.s.txBytes += frame.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush()); // one pipe write per event-loop turn
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0 || this.closed) return;
    const out =
      this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const n = out.length;
    this.inflightBytes += n;
    this.child.stdin.write(out, () => (this.inflightBytes -= n));
  }

  onFrames(fn: FramesListener): void {
    this.listener = fn;
    if (this.early.length > 0) {
      const e = this.early;
      this.early = [];
      fn(e);
    }
  }

  stats(): TapStats {
    return { ...this.s };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    const exited = new Promise<void>((r) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) r();
      else this.child.once('exit', () => r());
    });
    this.child.stdin.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(t);
  }
}
