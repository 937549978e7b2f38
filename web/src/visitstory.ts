/**
 * A compact narration of a visit from its trace, in English and Chinese, used when the build
 * has no src/story (the full narrator). Each step names the events it tells about, so clicking
 * it moves the page to that moment.
 */
import type { TraceEvent } from '../../src/sim/trace.js';
import { formatDuration } from '../../src/sim/time.js';
import { formatIpv4 } from '../../src/wire/addr.js';
import type { Step } from './types.js';

const ip = (a: number | string): string => (typeof a === 'number' ? formatIpv4(a) : a);

export function visitStory(events: readonly TraceEvent[], client: string): Step[] {
  const steps: Step[] = [];
  const add = (
    i: number,
    en: string,
    zh: string,
    linesEn: string[],
    linesZh: string[],
    more: number[] = [],
  ): void => {
    if (i < 0) return;
    steps.push({
      title: { en, zh },
      lines: { en: linesEn, zh: linesZh },
      events: [i, ...more],
      t: events[i].t,
    });
  };
  const find = <K extends TraceEvent['kind']>(
    kind: K,
    pred: (e: TraceEvent<K>) => boolean = () => true,
    from = 0,
  ): number => {
    for (let i = from; i < events.length; i++) {
      const e = events[i];
      if (e.kind === kind && pred(e as unknown as TraceEvent<K>)) return i;
    }
    return -1;
  };
  const get = <K extends TraceEvent['kind']>(i: number): TraceEvent<K> =>
    events[i] as unknown as TraceEvent<K>;

  const u = find('browser.url-parsed');
  if (u >= 0) {
    const e = get<'browser.url-parsed'>(u);
    add(
      u,
      'URL parsed',
      '解析 URL',
      [
        `scheme ${e.scheme} · host ${e.host} · port ${e.port}${e.portIsDefault ? ` (default for ${e.scheme})` : ''} · path ${e.path}${e.defaultFile ? ' → the server picks its default file' : ''}`,
      ],
      [
        `协议 ${e.scheme} · 主机 ${e.host} · 端口 ${e.port}${e.portIsDefault ? '（默认端口）' : ''} · 路径 ${e.path}${e.defaultFile ? ' → 服务器使用默认文件' : ''}`,
      ],
    );
  }
  const rb = find('browser.request-built');
  if (rb >= 0) {
    const e = get<'browser.request-built'>(rb);
    const line = e.text.split('\r\n')[0];
    add(
      rb,
      'HTTP request built',
      '生成 HTTP 请求信息',
      [`${line} · ${e.fields} header fields · ${e.length} bytes`],
      [`${line} · ${e.fields} 个首部字段 · ${e.length} 字节`],
    );
  }
  const dc = find('browser.dns-cache');
  if (dc >= 0) {
    const e = get<'browser.dns-cache'>(dc);
    const stub = find('dns.stub', (s) => s.node === client, dc);
    add(
      dc,
      'Caches',
      '缓存',
      [`browser DNS cache: ${e.result}${stub >= 0 ? ` · OS: ${get<'dns.stub'>(stub).op}` : ''}`],
      [
        `浏览器 DNS 缓存：${e.result === 'miss' ? '未命中' : e.result}${stub >= 0 ? ` · 操作系统：${get<'dns.stub'>(stub).op}` : ''}`,
      ],
    );
  }
  const q = find('dns.stub', (e) => e.op === 'query' && e.node === client);
  if (q >= 0) {
    const e = get<'dns.stub'>(q);
    add(
      q,
      'DNS',
      'DNS 查询',
      [
        `ask the local DNS server ${e.server !== undefined ? ip(e.server) : ''} for ${e.name} ${e.qtype ?? 'A'}`,
      ],
      [
        `向本地 DNS 服务器 ${e.server !== undefined ? ip(e.server) : ''} 查询 ${e.name} 的 ${e.qtype ?? 'A'} 记录`,
      ],
    );
  }
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.kind !== 'dns.response-in') continue;
    const out = find('dns.query-out', (x) => x.node === e.node && x.id === e.id);
    add(
      out >= 0 ? out : i,
      `DNS: ${e.serverName}`,
      `DNS：${e.serverName}`,
      [`${e.qname} ${e.qtype} → ${e.summary} (${formatDuration(e.rtt)})`],
      [`${e.qname} ${e.qtype} → ${e.summary}（${formatDuration(e.rtt)}）`],
      [i],
    );
  }
  const resolved = find('browser.dns-resolved');
  if (resolved >= 0) {
    const e = get<'browser.dns-resolved'>(resolved);
    add(
      resolved,
      'Address found',
      '得到 IP 地址',
      [`${e.host} → ${e.addresses.map(ip).join(', ')} in ${formatDuration(e.duration)}`],
      [`${e.host} → ${e.addresses.map(ip).join('、')}，用时 ${formatDuration(e.duration)}`],
    );
  }
  const syn = find('tcp.state', (e) => e.node === client && e.to === 'SYN-SENT');
  if (syn >= 0) {
    const e = get<'tcp.state'>(syn);
    const est = find(
      'tcp.state',
      (x) => x.node === client && x.to === 'ESTABLISHED' && x.lport === e.lport,
      syn,
    );
    add(
      syn,
      'TCP handshake',
      'TCP 三次握手',
      [
        `connect ${ip(e.laddr)}:${e.lport} → ${ip(e.raddr)}:${e.rport}: SYN → SYN-ACK → ACK${est >= 0 ? ` (${formatDuration(events[est].t - e.t)})` : ''}`,
      ],
      [
        `连接 ${ip(e.laddr)}:${e.lport} → ${ip(e.raddr)}:${e.rport}：SYN → SYN+ACK → ACK${est >= 0 ? `（${formatDuration(events[est].t - e.t)}）` : ''}`,
      ],
      est >= 0 ? [est] : [],
    );
    const route = find(
      'ip.route',
      (x) => x.node === client && x.purpose === 'output' && x.dst === ip(e.raddr),
      syn,
    );
    if (route >= 0) {
      const r = get<'ip.route'>(route);
      const rn =
        r.route === undefined
          ? '—'
          : `${r.route.dst}/${r.route.prefix}${r.route.gateway !== '0.0.0.0' ? ` via ${r.route.gateway}` : ''} dev ${r.route.iface}`;
      add(
        route,
        'Route lookup',
        '查询路由表',
        [`${r.dst} matches ${rn} → source address ${r.src ?? '?'}`],
        [`${r.dst} 与 ${rn} 匹配 → 源地址 ${r.src ?? '?'}`],
      );
    }
    const seen = new Set<string>();
    for (let i = syn; i < events.length; i++) {
      const f = events[i];
      if (
        f.kind === 'router.forward' &&
        f.dst === ip(e.raddr) &&
        f.protocol === 6 &&
        !seen.has(f.node)
      ) {
        seen.add(f.node);
        add(
          i,
          `Router ${f.node}`,
          `路由器 ${f.node}`,
          [
            `${f.dst} → route ${f.route} · TTL ${f.ttlIn} → ${f.ttlOut} · new MACs src ${f.srcMac} dst ${f.dstMac}`,
          ],
          [
            `${f.dst} → 路由 ${f.route} · TTL ${f.ttlIn} → ${f.ttlOut} · 新的 MAC：源 ${f.srcMac} 目的 ${f.dstMac}`,
          ],
        );
      }
      if (f.kind === 'tcp.state' && f.node === client && f.to === 'ESTABLISHED') break;
    }
  }
  const rin = find('http.request-in');
  if (rin >= 0) {
    const e = get<'http.request-in'>(rin);
    const rout = find('http.response-out', (x) => x.node === e.node, rin);
    const r = rout >= 0 ? get<'http.response-out'>(rout) : undefined;
    add(
      rin,
      `Server ${e.node}`,
      `服务器 ${e.node}`,
      [
        `${e.method} ${e.target} → ${r ? `${r.status} ${r.reason} · ${r.why} · ${r.bodyBytes} bytes` : '…'}`,
      ],
      [`${e.method} ${e.target} → ${r ? `${r.status} ${r.reason} · ${r.bodyBytes} 字节` : '…'}`],
      rout >= 0 ? [rout] : [],
    );
  }
  const resp = find('http.response-in', (e) => e.node === client);
  if (resp >= 0) {
    const e = get<'http.response-in'>(resp);
    add(
      resp,
      'Response',
      '响应',
      [`${e.status} ${e.reason} · ${e.bytes} bytes · first byte after ${formatDuration(e.ttfb)}`],
      [`${e.status} ${e.reason} · ${e.bytes} 字节 · 首字节用时 ${formatDuration(e.ttfb)}`],
    );
  }
  const page = find('browser.page-rendered');
  if (page >= 0) {
    const e = get<'browser.page-rendered'>(page);
    add(
      page,
      'Page rendered',
      '显示网页',
      [
        `"${e.title}" · ${e.resources} resources · ${e.bytes} bytes · ${formatDuration(e.loadTime)}`,
      ],
      [`“${e.title}” · ${e.resources} 个资源 · ${e.bytes} 字节 · ${formatDuration(e.loadTime)}`],
    );
  }
  const err = find('browser.error');
  if (err >= 0) {
    const e = get<'browser.error'>(err);
    add(err, 'Error', '出错', [e.message], [e.message]);
  }
  const fin = find('tcp.state', (e) => e.node === client && e.to === 'FIN-WAIT-1');
  if (fin >= 0) {
    const tw = find('tcp.state', (e) => e.node === client && e.to === 'TIME-WAIT', fin);
    add(
      fin,
      'Close',
      '四次挥手',
      ['FIN → ACK → FIN → ACK; the client waits in TIME-WAIT'],
      ['FIN → ACK → FIN → ACK；客户端进入 TIME-WAIT 等待'],
      tw >= 0 ? [tw] : [],
    );
  }
  steps.sort((a, b) => a.events[0] - b.events[0]);
  return steps;
}
