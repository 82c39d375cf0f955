import type { ChildProcess } from 'node:child_process';

interface Task {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Everything the bench started, stopped in reverse order on success, failure or Ctrl-C. Children
 * are also SIGKILLed on process exit, the last resort when a graceful stop hangs.
 */
export class Cleanup {
  #tasks: Task[] = [];
  #children = new Set<ChildProcess>();
  #running: Promise<void> | undefined;

  constructor() {
    process.once('exit', () => {
      for (const child of this.#children) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  }

  add(name: string, run: () => Promise<unknown>): void {
    this.#tasks.push({ name, run });
  }

  /** A child process to kill on exit if its stop task did not end it. */
  track(child: ChildProcess): void {
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
  }

  /** Runs every task once, last added first, each bounded by `timeoutMs`; safe to call twice. */
  runAll(timeoutMs = 10_000): Promise<void> {
    this.#running ??= (async () => {
      for (const task of this.#tasks.splice(0).reverse()) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            process.stderr.write(`bench: stopping ${task.name} took over ${timeoutMs} ms; moving on\n`);
            resolve();
          }, timeoutMs);
        });
        await Promise.race([task.run().catch((error: unknown) => {
          process.stderr.write(`bench: stopping ${task.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
        }), timeout]);
        clearTimeout(timer);
      }
    })();
    return this.#running;
  }
}
