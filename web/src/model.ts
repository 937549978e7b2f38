/**
 * From a recorded trace to what the page shows: frame hops (a `link.tx` paired with the
 * `link.rx` or `link.drop` that ended it), the event list's rows (a frame arriving at a device,
 * with what that device did about it) and a short summary of each distinct frame.
 *
 * Runs in the worker after the simulation; pure (no DOM), so Node tests run it too.
 */
import type { TraceEvent } from '../../src/sim/trace.js';
import { decodeFrame } from '../../src/wire/decode.js';
import type { Decoded } from '../../src/wire/decode.js';
import type { Layer } from '../../src/wire/field.js';
import type { FrameSummary, Hop, Row } from './types.js';

/** "node.port" → ["node", "port"] (node names have no dots; port names might). */
export function splitPort(id: string): [string, string] {
  const i = id.indexOf('.');
  return i < 0 ? [id, ''] : [id.slice(0, i), id.slice(i + 1)];
}

function fieldValue(l: Layer | undefined, name: string): string {
  return l?.fields.find((f) => f.name === name)?.value ?? '';
}

/** The protocol a frame is shown under: its topmost layer that is not raw data. */
export function topProtocol(d: Decoded): string {
  let p = 'eth';
  for (const l of d.layers) if (l.short !== 'data') p = l.short;
  return p;
}

export function summarise(frame: Uint8Array): FrameSummary {
  const d = decodeFrame(frame);
  const proto = topProtocol(d);
  const ip = d.layers.find((l) => l.short === 'ip');
  const eth = d.layers.find((l) => l.short === 'eth');
  let src = fieldValue(ip, 'ip.src');
  let dst = fieldValue(ip, 'ip.dst');
  let flow = '';
  if (ip === undefined) {
    src = fieldValue(eth, 'eth.src');
    dst = fieldValue(eth, 'eth.dst');
    flow = proto === 'arp' ? 'arp' : `eth ${[src, dst].sort().join(' ')}`;
  } else {
    const tr = d.layers.find((l) => l.short === 'tcp' || l.short === 'udp');
    if (tr !== undefined) {
      const sp = fieldValue(tr, `${tr.short}.srcport`);
      const dp = fieldValue(tr, `${tr.short}.dstport`);
      flow = `${tr.short} ${[`${src}:${sp}`, `${dst}:${dp}`].sort().join(' ')}`;
    } else {
      flow = `${proto} ${[src, dst].sort().join(' ')}`;
    }
  }
  return { proto, info: d.info, len: frame.length, src, dst, flow };
}

export interface Analysis {
  hops: Hop[];
  rows: Row[];
  frames: FrameSummary[];
  frameBytes: Uint8Array[];
  endT: number;
}

/**
 * How long after a frame arrives the device's events are still taken as its handling of that
 * frame (ns). Processing is synchronous unless a NIC (rxCost) or switch (latency) delays it;
 * timers (delayed ACK 40 ms, RTO ≥ 200 ms, ping's 1 s) fire far later than this (100 µs).
 */
const PROCESSING_WINDOW = 100_000;

export interface MediumInfo {
  /** Stations that receive each frame sent on it (1 for a point-to-point link). */
  receivers: number;
  /** Propagation delay, ns (to show a lost frame vanishing half way). */
  delay: number;
  /** Bits per second (to place the start of a frame whose transmission was not recorded). */
  bandwidth?: number;
}

