/**
 * The visit (src/world/visit.ts: runVisit) turned into RunData, with the story of src/story
 * rendered in English and Chinese.
 */
import type { TraceEvent } from '../../src/sim/trace.js';
import { formatDuration } from '../../src/sim/time.js';
import { buildStory, renderSteps } from '../../src/story/index.js';
import { parseTopology } from '../../src/world/topology.js';
import { runVisit } from '../../src/world/visit.js';
import { parseDuration } from '../../src/world/units.js';
import { analyse } from './model.js';
import { describeNetwork } from './network-info.js';
import { mediaInfo, pickClient } from './run.js';
import type { RunData, RunRequest, Step, WaterfallRow } from './types.js';
import { visitStory } from './visitstory.js';

/** The narration of src/story, in both languages, step by step. */
export function storySteps(events: readonly TraceEvent[], client: string): Step[] {
  const story = buildStory(events, client);
  const out: Step[] = [];
  for (const visit of story.visits) {
    const en = renderSteps(visit, 'en');
    const zh = renderSteps(visit, 'zh');
    // With several visits, each title says which visit it belongs to ("Visit 2: Caches").
    const many = story.visits.length > 1;
    const n = visit.index + 1;
    en.forEach((s, i) => {
      const z = zh[i] ?? s;
      out.push({
        title: {
          en: many ? `Visit ${n}: ${s.title}` : s.title,
          zh: many ? `第 ${n} 次访问：${z.title}` : z.title,
        },
        lines: { en: s.lines, zh: z.lines },
        events: s.events.length > 0 ? [...s.events].sort((a, b) => a - b) : [0],
        t: s.t,
      });
    });
  }
  return out;
}

export async function runVisitData(
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
  // An uploaded topology need not call its client "pc": browse from its first host then.
  const client =
    topology === undefined ? undefined : pickClient(parseTopology(topology.text, topology.file));
  const r = await runVisit({
    url: req.input,
    topology,
    client: client === '' ? undefined : client,
    seed: req.seed,
    faults,
    capture: true,
    repeat: req.repeat,
  });
  const t1 = now();
  const { nodes, links } = describeNetwork(r.topology, r.net, r.client);
  const a = analyse(r.events, mediaInfo({ links }));
  let steps: Step[];
  try {
    steps = storySteps(r.events, r.client);
  } catch {
    steps = [];
  }
  // The compact built-in narration when the story has nothing to say (a failed visit, say).
  if (steps.length === 0) steps = visitStory(r.events, r.client);
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
    waterfall.push({
      label: e.url,
      start: e.start,
      end: e.end,
      phases,
      status: e.error ?? String(e.status),
      size: e.transferred,
    });
  }
  const v = r.visits[0];
  const output: string[] = [];
  if (v?.page !== undefined) output.push(...v.page.text.split('\n'));
  if (v?.error !== undefined) output.push(v.error.message);
  const title =
    v?.page !== undefined
      ? `${req.input} → ${v.page.status} “${v.page.title}”`
      : `${req.input}: ${v?.error?.message ?? ''}`;
  // In Chinese, a failure reads as the story's error step tells it (the browser's message is
  // English): "找不到 www.nosuch.com：这个域名不存在".
  const errStep = steps.find((s) =>
    s.events.some((i) => {
      const e = r.events[i];
      return e?.kind === 'browser.error' || (e?.kind === 'visit.end' && e.ok === false);
    }),
  );
  const titleZh =
    v?.page === undefined && errStep !== undefined && errStep.lines.zh.length > 0
      ? `${req.input}：${errStep.lines.zh[0]}`
      : title;
  // The page's load time, not the run's length: the run goes on through the connections'
  // 60 s TIME-WAIT, and the status line gives that separately ("simulated 60.246977 s").
  const loaded =
    v?.page !== undefined
      ? {
          en: ` · loaded in ${formatDuration(v.page.loadTime)}`,
          zh: ` · 加载用时 ${formatDuration(v.page.loadTime)}`,
        }
      : { en: '', zh: '' };
  return {
    input: req.input,
    title: { en: title + loaded.en, zh: titleZh + loaded.zh },
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
