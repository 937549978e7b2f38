/**
 * The page: address bar, topology picker and fault knobs; topology view with the frames in
 * flight; timeline with play/pause/speed/step and the story's markers; event list; packet
 * inspector; device tables; story, ladder, waterfall and TCP graph; pcapng download. One state
 * (the run, the clock, the selected row and moment, the language) and plain DOM updates.
 *
 * The clock is simulated time. Selecting a row moves the clock to the frame's arrival and the
 * "moment" (what the device tables show) to just after the device handled it.
 */
import { t } from './i18n.js';
import type { UiKey } from './i18n.js';
import { eventAtTime, rowAtOrBefore } from './model.js';
import { TimeWarp } from './timewarp.js';
import type { WarpMode } from './timewarp.js';
import type { Faults, Lang, RunData, RunRequest, TopologyChoice, WorkerReply } from './types.js';
import { ladder, tcpGraph, waterfall } from './ui/charts.js';
import { DevicePanel } from './ui/devices.js';
import { clear, h, scrollWithin } from './ui/dom.js';
import { EventList } from './ui/events.js';
import { fmtTime } from './ui/format.js';
import { Inspector } from './ui/inspector.js';
import { TopologyView } from './ui/topology.js';

type SideTab = 'story' | 'ladder' | 'waterfall' | 'tcp' | 'output';
const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16, 32];

/** What tests and the benchmark read (window.wiretrail). */
export interface AppProbe {
  state(): {
    running: boolean;
    hasRun: boolean;
    row: number;
    moment: number;
    simT: number;
    playing: boolean;
    lang: Lang;
    rows: number;
    story: number;
    device: string;
    error?: string;
  };
  /** Milliseconds from Enter to the story on screen, for the last run. */
  lastEnterToStory: number;
  /** Frame times of the animation loop (ms between frames), newest last. */
  frameTimes: number[];
  run(): RunData | undefined;
  selectRow(row: number): void;
  jumpToEvent(ev: number): void;
  play(speed?: number): void;
  pause(): void;
}

export class App {
  private readonly worker: Worker;
  private run: RunData | undefined;
  private warp: TimeWarp | undefined;
  private warpMode: WarpMode = 'compressed';
  private simT = 0;
  private disp = 0;
  private playing = false;
  private speed = 1;
  private row = -1;
  private moment = -1;
  private momentSince = -1;
  private lang: Lang = 'en';
  private side: SideTab = 'story';
  private reqId = 0;
  private running = false;
  private enterAt = 0;
  private customYaml: string | undefined;
  private lastUiUpdate = 0;
  private panelsPending = false;
  private lastFrame = 0;
  private error: string | undefined;
  /** The message of the last request that produced no run (bad input, a worker error). */
  private failure: string | undefined;
  /** The story step last clicked, and the moment the click moved to. */
  private storyPin: { step: number; moment: number } | undefined;
  /** anchor(i) of each story step of the run (computed on first use). */
  private anchors: number[] = [];
  readonly probe: AppProbe;
  private readonly i18nEls: [HTMLElement, UiKey, 'text' | 'label' | 'title' | 'placeholder'][] = [];

  // Controls
  private readonly input: HTMLInputElement;
  private readonly topoSel: HTMLSelectElement;
  private readonly fileInput: HTMLInputElement;
  private readonly lossIn: HTMLInputElement;
  private readonly delayIn: HTMLInputElement;
  private readonly mtuIn: HTMLInputElement;
  private readonly seedIn: HTMLInputElement;
  private readonly repeatIn: HTMLInputElement;
  private readonly langBtn: HTMLButtonElement;
  private readonly dlBtn: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly speedSel: HTMLSelectElement;
  private readonly modeSel: HTMLSelectElement;
  private readonly slider: HTMLInputElement;
  private readonly markers: HTMLElement;
  private readonly clock: HTMLElement;
  private readonly sideTabs: HTMLElement;
  private readonly topoEmpty: HTMLElement;
  private readonly sideBody: HTMLElement;
  private readonly topo: TopologyView;
  private readonly events: EventList;
  private readonly inspector: Inspector;
  private readonly devices: DevicePanel;

