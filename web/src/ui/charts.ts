/**
 * The side charts: a ladder (sequence) diagram of the selected frame's connection end to end,
 * a waterfall like a browser's network panel, and a TCP graph (sequence numbers and cwnd over
 * time, retransmissions marked) for the connection that carried the most data. SVG, drawn from
 * RunData only.
 */
import type { TraceEvent } from '../../../src/sim/trace.js';
import { formatIpv4 } from '../../../src/wire/addr.js';
import { t } from '../i18n.js';
import type { UiKey } from '../i18n.js';
import type { Lang, RunData } from '../types.js';
import { h, s } from './dom.js';
import { fmtDur } from './format.js';
import { protoColor } from './topology.js';

/** Node owning an IPv4 address (from the interfaces' "a.b.c.d/n"). */
function ownerOf(run: RunData, addr: string): string | undefined {
  for (const n of run.nodes)
    for (const i of n.ifaces) for (const a of i.addrs) if (a.split('/')[0] === addr) return n.name;
  return undefined;
}

export function ladder(
  run: RunData,
  row: number,
  lang: Lang,
  onPick: (row: number) => void,
): HTMLElement {
  if (row < 0 || row >= run.rows.length) return h('p', { class: 'empty' }, t('noPacket', lang));
  const flow = run.frames[run.hops[run.rows[row].hop].frame].flow;
  const sel = run.frames[run.hops[run.rows[row].hop].frame];
  // End points: for IP flows the owners of the two addresses; for ARP/Ethernet the two devices of the hop.
  let a = ownerOf(run, sel.src) ?? run.rows[row].from;
  let b = ownerOf(run, sel.dst) ?? run.rows[row].at;
  if (a === b) b = run.rows[row].at;
  // Arrows: a frame leaving an end point (its first hop) paired with the arrival at the other end.
  interface Arrow {
    t0: number;
    t1: number;
    from: string;
    lost: boolean;
    label: string;
    proto: string;
    row: number;
  }
  const arrows: Arrow[] = [];
  const leaving = new Map<string, { t0: number; from: string; label: string; proto: string }>();
  const key = (f: { src: string; dst: string; info: string }): string =>
    `${f.src}>${f.dst}>${f.info}`;
  for (let r = 0; r < run.rows.length; r++) {
    const rw = run.rows[r];
    const hop = run.hops[rw.hop];
    const f = run.frames[hop.frame];
    if (f.flow !== flow) continue;
    if (hop.fromNode === a || hop.fromNode === b) {
      if (hop.toNode !== a && hop.toNode !== b) {
        leaving.set(key(f), { t0: hop.t0, from: hop.fromNode, label: f.info, proto: f.proto });
        if (rw.dropped)
          arrows.push({
            t0: hop.t0,
            t1: hop.t1,
            from: hop.fromNode,
            lost: true,
            label: f.info,
            proto: f.proto,
            row: r,
          });
        continue;
      }
    }
    if ((hop.toNode === a || hop.toNode === b) && !rw.dropped) {
      const l =
        hop.fromNode === a || hop.fromNode === b
          ? { t0: hop.t0, from: hop.fromNode, label: f.info, proto: f.proto }
          : leaving.get(key(f));
      arrows.push({
        t0: l?.t0 ?? hop.t0,
        t1: hop.t1,
        from: l?.from ?? (hop.toNode === a ? b : a),
        lost: false,
        label: f.info,
        proto: f.proto,
        row: r,
      });
    } else if (rw.dropped) {
      const l = leaving.get(key(f));
      arrows.push({
        t0: l?.t0 ?? hop.t0,
        t1: hop.t1,
        from: l?.from ?? hop.fromNode,
        lost: true,
        label: f.info,
        proto: f.proto,
        row: r,
      });
    }
  }
  arrows.sort((x, y) => x.t0 - y.t0);
  // The arrow of the selected row; for a row in the middle of the path (a router or switch on
  // the way), the end-to-end arrow of the same packet that was in flight then.
  const rowT = run.rows[row].t;
  const selKey = key(sel);
  let selArrow = arrows.findIndex((ar) => ar.row === row);
  if (selArrow < 0)
    selArrow = arrows.findIndex((ar) => {
      const f = run.frames[run.hops[run.rows[ar.row].hop].frame];
      return key(f) === selKey && ar.t0 <= rowT && rowT <= ar.t1;
    });
  const W = 560;
  const xa = 110;
  const xb = W - 110;
  const t0 = arrows[0]?.t0 ?? 0;
  const tEnd = Math.max(...arrows.map((x) => x.t1), t0 + 1);
  const scale = Math.min(2400 / (tEnd - t0 || 1), 4e-5 * 1e3);
  let y = 50;
  const els: SVGElement[] = [];
  const labels: SVGElement[] = [];
  let lastY = 40;
  let lastMid = -Infinity;
  for (const [k, ar] of arrows.entries()) {
    const y0 = Math.max(50 + (ar.t0 - t0) * scale, lastY + 22);
    let y1 = Math.max(y0 + 10, 50 + (ar.t1 - t0) * scale);
    // Labels sit half way along their arrow: two arrows leaving close together that arrive
    // together (an ACK and the GET after it) would put them on one another. Such an arrow ends
    // a little lower, so that its label clears the one before it.
    const gap = 17;
    const mid = ar.lost ? (3 * y0 + y1) / 4 : (y0 + y1) / 2;
    if (mid < lastMid + gap) y1 = ar.lost ? 4 * (lastMid + gap) - 3 * y0 : 2 * (lastMid + gap) - y0;
    lastMid = ar.lost ? (3 * y0 + y1) / 4 : (y0 + y1) / 2;
    lastY = y0;
    const [x0, x1] = ar.from === a ? [xa, xb] : [xb, xa];
    const xe = ar.lost ? (x0 + x1) / 2 : x1;
    const ye = ar.lost ? (y0 + y1) / 2 : y1;
    const c = protoColor(ar.proto);
    const g = s(
      'g',
      {
        class: `arrow${k === selArrow ? ' sel' : ''}`,
        onclick: () => onPick(ar.row),
        tabindex: 0,
        role: 'button',
        'aria-label': ar.label,
      },
      s('line', {
        x1: x0,
        y1: y0,
        x2: xe,
        y2: ye,
        stroke: c,
        'marker-end': ar.lost ? '' : 'url(#arr)',
      }),
      ar.lost ? s('text', { x: xe, y: ye + 5, class: 'lost' }, '✕') : null,
      s(
        'text',
        { x: ar.from === a ? 8 : W - 8, y: y0 + 4, class: `tlabel ${ar.from === a ? 'l' : 'r'}` },
        fmtDur(ar.t0 - t0),
      ),
    );
    els.push(g);
    // The labels go above every line, on a light ground (a long label spans the arrows that
    // cross it); clicking one picks its arrow too.
    const text = ar.label.length > 58 ? `${ar.label.slice(0, 56)}…` : ar.label;
    const lw = text.length * 6.1 + 6;
    const lx = (x0 + x1) / 2;
    const ly = (y0 + ye) / 2 - 4;
    labels.push(
      s(
        'g',
        { class: `alabel-g${k === selArrow ? ' sel' : ''}`, onclick: () => onPick(ar.row) },
        s('rect', { x: lx - lw / 2, y: ly - 10, width: lw, height: 13, rx: 3, class: 'aground' }),
        s('text', { x: lx, y: ly, class: 'alabel' }, text),
      ),
    );
    y = Math.max(y, y1, ye);
  }
  const H = y + 30;
  const svg = s(
    'svg',
    {
      class: 'ladder',
      viewBox: `0 0 ${W} ${H}`,
      width: '100%',
      role: 'img',
      'aria-label': `${t('ladder', lang)}: ${a} ↔ ${b}`,
    },
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: 'arr',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          // In the diagram's units, not the line's width: the selected (thicker) arrow keeps
          // the same head.
          markerUnits: 'userSpaceOnUse',
          markerWidth: 13,
          markerHeight: 13,
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M0 0L10 5L0 10z', fill: '#495057' }),
      ),
    ),
    s('line', { x1: xa, y1: 30, x2: xa, y2: H, class: 'life' }),
    s('line', { x1: xb, y1: 30, x2: xb, y2: H, class: 'life' }),
    els,
    labels,
  );
  // The two ends' names stay in view above the (tall) diagram as it scrolls.
  const head = h(
    'div',
    { class: 'ladder-head' },
    h('span', { style: { left: `${(xa / W) * 100}%` } }, a),
    h('span', { style: { left: `${(xb / W) * 100}%` } }, b),
  );
  return h('div', {}, h('p', { class: 'hint' }, `${t('ladderHint', lang)} ${flow}`), head, svg);
}

