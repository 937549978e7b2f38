/**
 * The device panel: any device's interfaces, ARP cache, MAC table, routing table (the entry
 * that matched lit), sockets and DNS caches as they were at the selected moment, rebuilt from
 * the trace (src: ../tables.ts).
 */
import { roleName, t } from '../i18n.js';
import type { UiKey } from '../i18n.js';
import { arpTable, dnsCache, macTable, routeChoice, sockets } from '../tables.js';
import type { Lang, NodeInfo, RunData } from '../types.js';
import { clear, h } from './dom.js';
import { fmtTime } from './format.js';

export type DeviceTab = 'ifaces' | 'arp' | 'mac' | 'routes' | 'sockets' | 'dns';

export class DevicePanel {
  readonly el: HTMLElement;
  private readonly sel: HTMLSelectElement;
  private readonly tabs: HTMLElement;
  private readonly body: HTMLElement;
  private readonly when: HTMLElement;
  private run: RunData | undefined;
  private lang: Lang = 'en';
  node = '';
  tab: DeviceTab = 'arp';
  private at = -1;
  /** Event index from which the selected frame's handling starts (for the lit route). */
  private since = -1;

  constructor(private readonly onDevice: (name: string) => void) {
    this.sel = h('select', {
      'aria-label': 'device',
      onchange: () => this.onDevice(this.sel.value),
    });
    this.tabs = h('div', { class: 'tabs', role: 'tablist' });
    this.when = h('span', { class: 'when' });
    this.body = h('div', { class: 'dev-body', role: 'tabpanel' });
    this.el = h(
      'div',
      { class: 'devices' },
      h('div', { class: 'dev-head' }, this.sel, this.tabs, this.when),
      this.body,
    );
  }

  setLang(lang: Lang): void {
    this.lang = lang;
    this.sel.setAttribute('aria-label', t('device', lang));
    this.fillDevices();
    this.render();
  }

  setRun(run: RunData, node: string): void {
    this.run = run;
    this.node = node;
    this.fillDevices();
  }

  private fillDevices(): void {
    const run = this.run;
    if (run === undefined) return;
    clear(
      this.sel,
      run.nodes.map((n) =>
        h('option', { value: n.name }, `${n.name} (${roleName(n.role, this.lang)})`),
      ),
    );
    this.sel.value = this.node;
  }

  setNode(node: string): void {
    this.node = node;
    this.sel.value = node;
    this.render();
  }

  setTab(tab: DeviceTab): void {
    this.tab = tab;
    this.render();
  }

  /** The moment shown: after event `at`; `since` is where the selected frame's handling began. */
  setMoment(at: number, since: number): void {
    this.at = at;
    this.since = since;
    this.render();
  }

  private tabsFor(n: NodeInfo): DeviceTab[] {
    if (n.kind === 'switch' || n.kind === 'hub')
      return n.kind === 'switch' ? ['mac', 'ifaces'] : ['ifaces'];
    return ['ifaces', 'arp', 'routes', 'sockets', 'dns'];
  }