export function analyse(
  events: readonly TraceEvent[],
  media: ReadonlyMap<string, MediumInfo> = new Map(),
): Analysis {
  const frameIndex = new Map<Uint8Array, number>();
  const frames: FrameSummary[] = [];
  const frameBytes: Uint8Array[] = [];
  const frameOf = (bytes: Uint8Array): number => {
    let i = frameIndex.get(bytes);
    if (i === undefined) {
      i = frames.length;
      frames.push(summarise(bytes));
      frameBytes.push(bytes);
      frameIndex.set(bytes, i);
    }
    return i;
  };
  /** Transmissions per medium and sender that still expect an arrival, oldest first. */
  const pending = new Map<string, { tx: number; left: number }[]>();
  const hops: Hop[] = [];
  const rows: Row[] = [];
  const lastRxRow = new Map<string, Row>();
  let endT = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.t > endT) endT = e.t;
    if (e.kind === 'link.tx') {
      const key = `${e.link}|${e.from}`;
      let q = pending.get(key);
      if (q === undefined) pending.set(key, (q = []));
      q.push({ tx: i, left: media.get(e.link)?.receivers ?? 1 });
      if (q.length > 64) q.splice(0, q.length - 64);
      continue;
    }
    if (e.kind === 'link.rx' || e.kind === 'link.drop') {
      const q = pending.get(`${e.link}|${e.from}`) ?? [];
      let tx = -1;
      if (!(e.kind === 'link.drop' && e.to === undefined)) {
        // The same bytes object: links never copy a frame (except to corrupt it).
        let k = q.findIndex((p) => (events[p.tx] as TraceEvent<'link.tx'>).frame === e.frame);
        if (k < 0 && e.kind === 'link.rx' && e.duplicate) {
          // A duplicate arrives after its original consumed the transmission: find it again.
          for (let j = hops.length - 1; j >= 0 && j >= hops.length - 256; j--) {
            if (
              hops[j].link === e.link &&
              events[hops[j].end].kind === 'link.rx' &&
              (events[hops[j].end] as TraceEvent<'link.rx'>).frame === e.frame
            ) {
              tx = hops[j].tx;
              break;
            }
          }
        } else {
          // A corrupted copy is a new object: the oldest transmission of the same length.
          if (k < 0 && e.kind === 'link.rx' && e.corrupted)
            k = q.findIndex(
              (p) => (events[p.tx] as TraceEvent<'link.tx'>).frame.length === e.frame.length,
            );
          if (k >= 0) {
            tx = q[k].tx;
            if (--q[k].left <= 0) q.splice(k, 1);
          }
        }
      }
      const txe = tx < 0 ? undefined : (events[tx] as TraceEvent<'link.tx'>);
      const [fromNode, fromPort] = splitPort(e.from);
      const [toNode, toPort] = e.to === undefined ? ['', ''] : splitPort(e.to);
      let t1 = e.t;
      let t0 = txe?.t ?? e.t;
      if (txe === undefined && e.kind === 'link.rx') {
        // Sent before the recording began (gratuitous ARP as links come up): place its start
        // from the medium's delay and serialization time (preamble + IFG: 20 bytes).
        const m = media.get(e.link);
        const bw = m?.bandwidth ?? Infinity;
        t0 = Math.max(
          0,
          e.t -
            (m?.delay ?? 0) -
            (Number.isFinite(bw) ? Math.round(((e.frame.length + 20) * 8 * 1e9) / bw) : 0),
        );
      }
      if (e.kind === 'link.drop' && txe !== undefined) {
        // Lost in transit: decided when sent; show it fading half way across.
        t1 = Math.max(e.t, txe.txEnd + Math.round((media.get(e.link)?.delay ?? 0) / 2));
      }
      const hop: Hop = {
        tx,
        end: i,
        dropped: e.kind === 'link.drop',
        link: e.link,
        fromNode,
        fromPort,
        toNode,
        toPort,
        t0,
        t1,
        frame: frameOf(e.frame),
      };
      hops.push(hop);
      const row: Row = {
        ev: i,
        hop: hops.length - 1,
        t: e.t,
        at: e.kind === 'link.rx' ? toNode : toNode || fromNode,
        from: fromNode,
        dropped: e.kind === 'link.drop',
        actions: [],
      };
      rows.push(row);
      if (e.kind === 'link.rx') lastRxRow.set(toNode, row);
      continue;
    }
    // What a device did is attributed to the frame it received last (processing is
    // synchronous unless a NIC or switch adds a delay).
    if (e.kind !== 'link.state') {
      const row = lastRxRow.get(e.node);
      if (row !== undefined && e.t - row.t <= PROCESSING_WINDOW) row.actions.push(i);
    }
  }
  // Frames a device sent while handling a received frame: its link.tx events in the window.
  const nextAt = new Map<string, number>();
  for (let r = rows.length - 1; r >= 0; r--) {
    const row = rows[r];
    if (row.dropped) continue;
    const stop = nextAt.get(row.at) ?? events.length;
    nextAt.set(row.at, row.ev);
    for (let j = row.ev + 1; j < stop; j++) {
      const e = events[j];
      if (e.t - row.t > PROCESSING_WINDOW) break;
      if (e.kind === 'link.tx' && e.node === row.at) row.actions.push(j);
    }
    row.actions.sort((a, b) => a - b);
  }
  return { hops, rows, frames, frameBytes, endT };
}

/** Index of the last row at or before event `ev` (rows are in event order). */
export function rowAtOrBefore(rows: readonly Row[], ev: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].ev <= ev) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Index of the last event with time <= t. */
export function eventAtTime(events: readonly TraceEvent[], t: number): number {
  let lo = 0;
  let hi = events.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].t <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}
