/**
 * Real time for a simulation attached to Linux (Node only; DESIGN.md "Time and application
 * code"). The protocol stack never reads a clock: it is given a Clock. In a simulation that Clock
 * is the Scheduler, which jumps from event to event. When a node is attached to a TAP device,
 * Linux's packets arrive in wall-clock time, so the Scheduler must advance in step with the wall
 * clock instead of jumping:
 *
 *   loop:  now = wall-clock elapsed (+ the simulated instant at start)
 *          run every event whose time ≤ now, letting application continuations run between
 *            instants (Scheduler.run, so `await` semantics are the same as in simulation)
 *          sleep until the next event's time, or until a frame arrives from Linux (inject/kick)
 *
 * The whole topology shares the one Scheduler, so the simulated routers, switches and servers
 * behind the attached node keep running in real time too. Events run late, never early: a frame
 * injected at wall time w is delivered at simulated time w after every earlier event ran.
 *
 * Sleeping uses setTimeout for gaps ≥ `spinBelowNs` (1 ms by default: Node's timers have a 1 ms
 * granularity) and setImmediate below, which keeps polling I/O while waiting for a near event;
 * a gap of a few microseconds (a simulated link's serialisation delay) would otherwise cost 1 ms.
 */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../sim/clock.js';
import { Scheduler } from '../sim/scheduler.js';
import type { Duration, Instant } from '../sim/time.js';

export interface RealtimeOptions {
  /** Gaps shorter than this are waited with setImmediate instead of setTimeout (ns). */
  spinBelowNs?: Duration;
  /** Longest sleep between checks even when nothing is due (ns); a safety net only. */
  maxSleepNs?: Duration;
  /** The wall clock in ns (tests replace it). */
  wallNs?: () => number;
  /** Called when an event throws; default: stop the driver and rethrow from the loop. */
  onError?: (e: unknown) => void;
}

const MAX_TIMEOUT_MS = 0x7fffffff;

export interface RealtimeStats {
  /** Loop iterations (wake-ups). */
  wakeups: number;
  /** Events run. */
  events: number;
  /** Largest observed lag between an event's time and the wall clock when it ran (ns). */
  maxLagNs: number;
}

/**
 * Drives a Scheduler in step with the wall clock. Create it, attach TAP ports (which call
 * `inject`), then `start()`; `stop()` ends the loop (pending events stay queued).
 */
export class RealtimeDriver {
  private readonly spinBelow: Duration;
  private readonly maxSleep: Duration;
  private readonly wall: () => number;
  private readonly onError: ((e: unknown) => void) | undefined;
  private offset = 0;
  private running = false;
  private pumping = false;
  private again = false;
  private sleepTimer: ReturnType<typeof setTimeout> | undefined;
  private sleepImmediate: ReturnType<typeof setImmediate> | undefined;
  /** Simulated instant the current sleep ends at (Infinity when not sleeping on a timer). */
  private sleepingUntil = Infinity;
  private stopped: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;
  private failure: unknown;
  readonly stats: RealtimeStats = { wakeups: 0, events: 0, maxLagNs: 0 };

  constructor(
    readonly scheduler: Scheduler,
    options: RealtimeOptions = {},
  ) {
    this.spinBelow = options.spinBelowNs ?? 1_000_000;
    this.maxSleep = options.maxSleepNs ?? 50_000_000;
    this.wall = options.wallNs ?? (() => Math.round(performance.now() * 1e6));
    this.onError = options.onError;
    // Code outside the loop (an application continuation that awaited something outside the
    // simulation, a CLI command) sees the scheduler's clock only as of the last wake-up, which
    // lags the wall clock while the loop sleeps. For such callers this Scheduler instance reads
    // the wall clock (now, schedule), and an event scheduled before the end of the current sleep
    // cuts the sleep short (at). Inside the loop nothing changes. The shared Scheduler class is
    // untouched; only this instance is wrapped. Code outside should still prefer `inject`.
    const originalAt = scheduler.at.bind(scheduler);
    const originalNow = scheduler.now.bind(scheduler);
    const outside = () => this.running && !this.pumping;
    scheduler.now = (): Instant =>
      outside() ? Math.max(originalNow(), this.simNow()) : originalNow();
    scheduler.schedule = (delay: Duration, fn: () => void): TimerHandle => {
      const d = delay >= 0 ? Math.round(delay) : 0;
      return scheduler.at(scheduler.now() + d, fn);
    };
    scheduler.at = (when: Instant, fn: () => void): TimerHandle => {
      const h = originalAt(when, fn);
      if (outside() && when < this.sleepingUntil) this.kick();
      return h;
    };
  }

