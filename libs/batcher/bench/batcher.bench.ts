/**
 * Per-item overhead of @infermesh/batcher vs `dataloader` (same batch function, maxBatchSize 64,
 * cache off) and vs calling the batch function once per item, measured in the same run. Prints a
 * table, the ratios, and one JSON line of figures at the end.
 */
import DataLoader from 'dataloader';
import { Batcher } from '../src/index.js';

const ITEMS = 100_000;
const MAX_BATCH = 64;
const ROUNDS = 7;

// A trivial runner: the cost measured is the batching machinery, not the work.
const batchFn = async (xs: readonly number[]): Promise<number[]> => xs.map((x) => x * 2);

async function viaBatcher(): Promise<void> {
  const b = new Batcher<number, number>({ run: batchFn, maxBatchSize: MAX_BATCH, maxDelayMs: 5, maxInFlightBatches: 1_000_000, maxQueue: ITEMS });
  const ps: Promise<number>[] = new Array(ITEMS);
  for (let i = 0; i < ITEMS; i += 1) ps[i] = b.add(i);
  await b.drain();
  await Promise.all(ps);
}

async function viaDataLoader(): Promise<void> {
  const loader = new DataLoader<number, number>(batchFn, { maxBatchSize: MAX_BATCH, cache: false });
  const ps: Promise<number>[] = new Array(ITEMS);
  for (let i = 0; i < ITEMS; i += 1) ps[i] = loader.load(i);
  await Promise.all(ps);
}

async function direct(): Promise<void> {
  const ps: Promise<number>[] = new Array(ITEMS);
  for (let i = 0; i < ITEMS; i += 1) ps[i] = batchFn([i]).then((r) => r[0] as number);
  await Promise.all(ps);
}

async function itemsPerSecond(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return ITEMS / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const cases = { batcher: viaBatcher, dataloader: viaDataLoader, direct } as const;
  const samples: Record<keyof typeof cases, number[]> = { batcher: [], dataloader: [], direct: [] };
  for (const fn of Object.values(cases)) await fn(); // warm up
  // Interleaved rounds, so drift on a shared machine hits every case alike.
  for (let r = 0; r < ROUNDS; r += 1) {
    for (const [name, fn] of Object.entries(cases) as Array<[keyof typeof cases, () => Promise<void>]>) {
      samples[name].push(await itemsPerSecond(fn));
    }
  }
  const rate = { batcher: median(samples.batcher), dataloader: median(samples.dataloader), direct: median(samples.direct) };
  const nsPerItem = (ips: number) => 1e9 / ips;
  const rows = [
    ['case', 'items/s (median)', 'ns/item'],
    ...Object.entries(rate).map(([name, ips]) => [name, Math.round(ips).toLocaleString('en-US'), nsPerItem(ips).toFixed(0)]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const out = rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
  const ratios = {
    batcherVsDataloader: rate.batcher / rate.dataloader,
    batcherVsDirect: rate.batcher / rate.direct,
  };
  process.stdout.write(
    `${ITEMS} items, maxBatchSize ${MAX_BATCH}, ${ROUNDS} rounds, node ${process.version}\n${out}\n` +
      `batcher / dataloader: ${ratios.batcherVsDataloader.toFixed(2)}x   batcher / direct: ${ratios.batcherVsDirect.toFixed(2)}x\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      bench: 'batcher', items: ITEMS, maxBatchSize: MAX_BATCH,
      itemsPerSec: Object.fromEntries(Object.entries(rate).map(([k, v]) => [k, Math.round(v)])),
      ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, Number(v.toFixed(3))])),
    })}\n`,
  );
}

await main();
