import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from './scheduler.js';
import { MS } from './time.js';

test('events at the same instant fire in insertion order; time is exact', () => {
  const s = new Scheduler();
  const log: string[] = [];
  s.schedule(5 * MS, () => log.push(`b@${s.now()}`));
  s.schedule(1 * MS, () => log.push(`a@${s.now()}`));
  s.schedule(5 * MS, () => log.push(`c@${s.now()}`));
  s.schedule(5 * MS, () => {
    log.push(`d@${s.now()}`);
    s.schedule(0, () => log.push(`e@${s.now()}`));
  });
  s.runSync();
  assert.deepEqual(log, ['a@1000000', 'b@5000000', 'c@5000000', 'd@5000000', 'e@5000000']);
});

test('cancelled timers never fire', () => {
  const s = new Scheduler();
  let fired = 0;
  const t = s.schedule(10, () => fired++);
  s.schedule(5, () => t.cancel());
  s.runSync();
  assert.equal(fired, 0);
  assert.equal(t.pending, false);
});

test('runSync until leaves the clock at the bound and keeps later events', () => {
  const s = new Scheduler();
  let fired = 0;
  s.schedule(100, () => fired++);
  s.runSync({ until: 50 });
  assert.equal(s.now(), 50);
  assert.equal(fired, 0);
  s.runSync();
  assert.equal(fired, 1);
});

test('an awaiting application never observes a later time than the event that woke it', async () => {
  const s = new Scheduler();
  const seen: [number, number][] = [];
  // A fake "socket read" resolved by a simulated event at 10 ms, 20 ms, 30 ms.
  function readAt(ms: number): Promise<number> {
    return new Promise((resolve) => {
      s.schedule(ms * MS - s.now(), () => {
        s.noteWake();
        resolve(ms);
      });
    });
  }
  // Unrelated events that would advance the clock if continuations were late.
  for (let i = 1; i <= 40; i++) s.schedule(i * MS, () => {});
  async function app(): Promise<void> {
    for (const ms of [10, 20, 30]) {
      const v = await readAt(ms);
      // Several nested awaits: still at the waking instant.
      await Promise.resolve();
      await (async () => {
        await null;
      })();
      seen.push([v, s.now() / MS]);
    }
  }
  const done = app();
  await s.run();
  await done;
  assert.deepEqual(seen, [
    [10, 10],
    [20, 20],
    [30, 30],
  ]);
});

test('runUntilSettled drives an async operation to completion', async () => {
  const s = new Scheduler();
  const p = new Promise<string>((resolve) =>
    s.schedule(3 * MS, () => {
      s.noteWake();
      resolve('done');
    }),
  );
  assert.equal(await s.runUntilSettled(p), 'done');
  assert.equal(s.now(), 3 * MS);
});
