import type { DestinationStream } from 'pino';
import SonicBoom from 'sonic-boom';

/** Bytes of log lines held for a standard output that is not being read, before lines are dropped. */
const STDOUT_BUFFER_MAX_BYTES = 16 * 1024 * 1024;
/** The longest, ms, the exit flush waits for a reader that has stopped reading (a full pipe) before it gives up. */
export const EXIT_FLUSH_MS = 2_000;

/**
 * Standard output written without a system call per line, and never in the way of the process's exit.
 *
 * process.stdout writes a pipe or a file synchronously on Linux, one system call per record: with an
 * access line per request that was a quarter to a half of an answer's CPU at load. sonic-boom (pino's
 * own writer) writes asynchronously: a line starts out at once when none is in flight, and the lines that
 * come meanwhile go together in the next write. What is left is written synchronously at exit.
 *
 * Used directly rather than through `pino.destination()`, whose exit flush (sonic-boom 4) retries a
 * write that failed for good forever: a process whose reader went away as it exited (a parent that kills
 * its child and exits, a closed `| head`) hung at exit, at 0 % CPU, after its shutdown had finished.
 * Here a reader that is gone (EPIPE, or any other write error) ends the writing, lines after it are
 * dropped, and the exit flush waits at most `EXIT_FLUSH_MS` for a reader that has stopped reading.
 */
export function stdoutStream(): DestinationStream {
  // One writer per process, whoever asks: two on one descriptor would interleave their partial writes, and
  // each would add an exit listener.
  shared ??= openStdout();
  return shared;
}

let shared: DestinationStream | undefined;

function openStdout(): DestinationStream {
  let exitDeadline = Number.POSITIVE_INFINITY;
  const stdout = new SonicBoom({
    fd: 1,
    sync: false,
    // A reader that stops reading (a stalled pipe) must not grow the buffer without bound: past this many
    // bytes waiting, lines are dropped rather than the process's memory taken.
    maxLength: STDOUT_BUFFER_MAX_BYTES,
    // A full pipe is waited for while the process runs; at exit, until the deadline.
    retryEAGAIN: () => performance.now() < exitDeadline,
  });
  let broken = false;
  // Nowhere left to say it: standard output is where this would be said.
  stdout.on('error', () => (broken = true));
  process.on('exit', () => {
    if (broken) return;
    exitDeadline = performance.now() + EXIT_FLUSH_MS;
    try {
      stdout.flushSync();
    } catch {
      // The reader went away, or did not read in time: what is left is lost with it.
    }
  });
  return {
    write: (line: string): void => {
      if (!broken) stdout.write(line);
    },
  };
}
