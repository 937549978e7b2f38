/**
 * A small typed event emitter for socket-like objects (Node's `events` module is not available
 * in the browser-safe core). Listeners run synchronously in registration order.
 */
export type Listener<A extends unknown[]> = (...args: A) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private handlers: { [K in keyof Events]?: Listener<Events[K]>[] } = {};

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): this {
    (this.handlers[event] ??= []).push(fn);
    return this;
  }

  once<K extends keyof Events>(event: K, fn: Listener<Events[K]>): this {
    const wrapper: Listener<Events[K]> = (...args) => {
      this.off(event, wrapper);
      fn(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof Events>(event: K, fn: Listener<Events[K]>): this {
    const list = this.handlers[event];
    if (list) this.handlers[event] = list.filter((h) => h !== fn);
    return this;
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.handlers[event]?.length ?? 0;
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const list = this.handlers[event];
    if (!list || list.length === 0) return false;
    for (const h of list.slice()) h(...args);
    return true;
  }
}
