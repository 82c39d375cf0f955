import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flush } from '../tests/fixtures.js';
import { Batcher, BatcherAbortedError, ItemTooLargeError, ManualClock, type BatchInfo, type BatchSignal } from './index.js';

interface Item {
  readonly id: number;
  readonly value: number;
  readonly rows: number;
  readonly controller: AbortController;
}

const echo = (item: Item) => `v${item.value}x${item.rows}`;

const addOp = fc.record({
  type: fc.constant('add' as const),
  key: fc.constantFrom('a', 'b', 'c'),
  rows: fc.integer({ min: 1, max: 5 }),
  priority: fc.integer({ min: 0, max: 2 }),
  value: fc.integer({ min: 0, max: 5 }),
  coalesce: fc.boolean(),
});
const op = fc.oneof(
  { weight: 5, arbitrary: addOp },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('settle' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('turn' as const) }) },
);
const policy = fc.record({
  maxBatchSize: fc.integer({ min: 1, max: 8 }),
  maxDelayMs: fc.integer({ min: 0, max: 10 }),
  maxInFlightBatches: fc.integer({ min: 1, max: 3 }),
  sendAtOnceBelow: fc.integer({ min: 0, max: 3 }),
  gatherTurn: fc.boolean(),
  preferred: fc.boolean(),
});

describe('Batcher property: scatter = gather', () => {
  it('gives every caller exactly its own result or its own abort error, and no batch exceeds maxBatchSize rows', async () => {
    await fc.assert(
      fc.asyncProperty(policy, fc.array(op, { maxLength: 80 }), async (p, ops) => {
        const clock = new ManualClock();
        const sentIds: number[] = [];
        const problems: string[] = [];
        const run = async (items: Item[], _key: string, _signal: BatchSignal, info: BatchInfo) => {
          const rows = items.reduce((n, i) => n + i.rows, 0);
          if (rows > p.maxBatchSize) problems.push(`batch of ${rows} rows > ${p.maxBatchSize}`);
          if (rows !== info.rows) problems.push(`info.rows ${info.rows} != ${rows}`);
          for (const i of items) {
            sentIds.push(i.id);
            if (i.controller.signal.aborted) problems.push(`item ${i.id} sent after it was aborted`);
          }
          await Promise.resolve();
          return items.map(echo);
        };
        const b = new Batcher<Item, string>({
          run, clock, maxBatchSize: p.maxBatchSize, maxDelayMs: p.maxDelayMs, maxInFlightBatches: p.maxInFlightBatches,
          sendAtOnceBelow: p.sendAtOnceBelow, gatherTurn: p.gatherTurn,
          preferredBatchSizes: p.preferred ? [Math.ceil(p.maxBatchSize / 2)] : [], sizeOf: (i) => i.rows,
        });
        const calls: Array<{ item: Item; coalesced: boolean; settled: number; value?: string; error?: unknown }> = [];
        for (const o of ops) {
          if (o.type === 'add') {
            const item: Item = { id: calls.length, value: o.value, rows: o.rows, controller: new AbortController() };
            const record: (typeof calls)[number] = { item, coalesced: o.coalesce, settled: 0 };
            calls.push(record);
            b.add(item, {
              key: o.key, priority: o.priority, signal: item.controller.signal,
              coalesceKey: o.coalesce ? `${o.value}:${o.rows}` : undefined,
            }).then(
              (value) => {
                record.settled += 1;
                record.value = value;
              },
              (error: unknown) => {
                record.settled += 1;
                record.error = error;
              },
            );
          } else if (o.type === 'cancel' && calls.length > 0) {
            calls[o.pick % calls.length]?.item.controller.abort();
          } else if (o.type === 'advance') {
            clock.advance(o.ms);
          } else if (o.type === 'settle') {
            await flush();
          } else if (o.type === 'turn') {
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
        await b.drain();
        await flush();
        expect(problems).toEqual([]);
        for (const c of calls) {
          expect(c.settled).toBe(1);
          if (c.item.rows > p.maxBatchSize) expect(c.error).toBeInstanceOf(ItemTooLargeError);
          else if (c.item.controller.signal.aborted && c.error !== undefined) expect(c.error).toBeInstanceOf(BatcherAbortedError);
          else {
            // Not cancelled, or cancelled only after its batch was answered.
            expect(c.error).toBeUndefined();
            expect(c.value).toBe(echo(c.item));
          }
        }
        // Each item reaches the runner at most once; an uncoalesced, unaborted one exactly once.
        const seen = new Map<number, number>();
        for (const id of sentIds) seen.set(id, (seen.get(id) ?? 0) + 1);
        for (const [id, n] of seen) expect(n, `item ${id}`).toBe(1);
        for (const c of calls) {
          if (!c.coalesced && c.value !== undefined) expect(seen.get(c.item.id), `item ${c.item.id}`).toBe(1);
        }
        const s = b.stats();
        expect(s).toMatchObject({ queueDepth: 0, queuedRows: 0, inFlightBatches: 0 });
        expect(s.items).toBe(s.coalesced + sentIds.length);
      }),
      { numRuns: 300 },
    );
  });
});
