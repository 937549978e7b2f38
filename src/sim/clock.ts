/**
 * The clock the protocol stack sees (DESIGN.md "Time and application code"): the stack never
 * reads a wall clock. In simulation the Scheduler implements this; in src/tap a real-time
 * adapter does.
 */
import type { Duration, Instant } from './time.js';

export interface TimerHandle {
  /** Cancels the timer; cancelling a fired or cancelled timer is a no-op. */
  cancel(): void;
  /** True until the timer fires or is cancelled. */
  readonly pending: boolean;
}

/** See Clock.lane. */
export interface Lane {
  /** Runs `fn(arg)` at instant `at` (≥ now), ordered as `post(at − now, fn, arg)` would be. */
  post<T>(at: Instant, fn: (arg: T) => void, arg: T): void;
}

export interface Clock {
  now(): Instant;
  /** Runs `fn` after `delay` ns (0 = at the current instant, after already-queued events). */
  schedule(delay: Duration, fn: () => void): TimerHandle;
  /**
   * Optional: `schedule(delay, () => fn(arg))` for events that are never cancelled (no
   * handle), without a closure or a timer object per call: for code that schedules an event
   * per packet with one long-lived `fn` (links). Same ordering as schedule.
   */
  post?<T>(delay: Duration, fn: (arg: T) => void, arg: T): void;
  /**
   * Optional: a lane for a stream of post()-like events that are usually posted in time order
   * (a link's arrivals). Same ordering as post(); cheaper when there are many in flight.
   */
  lane?(): Lane;
  /**
   * Marks that stack code resolved a promise an application awaits. The scheduler then lets
   * application continuations run before it advances time (see Scheduler.run).
   */
  noteWake(): void;
}
