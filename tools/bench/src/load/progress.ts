import type { OnAnswer } from './load-result.js';

export interface ProgressLine {
  onAnswer: OnAnswer;
  /** Ends the line with the step's outcome. */
  done(summary: string): void;
}

/**
 * One line per load step. On a terminal it counts live (rewritten in place every 250 ms); in a log
 * (nx, CI) it prints the finished line only, so the log stays one line per step.
 */
export function progressLine(label: string, out: NodeJS.WriteStream = process.stdout): ProgressLine {
  const live = out.isTTY === true;
  const start = performance.now();
  let ok = 0;
  let failed = 0;
  const render = (): string => {
    const s = (performance.now() - start) / 1000;
    return `  ${label} … ${s.toFixed(1)} s, ${ok} ok${failed ? `, ${failed} failed` : ''}, ${Math.round(ok / Math.max(s, 0.001))} req/s`;
  };
  const timer = live ? setInterval(() => out.write(`\r\x1b[K${render()}`), 250) : undefined;
  timer?.unref();
  return {
    onAnswer: (success) => {
      if (success) ok += 1;
      else failed += 1;
    },
    done: (summary) => {
      if (timer) clearInterval(timer);
      out.write(`${live ? '\r\x1b[K' : ''}  ${label}: ${summary}\n`);
    },
  };
}
