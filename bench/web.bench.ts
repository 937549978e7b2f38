/**
 * bench/web: the web page in headless chromium (Debian's, through playwright-core).
 *
 *  - enter_to_story_ms: from Enter in the address bar to the story on screen for the default
 *    visit (http://www.server.com/ on the default internet): simulation in the worker, analysis,
 *    transfer to the page and the first render. Median of 5 runs after one warm-up run; the
 *    cold first run is shown too. Target < 1000 ms.
 *  - animation_fps: frames per second of the animation loop while the default visit plays at
 *    8× over the default internet (from the median frame interval over 3 s; the mean and the
 *    95th-percentile frame time are shown too). Target 60.
 *  - reference: the same visit (runVisit + the page's analysis) in Node in this process, i.e.
 *    the part of enter_to_story that is simulation, measured on the same machine in the same run.
 *
 * Last line: {"bench": "web", "figures": {...}} (docs/ENGINEERING.md).
 */
import { pathToFileURL } from 'node:url';
import { runVisit } from '../src/world/visit.js';
import { serveStatic, WEB_DIST } from '../src/cli/web.js';
import { analyse } from '../web/src/model.js';
import { mediaInfo } from '../web/src/run.js';
import { describeNetwork } from '../web/src/network-info.js';
import { ensureBuilt, INDEX, launch, runFromAddressBar } from '../web/test/harness.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};

const build = await ensureBuilt();

// Reference: the simulation and analysis alone, in Node.
const nodeMs: number[] = [];
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const r = await runVisit({ url: 'http://www.server.com/', capture: true });
  const { links } = describeNetwork(r.topology, r.net, r.client);
  analyse(r.events, mediaInfo({ links }));
  nodeMs.push(performance.now() - t0);
}
const nodeRef = median(nodeMs.slice(1));

const srv = await serveStatic(WEB_DIST);
const b = await launch();
const page = b.page;
type W = {
  wiretrail: {
    lastEnterToStory: number;
    frameTimes: number[];
    play(speed?: number): void;
    pause(): void;
    state(): { story: number; error?: string };
  };
};
try {
  await page.goto(srv.url);
  const runs: number[] = [];
  for (let i = 0; i < 6; i++) {
    await runFromAddressBar(page, 'http://www.server.com/');
    const ms = await page.evaluate(() => (globalThis as unknown as W).wiretrail.lastEnterToStory);
    const st = await page.evaluate(() => (globalThis as unknown as W).wiretrail.state());
    if (st.error !== undefined || st.story === 0)
      throw new Error(`the visit did not produce a story: ${st.error}`);
    runs.push(ms);
  }
  const cold = runs[0];
  const warm = median(runs.slice(1));

  // Animation: play the visit at 8× and record frame intervals for 3 s.
  await page.evaluate(() => {
    const w = (globalThis as unknown as W).wiretrail;
    w.frameTimes.length = 0;
    w.play(8);
  });
  await page.waitForTimeout(3000);
  const frames = await page.evaluate(() => {
    const w = (globalThis as unknown as W).wiretrail;
    w.pause();
    return [...w.frameTimes];
  });
  const fps = 1000 / median(frames);
  const meanFps = (1000 * frames.length) / frames.reduce((a, x) => a + x, 0);
  const p95 = pct(frames, 0.95);

  // A file:// load works the same (offline): one run to show it.
  await page.goto(pathToFileURL(INDEX).href);
  await runFromAddressBar(page, 'http://www.server.com/');
  const fileMs = await page.evaluate(() => (globalThis as unknown as W).wiretrail.lastEnterToStory);

  console.log('bench/web — headless chromium, default visit on the default internet');
  console.log(
    `  build                    ${build.built ? `${(build.ms / 1000).toFixed(1)} s` : 'fresh (skipped)'}`,
  );
  console.log(`  Enter → story (cold)     ${cold.toFixed(0)} ms`);
  console.log(
    `  Enter → story (median)   ${warm.toFixed(0)} ms   (runs: ${runs.map((x) => x.toFixed(0)).join(', ')})   target < 1000 ms`,
  );
  console.log(`  Enter → story (file://)  ${fileMs.toFixed(0)} ms`);
  console.log(`  reference: Node runVisit + analysis  ${nodeRef.toFixed(0)} ms`);
  console.log(
    `  animation                ${fps.toFixed(1)} fps (median frame), ${meanFps.toFixed(1)} fps mean, p95 frame ${p95.toFixed(1)} ms over ${frames.length} frames   target 60 fps`,
  );
  console.log(
    JSON.stringify({
      bench: 'web',
      figures: {
        enter_to_story_ms: { value: Math.round(warm), unit: 'ms', target: 1000, better: 'lower' },
        enter_to_story_cold_ms: {
          value: Math.round(cold),
          unit: 'ms',
          target: 1000,
          better: 'lower',
        },
        animation_fps: {
          value: Math.round(fps * 10) / 10,
          unit: 'fps',
          target: 60,
          better: 'higher',
        },
        animation_mean_fps: {
          value: Math.round(meanFps * 10) / 10,
          unit: 'fps',
          target: 60,
          better: 'higher',
        },
        animation_p95_frame_ms: {
          value: Math.round(p95 * 10) / 10,
          unit: 'ms',
          target: 16.7,
          better: 'lower',
        },
        reference_node_visit_ms: {
          value: Math.round(nodeRef),
          unit: 'ms',
          target: 1000,
          better: 'lower',
        },
      },
    }),
  );
} finally {
  await b.close();
  await srv.close();
}
