import { runAutocannon } from './autocannon-run.js';
import type { HttpLoadOptions } from './http-load.js';
import { runWrk } from './wrk-run.js';

/**
 * Unrecorded load on a system before its first measured step, counted in answers, not seconds. V8
 * optimises a function after enough calls, not after enough time: a second of load warmed the 30-line
 * plain server (a few functions, thousands of calls each) but left most of a coordinator's request path
 * in the interpreter and baseline tiers, so the first step (1 connection) measured a cold coordinator at
 * 3–4× its warm CPU per answer (1.6–2.0 ms against 0.4 ms on the inline demo model). Every system gets
 * the same warm-up; a server in service has long been warm.
 */
export const WARM_UP = { connections: 16, answers: 20_000 } as const;

/** The load generator a scenario measures with; it warms with the same one. */
export type WarmUpGenerator = 'autocannon' | 'wrk';

type WarmUpOptions = Omit<HttpLoadOptions, 'connections' | 'durationS' | 'amount' | 'onAnswer'>;

/**
 * `WARM_UP.answers` requests at `WARM_UP.connections`. autocannon stops at a count (`amount`, which
 * overrides the duration); wrk has none, so it runs one-second steps (its shortest) until the answers
 * add up, at most a second past the count.
 */
export async function warmUp(options: WarmUpOptions, generator: WarmUpGenerator = 'autocannon'): Promise<void> {
  if (generator === 'autocannon') {
    await runAutocannon({ ...options, connections: WARM_UP.connections, durationS: 0, amount: WARM_UP.answers });
    return;
  }
  let answers = 0;
  while (answers < WARM_UP.answers) {
    const { ok, errors } = await runWrk({ ...options, connections: WARM_UP.connections, durationS: 1 });
    if (ok === 0) throw new Error(`warm-up: no answer from ${options.url} in a second (${errors} errors)`);
    answers += ok;
  }
}
