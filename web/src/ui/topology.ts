/**
 * The topology view: devices laid out by dagre (left to right from the client), links as the
 * layout's edge polylines, and the frames in flight animated along them in simulated time,
 * coloured by protocol. One SVG; packet glyphs are pooled and only moved each frame.
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { Hop, LinkInfo, NodeInfo, NodeRole, RunData } from '../types.js';
import type { TimeWarp } from '../timewarp.js';
import { splitPort } from '../model.js';
import { s } from './dom.js';

export const PROTO_COLORS: Record<string, string> = {
  arp: '#f08c00',
  icmp: '#9c36b5',
  dns: '#1c7ed6',
  udp: '#0c8599',
  tcp: '#2f9e44',
  http: '#d6336c',
  eth: '#868e96',
  data: '#868e96',
};

export function protoColor(p: string): string {
  return PROTO_COLORS[p] ?? '#868e96';
}

/**
 * The text colour for a badge of colour `bg` (#rrggbb): white or near-black, whichever
 * contrasts more (WCAG relative luminance). White on ARP's orange was 2.5:1, unreadable on a
 * projector; dark ink on it is 6:1.
 */
export function inkOn(bg: string): string {
  const lin = (i: number): number => {
    const c = parseInt(bg.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * lin(1) + 0.7152 * lin(3) + 0.0722 * lin(5);
  const dark = 0.016; // #212529
  return 1.05 / (l + 0.05) >= (l + 0.05) / (dark + 0.05) ? '#ffffff' : '#212529';
}

/** The inline style of a protocol badge. */
export function badgeStyle(p: string): { background: string; color: string } {
  const bg = protoColor(p);
  return { background: bg, color: inkOn(bg) };
}

interface Pt {
  x: number;
  y: number;
}

interface Path {
  pts: Pt[];
  /** Cumulative lengths, pts.length entries. */
  cum: number[];
}

function makePath(pts: Pt[]): Path {
  const cum = [0];
  for (let i = 1; i < pts.length; i++)
    cum.push(cum[i - 1] + Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y));
  return { pts, cum };
}

function pointAt(p: Path, frac: number): Pt {
  const total = p.cum[p.cum.length - 1];
  const d = Math.max(0, Math.min(1, frac)) * total;
  for (let i = 1; i < p.pts.length; i++) {
    if (d <= p.cum[i] || i === p.pts.length - 1) {
      const seg = p.cum[i] - p.cum[i - 1] || 1;
      const f = (d - p.cum[i - 1]) / seg;
      return {
        x: p.pts[i - 1].x + (p.pts[i].x - p.pts[i - 1].x) * f,
        y: p.pts[i - 1].y + (p.pts[i].y - p.pts[i - 1].y) * f,
      };
    }
  }
  return p.pts[0];
}

const NODE_W = 100;
const NODE_H = 74;

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Where a device's drawing is, around its centre: the icon, and its name and address below it
 * with room for a frame's dot (radius 8, 11 when selected) — wide enough for the A+ sizes.
 */
function footprint(p: Pt, name: string, addr: string): Rect[] {
  const hw = Math.max(24, (name.length * 19 * 0.62) / 2, (addr.length * 14.5 * 0.62) / 2) + 12;
  return [
    { x0: p.x - 24, y0: p.y - 30, x1: p.x + 24, y1: p.y + 12 },
    { x0: p.x - hw, y0: p.y + 2, x1: p.x + hw, y1: p.y + 58 },
  ];
}

function inside(q: Pt, rs: readonly Rect[]): boolean {
  return rs.some((r) => q.x >= r.x0 && q.x <= r.x1 && q.y >= r.y0 && q.y <= r.y1);
}

/**
 * The part of a path a frame's dot travels: from where it leaves the first device's drawing to
 * where it enters the last one's, so a frame that is leaving or has arrived sits beside the
 * device's icon and never on its name (a link that leaves downwards crosses the labels).
 */
function trimPath(p: Path, a: readonly Rect[], b: readonly Rect[]): Path {
  const total = p.cum[p.cum.length - 1];
  if (total <= 0) return p;
  let d0 = 0;
  let d1 = total;
  for (let d = 0; d <= total; d += 1) if (inside(pointAt(p, d / total), a)) d0 = d;
  for (let d = total; d >= 0; d -= 1) if (inside(pointAt(p, d / total), b)) d1 = d;
  if (d1 - d0 < 8) return p;
  const pts = [pointAt(p, d0 / total)];
  for (let i = 1; i < p.pts.length - 1; i++) if (p.cum[i] > d0 && p.cum[i] < d1) pts.push(p.pts[i]);
  pts.push(pointAt(p, d1 / total));
  return makePath(pts);
}

function icon(role: NodeRole): SVGGElement {
  const g = s('g', { class: `icon icon-${role}` });
  switch (role) {
    case 'router':
      g.append(
        s('circle', { r: 19, class: 'shape' }),
        s('path', {
          d: 'M-11 0H11M0 -11V11M-11 0l4 -4M-11 0l4 4M11 0l-4 -4M11 0l-4 4M0 -11l-4 4M0 -11l4 4M0 11l-4 -4M0 11l4 -4',
          class: 'glyph',
        }),
      );
      break;
    case 'switch':
    case 'hub':
      g.append(
        s('rect', { x: -24, y: -12, width: 48, height: 24, rx: 4, class: 'shape' }),
        s('path', {
          d: role === 'switch' ? 'M-14 -4H14l-5 -4M14 4H-14l5 4' : 'M-14 0H14',
          class: 'glyph',
        }),
      );
      break;
    case 'dns':
      g.append(
        s('rect', { x: -20, y: -18, width: 40, height: 36, rx: 6, class: 'shape' }),
        s('text', { y: 5, class: 'icon-text' }, 'DNS'),
      );
      break;
    case 'web':
      g.append(
        s('rect', { x: -16, y: -20, width: 32, height: 40, rx: 3, class: 'shape' }),
        s('path', { d: 'M-10 -12H10M-10 -6H10', class: 'glyph' }),
        s('text', { y: 12, class: 'icon-text' }, 'www'),
      );
      break;
    default:
      // client and host: a screen on a stand
      g.append(
        s('rect', { x: -20, y: -18, width: 40, height: 28, rx: 3, class: 'shape' }),
        s('rect', { x: -16, y: -14, width: 32, height: 20, class: 'screen' }),
        s('path', { d: 'M0 10V16M-9 17H9', class: 'stand' }),
      );
  }
  return g;
}

export interface TopologyCallbacks {
  onSelectDevice(name: string): void;
  onSelectHop(hop: number): void;
}

export class TopologyView {
  readonly svg: SVGSVGElement;
  private readonly linkLayer: SVGGElement;
  private readonly nodeLayer: SVGGElement;
  private readonly packetLayer: SVGGElement;
  private run: RunData | undefined;
  private positions = new Map<string, Pt>();
  /** "a|b" → polyline from a to b. */
  private paths = new Map<string, Path>();
  /** The same without the ends inside the devices' drawings: where frames' dots travel. */
  private trimmed = new Map<string, Path>();
  private nodeEls = new Map<string, SVGGElement>();
  private linkEls = new Map<string, SVGElement[]>();
  private pool: SVGGElement[] = [];
  private byStart: number[] = [];
  private maxDur = 0;
  private selectedDevice = '';
  /** The whole layout, and the part of it shown (the viewBox): zoom and pan change the latter. */
  private base = { x: 0, y: 0, w: 400, h: 300 };
  private view = { x: 0, y: 0, w: 400, h: 300 };
  /** A drag in progress (pointer id, last client position, whether it has moved yet). */
  private drag: { id: number; x: number; y: number; moved: boolean } | undefined;
  /** The last pointer press was a drag (its click is swallowed). */
  private dragged = false;

  constructor(
    container: HTMLElement,
    private readonly cb: TopologyCallbacks,
  ) {
    this.linkLayer = s('g', { class: 'links' });
    this.nodeLayer = s('g', { class: 'nodes' });
    this.packetLayer = s('g', { class: 'packets' });
    this.svg = s(
      'svg',
      { class: 'topology', role: 'group', preserveAspectRatio: 'xMidYMid meet' },
      this.linkLayer,
      this.nodeLayer,
      this.packetLayer,
    );
    container.append(this.svg);
    // Ctrl + wheel (and a trackpad's pinch, which Chromium sends as one) zooms at the pointer;
    // a plain wheel still scrolls the page.
    this.svg.addEventListener(
      'wheel',
      (ev) => {
        if (!ev.ctrlKey && !ev.metaKey) return;
        ev.preventDefault();
        const p = this.toSvg(ev.clientX, ev.clientY);
        this.zoomBy(Math.exp(-ev.deltaY / 300), p.x, p.y);
      },
      { passive: false },
    );
    // Dragging pans once zoomed in; a click without movement still selects a device.
    this.svg.addEventListener('pointerdown', (ev) => {
      this.dragged = false;
      if (!this.zoomed() || ev.button !== 0) return;
      this.drag = { id: ev.pointerId, x: ev.clientX, y: ev.clientY, moved: false };
    });
    this.svg.addEventListener('pointermove', (ev) => {
      const d = this.drag;
      if (d === undefined || d.id !== ev.pointerId) return;
      const dx = ev.clientX - d.x;
      const dy = ev.clientY - d.y;
      if (!d.moved && Math.hypot(dx, dy) < 4) return;
      if (!d.moved) this.svg.setPointerCapture(ev.pointerId);
      d.moved = true;
      d.x = ev.clientX;
      d.y = ev.clientY;
      const k = this.unitsPerPixel();
      this.setView({ ...this.view, x: this.view.x - dx * k, y: this.view.y - dy * k });
    });
    const end = (ev: PointerEvent): void => {
      if (this.drag?.id !== ev.pointerId) return;
      this.dragged = this.drag.moved;
      this.drag = undefined;
    };
    // The click that ends a drag is not a device selection.
    this.svg.addEventListener(
      'click',
      (ev) => {
        if (this.dragged) ev.stopPropagation();
        this.dragged = false;
      },
      { capture: true },
    );
    this.svg.addEventListener('pointerup', end);
    this.svg.addEventListener('pointercancel', end);
  }

  /** Zooms by factor `f` (> 1 enlarges) around a point of the layout (default: the centre). */
  zoomBy(f: number, cx?: number, cy?: number): void {
    const v = this.view;
    const w = Math.max(this.base.w / 8, Math.min(this.base.w, v.w / f));
    const k = w / v.w;
    const x0 = cx ?? v.x + v.w / 2;
    const y0 = cy ?? v.y + v.h / 2;
    // Zoomed in, the view takes the box's shape (the whole network is letterboxed in it), so a
    // tall phone screen shows more of the network, not more margin.
    const r = this.svg.getBoundingClientRect();
    const h = r.width > 0 && r.height > 0 ? w * (r.height / r.width) : v.h * k;
    const ky = h / v.h;
    this.setView({ x: x0 - (x0 - v.x) * k, y: y0 - (y0 - v.y) * ky, w, h });
  }

  /** Shows the whole network again. */
  fit(): void {
    this.setView({ ...this.base });
  }

  zoomed(): boolean {
    return this.view.w < this.base.w - 1e-6;
  }

  private setView(v: { x: number; y: number; w: number; h: number }): void {
    const b = this.base;
    // Keep at least half of the view over the network.
    v.x = Math.max(b.x - v.w / 2, Math.min(b.x + b.w - v.w / 2, v.x));
    v.y = Math.max(b.y - v.h / 2, Math.min(b.y + b.h - v.h / 2, v.y));
    if (v.w >= b.w - 1e-6) v = { ...b };
    this.view = v;
    this.svg.setAttribute('viewBox', `${v.x} ${v.y} ${v.w} ${v.h}`);
    this.svg.classList.toggle('zoomed', this.zoomed());
  }

  private toSvg(clientX: number, clientY: number): Pt {
    const m = this.svg.getScreenCTM();
    if (m === null) return { x: this.view.x + this.view.w / 2, y: this.view.y + this.view.h / 2 };
    const p = new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  }

  private unitsPerPixel(): number {
    const m = this.svg.getScreenCTM();
    return m === null || m.a === 0 ? 1 : 1 / m.a;
  }

  setRun(run: RunData): void {
    this.run = run;
    this.layout(run.nodes, run.links);
    this.byStart = run.hops.map((_, i) => i).sort((a, b) => run.hops[a].t0 - run.hops[b].t0);
    this.maxDur = run.hops.reduce((m, h) => Math.max(m, h.t1 - h.t0), 0);
    for (const g of this.pool) g.remove();
    this.pool = [];
  }

  private layout(nodes: readonly NodeInfo[], links: readonly LinkInfo[]): void {
    const g = new Graph({ multigraph: false });
    g.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 44, marginx: 12, marginy: 12 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of nodes) g.setNode(n.name, { width: NODE_W, height: NODE_H });
    // Edges point away from the client so that it sits on the left and servers on the right.
    const adj = new Map<string, string[]>();
    const edges: [string, string, string][] = [];
    for (const l of links) {
      const ends = l.ends.map((e) => splitPort(e)[0]);
      if (ends.length === 2) edges.push([ends[0], ends[1], l.name]);
      else {
        const bus = `~${l.name}`;
        g.setNode(bus, { width: 8, height: 8 });
        for (const e of ends) edges.push([bus, e, l.name]);
      }
    }
    for (const [a, b] of edges) {
      adj.set(a, [...(adj.get(a) ?? []), b]);
      adj.set(b, [...(adj.get(b) ?? []), a]);
    }
    const root = nodes.find((n) => n.role === 'client')?.name ?? nodes[0]?.name;
    const depth = new Map<string, number>();
    if (root !== undefined) {
      depth.set(root, 0);
      const q = [root];
      while (q.length > 0) {
        const x = q.shift()!;
        for (const y of adj.get(x) ?? []) {
          if (!depth.has(y)) {
            depth.set(y, depth.get(x)! + 1);
            q.push(y);
          }
        }
      }
    }
    for (const [a, b] of edges) {
      const [u, v] = (depth.get(a) ?? 99) <= (depth.get(b) ?? 99) ? [a, b] : [b, a];
      g.setEdge(u, v);
    }
    layout(g);
    this.positions.clear();
    this.paths.clear();
    for (const name of g.nodes()) {
      const n = g.node(name);
      this.positions.set(name, { x: n.x, y: n.y });
    }
    this.trimmed.clear();
    const feet = new Map<string, Rect[]>();
    for (const n of nodes) {
      const p = this.positions.get(n.name);
      if (p !== undefined) feet.set(n.name, footprint(p, n.name, nodeAddr(n)));
    }
    for (const e of g.edges()) {
      const pts = (g.edge(e).points ?? []).map((p: Pt) => ({ x: p.x, y: p.y }));
      const a = this.positions.get(e.v)!;
      const b = this.positions.get(e.w)!;
      const full = [a, ...pts.slice(1, -1), b];
      const fwd = makePath(full);
      const back = makePath([...full].reverse());
      this.paths.set(`${e.v}|${e.w}`, fwd);
      this.paths.set(`${e.w}|${e.v}`, back);
      const fa = feet.get(e.v) ?? [];
      const fb = feet.get(e.w) ?? [];
      this.trimmed.set(`${e.v}|${e.w}`, trimPath(fwd, fa, fb));
      this.trimmed.set(`${e.w}|${e.v}`, trimPath(back, fb, fa));
    }
    const gl = g.graph();
    const w = (gl.width ?? 400) + 0;
    const h = (gl.height ?? 300) + 0;
    this.base = { x: 0, y: 0, w, h };
    this.setView({ ...this.base });
    this.draw(nodes, links);
  }

  private draw(nodes: readonly NodeInfo[], links: readonly LinkInfo[]): void {
    this.linkLayer.replaceChildren();
    this.nodeLayer.replaceChildren();
    this.nodeEls.clear();
    this.linkEls.clear();
    for (const l of links) {
      const ends = l.ends.map((e) => splitPort(e)[0]);
      const pairs = ends.length === 2 ? [[ends[0], ends[1]]] : ends.map((e) => [`~${l.name}`, e]);
      const els: SVGElement[] = [];
      for (const [a, b] of pairs) {
        const p = this.paths.get(`${a}|${b}`);
        if (p === undefined) continue;
        const wan = (l.delay ?? 0) >= 1_000_000;
        const el = s('polyline', {
          points: p.pts.map((q) => `${q.x},${q.y}`).join(' '),
          class: wan ? 'link wan' : 'link',
        });
        el.append(
          s(
            'title',
            {},
            `${l.name}${l.bandwidth !== undefined ? ` · ${fmtBw(l.bandwidth)}` : ''}${l.delay !== undefined ? ` · ${l.delay / 1e6} ms` : ''}`,
          ),
        );
        els.push(el);
        this.linkLayer.append(el);
      }
      this.linkEls.set(l.name, els);
    }
    for (const n of nodes) {
      const p = this.positions.get(n.name);
      if (p === undefined) continue;
      const addr = nodeAddr(n);
      const g = s(
        'g',
        {
          class: `node role-${n.role}`,
          transform: `translate(${p.x},${p.y})`,
          tabindex: 0,
          role: 'button',
          'aria-label': `${n.name} (${n.role}${addr !== '' ? `, ${addr}` : ''})`,
          'data-node': n.name,
          onclick: () => this.cb.onSelectDevice(n.name),
          onkeydown: (ev: KeyboardEvent) => {
            if (ev.key === 'Enter') this.cb.onSelectDevice(n.name);
          },
        },
        s('rect', {
          class: 'halo',
          x: -NODE_W / 2 + 4,
          y: -30,
          width: NODE_W - 8,
          height: NODE_H - 2,
          rx: 8,
        }),
        s('g', { transform: 'translate(0,-8)' }, icon(n.role)),
        s('text', { class: 'label', y: 28 }, n.name),
        s('text', { class: 'sublabel', y: 42 }, addr),
        s(
          'title',
          {},
          `${n.name}${n.description !== undefined ? ` — ${n.description}` : ''}\n${n.ifaces.map((i) => `${i.name} ${i.addrs.join(' ')} ${i.mac ?? ''}`).join('\n')}`,
        ),
      );
      this.nodeEls.set(n.name, g);
      this.nodeLayer.append(g);
    }
    for (const [name, p] of this.positions) {
      if (name.startsWith('~'))
        this.nodeLayer.append(s('circle', { cx: p.x, cy: p.y, r: 5, class: 'bus' }));
    }
    this.selectDevice(this.selectedDevice);
  }

  selectDevice(name: string): void {
    this.selectedDevice = name;
    for (const [n, el] of this.nodeEls) el.classList.toggle('selected', n === name);
  }

  private pathFor(hop: Hop): Path | undefined {
    const to = hop.toNode === '' ? undefined : hop.toNode;
    const direct = to === undefined ? undefined : this.trimmed.get(`${hop.fromNode}|${to}`);
    if (direct !== undefined) return direct;
    const bus = `~${hop.link}`;
    const a = this.trimmed.get(`${hop.fromNode}|${bus}`);
    if (a === undefined) return undefined;
    if (to === undefined) return a;
    const b = this.trimmed.get(`${bus}|${to}`);
    return b === undefined ? a : makePath([...a.pts, ...b.pts.slice(1)]);
  }

  /** Draws the frames on the wires at `simT`; `selected` is emphasised. Returns how many. */
  render(simT: number, warp: TimeWarp, selected: number): number {
    const run = this.run;
    if (run === undefined) return 0;
    const hops = run.hops;
    const order = this.byStart;
    // Hops started at or before simT: binary search on t0, then walk back while they may still fly.
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (hops[order[mid]].t0 <= simT) lo = mid + 1;
      else hi = mid;
    }
    const dNow = warp.toDisplay(simT);
    let used = 0;
    const linkActive = new Set<string>();
    const draw = (i: number, frac: number, arrived: boolean): void => {
      const hop = hops[i];
      const path = this.pathFor(hop);
      if (path === undefined) return;
      const pt = pointAt(path, frac);
      let g = this.pool[used];
      if (g === undefined) {
        g = s(
          'g',
          { class: 'packet' },
          s('circle', { r: 8 }),
          s('path', { d: 'M-5 -5L5 5M5 -5L-5 5', class: 'x' }),
        );
        this.pool.push(g);
        this.packetLayer.append(g);
      }
      used++;
      g.dataset.hop = String(i);
      g.setAttribute('transform', `translate(${pt.x.toFixed(1)},${pt.y.toFixed(1)})`);
      const c = g.firstChild as SVGCircleElement;
      c.setAttribute('fill', protoColor(run.frames[hop.frame].proto));
      g.setAttribute(
        'class',
        `packet${i === selected ? ' selected' : ''}${hop.dropped ? ' dropped' : ''}${arrived ? ' arrived' : ''}`,
      );
      g.style.opacity =
        hop.dropped && frac > 0.5 ? String(Math.max(0.15, 1 - (frac - 0.5) * 1.6)) : '';
      g.style.display = '';
      linkActive.add(hop.link);
    };
    for (let k = lo - 1; k >= 0; k--) {
      const i = order[k];
      const hop = hops[i];
      if (hop.t0 < simT - this.maxDur) break;
      if (hop.t1 < simT) continue;
      const d0 = warp.toDisplay(hop.t0);
      const d1 = warp.toDisplay(hop.t1);
      const frac = d1 > d0 ? (dNow - d0) / (d1 - d0) : 1;
      draw(i, frac, false);
      if (used > 400) break;
    }
    // The selected frame stays visible where it arrived.
    if (
      selected >= 0 &&
      selected < hops.length &&
      hops[selected].t1 <= simT &&
      !hops[selected].dropped
    ) {
      const h = hops[selected];
      if (simT - h.t1 <= 0 || warp.toDisplay(simT) - warp.toDisplay(h.t1) < 0.6)
        draw(selected, 1, true);
    }
    for (let k = used; k < this.pool.length; k++) this.pool[k].style.display = 'none';
    for (const [name, els] of this.linkEls)
      for (const el of els) el.classList.toggle('busy', linkActive.has(name));
    return used;
  }

  /** Emphasises the devices a row is about. */
  markRow(at: string, from: string): void {
    for (const [n, el] of this.nodeEls) {
      el.classList.toggle('at', n === at);
      el.classList.toggle('from', n === from);
    }
  }
}

/** The address shown under a device's name. */
function nodeAddr(n: NodeInfo): string {
  return n.ifaces.find((i) => i.addrs.length > 0)?.addrs[0]?.replace(/\/\d+$/, '') ?? '';
}

function fmtBw(b: number): string {
  if (!Number.isFinite(b)) return 'unlimited';
  if (b >= 1e9) return `${b / 1e9} Gbit/s`;
  if (b >= 1e6) return `${b / 1e6} Mbit/s`;
  return `${b / 1e3} kbit/s`;
}
