/**
 * HTML → a text view for the terminal, and the list of subresources a page needs.
 *
 * Read first: the WHATWG HTML Standard's parsing algorithm (implemented by parse5, run with the
 * scripting flag off since this browser does not run scripts, so <noscript> content is shown),
 * § 4.2.3 <base> (subresource URLs resolve against it), § 4.6.7 link types ("stylesheet"),
 * § 4.8.4 <img src>, § 4.12.1 <script src>. Encoding: the charset parameter of Content-Type,
 * else UTF-8 (a real browser would also sniff <meta charset>; we read it as well).
 *
 * The view: headings as "#"/"##" lines, paragraphs wrapped to a width, lists with bullets or
 * numbers, links followed by a numbered reference "[1]" listed at the end, images as
 * placeholders "[image: logo.png 1.2 KB]". CSS is fetched but not applied.
 */
import { parse } from 'parse5';

interface PNode {
  nodeName: string;
  tagName?: string;
  value?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: PNode[];
  content?: PNode;
}

export type SubresourceType = 'stylesheet' | 'image' | 'script';

export interface Subresource {
  url: string;
  type: SubresourceType;
  /** The tag and attribute it came from: "link href", "img src", "script src". */
  from: string;
}

export interface ParsedDocument {
  root: PNode;
  baseUrl: string;
  title: string;
  subresources: Subresource[];
}

export interface ImageInfo {
  /** Bytes of the image, or undefined if it was not loaded. */
  bytes?: number;
  status?: number;
  error?: string;
}

export interface RenderedPage {
  title: string;
  text: string;
  links: { n: number; url: string; text: string }[];
  images: { url: string; alt: string; bytes?: number }[];
}

function attr(n: PNode, name: string): string | undefined {
  return n.attrs?.find((a) => a.name === name)?.value;
}

/**
 * The node and its descendants in document order (pre-order), with an explicit stack: a
 * recursive generator allocates one generator per level for every node it yields.
 */
function walk(n: PNode): PNode[] {
  const out: PNode[] = [];
  const stack = [n];
  while (stack.length > 0) {
    const d = stack.pop()!;
    out.push(d);
    const cs = d.childNodes;
    if (cs !== undefined) for (let i = cs.length - 1; i >= 0; i--) stack.push(cs[i]);
  }
  return out;
}

/** V8 flattens a concatenated string when a character of it is read. */
function flatten(s: string): void {
  if (s.length > 1) s.charCodeAt(0);
}

function textOf(n: PNode): string {
  let s = '';
  for (const d of walk(n)) if (d.nodeName === '#text') s += d.value ?? '';
  return collapseSpace(s).trim();
}

/** Decodes an HTML body: charset from Content-Type, then <meta charset>, else UTF-8. */
export function decodeHtml(body: Uint8Array, contentType?: string): string {
  let charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  if (charset === undefined) {
    const head = new TextDecoder('latin1').decode(body.subarray(0, 1024));
    charset = /<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)/i.exec(head)?.[1];
  }
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

function resolveUrl(ref: string, base: string, keepFragment = false): string | undefined {
  try {
    const u = new URL(ref.trim(), base);
    if (!keepFragment) u.hash = '';
    return u.href;
  } catch {
    return undefined;
  }
}

export function parseDocument(html: string, url: string): ParsedDocument {
  const root = parse(html, { scriptingEnabled: false }) as unknown as PNode;
  let baseUrl = url;
  let title = '';
  const nodes = walk(root);
  // parse5 builds each text node's value one code point at a time: until something reads it,
  // it is a chain of one concatenation per character (~20 bytes each), which the document
  // would keep for the whole page load. Reading a character flattens it now.
  for (const n of nodes) if (n.value !== undefined) flatten(n.value);
  for (const n of nodes) {
    if (n.nodeName === 'base' && attr(n, 'href') !== undefined) {
      baseUrl = resolveUrl(attr(n, 'href')!, url) ?? url;
      break;
    }
  }
  const subresources: Subresource[] = [];
  const seen = new Set<string>();
  const add = (ref: string | undefined, type: SubresourceType, from: string): void => {
    if (ref === undefined || ref.trim() === '') return;
    const abs = resolveUrl(ref, baseUrl);
    if (abs === undefined || seen.has(abs)) return;
    seen.add(abs);
    subresources.push({ url: abs, type, from });
  };
  for (const n of nodes) {
    switch (n.nodeName) {
      case 'title':
        if (title === '') title = textOf(n);
        break;
      case 'link': {
        const rel = (attr(n, 'rel') ?? '').toLowerCase().split(/\s+/);
        if (rel.includes('stylesheet')) add(attr(n, 'href'), 'stylesheet', 'link href');
        break;
      }
      case 'img':
        add(attr(n, 'src'), 'image', 'img src');
        break;
      case 'script':
        add(attr(n, 'src'), 'script', 'script src');
        break;
    }
  }
  return { root, baseUrl, title, subresources };
}

