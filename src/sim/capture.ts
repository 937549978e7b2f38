/**
 * Packet capture to pcapng from the trace bus: like running tcpdump on interfaces of the
 * simulated network, or tapping a link. One Interface Description Block per capture point,
 * timestamps in simulated nanoseconds, frames with their FCS (if_fcslen = 4), direction flags.
 *
 * Read first: draft-ietf-opsawg-pcapng (see src/wire/pcapng.ts).
 *
 * Capture points:
 *  - a port "pc.eth0": frames that port sends (`link.tx`, time = first bit on the wire,
 *    direction out) and frames it receives (`link.rx`, time = last bit arrived, direction in)
 *    — what tcpdump on that NIC would show, except that a NIC's capture here also shows frames
 *    its filter is about to discard (a bad FCS, another host's MAC), as a mirror port would;
 *  - a link or segment name: every frame sent on it (time = first bit), once.
 *  - "node.*": every port of that node (what tcpdump -i any shows on a host);
 *  - '*': every port of every node (each frame appears once as sent and once per receiver —
 *    Wireshark's TCP analysis then sees every segment several times and reports
 *    retransmissions and reassembly overlaps; capture one point to analyse a TCP stream).
 * Points become interfaces in the order their first frame is seen, so the file is
 * deterministic for a deterministic run.
 */
import { concatBytes, LINKTYPE_ETHERNET, PcapngWriter } from '../wire/pcapng.js';
import type { TraceBus, TraceEvent } from './trace.js';

export interface CaptureOptions {
  /** Capture points ("node.port", a link name, or "*"). Default: every port ('*'). */
  points?: readonly string[];
  /** Only frames from/to these nodes (with '*'). */
  nodes?: readonly string[];
  /** SHB comment. */
  comment?: string;
}

export class Capture {
  private readonly writer: PcapngWriter;
  private readonly chunks: Uint8Array[] = [];
  private readonly ids = new Map<string, number>();
  private readonly ports = new Set<string>();
  private readonly nodesAll = new Set<string>();
  private readonly links = new Set<string>();
  private readonly all: boolean;
  private readonly nodes: ReadonlySet<string> | undefined;
  private off: (() => void) | undefined;
  /** Packets written so far. */
  packets = 0;

  constructor(bus: TraceBus, options: CaptureOptions = {}) {
    this.writer = new PcapngWriter({ application: 'wiretrail', comment: options.comment });
    this.chunks.push(this.writer.header());
    const points = options.points ?? ['*'];
    this.all = points.includes('*');
    for (const p of points) {
      if (p === '*') continue;
      if (p.endsWith('.*')) this.nodesAll.add(p.slice(0, -2));
      else if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+$/.test(p)) this.ports.add(p);
      else this.links.add(p);
    }
    this.nodes = options.nodes === undefined ? undefined : new Set(options.nodes);
    this.off = bus.subscribe((e) => this.onEvent(e));
  }

  private id(name: string, description: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      const r = this.writer.addInterface({
        name,
        description,
        linkType: LINKTYPE_ETHERNET,
        fcsLen: 4,
      });
      this.chunks.push(r.block);
      id = r.id;
      this.ids.set(name, id);
    }
    return id;
  }

  private wantPort(port: string): boolean {
    if (this.ports.has(port)) return true;
    if (this.nodesAll.size > 0 && this.nodesAll.has(port.slice(0, port.lastIndexOf('.'))))
      return true;
    if (!this.all) return false;
    if (this.nodes === undefined) return true;
    return this.nodes.has(port.slice(0, port.lastIndexOf('.')));
  }

  private onEvent(e: TraceEvent): void {
    if (e.kind === 'link.tx') {
      if (this.wantPort(e.from)) {
        this.write(this.id(e.from, `port ${e.from} on ${e.link}`), e.t, e.frame, 'out');
      }
      if (this.links.has(e.link))
        this.write(this.id(e.link, `link ${e.link}`), e.t, e.frame, undefined);
    } else if (e.kind === 'link.rx') {
      if (this.wantPort(e.to)) {
        this.write(this.id(e.to, `port ${e.to} on ${e.link}`), e.t, e.frame, 'in');
      }
    }
  }

  private write(
    id: number,
    t: number,
    frame: Uint8Array,
    direction: 'in' | 'out' | undefined,
  ): void {
    this.chunks.push(
      this.writer.packet(id, t, frame, direction === undefined ? {} : { direction }),
    );
    this.packets++;
  }

  /** Stops capturing (the bytes stay available). */
  stop(): void {
    this.off?.();
    this.off = undefined;
  }

  /** The capture file so far. */
  bytes(): Uint8Array {
    return concatBytes(this.chunks);
  }

  /** Names of the capture points in interface-id order. */
  interfaces(): string[] {
    return [...this.ids.keys()];
  }
}
