/**
 * The typed trace bus (DESIGN.md principle 4). Every layer emits events saying what happened
 * and why; narration (src/story), pcapng captures, the web visualiser and statistics read the
 * trace and nothing else.
 *
 * Event kinds are declared next to the code that emits them, by augmenting TraceEventMap:
 *
 *   declare module '../sim/trace.js' {
 *     interface TraceEventMap { 'arp.request': { iface: string; target: number; why: string } }
 *   }
 *
 * Payloads must be plain data (numbers, strings, booleans, arrays, plain objects, Uint8Array)
 * so a trace can be written as JSON and posted to a Web Worker. Frame bytes in events are
 * immutable: nothing writes to a buffer after it was handed to a link.
 *
 * Cost when nobody listens: emitters test `bus.active` before building an event object.
 */
import type { Instant } from './time.js';

export interface TraceEventMap {
  /** A free-form note from a scenario or tool (shown in the event list). */
  'sim.note': { text: string };
}

export type TraceKind = keyof TraceEventMap;

export type TraceEvent<K extends TraceKind = TraceKind> = {
  [P in K]: { readonly kind: P; readonly t: Instant; readonly node: string } & TraceEventMap[P];
}[K];

export type TraceListener = (event: TraceEvent) => void;

export class TraceBus {
  private listeners: TraceListener[] = [];
  /** True when at least one listener is subscribed; emitters check it first. */
  active = false;

  constructor(private readonly now: () => Instant) {}

  subscribe(listener: TraceListener): () => void {
    this.listeners.push(listener);
    this.active = true;
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
      this.active = this.listeners.length > 0;
    };
  }

  emit<K extends TraceKind>(kind: K, node: string, data: TraceEventMap[K]): void {
    if (!this.active) return;
    const event = { kind, t: this.now(), node, ...(data as object) } as unknown as TraceEvent;
    for (const l of this.listeners) l(event);
  }
}

/** Records every event in order; the input of story, pcap and the web UI. */
export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  private readonly off: () => void;
  constructor(bus: TraceBus, filter?: (e: TraceEvent) => boolean) {
    this.off = bus.subscribe(filter ? (e) => filter(e) && this.events.push(e) : (e) => this.events.push(e));
  }
  stop(): void {
    this.off();
  }
  ofKind<K extends TraceKind>(kind: K): TraceEvent<K>[] {
    return this.events.filter((e) => e.kind === kind) as unknown as TraceEvent<K>[];
  }
}