  constructor(root: HTMLElement, worker: Worker) {
    this.worker = worker;
    const L = <T extends HTMLElement>(
      el: T,
      key: UiKey,
      how: 'text' | 'label' | 'title' | 'placeholder' = 'text',
    ): T => {
      this.i18nEls.push([el, key, how]);
      return el;
    };
    this.input = h('input', {
      type: 'text',
      id: 'address',
      value: 'http://www.server.com/',
      spellcheck: false,
      autocomplete: 'off',
    });
    L(this.input, 'addressHint', 'placeholder');
    L(this.input, 'address', 'label');
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.start();
      }
    });
    const goBtn = L(h('button', { class: 'go', onclick: () => this.start() }), 'go');
    this.topoSel = h('select', { id: 'topology', onchange: () => this.onTopology() });
    L(this.topoSel, 'topology', 'label');
    this.fileInput = h('input', {
      type: 'file',
      accept: '.yaml,.yml,text/yaml',
      class: 'hidden',
      onchange: () => this.onUpload(),
    });
    const uploadBtn = L(h('button', { onclick: () => this.fileInput.click() }), 'upload');
    this.lossIn = h('input', {
      type: 'number',
      min: 0,
      max: 50,
      step: 1,
      value: 0,
      id: 'loss',
      class: 'num',
    });
    this.delayIn = h('input', {
      type: 'text',
      value: '',
      placeholder: '0ms',
      id: 'delay',
      class: 'num',
    });
    this.mtuIn = h('input', {
      type: 'number',
      min: 576,
      max: 9000,
      step: 1,
      placeholder: '1500',
      id: 'mtu',
      class: 'num',
    });
    this.seedIn = h('input', {
      type: 'number',
      min: 0,
      step: 1,
      placeholder: '1',
      id: 'seed',
      class: 'num',
    });
    this.repeatIn = h('input', {
      type: 'number',
      min: 1,
      max: 5,
      step: 1,
      value: 1,
      id: 'repeat',
      class: 'num',
    });
    const field = (key: UiKey, el: HTMLElement): HTMLElement =>
      h('label', { class: 'knob' }, L(h('span'), key), el);
    this.langBtn = h('button', {
      class: 'lang',
      onclick: () => this.setLang(this.lang === 'en' ? 'zh' : 'en'),
      'aria-label': 'Language / 语言',
    });
    this.dlBtn = L(
      h('button', { class: 'dl', disabled: true, onclick: () => this.download() }),
      'pcapng',
    );
    const bigBtn = L(
      h(
        'button',
        {
          class: 'big',
          onclick: () => {
            document.documentElement.classList.toggle('large');
            this.inspector.refit();
          },
        },
        'A+',
      ),
      'larger',
      'label',
    );
    this.status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });

    const header = h(
      'header',
      {},
      h(
        'div',
        { class: 'bar' },
        h('span', { class: 'brand' }, 'wiretrail'),
        this.input,
        goBtn,
        bigBtn,
        this.langBtn,
      ),
      h(
        'div',
        { class: 'knobs' },
        field('topology', this.topoSel),
        uploadBtn,
        this.fileInput,
        h(
          'fieldset',
          { class: 'faults' },
          L(h('legend'), 'faults'),
          field('loss', this.lossIn),
          field('delay', this.delayIn),
          field('mtu', this.mtuIn),
        ),
        field('seed', this.seedIn),
        field('repeat', this.repeatIn),
        this.dlBtn,
      ),
      this.status,
    );

    // Topology + side panel
    const topoBox = h('section', { class: 'topo-box', 'aria-label': 'topology' });
    L(topoBox, 'topologyView', 'label');
    this.topo = new TopologyView(topoBox, {
      onSelectDevice: (n) => this.setDevice(n),
      onSelectHop: (hop) => {
        const r = this.run?.rows.findIndex((x) => x.hop === hop) ?? -1;
        if (r >= 0) this.selectRow(r);
      },
    });
    const zoomBtn = (key: UiKey, text: string, f: () => void): HTMLButtonElement =>
      L(
        L(h('button', { class: 'zb', 'data-zoom': key, onclick: f }, text), key, 'label'),
        key,
        'title',
      );
    // Until the first run the network view says what to do rather than stay blank.
    this.topoEmpty = L(h('p', { class: 'topo-empty' }), 'ready');
    topoBox.append(
      this.topoEmpty,
      h(
        'div',
        { class: 'zoom' },
        zoomBtn('zoomIn', '+', () => this.topo.zoomBy(1.5)),
        zoomBtn('zoomOut', '−', () => this.topo.zoomBy(1 / 1.5)),
        zoomBtn('zoomFit', '⤢', () => this.topo.fit()),
      ),
    );
    this.sideTabs = h('div', { class: 'tabs', role: 'tablist' });
    this.sideBody = h('div', { class: 'side-body' });
    const side = h('section', { class: 'side' }, this.sideTabs, this.sideBody);

    // Timeline
    this.playBtn = h('button', { class: 'play', onclick: () => this.togglePlay() });
    const btn = (key: UiKey, text: string, f: () => void): HTMLButtonElement =>
      L(h('button', { onclick: f, class: 'tl' }, text), key, 'label');
    this.speedSel = h(
      'select',
      { onchange: () => (this.speed = Number(this.speedSel.value)) },
      SPEEDS.map((v) => h('option', { value: v, selected: v === 1 }, `${v}×`)),
    );
    L(this.speedSel, 'speed', 'label');
    this.modeSel = h('select', {
      onchange: () => this.setWarpMode(this.modeSel.value as WarpMode),
    });
    L(this.modeSel, 'timeMode', 'label');
    this.slider = h('input', {
      type: 'range',
      min: 0,
      max: 1000,
      step: 1,
      value: 0,
      class: 'slider',
      oninput: () => this.onSlider(),
    });
    L(this.slider, 'timeline', 'label');
    this.markers = h('div', { class: 'markers' });
    this.clock = h('span', { class: 'clock', 'aria-live': 'off' });
    const timeline = h(
      'section',
      { class: 'timeline' },
      btn('first', '|◀', () => this.selectRow(this.firstVisible())),
      btn('prev', '◀', () => this.step(-1)),
      this.playBtn,
      btn('next', '▶', () => this.step(1)),
      btn('last', '▶|', () => this.selectRow(this.lastVisible())),
      this.speedSel,
      this.modeSel,
      h('div', { class: 'track' }, this.markers, this.slider),
      this.clock,
    );

    this.events = new EventList((r) => this.selectRow(r));
    this.inspector = new Inspector();
    this.devices = new DevicePanel((n) => this.setDevice(n));
    const evBox = h('section', { class: 'ev-box' }, L(h('h2'), 'events'), this.events.el);
    const inBox = h('section', { class: 'in-box' }, L(h('h2'), 'inspector'), this.inspector.el);
    const devBox = h('section', { class: 'dev-box' }, L(h('h2'), 'device'), this.devices.el);
    const help = L(h('p', { class: 'help' }), 'shortcuts');
    root.append(header, h('main', {}, topoBox, side, timeline, evBox, inBox, devBox), help);

    document.addEventListener('keydown', (e) => this.onKey(e));
    worker.onmessage = (ev: MessageEvent<WorkerReply>) => this.onWorker(ev.data);
    worker.onerror = (ev) => this.fail(`worker: ${ev.message}`);

    const params = new URLSearchParams(location.hash.slice(1));
    if (
      params.get('lang') === 'zh' ||
      (params.get('lang') === null && navigator.language.startsWith('zh'))
    )
      this.lang = 'zh';
    if (params.get('url') !== null) this.input.value = params.get('url')!;
    this.setLang(this.lang);
    if (params.get('topology') !== null) this.topoSel.value = params.get('topology')!;

    const self = this;
    this.probe = {
      state: () => ({
        running: this.running,
        hasRun: this.run !== undefined,
        row: this.row,
        moment: this.moment,
        simT: this.simT,
        playing: this.playing,
        lang: this.lang,
        rows: this.run?.rows.length ?? 0,
        story: this.run?.story.length ?? 0,
        device: this.devices.node,
        error: this.error,
      }),
      lastEnterToStory: 0,
      frameTimes: [],
      run: () => this.run,
      selectRow: (r) => this.selectRow(r),
      jumpToEvent: (e) => this.jumpToEvent(e),
      play: (sp) => {
        if (sp !== undefined) self.speed = sp;
        if (!this.playing) this.togglePlay();
      },
      pause: () => {
        if (this.playing) this.togglePlay();
      },
    };
    requestAnimationFrame((ts) => this.frame(ts));
    if (params.get('url') !== null || params.get('run') !== null) this.start();
  }

  // ── language ──
  setLang(lang: Lang): void {
    this.lang = lang;
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    for (const [el, key, how] of this.i18nEls) {
      const text = t(key, lang);
      if (how === 'text') el.textContent = text;
      else if (how === 'label') el.setAttribute('aria-label', text);
      else if (how === 'title') el.title = text;
      else (el as HTMLInputElement).placeholder = text;
    }
    this.langBtn.textContent = lang === 'en' ? '中文' : 'English';
    const keep = this.topoSel.value || 'default';
    clear(
      this.topoSel,
      h('option', { value: 'default' }, t('topoDefault', lang)),
      h('option', { value: 'simple' }, t('topoSimple', lang)),
      h(
        'option',
        { value: 'custom', disabled: this.customYaml === undefined },
        t('topoCustom', lang),
      ),
    );
    this.topoSel.value = keep;
    const mode = this.warpMode;
    clear(
      this.modeSel,
      h('option', { value: 'compressed' }, t('compressed', lang)),
      h('option', { value: 'linear' }, t('linear', lang)),
    );
    this.modeSel.value = mode;
    this.playBtn.textContent = this.playing ? '❚❚' : '▶︎';
    this.playBtn.setAttribute('aria-label', t(this.playing ? 'pause' : 'play', lang));
    this.events.setLang(lang);
    this.inspector.setLang(lang);
    this.devices.setLang(lang);
    this.renderSide();
    this.renderMarkers();
    // A failed request keeps its message (the previous run stays on screen below it).
    if (this.running) this.status.textContent = t('running', lang);
    else if (this.failure !== undefined) this.status.textContent = this.failure;
    else if (this.run === undefined) this.status.textContent = t('ready', lang);
    else this.showTitle();
  }

  // ── running ──
  private faults(): Faults {
    const loss = Number(this.lossIn.value);
    const mtu = Number(this.mtuIn.value);
    return {
      loss: Number.isFinite(loss) && loss > 0 ? loss / 100 : undefined,
      delay: this.delayIn.value.trim() === '' ? undefined : this.delayIn.value.trim(),
      mtu: Number.isFinite(mtu) && mtu > 0 ? mtu : undefined,
    };
  }

  start(): void {
    const input = this.input.value.trim();
    if (input === '') return;
    this.enterAt = performance.now();
    this.running = true;
    this.error = undefined;
    this.failure = undefined;
    this.status.textContent = t('running', this.lang);
    this.status.classList.remove('error');
    document.body.classList.add('busy');
    const seed = Number(this.seedIn.value);
    const req: RunRequest = {
      id: ++this.reqId,
      input,
      topology: this.topoSel.value as TopologyChoice,
      yaml: this.customYaml,
      seed: this.seedIn.value !== '' && Number.isFinite(seed) ? seed : undefined,
      faults: this.faults(),
      lang: this.lang,
      repeat: Math.max(1, Math.min(5, Number(this.repeatIn.value) || 1)),
    };
    // The address of this page names the run (shareable, and reloads run it again).
    const hash = new URLSearchParams({
      url: input,
      topology: req.topology === 'custom' ? 'default' : req.topology,
      lang: this.lang,
    });
    try {
      history.replaceState(null, '', `#${hash.toString()}`);
    } catch {
      /* file:// pages may not rewrite their address */
    }
    this.worker.postMessage(req);
  }

  private onWorker(m: WorkerReply): void {
    if (m.type === 'ready' || m.type === 'progress') return;
    if (m.id !== this.reqId) return;
    this.running = false;
    document.body.classList.remove('busy');
    if (m.type === 'error') {
      this.fail(m.message);
      return;
    }
    this.load(m.run);
    this.probe.lastEnterToStory = performance.now() - this.enterAt;
    // Let the keys step through the run at once (arrows would move the caret in the address bar).
    if (document.activeElement === this.input) this.input.blur();
  }

  private fail(message: string): void {
    this.failure = message;
    this.running = false;
    this.error = message;
    document.body.classList.remove('busy');
    this.status.textContent = message;
    this.status.classList.add('error');
  }

  private load(run: RunData): void {
    this.run = run;
    this.anchors = [];
    this.storyPin = undefined;
    this.playing = false;
    this.buildWarp();
    const client = run.nodes.find((n) => n.role === 'client')?.name ?? run.nodes[0]?.name ?? '';
    this.topoEmpty.remove();
    this.topo.setRun(run);
    this.events.setRun(run);
    this.devices.setRun(run, client);
    this.topo.selectDevice(client);
    this.dlBtn.disabled = run.pcapng.length === 0;
    this.error = run.error;
    this.failure = undefined;
    this.showTitle();
    this.row = -1;
    this.setClock(0);
    this.selectRow(run.rows.length > 0 ? 0 : -1);
    this.side = 'story';
    this.renderSide();
    this.renderMarkers();
    this.setPlayLabel();
  }

  private showTitle(): void {
    const run = this.run;
    if (run === undefined) return;
    const zh = this.lang === 'zh';
    this.status.classList.toggle('error', run.error !== undefined);
    this.status.textContent = `${zh ? run.title.zh : run.title.en} · ${run.topologyName} · ${run.events.length} ${t('eventCount', this.lang)} · ${run.rows.length} ${t('frames', this.lang)} · ${t('simTime', this.lang)} ${fmtTime(run.endT)} s`;
  }

  private buildWarp(): void {
    const run = this.run;
    if (run === undefined) return;
    const moments: number[] = [];
    for (const hop of run.hops) moments.push(hop.t0, hop.t1);
    for (const st of run.story) moments.push(st.t);
    this.warp = new TimeWarp(moments, run.endT, this.warpMode);
  }

  private setWarpMode(m: WarpMode): void {
    this.warpMode = m;
    this.buildWarp();
    this.setClock(this.simT);
    this.renderMarkers();
  }

  private onTopology(): void {
    if (this.topoSel.value === 'custom' && this.customYaml === undefined) this.fileInput.click();
  }

  private async onUpload(): Promise<void> {
    const f = this.fileInput.files?.[0];
    if (f === undefined) return;
    this.customYaml = await f.text();
    this.setLang(this.lang);
    this.topoSel.value = 'custom';
    this.status.textContent = `${f.name}: ${this.customYaml.length} bytes`;
  }

  /** Loads topology text as if uploaded (tests use it). */
  useYaml(text: string): void {
    this.customYaml = text;
    this.setLang(this.lang);
    this.topoSel.value = 'custom';
  }

  private download(): void {
    const run = this.run;
    if (run === undefined) return;
    const blob = new Blob([run.pcapng as BlobPart], { type: 'application/octet-stream' });
    const a = h('a', { href: URL.createObjectURL(blob), download: 'wiretrail.pcapng' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  // ── clock and selection ──
  private setClock(simT: number): void {
    this.simT = simT;
    this.disp = this.warp?.toDisplay(simT) ?? 0;
    this.syncSlider();
  }

  private syncSlider(): void {
    const w = this.warp;
    const frac = w === undefined || w.duration === 0 ? 0 : this.disp / w.duration;
    this.slider.value = String(Math.round(frac * 1000));
    this.clock.textContent = `t = ${fmtTime(this.simT)} s`;
  }

  private onSlider(): void {
    const w = this.warp;
    if (w === undefined || this.run === undefined) return;
    this.disp = (Number(this.slider.value) / 1000) * w.duration;
    this.simT = w.toSim(this.disp);
    this.clock.textContent = `t = ${fmtTime(this.simT)} s`;
    this.followClock(true);
  }

  /** Makes the selection follow the clock (during playback and scrubbing). */
  private followClock(force: boolean): void {
    const run = this.run;
    if (run === undefined) return;
    const ev = eventAtTime(run.events, this.simT);
    // The latest frame the event list shows: rows its filters hide are never selected.
    const r = this.events.visibleAtOrBefore(rowAtOrBefore(run.rows, ev));
    const now = performance.now();
    if (r !== this.row) {
      this.row = r;
      this.events.mark(r);
      this.topo.markRow(r >= 0 ? run.rows[r].at : '', r >= 0 ? run.rows[r].from : '');
    }
    this.moment = ev;
    this.momentSince = r >= 0 ? run.rows[r].ev : -1;
    if (force) {
      this.lastUiUpdate = now;
      this.updatePanels();
    } else if (!this.panelsPending && now - this.lastUiUpdate > 250) {
      // While playing, the inspector and tables follow in idle time so frames are not dropped.
      this.panelsPending = true;
      const run = (): void => {
        this.panelsPending = false;
        this.lastUiUpdate = performance.now();
        this.updatePanels();
      };
      if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 600 });
      else setTimeout(run, 0);
    }
  }

  private updatePanels(): void {
    const run = this.run;
    if (run === undefined) return;
    this.inspector.show(run, this.row);
    this.devices.setMoment(this.moment, this.momentSince);
    this.markStory();
    if (this.side === 'ladder') this.renderSide();
  }

  selectRow(r: number): void {
    const run = this.run;
    if (run === undefined || r < 0 || r >= run.rows.length) return;
    this.row = r;
    const row = run.rows[r];
    this.setClock(row.t);
    this.moment = row.actions.length > 0 ? row.actions[row.actions.length - 1] : row.ev;
    this.momentSince = row.ev;
    this.events.mark(r);
    this.topo.markRow(row.at, row.from);
    this.inspector.show(run, r);
    this.devices.setMoment(this.moment, this.momentSince);
    this.markStory();
    if (this.side === 'ladder') this.renderSide();
    this.renderTopo();
  }

  /** Moves to a trace event: the row whose handling includes it, or the next frame it caused. */
  jumpToEvent(ev: number): void {
    const run = this.run;
    if (run === undefined || ev < 0 || ev >= run.events.length) return;
    let r = run.rows.findIndex((x) => x.ev === ev || x.actions.includes(ev));
    if (r < 0) r = run.rows.findIndex((x) => run.hops[x.hop].tx >= ev);
    if (r < 0) r = rowAtOrBefore(run.rows, ev);
    if (r >= 0) this.selectRow(r);
    this.moment = Math.max(this.moment, ev);
    this.setClock(Math.max(run.events[ev].t, this.simT));
    this.devices.setMoment(this.moment, this.momentSince);
    this.markStory();
    this.renderTopo();
  }

  private firstVisible(): number {
    return this.events.visible[0] ?? 0;
  }

  private lastVisible(): number {
    const v = this.events.visible;
    return v[v.length - 1] ?? 0;
  }

  /** Next/previous row among those the filters show. */
  private step(dir: 1 | -1): void {
    const v = this.events.visible;
    if (v.length === 0) return;
    if (this.playing) this.togglePlay();
    let k = v.findIndex((r) => r >= this.row);
    if (k < 0) k = v.length;
    if (dir > 0) k = v[k] === this.row ? k + 1 : k;
    else k = k - 1;
    k = Math.max(0, Math.min(v.length - 1, k));
    this.selectRow(v[k]);
  }

  private setDevice(name: string): void {
    this.devices.setNode(name);
    this.topo.selectDevice(name);
  }

  // ── playback ──
  private togglePlay(): void {
    if (this.run === undefined) return;
    this.playing = !this.playing;
    if (this.playing && this.warp !== undefined && this.disp >= this.warp.duration - 1e-9)
      this.setClock(0);
    this.lastFrame = 0;
    this.setPlayLabel();
  }

  private setPlayLabel(): void {
    this.playBtn.textContent = this.playing ? '❚❚' : '▶︎';
    this.playBtn.setAttribute('aria-label', t(this.playing ? 'pause' : 'play', this.lang));
    this.playBtn.classList.toggle('on', this.playing);
  }

  private frame(ts: number): void {
    const ft = this.probe.frameTimes;
    if (this.lastFrame > 0) {
      ft.push(ts - this.lastFrame);
      if (ft.length > 600) ft.splice(0, ft.length - 600);
    }
    const dt = this.lastFrame > 0 ? Math.min(0.1, (ts - this.lastFrame) / 1000) : 0;
    this.lastFrame = ts;
    if (this.playing && this.warp !== undefined) {
      this.disp = Math.min(this.warp.duration, this.disp + dt * this.speed);
      this.simT = this.warp.toSim(this.disp);
      this.syncSlider();
      this.followClock(false);
      if (this.disp >= this.warp.duration) {
        this.playing = false;
        this.setPlayLabel();
        this.followClock(true);
      }
    }
    this.renderTopo();
    requestAnimationFrame((x) => this.frame(x));
  }

  private renderTopo(): void {
    if (this.warp === undefined || this.run === undefined) return;
    const sel = this.row >= 0 ? this.run.rows[this.row].hop : -1;
    this.topo.render(this.simT, this.warp, sel);
  }

  private onKey(e: KeyboardEvent): void {
    const tag = (e.target as HTMLElement).tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') {
      if ((e.target as HTMLInputElement).type !== 'range') return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    switch (e.key) {
      case ' ':
        // Space plays/pauses wherever the focus is (buttons are activated with Enter).
        e.preventDefault();
        this.togglePlay();
        break;
      case 'ArrowRight':
        e.preventDefault();
        this.step(1);
        break;
      case 'ArrowLeft':
        e.preventDefault();
        this.step(-1);
        break;
      case 'Home':
        e.preventDefault();
        this.selectRow(this.firstVisible());
        break;
      case 'End':
        e.preventDefault();
        this.selectRow(this.lastVisible());
        break;
      case '[':
      case ']': {
        const i = SPEEDS.indexOf(this.speed);
        this.speed =
          SPEEDS[
            Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 2 : i) + (e.key === ']' ? 1 : -1)))
          ];
        this.speedSel.value = String(this.speed);
        break;
      }
      case 'l':
      case 'L':
        this.setLang(this.lang === 'en' ? 'zh' : 'en');
        break;
    }
  }

  // ── side panel ──
  private renderSide(): void {
    const lang = this.lang;
    const tabs: [SideTab, UiKey][] = [
      ['story', 'story'],
      ['ladder', 'ladder'],
      ['waterfall', 'waterfall'],
      ['tcp', 'tcpGraph'],
      ['output', 'output'],
    ];
    clear(
      this.sideTabs,
      tabs.map(([k, key]) =>
        h(
          'button',
          {
            role: 'tab',
            class: k === this.side ? 'tab on' : 'tab',
            'aria-selected': k === this.side ? 'true' : 'false',
            'data-tab': k,
            onclick: () => {
              // Another tab starts at its top (not at the story's scroll position).
              if (k !== this.side) this.sideBody.scrollTop = 0;
              this.side = k;
              this.renderSide();
            },
          },
          t(key, lang),
        ),
      ),
    );
    const run = this.run;
    if (run === undefined) {
      clear(this.sideBody, h('p', { class: 'hint' }, t('addressHint', lang)));
      return;
    }
    switch (this.side) {
      case 'story':
        clear(
          this.sideBody,
          h(
            'ol',
            { class: 'story' },
            run.story.map((st, i) =>
              h(
                'li',
                { 'data-step': i },
                h(
                  'button',
                  { class: 'step', onclick: () => this.jumpToStep(i) },
                  h('span', { class: 'step-title' }, lang === 'zh' ? st.title.zh : st.title.en),
                  h('span', { class: 'step-time' }, fmtTime(st.t)),
                ),
                h(
                  'div',
                  { class: 'step-lines' },
                  (lang === 'zh' ? st.lines.zh : st.lines.en).map((l) => h('p', {}, l)),
                ),
              ),
            ),
          ),
        );
        this.markStory();
        break;
      case 'ladder': {
        clear(
          this.sideBody,
          ladder(run, this.row, lang, (r) => this.selectRow(r)),
        );
        // The diagram is taller than the panel: bring the selected packet's arrow into view.
        const sel = this.sideBody.querySelector('svg.ladder .arrow.sel');
        if (sel !== null) {
          const er = sel.getBoundingClientRect();
          const br = this.sideBody.getBoundingClientRect();
          if (er.top < br.top + 40 || er.bottom > br.bottom)
            this.sideBody.scrollTop += er.top - br.top - br.height / 3;
        }
        break;
      }
      case 'waterfall':
        clear(this.sideBody, waterfall(run, lang));
        break;
      case 'tcp':
        clear(this.sideBody, tcpGraph(run, lang));
        break;
      case 'output':
        clear(this.sideBody, h('pre', { class: 'output' }, run.output.join('\n')));
        break;
    }
  }

  /** The event a story step jumps to: its first event at or after the step's time. */
  private anchor(i: number): number {
    const run = this.run!;
    const st = run.story[i];
    return st.events.find((e) => run.events[e].t >= st.t) ?? st.events[0];
  }

  /** Jumps to story step `i`; that step stays the current one until the moment changes. */
  private jumpToStep(i: number): void {
    this.jumpToEvent(this.anchor(i));
    this.storyPin = { step: i, moment: this.moment };
    this.markStory();
  }

  /**
   * The current step: the clicked one while the moment is where the click put it; otherwise
   * the step whose first event is the latest at or before the moment. Event order, not time:
   * several steps share one instant (URL parsed, request built, caches, DNS query), and the
   * story is ordered by topic, so its times are not increasing (its ARP step comes after the
   * socket it served).
   */
  private currentStep(run: RunData): number {
    if (this.storyPin !== undefined && this.storyPin.moment === this.moment)
      return this.storyPin.step;
    this.storyPin = undefined;
    if (this.anchors.length !== run.story.length)
      this.anchors = run.story.map((_, i) => this.anchor(i));
    let cur = -1;
    if (this.moment < 0 || this.moment >= run.events.length) {
      run.story.forEach((st, i) => {
        if (st.t <= this.simT) cur = i;
      });
      return cur;
    }
    let best = -1;
    this.anchors.forEach((a, i) => {
      if (a <= this.moment && a >= best) {
        best = a;
        cur = i;
      }
    });
    return cur;
  }

  private markStory(): void {
    const run = this.run;
    if (run === undefined) return;
    const cur = this.currentStep(run);
    for (const li of this.sideBody.querySelectorAll<HTMLElement>('ol.story > li')) {
      const on = Number(li.dataset.step) === cur;
      if (on !== li.classList.contains('current')) {
        li.classList.toggle('current', on);
        if (on) scrollWithin(li, this.sideBody);
      }
    }
    for (const m of this.markers.querySelectorAll<HTMLElement>('.marker'))
      m.classList.toggle('current', Number(m.dataset.step) === cur);
  }

  private renderMarkers(): void {
    const run = this.run;
    const w = this.warp;
    if (run === undefined || w === undefined) return;
    clear(
      this.markers,
      run.story.map((st, i) =>
        h('button', {
          class: 'marker',
          'data-step': i,
          style: { left: `${(w.toDisplay(st.t) / (w.duration || 1)) * 100}%` },
          title: `${i + 1}. ${this.lang === 'zh' ? st.title.zh : st.title.en}`,
          'aria-label': `${i + 1}. ${this.lang === 'zh' ? st.title.zh : st.title.en}`,
          onclick: () => this.jumpToStep(i),
        }),
      ),
    );
  }
}
