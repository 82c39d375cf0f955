/**
 * What an entry carries so the queue can find it again when it is cancelled. An entry is pushed at
 * most once; `level === undefined` means it is not (or no longer) queued.
 */
export interface QueueEntry {
  /** The queue's own record of where the entry waits; opaque outside the queue. */
  level: object | undefined;
  /** Its position in its level, counted over every push the level has had. */
  slot: number;
}

const FIRST_CAPACITY = 16;

/**
 * One priority: its entries in arrival order, with their arrival times in a typed array beside them.
 * Taking from the front moves `head`; a cancelled entry leaves a hole that the front skips. The times
 * live here, not on the entries, because a number field on an object costs a boxed double per entry.
 */
class Level<T extends QueueEntry> {
  priority: number;
  entries: Array<T | undefined> = new Array<T | undefined>(FIRST_CAPACITY);
  times = new Float64Array(FIRST_CAPACITY);
  /** The slot number of `entries[0]`. */
  base = 0;
  /** Index of the first entry still queued. */
  head = 0;
  /** Index one past the last entry pushed. */
  tail = 0;
  live = 0;

  constructor(priority: number) {
    this.priority = priority;
  }

  push(entry: T, time: number): void {
    if (this.tail === this.entries.length) this.#makeRoom();
    entry.level = this;
    entry.slot = this.base + this.tail;
    this.entries[this.tail] = entry;
    this.times[this.tail] = time;
    this.tail += 1;
    this.live += 1;
  }

  timeOf(entry: T): number {
    return this.times[entry.slot - this.base] as number;
  }

  /** Unlinks a queued entry of this level; a hole left at the front is skipped at once. */
  remove(entry: T): void {
    this.entries[entry.slot - this.base] = undefined;
    entry.level = undefined;
    this.live -= 1;
    if (this.live === 0) {
      // Every slot is a hole now: start over at index 0 in the same arrays.
      this.head = this.tail = 0;
      return;
    }
    while (this.entries[this.head] === undefined) this.head += 1;
  }

  #makeRoom(): void {
    const { head, tail } = this;
    const live = tail - head;
    if (head > 0 && live <= this.entries.length >>> 1) {
      // Slide the queued part to the front of the same arrays.
      this.entries.copyWithin(0, head, tail);
      this.entries.fill(undefined, live, tail);
      this.times.copyWithin(0, head, tail);
    } else {
      const entries = new Array<T | undefined>(this.entries.length * 2);
      for (let i = head; i < tail; i += 1) entries[i - head] = this.entries[i];
      const times = new Float64Array(this.times.length * 2);
      times.set(this.times.subarray(head, tail));
      this.entries = entries;
      this.times = times;
    }
    this.base += head;
    this.head = 0;
    this.tail = live;
  }
}

/**
 * Higher priority first, FIFO within a priority, and the arrival time of every entry. One level per
 * priority, levels kept sorted; there are few levels in practice, so finding the oldest entry reads
 * only level heads. The last emptied level is kept for the next new priority, so a queue that keeps
 * filling and emptying reuses its arrays.
 */
export class PriorityQueue<T extends QueueEntry> {
  #levels: Level<T>[] = [];
  #spare: Level<T> | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(entry: T, priority: number, time: number): void {
    this.#levelFor(priority).push(entry, time);
    this.#size += 1;
  }

  /** Unlinks an entry; a no-op for an entry that is not queued. */
  remove(entry: T): void {
    const level = entry.level as Level<T> | undefined;
    if (level === undefined) return;
    level.remove(entry);
    this.#size -= 1;
    if (level.live === 0) {
      this.#levels.splice(this.#levels.indexOf(level), 1);
      this.#spare = level;
    }
  }

  /** When a queued entry was pushed. */
  timeOf(entry: T): number {
    return (entry.level as Level<T>).timeOf(entry);
  }

  /** The entry that leaves next. */
  first(): T | undefined {
    const level = this.#levels[0];
    return level === undefined ? undefined : level.entries[level.head];
  }

  /** The earliest push time among queued entries, whatever their priority. */
  oldestTime(): number | undefined {
    // An indexed loop: this runs on every add, and an array iterator here showed up as ~80 bytes per add.
    const levels = this.#levels;
    let best: number | undefined;
    for (let i = 0; i < levels.length; i += 1) {
      const level = levels[i] as Level<T>;
      const t = level.times[level.head] as number;
      if (best === undefined || t < best) best = t;
    }
    return best;
  }

  #levelFor(priority: number): Level<T> {
    const levels = this.#levels;
    // Levels are sorted by descending priority; the common case is a single level.
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = (levels[mid] as Level<T>).priority;
      if (p === priority) return levels[mid] as Level<T>;
      if (p > priority) lo = mid + 1;
      else hi = mid;
    }
    let level = this.#spare;
    if (level === undefined) level = new Level<T>(priority);
    else {
      this.#spare = undefined;
      level.priority = priority;
    }
    levels.splice(lo, 0, level);
    return level;
  }
}
