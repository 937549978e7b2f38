/**
 * The visit, through the lead's `runVisit` (src/world/visit.ts), turned into RunData. The
 * module is passed in (the worker finds it with import.meta.glob), and only the fields used
 * here are typed, so the page builds whether or not the visit exists yet.
 */
import type { Simulation } from '../../src/sim/simulation.js';
import type { TraceEvent } from '../../src/sim/trace.js';
import { formatDuration } from '../../src/sim/time.js';
import type { Topology } from '../../src/world/topology.js';
import { parseDuration } from '../../src/world/units.js';
import { analyse } from './model.js';
import { describeNetwork } from './network-info.js';
import { mediaInfo } from './run.js';
import type { RunData, RunRequest, Step, WaterfallRow } from './types.js';
import { visitStory } from './visitstory.js';

export interface VisitOptionsLike {
  url: string;
  topology?: { text: string; file: string };
  seed?: number;
  faults?: { loss?: number; delay?: number; mtu?: number };
  capture?: boolean;
  repeat?: number;
}

export interface VisitResultLike {
  topology: Topology;
  net: Simulation;
  client: string;
  events: TraceEvent[];
  visits: { input: string; error?: { message: string }; page?: { title: string; text: string; status: number } }[];
  pcapng?: Uint8Array;
  faultLink?: string;
}

export interface VisitModule {
  runVisit(options: VisitOptionsLike): Promise<VisitResultLike>;
}

/** The narrator, when src/story exists: any of these shapes is accepted. */
export interface StoryModule {
  [name: string]: unknown;
}

function storyFrom(mod: StoryModule | undefined, events: readonly TraceEvent[], client: string): Step[] | undefined {
  if (mod === undefined) return undefined;
  for (const name of ['storySteps', 'buildStory', 'tellStory', 'narrate', 'story']) {
    const f = mod[name];
    if (typeof f !== 'function') continue;
    try {
      const out = (f as (e: readonly TraceEvent[], o: unknown) => unknown)(events, { client });
      const steps = normaliseSteps(out);
      if (steps !== undefined && steps.length > 0) return steps;
    } catch {
      /* fall back to the built-in narration */
    }
  }
  return undefined;
}

/** Accepts `{ title: {en, zh} | string, lines, events }[]` or `{ steps: [...] }`. */
function normaliseSteps(out: unknown): Step[] | undefined {
  const list = Array.isArray(out) ? out : Array.isArray((out as { steps?: unknown })?.steps) ? (out as { steps: unknown[] }).steps : undefined;
  if (list === undefined) return undefined;
  const steps: Step[] = [];
  for (const s of list as Record<string, unknown>[]) {
    const title = s.title as { en?: string; zh?: string } | string | undefined;
    const lines = s.lines as { en?: string[]; zh?: string[] } | string[] | undefined;
    const evs = (s.events ?? s.eventIndexes ?? s.refs) as number[] | undefined;
    if (title === undefined || !Array.isArray(evs)) return undefined;
    steps.push({
      title: typeof title === 'string' ? { en: title, zh: title } : { en: title.en ?? '', zh: title.zh ?? title.en ?? '' },
      lines: Array.isArray(lines) ? { en: lines, zh: lines } : { en: lines?.en ?? [], zh: lines?.zh ?? lines?.en ?? [] },
      events: evs,
      t: typeof s.t === 'number' ? s.t : 0,
    });
  }
  return steps;
}

export async function runVisitData(
  mod: VisitModule,
  story: StoryModule | undefined,
  req: RunRequest,
  topology: { text: string; file: string } | undefined,
  now: () => number = () => 0,
): Promise<RunData> {
  const t0 = now();
  let delay: number | undefined;
  if (req.faults.delay !== undefined && req.faults.delay.trim() !== '') {
    const d = parseDuration(req.faults.delay.trim());
    if (!d.ok) throw new Error(`delay: ${d.message}`);
    delay = d.value;
  }
  const faults =
    (req.faults.loss ?? 0) > 0 || delay !== undefined || req.faults.mtu !== undefined
      ? { loss: req.faults.loss || undefined, delay, mtu: req.faults.mtu }
      : undefined;
  const r = await mod.runVisit({ url: req.input, topology, seed: req.seed, faults, capture: true });
  const t1 = now();
  const { nodes, links } = describeNetwork(r.topology, r.net, r.client);
  const a = analyse(r.events, mediaInfo({ links }));
  const steps = storyFrom(story, r.events, r.client) ?? visitStory(r.events, r.client);
  for (const s of steps) if (s.t === 0 && s.events.length > 0) s.t = r.events[s.events[0]]?.t ?? 0;
  const waterfall: WaterfallRow[] = [];
  for (const e of r.events) {
    if (e.kind !== 'browser.resource-timing') continue;
    const phases: WaterfallRow['phases'] = [];
    const ph = (name: string, s?: number, en?: number): void => {
      if (s !== undefined && en !== undefined && en > s) phases.push({ name, start: s, end: en });
    };
    ph('dns', e.dnsStart, e.dnsEnd);
    ph('connect', e.connectStart, e.connectEnd);
    ph('send', e.connectEnd ?? e.start, e.requestSent);
    ph('wait', e.requestSent, e.responseStart);
    ph('receive', e.responseStart, e.responseEnd);
    waterfall.push({ label: e.url, start: e.start, end: e.end, phases, status: e.error ?? String(e.status), size: e.transferred });
  }
  const v = r.visits[0];
  const output: string[] = [];
  if (v?.page !== undefined) output.push(...v.page.text.split('\n'));
  if (v?.error !== undefined) output.push(v.error.message);
  const title = v?.page !== undefined ? `${req.input} → ${v.page.status} “${v.page.title}”` : `${req.input}: ${v?.error?.message ?? ''}`;
  const totalMs = a.endT > 0 ? ` · ${formatDuration(a.endT)}` : '';
  return {
    input: req.input,
    title: { en: title + totalMs, zh: title + totalMs },
    mode: 'visit',
    topologyName: r.topology.name ?? r.topology.file,
    nodes,
    links,
    events: r.events,
    frames: a.frames,
    frameBytes: a.frameBytes,
    hops: a.hops,
    rows: a.rows,
    story: steps,
    waterfall,
    output,
    pcapng: r.pcapng ?? new Uint8Array(0),
    endT: a.endT,
    error: v?.error?.message,
    timing: { simulate: t1 - t0, analyse: now() - t1 },
  };
}