export function waterfall(run: RunData, lang: Lang): HTMLElement {
  const rows = run.waterfall;
  if (rows.length === 0) return h('p', { class: 'empty' }, t('noWaterfall', lang));
  const t0 = Math.min(...rows.map((r) => r.start));
  const t1 = Math.max(...rows.map((r) => r.end));
  const W = 560;
  const L = 170;
  const span = t1 - t0 || 1;
  // Room on the right for the duration (and the status of a failed resource).
  const right = rows.some((r) => r.status !== undefined && !/^[23]\d\d$/.test(r.status)) ? 110 : 60;
  const x = (v: number): number => L + ((v - t0) / span) * (W - L - right);
  const colors: Record<string, string> = {
    dns: '#1c7ed6',
    connect: '#f08c00',
    send: '#868e96',
    wait: '#2f9e44',
    receive: '#d6336c',
  };
  const phaseKey: Record<string, UiKey> = {
    dns: 'phaseDns',
    connect: 'phaseConnect',
    send: 'phaseSend',
    wait: 'phaseWait',
    receive: 'phaseReceive',
  };
  const phase = (name: string): string =>
    phaseKey[name] !== undefined ? t(phaseKey[name], lang) : name;
  const rowH = 26;
  const els: SVGElement[] = [];
  rows.forEach((r, i) => {
    const y = 30 + i * rowH;
    const label = r.label.replace(/^https?:\/\/[^/]+/, '') || r.label;
    const failed = r.status !== undefined && !/^[23]\d\d$/.test(r.status);
    els.push(
      s(
        'text',
        { x: 4, y: y + 14, class: 'wlabel' },
        label.length > 24 ? `${label.slice(0, 23)}…` : label,
        // The tooltip belongs to its row (a <title> directly in the <svg> would name the chart).
        s(
          'title',
          {},
          `${r.label}${r.status !== undefined ? ` · ${r.status}` : ''}${r.size !== undefined ? ` · ${r.size} B` : ''}`,
        ),
      ),
    );
    els.push(
      s('rect', {
        x: x(r.start),
        y: y + 4,
        width: Math.max(1, x(r.end) - x(r.start)),
        height: 14,
        class: 'wtotal',
      }),
    );
    for (const p of r.phases) {
      els.push(
        s(
          'rect',
          {
            x: x(p.start),
            y: y + 4,
            width: Math.max(1.5, x(p.end) - x(p.start)),
            height: 14,
            fill: colors[p.name] ?? '#adb5bd',
          },
          s('title', {}, `${phase(p.name)} ${fmtDur(p.end - p.start)}`),
        ),
      );
    }
    els.push(
      s(
        'text',
        { x: x(r.end) + 4, y: y + 15, class: failed ? 'wdur failed' : 'wdur' },
        `${fmtDur(r.end - r.start)}${failed ? ` · ${r.status}` : ''}`,
      ),
    );
  });
  const legend = Object.entries(colors).map(([k, c], i) =>
    s(
      'g',
      { transform: `translate(${L + i * 76},12)` },
      s('rect', { width: 10, height: 10, y: -9, fill: c }),
      s('text', { x: 14, class: 'legend' }, phase(k)),
    ),
  );
  return h(
    'div',
    {},
    s(
      'svg',
      {
        class: 'waterfall',
        viewBox: `0 0 ${W} ${40 + rows.length * rowH}`,
        width: '100%',
        role: 'img',
        'aria-label': t('waterfall', lang),
      },
      legend,
      els,
    ),
  );
}

