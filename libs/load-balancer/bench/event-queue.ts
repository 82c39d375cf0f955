import type { Clock } from '../src/index.js';

interface Event {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A discrete-event scheduler that is also the balancer's clock: `setTimeout` files an event, `now()`
 * is the time of the event being run. Nothing sleeps; a simulated minute runs in milliseconds.
 */
export class EventQueue implements Clock {
  readonly #heap: Event[] = [];
  readonly #cancelled = new Set<number>();
  #now = 0;
  #seq = 0;

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const seq = ++this.#seq;
    this.#push({ at: this.#now + Math.max(0, ms), seq, fn });
    return seq;
  }

  clearTimeout(handle: unknown): void {
    this.#cancelled.add(handle as number);
  }

  /** Runs events in time order until none are left or `until` is passed. */
  run(until = Infinity): void {
    for (;;) {
      const event = this.#pop();
      if (event === undefined || event.at > until) return;
      if (this.#cancelled.delete(event.seq)) continue;
      this.#now = event.at;
      event.fn();
    }
  }

  #less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(event: Event): void {
    const h = this.#heap;
    h.push(event);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as Event;
      if (!this.#less(event, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = event;
  }

  #pop(): Event | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && this.#less(h[r] as Event, h[l] as Event) ? r : l;
      if (!this.#less(h[c] as Event, last)) break;
      h[i] = h[c] as Event;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
