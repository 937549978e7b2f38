/** Tiny DOM helpers: the page is plain TypeScript over the DOM, no framework. */
type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, unknown>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el: Element, props: Props | undefined): void {
  if (props === undefined) return;
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
    } else if (k === 'class') {
      el.setAttribute('class', String(v));
    } else if (k === 'style' && typeof v === 'object') {
      Object.assign((el as HTMLElement).style, v);
    } else if (k in el && !(el instanceof SVGElement) && k !== 'list') {
      (el as unknown as Record<string, unknown>)[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(typeof c === 'number' ? String(c) : c);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props?: Props,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, children);
  return el;
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Scrolls `el` into view inside its scrolling ancestor `box` only (never the page). */
export function scrollWithin(el: HTMLElement, box: HTMLElement | null, margin = 0): void {
  if (box === null) return;
  const er = el.getBoundingClientRect();
  const br = box.getBoundingClientRect();
  if (er.top < br.top + margin) box.scrollTop -= br.top + margin - er.top;
  else if (er.bottom > br.bottom) box.scrollTop += er.bottom - br.bottom;
}
