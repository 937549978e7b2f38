/**
 * The packet inspector: what the device did with the selected frame (in and out, like Packet
 * Tracer's OSI view), the frame's layers as a tree with each field's meaning, and the bytes in
 * hex and ASCII with the selected field's range highlighted. Decoding uses src/wire/decode.ts.
 */
import type { TraceEvent } from '../../../src/sim/trace.js';
import { decodeFrame } from '../../../src/wire/decode.js';
import type { Field, Layer } from '../../../src/wire/field.js';
import { ACTION_KINDS, describe, t } from '../i18n.js';
import { meaning } from '../meanings.js';
import type { Lang, RunData } from '../types.js';
import { clear, h, scrollWithin } from './dom.js';
import { fmtTime } from './format.js';
import { badgeStyle } from './topology.js';

export class Inspector {
  readonly el: HTMLElement;
  private readonly did: HTMLElement;
  private readonly tree: HTMLElement;
  private readonly hex: HTMLElement;
  private readonly head: HTMLElement;
  private run: RunData | undefined;
  private row = -1;
  /** The frame shown: the received one, or one the device sent (a link.tx event index). */
  private shownTx = -1;
  private field: Field | undefined;
  private lang: Lang = 'en';
  private byteEls: HTMLElement[] = [];
  private asciiEls: HTMLElement[] = [];
  /** The bytes in the hex view, and how many a row shows (16, or 8 where 16 do not fit). */
  private hexBytes: Uint8Array | undefined;
  private perRow = 16;
  /** The box width and font size perRow was chosen for. */
  private fitKey = '';

  constructor() {
    this.head = h('div', { class: 'insp-head', 'aria-live': 'polite' });
    this.did = h('div', { class: 'insp-did' });
    this.tree = h('div', { class: 'insp-tree', role: 'tree' });
    this.hex = h('div', { class: 'insp-hex', 'aria-label': 'bytes' });
    this.el = h(
      'div',
      { class: 'inspector' },
      this.head,
      this.did,
      h('div', { class: 'insp-body' }, this.tree, this.hex),
    );
    // A narrower box (a phone, a resized window) may need 8 bytes a row.
    if (typeof ResizeObserver !== 'undefined')
      new ResizeObserver(() => this.refit()).observe(this.hex);
  }

  /**
   * Chooses 16 bytes a row, or 8 when 16 would need sideways scrolling (A+ at 1280×720, a
   * phone); call it when the text size changes.
   */
  refit(): void {
    const b = this.hexBytes;
    if (b === undefined || !this.hex.isConnected || this.hex.clientWidth === 0) return;
    const key = `${this.hex.clientWidth}|${getComputedStyle(this.hex).fontSize}`;
    if (key === this.fitKey) return;
    this.fitKey = key;
    const was = this.perRow;
    this.perRow = 16;
    this.buildHex(b);
    if (this.hex.scrollWidth > this.hex.clientWidth + 1) {
      this.perRow = 8;
      this.buildHex(b);
    }
    if (this.perRow !== was || this.field !== undefined) this.highlight();
  }

  setLang(lang: Lang): void {
    this.lang = lang;
    this.render();
  }

  show(run: RunData, row: number): void {
    if (this.run === run && this.row === row) return;
    this.run = run;
    this.row = row;
    this.shownTx = -1;
    this.field = undefined;
    this.render();
  }

  private frameBytes(): Uint8Array | undefined {
    const run = this.run;
    if (run === undefined || this.row < 0) return undefined;
    if (this.shownTx >= 0) return (run.events[this.shownTx] as TraceEvent<'link.tx'>).frame;
    return run.frameBytes[run.hops[run.rows[this.row].hop].frame];
  }

