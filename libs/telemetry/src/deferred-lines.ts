import type { DestinationStream } from 'pino';

/** Set while a `deferLines` callback writes: the lines it logs may wait. */
let deferring = false;

/**
 * Runs `write` (which logs), letting the lines it writes to a `DeferredLines` stream wait to go out with
 * the ones after them. For lines that come by the thousand a second and that nobody waits for one by
 * one: the access log's. Every other line goes out at once, with what waits before it, in order.
 */
export function deferLines(write: () => void): void {
  deferring = true;
  try {
    write();
  } finally {
    deferring = false;
  }
}

/**
 * A destination that holds deferred lines (`deferLines`) for up to `flushMs`, or until `flushBytes`
 * have gathered, and writes them to `target` in one call; any other line flushes them and goes out
 * with them. Under light traffic a write per access line cost a system call and a thread-pool round
 * trip per request (design.md, stop 36). What waits is written when the process exits normally (the
 * `exit` and `beforeExit` listeners run first); a SIGKILL loses up to `flushMs` of deferred lines.
 */
export class DeferredLines implements DestinationStream {
  readonly #target: DestinationStream;
  readonly #flushMs: number;
  readonly #flushBytes: number;
  #held = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(target: DestinationStream, flushMs: number, flushBytes: number) {
    this.#target = target;
    this.#flushMs = flushMs;
    this.#flushBytes = flushBytes;
    if (flushMs > 0) {
      const flush = (): void => this.flush();
      process.prependListener('beforeExit', flush);
      process.prependListener('exit', flush);
    }
  }

  write(line: string): void {
    if (deferring && this.#flushMs > 0) {
      this.#held += line;
      if (this.#held.length >= this.#flushBytes) this.flush();
      else if (this.#timer === undefined) {
        // Unreferenced: a held line never keeps the process alive; the exit listeners write it.
        this.#timer = setTimeout(() => this.flush(), this.#flushMs).unref();
      }
      return;
    }
    if (this.#held === '') {
      this.#target.write(line);
      return;
    }
    const held = this.#held;
    this.#clear();
    this.#target.write(held + line);
  }

  /** Writes what is held now. */
  flush(): void {
    if (this.#held === '') return;
    const held = this.#held;
    this.#clear();
    try {
      this.#target.write(held);
    } catch {
      // A target closed at exit: nothing is left to write to.
    }
  }

  #clear(): void {
    this.#held = '';
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
