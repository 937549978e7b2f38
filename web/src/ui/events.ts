/**
 * The event list, like Packet Tracer's simulation panel: one row per frame arriving at a device
 * (or lost on the way) with time, at device, from device, protocol and info; filters by
 * protocol and by device. Selecting a row selects the frame and moves the clock.
 */
import { t } from '../i18n.js';
import type { Lang, RunData } from '../types.js';
import { clear, h, scrollWithin } from './dom.js';
import { fmtTime } from './format.js';
import { badgeStyle } from './topology.js';

export class EventList {
  readonly el: HTMLElement;
  private readonly protoSel: HTMLSelectElement;
  private readonly devSel: HTMLSelectElement;
  private readonly body: HTMLTableSectionElement;
  private readonly headRow: HTMLTableRowElement;
  private readonly count: HTMLElement;
  private run: RunData | undefined;
  private trs: (HTMLTableRowElement | undefined)[] = [];
  private selected = -1;
  private lang: Lang = 'en';
  /** Rows passing the filters, in order. */
  visible: number[] = [];

  constructor(private readonly onSelect: (row: number) => void) {
    this.protoSel = h('select', { 'aria-label': 'protocol filter', onchange: () => this.fill() });
    this.devSel = h('select', { 'aria-label': 'device filter', onchange: () => this.fill() });
    this.count = h('span', { class: 'count' });
    this.headRow = h('tr');
    this.body = h('tbody');
    const table = h('table', { class: 'events' }, h('thead', {}, this.headRow), this.body);
    this.el = h(
      'div',
      { class: 'eventlist' },
      h('div', { class: 'filters' }, this.protoSel, this.devSel, this.count),
      h('div', { class: 'scroll' }, table),
    );
    this.body.addEventListener('click', (ev) => {
      const tr = (ev.target as HTMLElement).closest('tr');
      if (tr?.dataset.row !== undefined) this.onSelect(Number(tr.dataset.row));
    });
  }

  setLang(lang: Lang): void {
    this.lang = lang;
    const label = (k: Parameters<typeof t>[0]) => t(k, lang);
    clear(
      this.headRow,
      h('th', {}, '#'),
      h('th', {}, label('time')),
      h('th', {}, label('at')),
      h('th', {}, label('from')),
      h('th', {}, label('proto')),
      h('th', {}, label('info')),
    );
    this.protoSel.setAttribute('aria-label', `${label('proto')}`);
    this.devSel.setAttribute('aria-label', `${label('device')}`);
    this.fillFilters(this.run);
  }

  setRun(run: RunData): void {
    this.run = run;
    this.fillFilters(run);
    this.fill();
  }

  /** The filters' choices (before the first run only "all", not two empty boxes). */
  private fillFilters(run: RunData | undefined): void {
    const keepP = this.protoSel.value;
    const keepD = this.devSel.value;
    const protos =
      run === undefined
        ? []
        : [...new Set(run.rows.map((r) => run.frames[run.hops[r.hop].frame].proto))].sort();
    const nodes = run?.nodes ?? [];
    clear(
      this.protoSel,
      h('option', { value: '' }, t('allProtocols', this.lang)),
      protos.map((p) => h('option', { value: p }, p.toUpperCase())),
    );
    clear(
      this.devSel,
      h('option', { value: '' }, t('allDevices', this.lang)),
      nodes.map((n) => h('option', { value: n.name }, n.name)),
    );
    this.protoSel.value = protos.includes(keepP) ? keepP : '';
    this.devSel.value = nodes.some((n) => n.name === keepD) ? keepD : '';
  }

  /** Sets the filters (used by tests and the device panel). */
  setFilter(proto: string, device: string): void {
    this.protoSel.value = proto;
    this.devSel.value = device;
    this.fill();
  }

  private fill(): void {
    const run = this.run;
    if (run === undefined) return;
    const proto = this.protoSel.value;
    const dev = this.devSel.value;
    this.visible = [];
    this.trs = new Array(run.rows.length);
    const frag = document.createDocumentFragment();
    for (let i = 0; i < run.rows.length; i++) {
      const r = run.rows[i];
      const f = run.frames[run.hops[r.hop].frame];
      if (proto !== '' && f.proto !== proto) continue;
      if (dev !== '' && r.at !== dev && r.from !== dev) continue;
      this.visible.push(i);
      const tr = h(
        'tr',
        { 'data-row': i, class: r.dropped ? 'dropped' : '' },
        h('td', { class: 'num' }, i + 1),
        h('td', { class: 'num' }, fmtTime(r.t)),
        h('td', {}, r.dropped ? `✕ ${r.at}` : r.at),
        h('td', {}, r.from),
        h(
          'td',
          {},
          h('span', { class: 'proto-badge', style: badgeStyle(f.proto) }, f.proto.toUpperCase()),
        ),
        h('td', { class: 'info' }, f.info),
      );
      this.trs[i] = tr;
      frag.append(tr);
    }
    this.body.replaceChildren(frag);
    this.count.textContent = `${this.visible.length} / ${run.rows.length}`;
    this.mark(this.selected, false);
  }

  /** The last row at or before `r` that the filters show (-1: none). */
  visibleAtOrBefore(r: number): number {
    const v = this.visible;
    let lo = 0;
    let hi = v.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid] <= r) {
        ans = v[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** Highlights row `i` (and scrolls it into view). */
  mark(i: number, scroll = true): void {
    if (this.selected >= 0) {
      const old = this.trs[this.selected];
      old?.classList.remove('sel');
      old?.removeAttribute('aria-selected');
    }
    this.selected = i;
    const tr = i >= 0 ? this.trs[i] : undefined;
    if (tr !== undefined) {
      tr.classList.add('sel');
      tr.setAttribute('aria-selected', 'true');
      if (scroll) scrollWithin(tr, tr.closest<HTMLElement>('.scroll'), 36);
    }
  }
}