  private render(): void {
    const run = this.run;
    const lang = this.lang;
    if (run === undefined || this.row < 0 || this.row >= run.rows.length) {
      clear(this.head, t('noPacket', lang));
      clear(this.did);
      clear(this.tree);
      clear(this.hex);
      return;
    }
    const row = run.rows[this.row];
    const hop = run.hops[row.hop];
    const fs = run.frames[hop.frame];
    clear(
      this.head,
      h('span', { class: 'proto-badge', style: badgeStyle(fs.proto) }, fs.proto.toUpperCase()),
      ` #${this.row + 1} · ${fmtTime(row.t)} · ${hop.fromNode}.${hop.fromPort} → ${row.dropped ? `✕ ${t('dropped', lang)}` : `${hop.toNode}.${hop.toPort}`} · ${fs.len} B`,
    );
    this.renderDid(run, this.row);
    const bytes = this.frameBytes();
    if (bytes === undefined) return;
    const d = decodeFrame(bytes);
    clear(
      this.tree,
      ...d.layers.map((l) => this.layerEl(l)),
      ...d.problems.map((p) =>
        h(
          'div',
          { class: 'problem' },
          `${p.fatal ? 'Malformed' : 'Bad checksum'}: ${p.layer} @${p.offset}: ${p.detail}`,
        ),
      ),
    );
    this.renderHex(bytes);
    this.highlight();
  }

  private renderDid(run: RunData, r: number): void {
    const lang = this.lang;
    const row = run.rows[r];
    const hop = run.hops[row.hop];
    const items: HTMLElement[] = [];
    const inText = row.dropped
      ? `${t('dropped', lang)}: ${(run.events[row.ev] as TraceEvent<'link.drop'>).reason}`
      : lang === 'zh'
        ? `从 ${hop.toPort} 收到 ${run.frames[hop.frame].len} 字节的帧（来自 ${hop.fromNode}）`
        : `frame of ${run.frames[hop.frame].len} bytes in on ${hop.toPort} (from ${hop.fromNode})`;
    items.push(
      h(
        'li',
        { class: this.shownTx < 0 ? 'io current' : 'io' },
        h('b', {}, `${t('inFrame', lang)}: `),
        inText,
        ' ',
        this.shownTx >= 0
          ? h('button', { class: 'link-btn', onclick: () => this.showTx(-1) }, t('showIn', lang))
          : null,
      ),
    );
    for (const i of row.actions) {
      const e = run.events[i];
      if (!ACTION_KINDS.has(e.kind)) continue;
      if (e.kind === 'link.tx') {
        const d = decodeFrame(e.frame);
        items.push(
          h(
            'li',
            { class: this.shownTx === i ? 'io current' : 'io' },
            h('b', {}, `${t('outFrame', lang)}: `),
            `${e.from} · ${d.info}`,
            ' ',
            h(
              'button',
              {
                class: 'link-btn',
                onclick: () => this.showTx(i),
                'aria-label': `${t('showOut', lang)} ${e.from}`,
              },
              t('showOut', lang),
            ),
          ),
        );
        continue;
      }
      let text = describe(e, lang);
      if (text === undefined) continue;
      if (e.kind === 'router.forward' && run.frames[hop.frame].proto === 'arp') {
        // The datagram was waiting for this ARP reply (RFC 1122 § 2.3.2.2: queue while resolving).
        text =
          (lang === 'zh'
            ? '（等待这个 ARP 应答的数据包现在发出）'
            : '(a datagram queued for this ARP reply goes now) ') + text;
      }
      items.push(h('li', { class: `act act-${e.kind.replace('.', '-')}` }, text));
    }
    clear(
      this.did,
      h('div', { class: 'did-title' }, `${t('didWhat', lang)} — ${row.at}`),
      h('ul', {}, items),
    );
  }

  private showTx(i: number): void {
    this.shownTx = i;
    this.field = undefined;
    this.render();
  }

  private layerEl(l: Layer): HTMLElement {
    const sum = h('summary', { role: 'treeitem' }, h('b', {}, l.protocol), `, ${l.summary}`);
    sum.addEventListener('click', () => {
      this.field = { name: l.short, label: l.protocol, start: l.start, end: l.end, value: '' };
      this.highlight();
    });
    return h(
      'details',
      { open: true, class: `layer layer-${l.short}` },
      sum,
      h(
        'ul',
        {},
        l.fields.map((f) => this.fieldEl(f)),
      ),
    );
  }

