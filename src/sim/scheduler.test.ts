import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
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

test('cancelled timers are compacted out of the heap; the others fire in the same order', () => {
  const s = new Scheduler();
  const log: number[] = [];
  const handles = [];
  // Same instants for many timers: the sequence number must still decide among them.
  for (let i = 0; i < 5000; i++) handles.push(s.schedule((i % 7) * MS, () => log.push(i)));
  for (let i = 0; i < 5000; i++) if (i % 5 !== 0) handles[i].cancel();
  assert.ok(s.size < 2000, `heap of ${s.size} after cancelling 4,000 of 5,000`);
  // cancelling again, or after firing, counts nothing
  handles[1].cancel();
  s.runSync();
  const expected = [...Array(5000).keys()]
    .filter((i) => i % 5 === 0)
    .sort((a, b) => (a % 7) - (b % 7) || a - b);
  assert.deepEqual(log, expected);
  assert.equal(s.size, 0);
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

test('property: events fire in (time, insertion) order for schedule and post, with nesting and cancels', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(50), fc.nat(3), fc.boolean()), { minLength: 1, maxLength: 400 }),
      (ops) => {
        const s = new Scheduler();
        const fired: [number, number][] = [];
        const expected: [number, number][] = [];
        let id = 0;
        const handles: ({ cancel(): void } | undefined)[] = [];
        const cancelled = new Set<number>();
        const add = (delay: number, children: number): void => {
          const me = id++;
          expected.push([s.now() + delay, me]);
          const fire = (x: number): void => {
            fired.push([s.now(), x]);
            for (let k = 0; k < children; k++) add(ops[(x + k) % ops.length][0], 0);
          };
          // Odd ids through post (recycled timers, no handle), even ids through schedule: one
          // order for both.
          if (me & 1) {
            s.post(delay, fire, me);
            handles.push(undefined);
          } else handles.push(s.schedule(delay, () => fire(me)));
        };
        for (const [delay, children, cancel] of ops) {
          add(delay, children);
          if (cancel && handles.length > 2) {
            const victim = ((delay * 7) % handles.length) & ~1; // a schedule() one
            handles[victim]!.cancel();
            cancelled.add(victim);
          }
        }
        s.runSync();
        // Every fired event is at its time, times never go back, and at one instant the
        // insertion order (id) is kept.
        for (let i = 1; i < fired.length; i++) {
          const [t0, a] = fired[i - 1];
          const [t1, b] = fired[i];
          assert.ok(t1 > t0 || (t1 === t0 && b > a), `order at ${i}`);
        }
        const want = expected.filter(([, x]) => !cancelled.has(x));
        assert.deepEqual(
          fired.map(([, x]) => x).sort((p, q) => p - q),
          want.map(([, x]) => x).sort((p, q) => p - q),
        );
        for (const [t, x] of fired) assert.equal(t, expected[x][0]);
      },
    ),
  );
});

test('property: lanes fire in exactly the order plain post() would, in or out of time order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(2), fc.nat(30), fc.nat(3)), { minLength: 1, maxLength: 300 }),
      (ops) => {
        /** Runs `ops` (lane index or 2 = plain post, delay, children), with or without lanes. */
        const run = (useLanes: boolean): string[] => {
          const s = new Scheduler();
          const lanes = [s.lane(), s.lane()];
          // Each lane's events mostly go forward in time; every third one steps back.
          const laneAt = [0, 0];
          const log: string[] = [];
          let id = 0;
          const add = (k: number, delay: number, children: number): void => {
            const me = id++;
            const fire = (x: number): void => {
              log.push(`${x}@${s.now()}`);
              for (let c = 0; c < children; c++) {
                const [k2, d2] = ops[(x + c) % ops.length];
                add(k2, d2, 0);
              }
            };
            if (k === 2) {
              s.post(delay, fire, me);
              return;
            }
            const at = me % 3 === 2 ? s.now() + (delay >> 1) : Math.max(laneAt[k], s.now()) + delay;
            laneAt[k] = Math.max(laneAt[k], at);
            if (useLanes) lanes[k].post(at, fire, me);
            else s.post(at - s.now(), fire, me);
          };
          for (const [k, delay, children] of ops) add(k, delay, children);
          s.runSync();
          return log;
        };
        assert.deepEqual(run(true), run(false));
      },
    ),
  );
});
