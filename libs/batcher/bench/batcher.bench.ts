/**
 * Per-item overhead of @infermesh/batcher vs `dataloader` (same batch function, maxBatchSize 64,
 * cache off) and vs calling the batch function once per item, measured in the same run. Prints a
 * table, the ratios, and one JSON line of figures at the end.
 *
 * Two protocols, both interleaved rounds with medians. `shared heap`: the cases run back to back, so a
 * case also pays for collecting the garbage the case before it left. `own garbage`: a full collection
 * (untimed) before each case and one (timed) right after it, so each case pays for exactly its own.
 */
import DataLoader from 'dataloader';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Batcher } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

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

async function itemsPerSecond(fn: () => Promise<void>, ownGarbage: boolean): Promise<number> {
  if (ownGarbage) gc();
  const start = process.hrtime.bigint();
  await fn();
  if (ownGarbage) gc();
  return ITEMS / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

type Case = 'batcher' | 'dataloader' | 'direct';
const cases: Record<Case, () => Promise<void>> = { batcher: viaBatcher, dataloader: viaDataLoader, direct };

/** Interleaved rounds (drift on a shared machine hits every case alike); the median rate of each case. */
async function measure(ownGarbage: boolean): Promise<Record<Case, number>> {
  const samples: Record<Case, number[]> = { batcher: [], dataloader: [], direct: [] };
  for (let r = 0; r < ROUNDS; r += 1) {
    for (const [name, fn] of Object.entries(cases) as Array<[Case, () => Promise<void>]>) {
      samples[name].push(await itemsPerSecond(fn, ownGarbage));
    }
  }
  return { batcher: median(samples.batcher), dataloader: median(samples.dataloader), direct: median(samples.direct) };
}

function report(title: string, rate: Record<Case, number>): { batcherVsDataloader: number; batcherVsDirect: number } {
  const rows = [
    ['case', 'items/s (median)', 'ns/item'],
    ...Object.entries(rate).map(([name, ips]) => [name, Math.round(ips).toLocaleString('en-US'), (1e9 / ips).toFixed(0)]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const out = rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
  const ratios = { batcherVsDataloader: rate.batcher / rate.dataloader, batcherVsDirect: rate.batcher / rate.direct };
  process.stdout.write(
    `${title}\n${out}\n` +
      `batcher / dataloader: ${ratios.batcherVsDataloader.toFixed(2)}x   batcher / direct: ${ratios.batcherVsDirect.toFixed(2)}x\n`,
  );
  return ratios;
}

const round3 = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v.toFixed(3))]));

async function main(): Promise<void> {
  for (const fn of Object.values(cases)) await fn(); // warm up
  process.stdout.write(`${ITEMS} items, maxBatchSize ${MAX_BATCH}, ${ROUNDS} rounds, node ${process.version}\n`);
  const shared = await measure(false);
  const sharedRatios = report('shared heap (cases back to back):', shared);
  const own = await measure(true);
  const ownRatios = report('own garbage (full GC before each case, untimed, and after it, timed):', own);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'batcher', items: ITEMS, maxBatchSize: MAX_BATCH,
      itemsPerSec: Object.fromEntries(Object.entries(shared).map(([k, v]) => [k, Math.round(v)])),
      ratios: round3(sharedRatios),
      ownGarbage: { itemsPerSec: Object.fromEntries(Object.entries(own).map(([k, v]) => [k, Math.round(v)])), ratios: round3(ownRatios) },
    })}\n`,
  );
}

await main();