/** "1.2 KB" */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const SKIP = new Set(['head', 'script', 'style', 'template', 'title', 'meta', 'link', 'base']);
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'header', 'footer', 'main', 'nav', 'aside', 'figure',
  'figcaption', 'address', 'form', 'fieldset', 'details', 'summary', 'dl', 'dt', 'dd', 'center', 'body', 'html', 'noscript',
]); // prettier-ignore
const SPACED = new Set(['p', 'figure', 'address', 'dl', 'details', 'fieldset', 'form']);

/** Is the UTF-16 unit white space as RegExp's \s defines it (ECMA-262 WhiteSpace + LineTerminator)? */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * `s.replace(/\s+/g, ' ')` without the regular expression: the pieces between runs of white
 * space, joined by single spaces. Text that needs no change is returned as it is.
 */
function collapseSpace(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (!isSpace(s.charCodeAt(i))) continue;
    let j = i + 1;
    while (j < s.length && isSpace(s.charCodeAt(j))) j++;
    if (j === i + 1 && s.charCodeAt(i) === 0x20) continue; // a single ' ' stays
    out += s.slice(from, i) + ' ';
    from = j;
    i = j - 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

class Renderer {
  private lines: string[] = [];
  private line = '';
  /** The line is empty or ends with a space. */
  private atSpace = true;
  private first = '';
  private cont = '';
  private pre = 0;
  readonly links: { n: number; url: string; text: string }[] = [];
  readonly imgs: { url: string; alt: string; bytes?: number }[] = [];

  constructor(
    private readonly width: number,
    private readonly baseUrl: string,
    private readonly images: ReadonlyMap<string, ImageInfo>,
  ) {}

  private inline(text: string): void {
    if (this.pre > 0) {
      this.append(text);
      return;
    }
    // Runs of white space collapse to one space.
    const t = collapseSpace(text);
    if (t === ' ') {
      if (!this.atSpace) this.append(' ');
      return;
    }
    this.append(this.atSpace && t.charCodeAt(0) === 32 ? t.slice(1) : t);
  }

  /**
   * Appends to the current line, remembering whether it now ends with a space: asking the line
   * itself (`endsWith`) would flatten the concatenation at every text node of a paragraph.
   */
  private append(s: string): void {
    if (s === '') return;
    this.line += s;
    this.atSpace = s.charCodeAt(s.length - 1) === 32;
  }

  private setLine(s: string): void {
    this.line = s;
    this.atSpace = s === '' || s.endsWith(' ');
  }

  private flush(): void {
    if (this.pre > 0) {
      for (const l of this.line.replace(/\n$/, '').split('\n'))
        this.lines.push(`${this.cont}    ${l}`.trimEnd());
      this.setLine('');
      return;
    }
    const text = this.line.trim();
    this.setLine('');
    if (text === '') return;
    // Greedy wrapping of the space-separated words. Each output line is its prefix and a slice
    // of `text`: the words from `from` to `to` with the spaces between them, as they are in
    // `text` (empty words from double spaces included, except at the start of a line).
    let prefix = this.first;
    let lineLen = prefix.length;
    let wordsLen = 0;
    let from = 0;
    let to = 0;
    for (let pos = 0; pos <= text.length;) {
      let end = text.indexOf(' ', pos);
      if (end < 0) end = text.length;
      const w = end - pos;
      if (wordsLen > 0 && lineLen + 1 + w > this.width) {
        this.lines.push(prefix + text.slice(from, to));
        prefix = this.cont;
        lineLen = prefix.length;
        wordsLen = 0;
      }
      if (wordsLen > 0) lineLen += 1 + w;
      else {
        lineLen += w;
        from = pos;
      }
      wordsLen += w;
      to = end;
      pos = end + 1;
    }
    this.lines.push(prefix + text.slice(from, to));
    this.first = this.cont;
  }

  private blank(): void {
    this.flush();
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }

  private children(n: PNode): void {
    for (const c of n.childNodes ?? []) this.node(c);
  }

  private withIndent(first: string, cont: string, fn: () => void): void {
    const saved = this.cont;
    this.flush();
    this.first = first;
    this.cont = cont;
    fn();
    this.flush();
    this.first = saved;
    this.cont = saved;
  }

  node(n: PNode): void {
    if (n.nodeName === '#text') return this.inline(n.value ?? '');
    if (n.nodeName.startsWith('#')) {
      if (n.nodeName === '#document' || n.nodeName === '#document-fragment') this.children(n);
      return;
    }
    const tag = n.nodeName;
    if (SKIP.has(tag)) return;
    if (/^h[1-6]$/.test(tag)) {
      this.blank();
      this.setLine('');
      const level = Number(tag[1]);
      this.inline(`${'#'.repeat(level)} `);
      this.children(n);
      this.blank();
      return;
    }
    switch (tag) {
      case 'br':
        if (this.line.trim() === '') this.lines.push(this.first.trimEnd());
        this.flush();
        return;
      case 'hr':
        this.blank();
        this.lines.push(this.cont + '─'.repeat(Math.max(10, this.width - this.cont.length)));
        this.blank();
        return;
      case 'ul':
      case 'ol': {
        const nested = this.cont !== '';
        if (!nested) this.blank();
        else this.flush();
        let k = Number(attr(n, 'start') ?? '1');
        for (const li of n.childNodes ?? []) {
          if (li.nodeName !== 'li') {
            this.node(li);
            continue;
          }
          const bullet = tag === 'ol' ? `${k++}. ` : '• ';
          const base = this.cont;
          this.withIndent(base + '  ' + bullet, base + '  ' + ' '.repeat(bullet.length), () =>
            this.children(li),
          );
        }
        if (!nested) this.blank();
        return;
      }
      case 'li':
        this.withIndent(this.cont + '  • ', this.cont + '    ', () => this.children(n));
        return;
      case 'blockquote': {
        this.blank();
        const base = this.cont;
        this.withIndent(base + '> ', base + '> ', () => this.children(n));
        this.blank();
        return;
      }
      case 'pre':
        this.blank();
        this.pre++;
        this.children(n);
        this.flush();
        this.pre--;
        this.blank();
        return;
      case 'a': {
        this.children(n);
        const href = attr(n, 'href');
        if (href !== undefined && !href.startsWith('javascript:')) {
          const url = resolveUrl(href, this.baseUrl, true) ?? href;
          const k = this.links.length + 1;
          this.links.push({ n: k, url: href.startsWith('#') ? href : url, text: textOf(n) });
          this.append(`[${k}]`);
        }
        return;
      }
      case 'img': {
        const src = attr(n, 'src') ?? '';
        const url = resolveUrl(src, this.baseUrl) ?? src;
        const name = url.split(/[?#]/)[0].split('/').pop() || url;
        const alt = attr(n, 'alt') ?? '';
        const info = this.images.get(url);
        let desc: string;
        if (info?.bytes !== undefined && (info.status === undefined || info.status < 400))
          desc = `${name} ${formatBytes(info.bytes)}`;
        else if (info?.error !== undefined) desc = `${name} — not loaded: ${info.error}`;
        else if (info?.status !== undefined) desc = `${name} — not loaded: ${info.status}`;
        else desc = name;
        if (alt !== '') desc += ` "${alt}"`;
        this.imgs.push({ url, alt, bytes: info?.bytes });
        this.inline(' ');
        this.append(`[image: ${desc}]`);
        this.inline(' ');
        return;
      }
      case 'code':
        if (this.pre > 0) return this.children(n);
        this.append('`');
        this.children(n);
        this.append('`');
        return;
      case 'tr':
        this.flush();
        this.children(n);
        this.setLine(this.line.replace(/ \| $/, ''));
        this.flush();
        return;
      case 'td':
      case 'th':
        this.children(n);
        this.append(' | ');
        return;
      case 'table':
        this.blank();
        this.children(n);
        this.blank();
        return;
    }
    if (BLOCK.has(tag)) {
      if (SPACED.has(tag)) this.blank();
      else this.flush();
      this.children(n);
      if (SPACED.has(tag)) this.blank();
      else this.flush();
      return;
    }
    this.children(n);
  }

  finish(): string[] {
    this.flush();
    while (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
    while (this.lines.length > 0 && this.lines[0] === '') this.lines.shift();
    if (this.links.length > 0) {
      this.lines.push('', 'References');
      for (const l of this.links) this.lines.push(`  [${l.n}] ${l.url}`);
    }
    return this.lines;
  }
}

/** Renders a parsed document as text; `images` gives loaded sizes by absolute URL. */
export function renderDocument(
  doc: ParsedDocument,
  images: ReadonlyMap<string, ImageInfo> = new Map(),
  width = 80,
): RenderedPage {
  const r = new Renderer(width, doc.baseUrl, images);
  r.node(doc.root);
  return { title: doc.title, text: r.finish().join('\n'), links: r.links, images: r.imgs };
}
