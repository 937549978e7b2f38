/**
 * Promise helpers over simulated time for application code (tools, servers, tests). Every
 * resolution calls Clock.noteWake() so the scheduler lets the awaiting code run before it
 * advances the clock (DESIGN.md "Time and application code").
 */
import type { Clock, TimerHandle } from './clock.js';
import type { Duration } from './time.js';

/** Resolves after `delay` ns of simulated time. */
export function sleep(clock: Clock, delay: Duration): Promise<void> {
  return new Promise((resolve) => {
    clock.schedule(delay, () => {
      clock.noteWake();
      resolve();
    });
  });
}

/**
 * A one-shot wake-up an app can wait on, with an optional deadline: `wait(deadline)` resolves
 * true when `wake()` was called, false at the deadline (absolute instant).
 */
export class Waker {
  private resolve: ((woken: boolean) => void) | undefined;
  private timer: TimerHandle | undefined;
  private pendingWake = false;

  constructor(private readonly clock: Clock) {}

  wake(): void {
    if (this.resolve === undefined) {
      this.pendingWake = true;
      return;
    }
    this.finish(true);
  }

  wait(deadline = Infinity): Promise<boolean> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.resolve = resolve;
      if (deadline !== Infinity) {
        this.timer = this.clock.schedule(Math.max(0, deadline - this.clock.now()), () =>
          this.finish(false),
        );
      }
    });
  }

  private finish(woken: boolean): void {
    const r = this.resolve;
    this.resolve = undefined;
    this.timer?.cancel();
    this.timer = undefined;
    if (r !== undefined) {
      this.clock.noteWake();
      r(woken);
    }
  }
}
