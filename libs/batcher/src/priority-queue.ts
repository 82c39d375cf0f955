/**
 * The links an entry carries so the queue can unlink it in O(1) when it is cancelled. An entry is in
 * at most one queue at a time; `level === undefined` means it is in none.
 */
export interface QueueEntry {
  readonly priority: number;
  /** When it was queued: the queue reports the oldest entry across all levels. */
  readonly enqueuedAt: number;
  prev: QueueEntry | undefined;
  next: QueueEntry | undefined;
  level: Level | undefined;
}

interface Level {
  readonly priority: number;
  head: QueueEntry | undefined;
  tail: QueueEntry | undefined;
}

/**
 * Higher priority first, FIFO within a priority. One doubly linked list per priority level, levels kept
 * sorted; there are few levels in practice, so finding the oldest entry scans only level heads.
 */
export class PriorityQueue<T extends QueueEntry> {
  #levels: Level[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(entry: T): void {
    const level = this.#levelFor(entry.priority);
    entry.level = level;
    entry.next = undefined;
    entry.prev = level.tail;
    if (level.tail === undefined) level.head = entry;
    else level.tail.next = entry;
    level.tail = entry;
    this.#size += 1;
  }

  /** Unlinks an entry; a no-op for an entry that is not queued. */
  remove(entry: T): void {
    const level = entry.level;
    if (level === undefined) return;
    if (entry.prev === undefined) level.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) level.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = entry.next = entry.level = undefined;
    this.#size -= 1;
    if (level.head === undefined) this.#levels.splice(this.#levels.indexOf(level), 1);
  }

  /** The entry that leaves next. */
  first(): T | undefined {
    return this.#levels[0]?.head as T | undefined;
  }

  /** The entry queued earliest, whatever its priority. */
  oldest(): T | undefined {
    let best: QueueEntry | undefined;
    for (const level of this.#levels) {
      const head = level.head;
      if (head !== undefined && (best === undefined || head.enqueuedAt < best.enqueuedAt)) best = head;
    }
    return best as T | undefined;
  }

  #levelFor(priority: number): Level {
    const levels = this.#levels;
    // Levels are sorted by descending priority; the common case is a single level.
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = (levels[mid] as Level).priority;
      if (p === priority) return levels[mid] as Level;
      if (p > priority) lo = mid + 1;
      else hi = mid;
    }
    const level: Level = { priority, head: undefined, tail: undefined };
    levels.splice(lo, 0, level);
    return level;
  }
}
