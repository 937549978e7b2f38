import assert from 'node:assert/strict';
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { Scheduler } from '../sim/scheduler.js';
import { MS } from '../sim/time.js';
import { RealtimeClock, RealtimeDriver } from './realtime.js';

const wallNs = () => performance.now() * 1e6;

test('events run when the wall clock reaches their instant, never before', async () => {
  const s = new Scheduler();
  const d = new RealtimeDriver(s);
  const t0 = wallNs();
  const ran: { at: number; wall: number }[] = [];
  for (const delay of [2 * MS, 15 * MS, 0.2 * MS, 30 * MS]) {
    s.schedule(delay, () => ran.push({ at: s.now(), wall: wallNs() - t0 }));
  }
  d.start();
  await new Promise((r) => setTimeout(r, 60));
  const nowOutside = s.now();
  await d.stop();
  assert.deepEqual(
    ran.map((r) => r.at),
    [0.2 * MS, 2 * MS, 15 * MS, 30 * MS],
  );
  for (const r of ran) {
    assert.ok(r.wall >= r.at - 0.05 * MS, `event at ${r.at} ran at wall ${r.wall}`);
    assert.ok(r.wall - r.at < 20 * MS, `event at ${r.at} ran ${(r.wall - r.at) / MS} ms late`);
  }
  // Outside the loop the scheduler reads the wall clock (it lags only inside a sleep).
  assert.ok(nowOutside >= 55 * MS, `now ${nowOutside}`);
});

test('inject runs at the wall instant after earlier events; events scheduled from outside cut a sleep short', async () => {
  const s = new Scheduler();
  const d = new RealtimeDriver(s, { maxSleepNs: 10_000 * MS });
  const order: string[] = [];
  s.schedule(5 * MS, () => order.push('timer'));
  s.schedule(5_000 * MS, () => order.push('far'));
  d.start();
  await new Promise((r) => setTimeout(r, 15));
  let injectedAt = 0;
  d.inject(() => {
    injectedAt = s.now();
    order.push('frame');
  });
  await new Promise((r) => setTimeout(r, 5));
  // Scheduled from outside the loop while it sleeps until "far": must still run on time.
  const before = wallNs();
  let ranAfter = -1;
  s.schedule(3 * MS, () => {
    ranAfter = wallNs() - before;
    order.push('outside');
  });
  await new Promise((r) => setTimeout(r, 30));
  await d.stop();
  assert.deepEqual(order, ['timer', 'frame', 'outside']);
  assert.ok(injectedAt >= 14 * MS, `injected at ${injectedAt}`);
  assert.ok(
    ranAfter >= 2.9 * MS && ranAfter < 20 * MS,
    `outside timer ran after ${ranAfter / MS} ms`,
  );
});

test('application continuations run before time advances (same as Scheduler.run)', async () => {
  const clock = new RealtimeClock();
  const s = clock.scheduler;
  const seen: string[] = [];
  const waitFor = (delay: number) =>
    new Promise<number>((resolve) =>
      clock.schedule(delay, () => {
        clock.noteWake();
        resolve(clock.now());
      }),
    );
  const start = clock.now();
  const app = (async () => {
    const a = await waitFor(2 * MS);
    seen.push(`woke ${a - start} now ${s.now() - start}`);
    const b = await waitFor(1 * MS);
    seen.push(`woke ${b} now ${s.now()}`);
  })();
  s.at(start + 2 * MS + 1, () => seen.push('next event'));
  await app;
  await clock.stop();
  assert.equal(seen[0], `woke ${2 * MS} now ${2 * MS}`);
  assert.equal(seen[1], 'next event');
  assert.match(seen[2], /^woke (\d+) now \1$/);
});

test('an event that throws stops the driver and done() rejects', async () => {
  const s = new Scheduler();
  const d = new RealtimeDriver(s);
  s.schedule(1 * MS, () => {
    throw new Error('boom');
  });
  d.start();
  await assert.rejects(d.done(), /boom/);
});
