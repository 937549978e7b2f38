/**
 * The discrete-event scheduler: a binary min-heap ordered by (time, insertion sequence), so that
 * events at the same instant fire in the order they were scheduled (as ns-3 does, and unlike a
 * map-ordered fake clock). Time is an integer number of nanoseconds.
 *
 * Application code and simulated time (DESIGN.md "Time and application code"): applications
 * may `await` promises that the stack resolves inside an event. Their continuations are
 * microtasks, so `run()` lets the microtask queue drain completely (one macrotask turn through a
 * MessageChannel, which exists in Node and in browsers) before it advances the clock past an
 * instant at which a wake-up was noted (Clock.noteWake). An `await` therefore never observes a
 * later time than the event that woke it. `runSync()` skips this and is for code without
 * promises (benchmarks, unit tests of synchronous layers).
 */
import type { Clock, Lane, TimerHandle } from './clock.js';
import type { Duration, Instant } from './time.js';

class Timer implements TimerHandle {
  /** In the heap and not cancelled. */
  pending = true;
  /** Created by post(): no handle escaped, so it is recycled once it has fired. */
  recycle = false;
  constructor(
    /** Written only by post() when it reuses a fired timer. */
    public at: Instant,
    public seq: number,
    public fn: ((arg: unknown) => void) | undefined,
    /** Passed to fn (post); undefined for schedule/at. */
    public arg: unknown,
    /** The scheduler told of a cancellation (timers with a handle: schedule/at). */
    private readonly owner?: Scheduler,
  ) {}
  cancel(): void {
    if (this.pending) this.owner?.noteCancel();
    this.pending = false;
    this.fn = undefined;
    this.arg = undefined;
  }
}

function earlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export interface RunOptions {
  /** Stop before processing events later than this instant (the clock is left at `until`). */
  until?: Instant;
  /** Stop after this many events (a guard against runaway simulations). */
  maxEvents?: number;
}

export class Scheduler implements Clock {
  private heap: Timer[] = [];
  private seq = 0;
  private time: Instant = 0;
  private wakes = 0;
  /** Fired post() timers, reused by post(). */
  private spare: Timer[] = [];
  /** Cancelled timers still in the heap (see noteCancel). */
  private cancelled = 0;
  /** Events processed since creation. */
  processed = 0;

  now(): Instant {
    return this.time;
  }

  schedule(delay: Duration, fn: () => void): TimerHandle {
    if (!(delay >= 0)) delay = 0;
    return this.at(this.time + Math.round(delay), fn);
  }

  /** Schedules at an absolute instant (clamped to now). */
  at(when: Instant, fn: () => void): TimerHandle {
    const t = new Timer(when < this.time ? this.time : when, this.seq++, fn, undefined, this);
    this.push(t);
    return t;
  }

  /** A fire-and-forget event: no closure, and a recycled timer (see Clock.post). */
  post<T>(delay: Duration, fn: (arg: T) => void, arg: T): void {
    if (!(delay >= 0)) delay = 0;
    const when = this.time + Math.round(delay);
    let t = this.spare.pop();
    if (t === undefined) {
      t = new Timer(when, this.seq++, fn as (arg: unknown) => void, arg);
      t.recycle = true;
    } else {
      t.at = when;
      t.seq = this.seq++;
      t.fn = fn as (arg: unknown) => void;
      t.arg = arg;
      t.pending = true;
    }
    this.push(t);
  }

  /** A lane (see EventLane): events posted in time order, one heap entry at a time. */
  lane(): Lane {
    return new EventLane(this);
  }

  /** @internal The sequence number of the next event (EventLane keeps it until queued). */
  takeSeq(): number {
    return this.seq++;
  }

  /** @internal Queues a timer whose `at` and `seq` are already set (EventLane's head). */
  pushTimer(t: Timer): void {
    t.pending = true;
    this.push(t);
  }

  noteWake(): void {
    this.wakes++;
  }

  /**
   * @internal A pending timer was cancelled. It stays in the heap until it reaches the top, but
   * when cancelled timers are most of the heap (request and connect timeouts, idle timers that
   * rarely fire) they are removed at once: the heap stays as deep as the live timers need, and
   * the dead ones do not outlive their owners. Events are ordered by (instant, sequence), a
   * total order, so the order they run in is unchanged.
   */
  noteCancel(): void {
    if (++this.cancelled >= 1024 && this.cancelled * 2 > this.heap.length) this.compact();
  }