  private fieldEl(f: Field): HTMLElement {
    const m = meaning(f.name, this.lang);
    const line = h(
      'div',
      {
        class: 'field',
        tabindex: 0,
        'data-field': f.name,
        title: `${f.name} [${f.start}, ${f.end})`,
      },
      h('span', { class: 'f-label' }, `${f.label}: `),
      h('span', { class: 'f-value' }, f.value),
      m !== '' ? h('span', { class: 'f-meaning' }, m) : null,
    );
    const pick = (ev: Event): void => {
      ev.stopPropagation();
      this.field = f;
      this.highlight();
    };
    line.addEventListener('click', pick);
    line.addEventListener('keydown', (ev) => {
      if ((ev as KeyboardEvent).key === 'Enter') pick(ev);
    });
    const kids =
      f.children !== undefined && f.children.length > 0
        ? h(
            'ul',
            {},
            f.children.map((c) => this.fieldEl(c)),
          )
        : null;
    return h('li', {}, line, kids);
  }

  private renderHex(b: Uint8Array): void {
    this.hexBytes = b;
    this.buildHex(b);
    this.refit();
  }

  private buildHex(b: Uint8Array): void {
    const n = this.perRow;
    this.byteEls = [];
    this.asciiEls = [];
    const rows: HTMLElement[] = [];
    for (let off = 0; off < b.length; off += n) {
      const hx: HTMLElement[] = [];
      const as: HTMLElement[] = [];
      for (let i = off; i < Math.min(off + n, b.length); i++) {
        const x = h('span', { class: 'b', 'data-i': i }, b[i].toString(16).padStart(2, '0'));
        const a = h(
          'span',
          { class: 'a', 'data-i': i },
          b[i] >= 0x20 && b[i] < 0x7f ? String.fromCharCode(b[i]) : '·',
        );
        this.byteEls.push(x);
        this.asciiEls.push(a);
        hx.push(x);
        if (n === 16 && i % 16 === 7) hx.push(h('span', { class: 'gap' }, ' '));
        as.push(a);
      }
      rows.push(
        h(
          'div',
          { class: 'hexrow' },
          h('span', { class: 'off' }, off.toString(16).padStart(4, '0')),
          h('span', { class: 'hx' }, hx),
          h('span', { class: 'as' }, as),
        ),
      );
    }
    clear(this.hex, rows);
    this.hex.onclick = (ev) => {
      const i = Number((ev.target as HTMLElement).dataset.i);
      if (!Number.isFinite(i)) return;
      const f = this.innermost(i);
      if (f !== undefined) {
        this.field = f;
        this.highlight();
      }
    };
  }

  /** The deepest field covering byte i of the shown frame. */
  private innermost(i: number): Field | undefined {
    const bytes = this.frameBytes();
    if (bytes === undefined) return undefined;
    let best: Field | undefined;
    const walk = (fs: readonly Field[]): void => {
      for (const f of fs) {
        if (i >= f.start && i < f.end) {
          if (best === undefined || f.end - f.start <= best.end - best.start) best = f;
          if (f.children !== undefined) walk(f.children);
        }
      }
    };
    for (const l of decodeFrame(bytes).layers) walk(l.fields);
    return best;
  }

  private highlight(): void {
    const f = this.field;
    for (let i = 0; i < this.byteEls.length; i++) {
      const on = f !== undefined && i >= f.start && i < f.end;
      this.byteEls[i].classList.toggle('hl', on);
      this.asciiEls[i].classList.toggle('hl', on);
    }
    for (const el of this.tree.querySelectorAll('.field')) {
      el.classList.toggle(
        'sel',
        f !== undefined &&
          (el as HTMLElement).dataset.field === f.name &&
          (el as HTMLElement).title.endsWith(`[${f.start}, ${f.end})`),
      );
    }
    const b0 = f === undefined ? undefined : this.byteEls[f.start];
    if (b0 !== undefined) scrollWithin(b0, this.hex);
  }

  /** For tests and keyboard users: select a field by name. */
  selectField(name: string): boolean {
    const el = this.tree.querySelector<HTMLElement>(`.field[data-field="${CSS.escape(name)}"]`);
    el?.click();
    return el !== null;
  }
}
