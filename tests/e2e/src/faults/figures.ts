import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the fault tests append their measured figures (one JSON line each), for docs/reliability.md. */
export const FIGURES_FILE = process.env.IM_FAULT_FIGURES ?? join(tmpdir(), 'infermesh-fault-figures.jsonl');

export function recordFigures(fault: string, figures: Record<string, unknown>): void {
  appendFileSync(FIGURES_FILE, `${JSON.stringify({ fault, at: new Date().toISOString(), ...figures })}\n`);
}
