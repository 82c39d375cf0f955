import { runAutocannon, type HttpLoadOptions } from './autocannon-run.js';

/**
 * Unrecorded load on a system before its first measured step, counted in answers, not seconds. V8
 * optimises a function after enough calls, not after enough time: a second of load warmed the 30-line
 * plain server (a few functions, thousands of calls each) but left most of a coordinator's request path
 * in the interpreter and baseline tiers, so the first step (1 connection) measured a cold coordinator at
 * 3–4× its warm CPU per answer (1.6–2.0 ms against 0.4 ms on the inline demo model). Every system gets
 * the same warm-up; a server in service has long been warm.
 */
export const WARM_UP = { connections: 16, answers: 20_000 } as const;

/** `WARM_UP.answers` requests at `WARM_UP.connections` (autocannon's `amount`, which overrides the duration). */
export async function warmUp(options: Omit<HttpLoadOptions, 'connections' | 'durationS' | 'amount' | 'onAnswer'>): Promise<void> {
  await runAutocannon({ ...options, connections: WARM_UP.connections, durationS: 0, amount: WARM_UP.answers });
}
