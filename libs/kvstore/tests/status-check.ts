import { expect } from 'vitest';
import type { GetOrComputeStatus, KeyValueStore } from '../src/index.js';

/** Every tier reports what one getOrCompute did: miss (it computed), joined (shared a flight), then hit. */
export async function expectStatusReported(store: KeyValueStore<{ n: number }>): Promise<void> {
  let release!: (v: { n: number }) => void;
  const gate = new Promise<{ n: number }>((r) => (release = r));
  const first: GetOrComputeStatus = {};
  const second: GetOrComputeStatus = {};
  const a = store.getOrCompute('status-key', () => gate, { status: first });
  const b = store.getOrCompute('status-key', () => ({ n: -1 }), { status: second });
  await new Promise((r) => setTimeout(r, 20));
  release({ n: 7 });
  expect(await Promise.all([a, b])).toEqual([{ n: 7 }, { n: 7 }]);
  expect([first.outcome, second.outcome]).toEqual(['miss', 'joined']);
  const third: GetOrComputeStatus = {};
  expect(await store.getOrCompute('status-key', () => ({ n: -1 }), { status: third })).toEqual({ n: 7 });
  expect(third.outcome).toBe('hit');
}