  private compact(): void {
    const h = this.heap.filter((t) => t.pending);
    this.heap = h;
    this.cancelled = 0;
    for (let i = (h.length >> 1) - 1; i >= 0; i--) this.siftDown(i, h[i]);
  }

  /** Number of events still queued (cancelled ones included until popped or compacted). */
  get size(): number {
    return this.heap.length;
  }

  /** Instant of the next live event, or undefined when idle. */
  peek(): Instant | undefined {
    this.dropCancelled();
    return this.heap.length > 0 ? this.heap[0].at : undefined;
  }

  /** Runs one event; returns false when there is none (or the next is after `until`). */
  step(until = Infinity): boolean {
    this.dropCancelled();
    const top = this.heap[0];
    if (top === undefined || top.at > until) return false;
    this.pop();
    this.time = top.at;
    const fn = top.fn!;
    const arg = top.arg;
    top.pending = false;
    top.fn = undefined;
    top.arg = undefined;
    this.processed++;
    if (top.recycle) this.spare.push(top);
    fn(arg);
    return true;
  }

  /** Runs events synchronously (no microtask draining). Returns the number of events run. */
  runSync(options: RunOptions = {}): number {
    const until = options.until ?? Infinity;
    const max = options.maxEvents ?? Infinity;
    let n = 0;
    while (n < max && this.step(until)) n++;
    if (until !== Infinity && until > this.time && n < max) this.time = until;
    return n;
  }

  /**
   * Runs events, letting application continuations run between instants (see file header).
   * Resolves when the queue is empty, `until` is reached, or `maxEvents` ran.
   */
  async run(options: RunOptions = {}): Promise<number> {
    const until = options.until ?? Infinity;
    const max = options.maxEvents ?? Infinity;
    let n = 0;
    const drain = new MicrotaskDrain();
    try {
      for (;;) {
        if (this.wakes > 0) {
          this.wakes = 0;
          await drain.turn();
          continue; // continuations may have scheduled events at the current instant
        }
        if (n >= max || !this.step(until)) break;
        n++;
      }
      // Continuations may have been woken by the very last event.
      while (this.wakes > 0) {
        this.wakes = 0;
        await drain.turn();
        if (this.peek() !== undefined && this.peek()! <= until && n < max) {
          n += await this.run({ until, maxEvents: max - n });
        }
      }
    } finally {
      drain.close();
    }
    if (until !== Infinity && until > this.time && n < max) this.time = until;
    return n;
  }

  /**
   * Runs until `promise` settles (or the queue empties), then returns its value. The usual way
   * for a test or tool to drive an async application to completion.
   */
  async runUntilSettled<T>(promise: Promise<T>, options: RunOptions = {}): Promise<T> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    const until = options.until ?? Infinity;
    const drain = new MicrotaskDrain();
    try {
      await drain.turn();
      let n = 0;
      const max = options.maxEvents ?? Infinity;
      while (!settled) {
        if (this.wakes > 0) {
          this.wakes = 0;
          await drain.turn();
          continue;
        }
        if (n >= max || !this.step(until)) {
          await drain.turn();
          if (settled) continue;
          // Continuations that ran in that turn may have scheduled more work (a socket write
          // after an `await` whose resolver did not call noteWake): keep going if so.
          const next = this.peek();
          if (n < max && next !== undefined && next <= until) continue;
          break;
        }
        n++;
      }
    } finally {
      drain.close();
    }
    if (!settled) throw new Error('simulation went idle before the awaited operation finished');
    return promise;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && !this.heap[0].pending) {
      this.pop();
      this.cancelled--;
    }
  }

  private push(t: Timer): void {
    const h = this.heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(t, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = t;
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) this.siftDown(0, last);
    return top;
  }

  /** Places `t` at index i or below, moving earlier children up. */
  private siftDown(i: number, t: Timer): void {
    const h = this.heap;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && earlier(h[r], h[l]) ? r : l;
      if (!earlier(h[c], t)) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = t;
  }
}

