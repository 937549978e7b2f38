/**
 * The story of a visit (src/world/visit.ts), told from the trace: data (steps.ts), text in
 * English or Chinese (render.ts), the hop-by-hop trails (trail.ts), decoded headers for
 * `--detail packet`, and packet comments naming the step for the capture (capture.ts).
 */
import type { TraceEvent } from '../sim/trace.js';
import { decodeFrame, formatDecoded } from '../wire/decode.js';
import { captureFromTrace } from '../sim/trace-capture.js';
import { frameFacts, TCP_FIN, TCP_RST, TCP_SYN } from './frames.js';
import { errorSummary, hopTable, renderSteps, renderStory } from './render.js';
import type { Detail, Lang, RenderedStep } from './render.js';
import { buildStory } from './steps.js';
import type { Ev, Step, Story, VisitStory } from './steps.js';
import { packetTrails } from './trail.js';

export { buildStory, renderStory, renderSteps, packetTrails, captureFromTrace, errorSummary };
export type { Story, VisitStory, Step, Detail, Lang, RenderedStep };

export interface TellOptions {
  lang: Lang;
  detail: Detail;
  url: string;
  networkName: string;
  seed: number;
  clientAddress: string;
  capture: string;
  page?: boolean;
}

/** The story as text, with the extra lines of the `hop` and `packet` detail levels. */
export function tell(events: readonly TraceEvent[], story: Story, o: TellOptions): string {
  const evs = events as unknown as readonly Ev[];
  const extra = (visit: VisitStory, step: RenderedStep): string[] => {
    if (visit.index !== 0) return [];
    const lines: string[] = [];
    if (
      o.detail === 'packet' &&
      (step.kind === 'frame' || step.kind === 'server' || step.kind === 'response')
    ) {
      // The frame of the step, decoded field by field (like the seeds' header diagrams).
      const i = step.events.find((j) => evs[j]?.kind === 'link.tx') ?? firstFrameAfter(evs, step);
      if (i !== undefined) {
        const d = decodeFrame(evs[i].frame as Uint8Array);
        lines.push('', ...formatDecoded(d).map((l) => `  ${l}`), '');
      }
    }
    if ((o.detail === 'hop' || o.detail === 'packet') && step.kind === 'segmentation') {
      const trails = packetTrails(events, visit);
      const heading =
        o.lang === 'zh'
          ? '第一个请求的每个包、每一跳：'
          : 'every hop of every packet of the first request:';
      lines.push('', heading);
      for (const t of trails)
        lines.push(`  ${t.label}`, ...hopTable(t.rows, o.lang).map((l) => `  ${l}`));
    }
    return lines;
  };
  return renderStory(story, o.url, { ...o, extra });
}

function firstFrameAfter(evs: readonly Ev[], step: RenderedStep): number | undefined {
  const from = Math.max(...step.events);
  for (let i = from; i < evs.length && i < from + 2000; i++)
    if (evs[i].kind === 'link.tx') return i;
  return undefined;
}

/**
 * Packet comments for the capture: each frame is labelled with the step of the story it
 * belongs to ("step 8 · TCP handshake"), classified by what it carries and, for TCP, by its
 * connection, direction and sequence numbers: the document connection's handshake, request,
 * response and its ACKs, the subresources' connections, and every segment from a FIN on.
 */
export function stepComments(
  story: Story,
  events: readonly TraceEvent[],
  lang: Lang,
): Map<number, string> {
  const evs = events as unknown as readonly Ev[];
  const comments = new Map<number, string>();
  const visits = story.visits.map((visit, k) => {
    const steps = renderSteps(visit, lang);
    const label = (kind: string): string | undefined => {
      const s = steps.find((x) => x.kind === kind);
      return (
        s &&
        `${story.visits.length > 1 ? `visit ${visit.index + 1} · ` : ''}step ${s.n} · ${s.title}`
      );
    };
    const find = <K extends Step['kind']>(kind: K) =>
      visit.steps.find((s): s is Extract<Step, { kind: K }> => s.kind === kind);
    const sock = find('socket');
    const hs = find('handshake');
    const seg = find('segmentation');
    const resp = find('response');
    return {
      from: visit.startedAt,
      to: story.visits[k + 1]?.startedAt ?? Infinity,
      label,
      docPort: sock ? sock.localPort : -1,
      serverData: hs
        ? {
            first: (hs.synAckSeq + 1) >>> 0,
            last: (hs.synAckSeq + 1 + (seg?.responseBytes ?? 0)) >>> 0,
          }
        : undefined,
      handshake: hs ? { seq: (hs.synSeq + 1) >>> 0, ack: (hs.synAckSeq + 1) >>> 0 } : undefined,
      respAt: resp?.t ?? visit.finishedAt,
      synAt: hs?.t ?? Infinity,
      // The redirects' requests and responses: up to the last event a redirect step narrates.
      redirectEnd: Math.max(
        -Infinity,
        ...visit.steps
          .filter((s) => s.kind === 'redirect')
          .flatMap((s) => s.events.map((j) => evs[j]?.t ?? -Infinity)),
      ),
    };
  });
  const closing = new Set<string>();
  evs.forEach((e, i) => {
    if (e.kind !== 'link.tx' && e.kind !== 'link.rx') return;
    const v = visits.find((x) => e.t >= x.from && e.t < x.to);
    if (v === undefined) return;
    const f = frameFacts(e.frame as Uint8Array);
    if (f === undefined) return;
    let kind: string | undefined;
    if (f.etherType === 0x0806) kind = e.t <= v.synAt ? 'arp' : undefined;
    else if (f.ip?.protocol === 17 && (f.sport === 53 || f.dport === 53)) kind = 'dns';
    else if (f.tcp && f.ip) {
      const key = [`${f.ip.src}:${f.sport}`, `${f.ip.dst}:${f.dport}`].sort().join('|');
      const doc = f.sport === v.docPort || f.dport === v.docPort;
      const toServer = f.dport === 80;
      if (f.tcp.flags & (TCP_FIN | TCP_RST)) closing.add(key);
      if (closing.has(key)) kind = 'close';
      else if (f.tcp.flags & TCP_SYN) kind = doc ? 'handshake' : 'page';
      else if (!doc) kind = 'page';
      else if (f.tcp.dataLength > 0)
        kind = toServer
          ? e.t < v.respAt
            ? 'request'
            : 'page'
          : e.t <= v.respAt
            ? 'response'
            : 'page';
      else if (
        toServer &&
        v.handshake &&
        f.tcp.seq === v.handshake.seq &&
        f.tcp.ack === v.handshake.ack
      )
        kind = 'handshake';
      else if (toServer && v.serverData && seqIn(f.tcp.ack, v.serverData.first, v.serverData.last))
        kind = 'response';
      else kind = e.t <= v.respAt ? 'request' : 'page';
      if (kind === 'page' && e.t >= v.respAt && e.t <= v.redirectEnd) kind = 'redirect';
    }
    const label =
      kind && (v.label(kind) ?? (kind === 'request' ? v.label('segmentation') : undefined));
    if (label) comments.set(i, label);
  });
  return comments;
}

function seqIn(x: number, first: number, last: number): boolean {
  return (x - first) >>> 0 <= (last - first) >>> 0;
}
