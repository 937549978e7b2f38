/**
 * The capture of a visit, written from the trace after the run (so that packets can carry a
 * comment naming the step of the story they belong to — Wireshark shows it as
 * `pkt_comment`). Capture points:
 *  - a port "pc.eth0": what tcpdump on that NIC shows (frames it sent and received);
 *  - "links": every link, each frame once per wire it crossed (one interface per link).
 * Reference: draft-ietf-opsawg-pcapng (src/wire/pcapng.ts).
 */
import type { TraceEvent } from './trace.js';
import { concatBytes, LINKTYPE_ETHERNET, PcapngWriter } from '../wire/pcapng.js';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ev = { readonly kind: string; readonly t: number; readonly [field: string]: any };

export interface VisitCaptureOptions {
  /** "node.port" capture points, or ["links"] for every link. */
  points: readonly string[];
  /** Packet comments by trace event index. */
  comments?: ReadonlyMap<number, string>;
  comment?: string;
}

export function captureFromTrace(events: readonly TraceEvent[], o: VisitCaptureOptions): { bytes: Uint8Array; packets: number } {
  const evs = events as unknown as readonly Ev[];
  const writer = new PcapngWriter({ application: 'wiretrail', comment: o.comment });
  const chunks: Uint8Array[] = [writer.header()];
  const ids = new Map<string, number>();
  const links = o.points.includes('links');
  const ports = new Set(o.points.filter((p) => p !== 'links'));
  const id = (name: string, description: string): number => {
    let n = ids.get(name);
    if (n === undefined) {
      const r = writer.addInterface({ name, description, linkType: LINKTYPE_ETHERNET, fcsLen: 4 });
      chunks.push(r.block);
      n = r.id;
      ids.set(name, n);
    }
    return n;
  };
  let packets = 0;
  evs.forEach((e, i) => {
    const comment = o.comments?.get(i);
    if (e.kind === 'link.tx') {
      if (ports.has(e.from)) {
        chunks.push(writer.packet(id(e.from, `${e.from} on ${e.link}`), e.t, e.frame, { direction: 'out', ...(comment ? { comment } : {}) }));
        packets++;
      }
      if (links) {
        chunks.push(writer.packet(id(e.link, `link ${e.link}`), e.t, e.frame, comment ? { comment } : {}));
        packets++;
      }
    } else if (e.kind === 'link.rx' && ports.has(e.to)) {
      chunks.push(writer.packet(id(e.to, `${e.to} on ${e.link}`), e.t, e.frame, { direction: 'in', ...(comment ? { comment } : {}) }));
      packets++;
    }
  });
  return { bytes: concatBytes(chunks), packets };
}