  render(): void {
    const run = this.run;
    const lang = this.lang;
    if (run === undefined) return;
    const n = run.nodes.find((x) => x.name === this.node);
    if (n === undefined) {
      clear(this.body);
      return;
    }
    const tabs = this.tabsFor(n);
    if (!tabs.includes(this.tab)) this.tab = tabs.includes('arp') ? 'arp' : tabs[0];
    const label: Record<DeviceTab, UiKey> = {
      ifaces: 'ifaces',
      arp: 'arp',
      mac: 'mac',
      routes: 'routes',
      sockets: 'sockets',
      dns: 'dns',
    };
    clear(
      this.tabs,
      tabs.map((k) =>
        h(
          'button',
          {
            role: 'tab',
            class: k === this.tab ? 'tab on' : 'tab',
            'aria-selected': k === this.tab ? 'true' : 'false',
            'data-tab': k,
            onclick: () => this.setTab(k),
          },
          t(label[k], lang),
        ),
      ),
    );
    const at = this.at < 0 ? run.events.length - 1 : this.at;
    const now = at >= 0 && at < run.events.length ? run.events[at].t : 0;
    this.when.textContent = `${t('asOf', lang)} t = ${fmtTime(now)} s (#${at + 1})`;
    const table = (
      heads: string[],
      rows: (string | HTMLElement)[][],
      lit: (i: number) => boolean = () => false,
      extra?: HTMLElement,
    ): HTMLElement =>
      h(
        'div',
        {},
        rows.length === 0
          ? h('p', { class: 'empty' }, t('empty', lang))
          : h(
              'table',
              { class: `dev-table tab-${this.tab}` },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  heads.map((x) => h('th', {}, x)),
                ),
              ),
              h(
                'tbody',
                {},
                rows.map((r, i) =>
                  h(
                    'tr',
                    { class: lit(i) ? 'lit' : '' },
                    r.map((c) => h('td', {}, c)),
                  ),
                ),
              ),
            ),
        extra,
      );
    switch (this.tab) {
      case 'ifaces':
        clear(
          this.body,
          table(
            [t('iface', lang), t('ip', lang), t('macAddr', lang), 'MTU'],
            n.kind === 'switch' || n.kind === 'hub'
              ? n.ports.map((p) => [p, '', '', ''])
              : n.ifaces.map((i) => [i.name, i.addrs.join(' '), i.mac ?? '', String(i.mtu ?? '')]),
          ),
        );
        break;
      case 'arp': {
        const rows = arpTable(run.events, n.name, at);
        clear(
          this.body,
          table(
            [
              t('ip', lang),
              t('macAddr', lang),
              t('state', lang),
              t('iface', lang),
              t('since', lang),
            ],
            rows.map((r) => [r.ip, r.mac, r.state, r.iface, fmtTime(r.since)]),
          ),
        );
        break;
      }
      case 'mac': {
        const rows = macTable(run.events, n.name, at);
        clear(
          this.body,
          table(
            [t('macAddr', lang), t('port', lang), t('since', lang)],
            rows.map((r) => [r.mac, r.port, fmtTime(r.since)]),
          ),
        );
        break;
      }
      case 'routes': {
        const choice =
          routeChoice(run.events, n.name, at, this.since) ?? routeChoice(run.events, n.name, at);
        const litIdx =
          choice === undefined || choice.dstNet === undefined
            ? -1
            : n.routes.findIndex(
                (r) =>
                  r.dst === choice.dstNet &&
                  r.prefix === choice.prefix &&
                  r.iface === choice.iface &&
                  r.gateway === choice.gateway,
              );
        const note =
          choice === undefined
            ? undefined
            : h(
                'p',
                { class: 'route-note' },
                `${t('lastLookup', lang)} #${choice.ev + 1}: ${choice.dst} → ${choice.local ? t('local', lang) : choice.dstNet === undefined ? '—' : `${choice.dstNet}/${choice.prefix}${choice.gateway !== '0.0.0.0' ? ` via ${choice.gateway}` : ''} dev ${choice.iface} (${t('matched', lang)})`}`,
              );
        clear(
          this.body,
          table(
            [
              t('destination', lang),
              t('genmask', lang),
              t('gateway', lang),
              t('iface', lang),
              t('metric', lang),
              '',
            ],
            n.routes.map((r) => [
              r.dst,
              `/${r.prefix} (${maskOf(r.prefix)})`,
              r.gateway === '0.0.0.0' ? '*' : r.gateway,
              r.iface,
              String(r.metric),
              r.proto,
            ]),
            (i) => i === litIdx,
            note,
          ),
        );
        break;
      }
      case 'sockets': {
        const rows = sockets(run.events, n.name, at);
        clear(
          this.body,
          table(
            ['', t('local', lang), t('remote', lang), t('state', lang)],
            rows.map((r) => [r.proto.toUpperCase(), r.local, r.remote, r.state]),
          ),
        );
        break;
      }
      case 'dns': {
        const rows = dnsCache(run.events, n.name, at, now);
        clear(
          this.body,
          table(
            [t('cache', lang), t('name', lang), t('type', lang), t('data', lang), t('ttl', lang)],
            rows.map((r) => [r.cache, r.name, `${r.qtype} ${r.what}`, r.data, String(r.ttl)]),
          ),
        );
        break;
      }
    }
  }
}

function maskOf(prefix: number): string {
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}`;
}