/**
 * A lane: a stream of fire-and-forget events whose instants do not decrease from one post to
 * the next, as a link's arrivals (each frame's last bit arrives after the previous frame's).
 * Each event takes its sequence number when posted, exactly as post() would, but only the
 * lane's earliest event sits in the heap: ordered by (instant, sequence), a later event of the
 * lane can never run before an earlier one, so keeping the rest in a FIFO changes no order and
 * keeps the heap as small as the number of lanes and timers, not of frames in flight. An event
 * posted out of order (a link whose delay was lowered) goes to the heap directly.
 */
class EventLane implements Lane {
  /** A ring of pending events (instant, sequence, function, argument); grows by doubling. */
  private ats: number[] = new Array<number>(16).fill(0);
  private seqs: number[] = new Array<number>(16).fill(0);
  private fns: (((arg: unknown) => void) | undefined)[] = new Array(16).fill(undefined);
  private args: unknown[] = new Array(16).fill(undefined);
  private head = 0;
  private count = 0;
  private lastAt = 0;
  /** The heap entry of the earliest event, reused from one event to the next. */
  private readonly timer: Timer;
  private readonly fire = (): void => this.fireHead();

  constructor(private readonly s: Scheduler) {
    this.timer = new Timer(0, 0, undefined, undefined);
    this.timer.pending = false;
  }

  post<T>(at: Instant, fn: (arg: T) => void, arg: T): void {
    const now = this.s.now();
    if (at < now) at = now;
    if (at < this.lastAt) {
      this.s.post(at - now, fn, arg);
      return;
    }
    this.lastAt = at;
    const seq = this.s.takeSeq();
    if (this.count === this.ats.length) this.grow();
    const i = (this.head + this.count) & (this.ats.length - 1);
    this.ats[i] = at;
    this.seqs[i] = seq;
    this.fns[i] = fn as (arg: unknown) => void;
    this.args[i] = arg;
    this.count++;
    if (this.count === 1) this.arm(at, seq);
  }

  /** Doubles the ring, unrolling it so that the head is at index 0. */
  private grow(): void {
    const n = this.ats.length;
    const ats = new Array<number>(2 * n).fill(0);
    const seqs = new Array<number>(2 * n).fill(0);
    const fns = new Array<((arg: unknown) => void) | undefined>(2 * n).fill(undefined);
    const args = new Array<unknown>(2 * n).fill(undefined);
    for (let k = 0; k < n; k++) {
      const i = (this.head + k) & (n - 1);
      ats[k] = this.ats[i];
      seqs[k] = this.seqs[i];
      fns[k] = this.fns[i];
      args[k] = this.args[i];
    }
    this.ats = ats;
    this.seqs = seqs;
    this.fns = fns;
    this.args = args;
    this.head = 0;
  }

  private arm(at: Instant, seq: number): void {
    const t = this.timer;
    t.at = at;
    t.seq = seq;
    t.fn = this.fire;
    this.s.pushTimer(t);
  }

  private fireHead(): void {
    const i = this.head;
    const fn = this.fns[i]!;
    const arg = this.args[i];
    this.fns[i] = undefined;
    this.args[i] = undefined;
    this.head = (i + 1) & (this.ats.length - 1);
    if (--this.count > 0) this.arm(this.ats[this.head], this.seqs[this.head]);
    else this.lastAt = 0;
    fn(arg);
  }
}

/**
 * One macrotask turn: resolves after every microtask queued before it has run. Uses
 * MessageChannel (Node ≥ 15 and every browser), not timers, so no wall-clock delay is involved.
 */
class MicrotaskDrain {
  private channel: InstanceType<typeof MessageChannel> | undefined;
  private waiting: (() => void)[] = [];

  turn(): Promise<void> {
    if (this.channel === undefined) {
      this.channel = new MessageChannel();
      // addEventListener exists on MessagePort in browsers and in Node (an EventTarget there).
      const port = this.channel.port1 as unknown as {
        addEventListener(type: 'message', fn: () => void): void;
        start?(): void;
      };
      port.addEventListener('message', () => {
        const w = this.waiting;
        this.waiting = [];
        for (const r of w) r();
      });
      port.start?.();
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.channel!.port2.postMessage(0);
    });
  }

  close(): void {
    if (this.channel !== undefined) {
      this.channel.port1.close();
      this.channel.port2.close();
      this.channel = undefined;
    }
  }
}