interface Conn {
  key: string;
  sender: string;
  segs: TraceEvent<'tcp.segment-out'>[];
  cwnd: TraceEvent<'tcp.cwnd'>[];
  bytes: number;
}

export function tcpGraph(run: RunData, lang: Lang): HTMLElement {
  const conns = new Map<string, Conn>();
  for (const e of run.events) {
    if (e.kind !== 'tcp.segment-out' && e.kind !== 'tcp.cwnd') continue;
    const key = `${e.node} ${formatIpv4(e.laddr)}:${e.lport}→${formatIpv4(e.raddr)}:${e.rport}`;
    let c = conns.get(key);
    if (c === undefined)
      conns.set(key, (c = { key, sender: e.node, segs: [], cwnd: [], bytes: 0 }));
    if (e.kind === 'tcp.segment-out') {
      c.segs.push(e);
      c.bytes += e.len;
    } else c.cwnd.push(e);
  }
  const best = [...conns.values()].sort((x, y) => y.bytes - x.bytes)[0];
  if (best === undefined || best.segs.length === 0)
    return h('p', { class: 'empty' }, t('noTcp', lang));
  const isn = best.segs[0].seq;
  const tStart = best.segs[0].t;
  const tEnd = Math.max(
    best.segs[best.segs.length - 1].t,
    best.cwnd.length > 0 ? best.cwnd[best.cwnd.length - 1].t : 0,
    tStart + 1,
  );
  const rel = (seq: number): number => (seq - isn) >>> 0;
  const maxSeq = Math.max(1, ...best.segs.map((x) => rel(x.seq) + x.len));
  const maxCwnd = Math.max(1, ...best.cwnd.map((x) => x.cwnd));
  const W = 560;
  const H = 300;
  const L = 56;
  const R = 56;
  const T = 20;
  const B = 36;
  const x = (v: number): number => L + ((v - tStart) / (tEnd - tStart)) * (W - L - R);
  const y = (v: number): number => H - B - (v / maxSeq) * (H - T - B);
  const yc = (v: number): number => H - B - (v / maxCwnd) * (H - T - B);
  const marks: SVGElement[] = [];
  let retrans = 0;
  // A retransmission sends bytes already sent, whatever the reason the sender gives (RTO, fast
  // retransmit, SACK recovery, a tail loss probe).
  let sentHigh = 0;
  for (const seg of best.segs) {
    if (seg.len === 0) continue;
    const re = rel(seg.seq) < sentHigh;
    sentHigh = Math.max(sentHigh, rel(seg.seq) + seg.len);
    if (re) retrans++;
    marks.push(
      s(
        'line',
        {
          x1: x(seg.t),
          x2: x(seg.t),
          y1: y(rel(seg.seq)),
          y2: y(rel(seg.seq) + seg.len),
          class: re ? 'seg re' : 'seg',
        },
        s('title', {}, `${fmtDur(seg.t - tStart)} seq ${rel(seg.seq)} len ${seg.len} (${seg.why})`),
      ),
    );
  }
  let path = '';
  for (const c of best.cwnd)
    path += `${path === '' ? 'M' : 'L'}${x(c.t).toFixed(1)} ${yc(c.cwnd).toFixed(1)} `;
  const axes = [
    s('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }),
    s('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }),
    s('line', { x1: W - R, y1: T, x2: W - R, y2: H - B, class: 'axis cw' }),
    s('text', { x: L - 4, y: T + 4, class: 'ytick l' }, String(maxSeq)),
    s('text', { x: L - 4, y: H - B, class: 'ytick l' }, '0'),
    s('text', { x: W - R + 4, y: T + 4, class: 'ytick r' }, String(maxCwnd)),
    s('text', { x: L, y: H - 10, class: 'xtick' }, '0'),
    s('text', { x: W - R, y: H - 10, class: 'xtick e' }, fmtDur(tEnd - tStart)),
    s('text', { x: 4, y: 12, class: 'legend sq' }, `— ${t('seq', lang)}`),
    s('text', { x: W - 4, y: 12, class: 'legend cw e' }, `— ${t('cwnd', lang)}`),
  ];
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'hint' },
      `${best.key} · ${best.bytes} B · ${retrans} ${t(retrans === 1 ? 'retransmit' : 'retransmits', lang)}`,
    ),
    s(
      'svg',
      {
        class: 'tcpgraph',
        viewBox: `0 0 ${W} ${H}`,
        width: '100%',
        role: 'img',
        'aria-label': t('tcpGraph', lang),
      },
      axes,
      marks,
      s('path', { d: path, class: 'cwnd' }),
    ),
  );
}