  /** The simulated instant that corresponds to the wall clock now. */
  simNow(): Instant {
    return this.wall() + this.offset;
  }

  /** Starts following the wall clock from the scheduler's current instant. */
  start(): void {
    if (this.running) return;
    this.offset = this.scheduler.now() - this.wall();
    this.running = true;
    this.failure = undefined;
    this.stopped = new Promise((r) => (this.resolveStopped = r));
    this.kick();
  }

  /** Stops the loop; resolves when the current iteration has finished. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.cancelSleep();
    if (!this.pumping) this.resolveStopped?.();
    await this.stopped;
  }

  /** Resolves when the driver stops (by stop() or by an error, which it rethrows). */
  async done(): Promise<void> {
    await this.stopped;
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Runs `fn` inside the simulation at the simulated instant matching the wall clock now (after
   * every event due before it), or `delay` ns later: the entry point for frames from Linux.
   */
  inject(fn: () => void, delay: Duration = 0): void {
    const t = this.simNow() + delay;
    this.scheduler.at(t < this.scheduler.now() ? this.scheduler.now() : t, fn);
    this.kick();
  }

  /** Wakes the loop now (something was scheduled from outside). */
  kick(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.cancelSleep();
    void this.pump();
  }

  private cancelSleep(): void {
    if (this.sleepTimer !== undefined) clearTimeout(this.sleepTimer);
    if (this.sleepImmediate !== undefined) clearImmediate(this.sleepImmediate);
    this.sleepTimer = undefined;
    this.sleepImmediate = undefined;
    this.sleepingUntil = Infinity;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    this.sleepImmediate = undefined;
    this.sleepTimer = undefined;
    this.sleepingUntil = Infinity;
    try {
      do {
        this.again = false;
        this.stats.wakeups++;
        const target = this.simNow();
        const first = this.scheduler.peek();
        if (first !== undefined && first <= target) {
          const lag = target - first;
          if (lag > this.stats.maxLagNs) this.stats.maxLagNs = lag;
        }
        this.stats.events += await this.scheduler.run({
          until: Math.max(target, this.scheduler.now()),
        });
      } while (this.again && this.running);
    } catch (e) {
      this.failure = e;
      this.running = false;
      this.pumping = false;
      if (this.onError) {
        this.failure = undefined;
        this.onError(e);
      }
      this.resolveStopped?.();
      return;
    }
    this.pumping = false;
    if (!this.running) {
      this.resolveStopped?.();
      return;
    }
    this.sleep();
  }

  private sleep(): void {
    const next = this.scheduler.peek();
    const now = this.simNow();
    const wake = next === undefined ? now + this.maxSleep : Math.min(next, now + this.maxSleep);
    const gap = wake - now;
    this.sleepingUntil = wake;
    if (gap <= 0) {
      this.sleepImmediate = setImmediate(() => void this.pump());
    } else if (gap < this.spinBelow) {
      this.sleepImmediate = setImmediate(() => {
        this.sleepImmediate = undefined;
        if (this.simNow() >= wake || this.again) void this.pump();
        else this.sleep();
      });
    } else {
      // Wake up a little early (timers fire late by up to ~1 ms) and spin the rest.
      const ms = Math.min(MAX_TIMEOUT_MS, Math.max(1, Math.floor((gap - this.spinBelow) / 1e6)));
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = undefined;
        if (this.simNow() >= wake) void this.pump();
        else this.sleep();
      }, ms);
    }
  }
}

/**
 * A Clock for a stack that runs on its own against Linux (no simulated topology): a Scheduler
 * driven in real time. `now()` is the simulated instant, which follows the wall clock.
 */
export class RealtimeClock implements Clock {
  readonly scheduler: Scheduler;
  readonly driver: RealtimeDriver;

  constructor(options: RealtimeOptions & { scheduler?: Scheduler } = {}) {
    this.scheduler = options.scheduler ?? new Scheduler();
    this.driver = new RealtimeDriver(this.scheduler, options);
    this.driver.start();
  }

  now(): Instant {
    return this.scheduler.now();
  }

  schedule(delay: Duration, fn: () => void): TimerHandle {
    return this.scheduler.schedule(delay, fn);
  }

  noteWake(): void {
    this.scheduler.noteWake();
    this.driver.kick();
  }

  stop(): Promise<void> {
    return this.driver.stop();
  }
}
