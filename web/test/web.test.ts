/**
 * End to end, in a real browser (Debian's chromium through playwright-core): the page built by
 * `npm run build:web` loaded from its file with the network cut off, a visit run from the
 * address bar, events stepped through, a router event whose inspector shows the TTL change and
 * the MAC rewrite, the UI in Chinese, the ARP table at two moments; then `wiretrail web`
 * serving the same page. Screenshots go to test-artifacts/web/.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { artifact, ensureBuilt, INDEX, launch, ROOT, runFromAddressBar } from './harness.js';
import type { Browser } from './harness.js';

interface Probe {
  state(): {
    running: boolean;
    hasRun: boolean;
    row: number;
    moment: number;
    simT: number;
    playing: boolean;
    lang: string;
    rows: number;
    story: number;
    device: string;
    error?: string;
  };
  lastEnterToStory: number;
  frameTimes: number[];
  run(): {
    rows: { at: string; from: string; ev: number; actions: number[]; hop: number }[];
    events: { kind: string; node: string; ip?: string; to?: string }[];
    nodes: { name: string; role: string }[];
    hops: { fromNode: string; toNode: string; frame: number }[];
    frames: { proto: string }[];
  };
}

const probe = (page: Page) => ({
  state: () =>
    page.evaluate(() => (globalThis as unknown as { wiretrail: Probe }).wiretrail.state()),
});

describe('web page (chromium)', { timeout: 300_000 }, () => {
  let b: Browser;
  before(async () => {
    await ensureBuilt();
    b = await launch({ offline: true });
  });
  after(async () => {
    await b?.close();
  });

  test('runs a visit offline from the built file', async () => {
    const { page } = b;
    await page.goto(pathToFileURL(INDEX).href);
    await page.waitForFunction(
      () => (globalThis as unknown as { wiretrail?: unknown }).wiretrail !== undefined,
    );
    // Before the first run: the network view says what to do; the filters offer "all".
    assert.match((await page.locator('.topo-empty').textContent()) ?? '', /type a URL/);
    assert.equal(await page.locator('.ev-box select').first().locator('option').count(), 1);
    await runFromAddressBar(page, 'http://www.server.com/');
    assert.equal(await page.locator('.topo-empty').count(), 0);
    const s = await probe(page).state();
    assert.equal(s.error, undefined, `the run failed: ${s.error}`);
    assert.ok(s.rows > 20, `${s.rows} event rows`);
    assert.ok(s.story >= 5, `${s.story} story steps`);
    assert.ok((await page.locator('ol.story > li').count()) >= 5);
    assert.ok((await page.locator('table.events tbody tr').count()) === s.rows);
    await page.screenshot({ path: artifact('01-visit.png'), fullPage: true });
    assert.deepEqual(b.errors, []);
  });

  test('steps through events with the keyboard and the buttons', async () => {
    const { page } = b;
    await page.locator('.help').click();
    const s0 = await probe(page).state();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    const s1 = await probe(page).state();
    assert.equal(s1.row, s0.row + 5);
    assert.ok(s1.simT >= s0.simT);
    await page.keyboard.press('ArrowLeft');
    assert.equal((await probe(page).state()).row, s0.row + 4);
    await page.getByRole('button', { name: 'Next event' }).click();
    assert.equal((await probe(page).state()).row, s0.row + 5);
    assert.equal(
      await page.locator('table.events tr.sel').getAttribute('data-row'),
      String(s0.row + 5),
    );
    // Play for a moment: the clock moves and frames are drawn.
    await page.keyboard.press(' ');
    await page.waitForTimeout(700);
    await page.keyboard.press(' ');
    const s2 = await probe(page).state();
    assert.equal(s2.playing, false);
    assert.ok(s2.simT > s1.simT, `clock ${s1.simT} → ${s2.simT}`);
  });

  test('a router event shows the TTL change and the MAC rewrite', async () => {
    const { page } = b;
    // The first frame a router forwards towards the web server (the TCP SYN after DNS).
    const r = await page.evaluate(() => {
      const run = (globalThis as unknown as { wiretrail: Probe }).wiretrail.run();
      const routers = new Set(run.nodes.filter((n) => n.role === 'router').map((n) => n.name));
      return run.rows.findIndex(
        (row) =>
          routers.has(row.at) &&
          run.frames[run.hops[row.hop].frame].proto !== 'arp' &&
          row.actions.some((i) => run.events[i].kind === 'router.forward'),
      );
    });
    assert.ok(r >= 0, 'no router forwarded anything');
    await page.locator(`table.events tr[data-row="${r}"]`).click();
    assert.equal((await probe(page).state()).row, r);
    const did = (await page.locator('.insp-did').textContent()) ?? '';
    const m = /TTL (\d+) → (\d+)/.exec(did);
    assert.ok(m !== null, `no TTL change in: ${did}`);
    assert.equal(Number(m[2]), Number(m[1]) - 1);
    const mac =
      /new source MAC ([0-9a-f:]{17}) \(was ([0-9a-f:]{17})\) · new destination MAC ([0-9a-f:]{17})/.exec(
        did,
      );
    assert.ok(mac !== null, `no MAC rewrite in: ${did}`);
    assert.notEqual(mac[1], mac[2]);
    // The frame as received: its TTL is the old one.
    const ttlIn = await page.locator('.field[data-field="ip.ttl"] .f-value').first().textContent();
    assert.equal(ttlIn?.trim(), m[1]);
    // The frame the router sent: new TTL, new source MAC; the field is highlighted in the hex.
    await page.locator('.insp-did li.io button', { hasText: 'inspect' }).first().click();
    assert.equal(
      (await page.locator('.field[data-field="ip.ttl"] .f-value').first().textContent())?.trim(),
      m[2],
    );
    assert.match(
      (await page.locator('.field[data-field="eth.src"] .f-value').first().textContent()) ?? '',
      new RegExp(mac[1]),
    );
    await page.locator('.field[data-field="ip.ttl"]').first().click();
    assert.equal(await page.locator('.insp-hex .b.hl').count(), 1);
    assert.ok(
      (await page
        .locator('.field[data-field="ip.ttl"] .f-meaning')
        .first()
        .textContent())!.includes('router'),
    );
    // Its routing table, with the entry that matched lit.
    await page
      .locator(
        `.node[data-node="${await page.evaluate((row) => (globalThis as unknown as { wiretrail: Probe }).wiretrail.run().rows[row].at, r)}"]`,
      )
      .click();
    await page.locator('.devices [data-tab="routes"]').click();
    assert.equal(await page.locator('table.dev-table tr.lit').count(), 1);
    await page.screenshot({ path: artifact('02-router-event.png'), fullPage: true });
  });

  test('switches the whole UI to Chinese', async () => {
    const { page } = b;
    await page.locator('button.lang').click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal((await probe(page).state()).lang, 'zh');
    const did = (await page.locator('.insp-did').textContent()) ?? '';
    assert.match(did, /新的源 MAC/);
    assert.match((await page.locator('ol.story').textContent()) ?? '', /解析 URL|查询路由表/);
    assert.equal(await page.locator('.ev-box h2').textContent(), '事件列表');
    assert.match(
      (await page.locator('.field[data-field="ip.ttl"] .f-meaning').first().textContent()) ?? '',
      /路由器/,
    );
    assert.match(
      (await page.locator('.devices select option').first().textContent()) ?? '',
      /客户端/,
    );
    await page.locator('.side [data-tab="waterfall"]').click();
    assert.match((await page.locator('svg.waterfall').textContent()) ?? '', /建立连接/);
    await page.locator('.side [data-tab="story"]').click();
    await page.screenshot({ path: artifact('03-chinese.png'), fullPage: true });
    await page.locator('button.lang').click();
    assert.equal((await probe(page).state()).lang, 'en');
  });

  test('the ARP table changes between two moments', async () => {
    const { page } = b;
    await page.locator('.node[data-node="pc"]').click();
    await page.locator('.devices [data-tab="arp"]').click();
    const moments = await page.evaluate(() => {
      const run = (globalThis as unknown as { wiretrail: Probe }).wiretrail.run();
      const learned = run.events.findIndex(
        (e) =>
          e.kind === 'arp.state' &&
          e.node === 'pc' &&
          e.ip === '192.168.3.1' &&
          e.to !== 'INCOMPLETE' &&
          e.to !== 'NONE',
      );
      const early = 0;
      const late = run.rows.findIndex((r) => r.ev > learned);
      return { early, late };
    });
    assert.ok(moments.late > 0);
    await page.locator(`table.events tr[data-row="${moments.early}"]`).click();
    const before = (await page.locator('.dev-body').textContent()) ?? '';
    assert.doesNotMatch(before, /192\.168\.3\.1\b/);
    await page.screenshot({ path: artifact('04-arp-before.png'), fullPage: true });
    await page.locator(`table.events tr[data-row="${moments.late}"]`).click();
    const afterText = (await page.locator('.dev-body').textContent()) ?? '';
    assert.match(afterText, /192\.168\.3\.1/);
    assert.match(afterText, /02:00:00:00:01:01/);
    await page.screenshot({ path: artifact('05-arp-after.png'), fullPage: true });
  });

  test('story, ladder, waterfall, TCP graph and the pcapng download', async () => {
    const { page } = b;
    // The step clicked is the one marked, even when several share an instant (URL parsed,
    // request built, caches and the DNS query all happen at 10 ms) or the story's order is not
    // the clock's (its ARP step comes after the socket it served).
    const steps = await page.locator('ol.story button.step').count();
    for (const i of [0, 1, 2, 3, steps - 1]) {
      await page.locator('ol.story button.step').nth(i).click();
      assert.equal(await page.locator('ol.story li.current').count(), 1);
      assert.equal(
        await page.locator('ol.story li.current').getAttribute('data-step'),
        String(i),
        `clicked step ${i + 1}`,
      );
      assert.equal(
        await page.locator('.markers .marker.current').getAttribute('data-step'),
        String(i),
      );
    }
    await page.locator('ol.story button.step').nth(3).click();
    // Stepping on from there: the marked step follows the frames again.
    await page.getByRole('button', { name: 'Next event' }).click();
    assert.equal(await page.locator('ol.story li.current').count(), 1);
    await page.locator('.side [data-tab="ladder"]').click();
    assert.ok((await page.locator('svg.ladder .arrow').count()) > 0);
    // A packet late in its connection (the GET arriving at web1): its arrow is marked and
    // scrolled into the panel, under the two ends' names.
    const get = await page.evaluate(() => {
      const run = (globalThis as unknown as { wiretrail: Probe }).wiretrail.run();
      return run.rows.findIndex(
        (row) => row.at === 'web1' && run.frames[run.hops[row.hop].frame].proto === 'http',
      );
    });
    await page.locator(`table.events tr[data-row="${get}"]`).click();
    const seen = await page.evaluate(() => {
      const a = document.querySelector('svg.ladder .arrow.sel')!.getBoundingClientRect();
      const box = document.querySelector('.side-body')!.getBoundingClientRect();
      const head = document.querySelector('.ladder-head')!.getBoundingClientRect();
      return { a: [a.top, a.bottom], box: [box.top, box.bottom], head: [head.top, head.bottom] };
    });
    assert.ok(
      seen.a[0] >= seen.head[1] - 1 && seen.a[1] <= seen.box[1] + 1,
      `arrow ${seen.a} in panel ${seen.box} under ${seen.head}`,
    );
    assert.match((await page.locator('.ladder-head').textContent()) ?? '', /pc.*web1|web1.*pc/);
    await page.locator('.side [data-tab="waterfall"]').click();
    assert.ok((await page.locator('svg.waterfall rect').count()) > 0);
    await page.locator('.side [data-tab="tcp"]').click();
    // A visit has TCP (a build without src/world/visit.ts falls back to ping: no TCP graph).
    const mode = await page.evaluate(
      () =>
        (globalThis as unknown as { wiretrail: { run(): { mode: string } } }).wiretrail.run().mode,
    );
    if (mode === 'visit') assert.ok((await page.locator('svg.tcpgraph .seg').count()) > 0);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button.dl').click(),
    ]);
    const bytes = readFileSync((await download.path())!);
    assert.deepEqual(
      [...bytes.subarray(0, 4)],
      [0x0a, 0x0d, 0x0d, 0x0a],
      'a pcapng section header block',
    );
    await page.locator('.side [data-tab="story"]').click();
  });

  test('the network view zooms and pans; devices can still be picked', async () => {
    const { page } = b;
    const svg = page.locator('svg.topology');
    const whole = await svg.getAttribute('viewBox');
    await page.getByRole('button', { name: /^Zoom in/ }).click();
    await page.getByRole('button', { name: /^Zoom in/ }).click();
    const zoomed = (await svg.getAttribute('viewBox'))!.split(' ').map(Number);
    const full = whole!.split(' ').map(Number);
    assert.ok(zoomed[2] < full[2] / 2, `zoomed view ${zoomed} of ${full}`);
    // Drag to pan: the view moves, and the drag is not taken for a click on a device.
    const device = (await probe(page).state()).device;
    const box = (await svg.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 30, { steps: 4 });
    await page.mouse.up();
    const panned = (await svg.getAttribute('viewBox'))!.split(' ').map(Number);
    assert.ok(panned[0] < zoomed[0], `panned ${panned} from ${zoomed}`);
    assert.equal((await probe(page).state()).device, device);
    await page.getByRole('button', { name: 'Show the whole network' }).click();
    assert.equal(await svg.getAttribute('viewBox'), whole);
    await page.locator('.node[data-node="r-home"]').click();
    assert.equal((await probe(page).state()).device, 'r-home');
    await page.locator('.node[data-node="pc"]').click();
  });

  test('ping and traceroute on the simple network, and a lossy visit', async () => {
    const { page } = b;
    await page.selectOption('#topology', 'simple');
    await runFromAddressBar(page, 'traceroute 198.51.100.80');
    let s = await probe(page).state();
    assert.equal(s.error, undefined);
    assert.ok(s.rows > 10);
    await page.locator('.side [data-tab="output"]').click();
    assert.match((await page.locator('pre.output').textContent()) ?? '', /198\.51\.100\.80/);
    // The seeds' simple network has a web server but no DNS: a visit by IP address works.
    await runFromAddressBar(page, 'http://198.51.100.80/');
    s = await probe(page).state();
    assert.equal(s.error, undefined);
    assert.ok(s.rows > 10);
    await page.locator('.side [data-tab="story"]').click();
    assert.match((await page.locator('.side').textContent()) ?? '', /already an IP address/);
    // A name there: the visit fails and says why (no ping of the server instead).
    await runFromAddressBar(page, 'http://www.server.com/');
    s = await probe(page).state();
    assert.match(s.error ?? '', /no DNS resolver configured \(type an IP address/);
    assert.match((await page.locator('.status').textContent()) ?? '', /IP address/);
    await page.locator('.side [data-tab="output"]').click();
    assert.doesNotMatch((await page.locator('.side-body').textContent()) ?? '', /pinging|PING/);
    await page.locator('.side [data-tab="story"]').click();
    await page.selectOption('#topology', 'default');
    await page.fill('#loss', '20');
    await runFromAddressBar(page, 'http://www.server.com/');
    s = await probe(page).state();
    assert.equal(s.error, undefined, `the lossy run failed: ${s.error}`);
    await page.locator('.side [data-tab="tcp"]').click();
    await page.screenshot({ path: artifact('06-lossy-tcp.png'), fullPage: true });
    await page.fill('#loss', '0');
    assert.deepEqual(b.errors, []);
  });

  test('a request that fails keeps its message when the language changes', async () => {
    const { page } = b;
    await page.fill('#delay', 'soon');
    await runFromAddressBar(page, 'ping 198.51.100.80');
    assert.match((await probe(page).state()).error ?? '', /not a duration/);
    await page.locator('button.lang').click();
    assert.match((await page.locator('.status').textContent()) ?? '', /not a duration/);
    await page.locator('button.lang').click();
    assert.match((await page.locator('.status').textContent()) ?? '', /not a duration/);
    await page.fill('#delay', '');
    await runFromAddressBar(page, 'http://www.server.com/');
    assert.match((await page.locator('.status').textContent()) ?? '', /loaded in/);
  });
});

describe('web page at 1280×720', { timeout: 180_000 }, () => {
  let b: Browser;
  before(async () => {
    await ensureBuilt();
    b = await launch({ offline: true, width: 1280, height: 720 });
    await b.page.goto(pathToFileURL(INDEX).href);
    await runFromAddressBar(b.page, 'http://www.server.com/');
  });
  after(async () => {
    await b?.close();
  });

  test("frames' dots never cover the names of the devices they leave or reach", async () => {
    const { page } = b;
    const hits = await page.evaluate(() => {
      const w = (
        globalThis as unknown as {
          wiretrail: Probe & { selectRow(r: number): void };
        }
      ).wiretrail;
      const run = w.run();
      const out: string[] = [];
      for (let r = 0; r < run.rows.length; r++) {
        w.selectRow(r);
        for (const g of document.querySelectorAll<SVGGElement>('.packet')) {
          if (g.style.display === 'none') continue;
          const hop = run.hops[Number(g.dataset.hop)];
          const dot = g.querySelector('circle')!.getBoundingClientRect();
          for (const n of [hop.fromNode, hop.toNode]) {
            for (const t of document.querySelectorAll(
              `.node[data-node="${n}"] .label, .node[data-node="${n}"] .sublabel`,
            )) {
              const c = t.getBoundingClientRect();
              if (
                dot.left < c.right &&
                c.left < dot.right &&
                dot.top < c.bottom &&
                c.top < dot.bottom
              )
                out.push(`row ${r}: a frame ${hop.fromNode} → ${hop.toNode} covers ${n}'s label`);
            }
          }
        }
      }
      return out;
    });
    assert.deepEqual(hits.slice(0, 5), []);
  });

  test('playing with a filter on selects only rows the filter shows', async () => {
    const { page } = b;
    await page.locator('.ev-box select').first().selectOption('tcp');
    await page.keyboard.press('Home');
    const seen = await page.evaluate(async () => {
      const w = (
        globalThis as unknown as {
          wiretrail: Probe & { play(speed?: number): void; pause(): void };
        }
      ).wiretrail;
      const run = w.run();
      const rows = new Set<number>();
      w.play(32);
      const t0 = performance.now();
      while (performance.now() - t0 < 2500) {
        await new Promise((r) => requestAnimationFrame(r));
        rows.add(w.state().row);
      }
      w.pause();
      return [...rows].map((r) => [
        r,
        r < 0 ? '' : run.frames[run.hops[run.rows[r].hop].frame].proto,
      ]);
    });
    assert.ok(seen.length > 3, `${seen.length} rows selected while playing`);
    assert.deepEqual(
      seen.filter(([r, p]) => r !== -1 && p !== 'tcp'),
      [],
    );
    // The list marks the selected row (it is one of its rows).
    assert.equal(await page.locator('table.events tr.sel').count(), 1);
    await page.locator('.ev-box select').first().selectOption('');
  });

  test('with A+ the hex dump fits its box (8 bytes a row), without it 16', async () => {
    const { page } = b;
    const row = await page.evaluate(() => {
      const run = (globalThis as unknown as { wiretrail: Probe }).wiretrail.run();
      return run.rows.findIndex((r) => run.frames[run.hops[r.hop].frame].proto === 'http');
    });
    await page.locator(`table.events tr[data-row="${row}"]`).click();
    const hex = () =>
      page.evaluate(() => {
        const x = document.querySelector('.insp-hex')!;
        return {
          over: x.scrollWidth - x.clientWidth,
          perRow: x.querySelector('.hexrow')!.querySelectorAll('.b').length,
        };
      });
    assert.deepEqual(await hex(), { over: 0, perRow: 16 });
    await page.locator('button.big').click();
    const large = await hex();
    assert.equal(large.over, 0, `A+: the hex dump is ${large.over} px too wide`);
    assert.equal(large.perRow, 8);
    await page.screenshot({ path: artifact('08-large-hex.png') });
    await page.locator('button.big').click();
    assert.deepEqual(await hex(), { over: 0, perRow: 16 });
  });

  test("the ladder's labels do not overlap; the selected arrow keeps the others' head", async () => {
    const { page } = b;
    // The GET at web1: it leaves pc right after the handshake's last ACK, and both arrive
    // together.
    const get = await page.evaluate(() => {
      const run = (globalThis as unknown as { wiretrail: Probe }).wiretrail.run();
      return run.rows.findIndex(
        (row) => row.at === 'web1' && run.frames[run.hops[row.hop].frame].proto === 'http',
      );
    });
    await page.locator(`table.events tr[data-row="${get}"]`).click();
    await page.locator('.side [data-tab="ladder"]').click();
    const clashes = await page.evaluate(() => {
      const boxes = [...document.querySelectorAll('svg.ladder .alabel')].map((t) => ({
        text: t.textContent ?? '',
        r: t.getBoundingClientRect(),
      }));
      const out: string[] = [];
      for (let i = 0; i < boxes.length; i++)
        for (let k = i + 1; k < boxes.length; k++) {
          const p = boxes[i].r;
          const q = boxes[k].r;
          if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom)
            out.push(`${boxes[i].text} / ${boxes[k].text}`);
        }
      return out;
    });
    assert.ok((await page.locator('svg.ladder .alabel').count()) > 5);
    assert.deepEqual(clashes, []);
    assert.equal(await page.locator('svg.ladder .alabel-g.sel').count(), 1);
    // Arrow heads are sized in the diagram's units, not by the (thicker) selected line.
    assert.equal(
      await page.locator('svg.ladder marker#arr').getAttribute('markerUnits'),
      'userSpaceOnUse',
    );
    await page.locator('.side').screenshot({ path: artifact('09-ladder.png') });
    await page.locator('.side [data-tab="story"]').click();
  });
});

describe('web page on a phone (390×844)', { timeout: 120_000 }, () => {
  let b: Browser;
  before(async () => {
    await ensureBuilt();
    b = await launch({ offline: true, width: 390, height: 844 });
  });
  after(async () => {
    await b?.close();
  });

  test('nothing pushes the page sideways; the timeline keeps its slider', async () => {
    const { page } = b;
    await page.goto(pathToFileURL(INDEX).href);
    await runFromAddressBar(page, 'http://www.server.com/');
    assert.equal((await probe(page).state()).error, undefined);
    const m = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      view: window.innerWidth,
      slider: document.querySelector('.slider')!.getBoundingClientRect().width,
      clock: document.querySelector('.clock')!.getBoundingClientRect().right,
    }));
    assert.ok(m.page <= m.view, `the page is ${m.page} px wide in a ${m.view} px window`);
    assert.ok(m.slider > 250, `slider ${m.slider} px`);
    assert.ok(m.clock <= m.view, `the clock ends at ${m.clock} px`);
    await page.screenshot({ path: artifact('07-phone.png'), fullPage: true });
    assert.deepEqual(b.errors, []);
  });
});

describe('wiretrail web', { timeout: 120_000 }, () => {
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGTERM');
  });

  test('serves the page on 127.0.0.1 and the page runs there', async () => {
    await ensureBuilt();
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "const { main } = await import('./src/cli/main.ts'); process.exitCode = await main(['web']);",
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no address printed: ${out}`)), 30_000);
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      });
      child!.on('exit', (code) => reject(new Error(`wiretrail web exited (${code}): ${out}`)));
    });
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal((await fetch(`${url}nope.js`)).status, 404);
    const b = await launch();
    try {
      await b.page.goto(url);
      await runFromAddressBar(b.page, 'ping 198.51.100.80');
      const s = await probe(b.page).state();
      assert.equal(s.error, undefined);
      assert.ok(s.rows > 0);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });
});
