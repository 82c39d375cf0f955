/**
 * One run: lookups/s per strategy against the `hashring` package (ratio), load balance as peak-to-mean
 * over 100k keys, and the fraction of keys that move when one of N nodes leaves or joins (ideal 1/N).
 * Markdown tables, then one JSON line.
 */
import HashRingBaseline from 'hashring';
import { createShardingStrategy, loadHash, STRATEGY_NAMES, type ShardingStrategy, type StrategyName } from '../src/index.js';

await loadHash();

const KEYS = Array.from({ length: 100_000 }, (_, i) => `request:${i}:${(i * 2_654_435_761) >>> 0}`);
const ROUNDS = 5;
const SIZES = [10, 100] as const;
const nodeNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}:7000`);

interface Lookup {
  get(key: string): string;
  add(node: string): void;
  remove(node: string): void;
}

function ours(name: StrategyName, nodes: readonly string[]): Lookup & { strategy: ShardingStrategy } {
  const strategy = createShardingStrategy(name);
  for (const n of nodes) strategy.add(n);
  return { strategy, get: (k) => strategy.lookup(k), add: (n) => strategy.add(n), remove: (n) => strategy.remove(n) };
}

function baseline(nodes: readonly string[]): Lookup {
  const ring = new HashRingBaseline([...nodes]);
  return { get: (k) => ring.get(k), add: (n) => void ring.add(n), remove: (n) => void ring.remove(n) };
}

function lookupsPerSecond(l: Lookup): number {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += l.get(KEYS[i]!).length;
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (const k of KEYS) sink += l.get(k).length;
    const ns = Number(process.hrtime.bigint() - t0);
    rates.push(KEYS.length / (ns / 1e9));
  }
  if (sink === 0) throw new Error('unreachable');
  return rates.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

function peakToMean(owner: (k: string) => string, n: number): number {
  const counts = new Map<string, number>();
  for (const k of KEYS) {
    const o = owner(k);
    counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  return Math.max(...counts.values()) / (KEYS.length / n);
}

function movedFraction(make: () => Lookup, change: (l: Lookup) => void): number {
  const l = make();
  const before = KEYS.map((k) => l.get(k));
  change(l);
  let moved = 0;
  KEYS.forEach((k, i) => void (l.get(k) !== before[i] && moved++));
  return moved / KEYS.length;
}

type Row = { speed: Record<number, { perSecond: number; ratio: number }>; peakToMean: Record<number, number>; moveOnRemove: Record<number, number>; moveOnAdd: Record<number, number> };
const names = ['hashring (baseline)', ...STRATEGY_NAMES] as const;
const results: Record<string, Row> = {};
const make = (name: (typeof names)[number], nodes: readonly string[]): Lookup => (name === 'hashring (baseline)' ? baseline(nodes) : ours(name, nodes));

for (const name of names) results[name] = { speed: {}, peakToMean: {}, moveOnRemove: {}, moveOnAdd: {} };
for (const n of SIZES) {
  const nodes = nodeNames(n);
  const base = lookupsPerSecond(baseline(nodes));
  for (const name of names) {
    const row = results[name]!;
    const perSecond = name === 'hashring (baseline)' ? base : lookupsPerSecond(make(name, nodes));
    row.speed[n] = { perSecond: Math.round(perSecond), ratio: Number((perSecond / base).toFixed(2)) };
    if (name === 'bounded-load') {
      // Every key held as an active assignment: the case bounded loads exist for.
      const s = ours('bounded-load', nodes).strategy as ReturnType<typeof createShardingStrategy<'bounded-load'>>;
      row.peakToMean[n] = peakToMean((k) => s.assign(k).node, n);
    } else {
      const l = make(name, nodes);
      row.peakToMean[n] = peakToMean((k) => l.get(k), n);
    }
    row.moveOnRemove[n] = movedFraction(() => make(name, nodes), (l) => l.remove(nodes[Math.floor(n / 2)]!));
    row.moveOnAdd[n] = movedFraction(() => make(name, nodes), (l) => l.add('10.9.9.9:7000'));
  }
}

const f = (x: number, d = 3): string => x.toFixed(d);
const out: string[] = [
  `### Lookups per second (100k distinct keys, median of ${ROUNDS} rounds, node ${process.version}); ratio vs hashring`,
  '',
  '| strategy | 10 nodes | ratio | 100 nodes | ratio |',
  '|---|---:|---:|---:|---:|',
  ...names.map((name) => {
    const s = results[name]!.speed;
    return `| ${name} | ${s[10]!.perSecond.toLocaleString('en-US')} | ${f(s[10]!.ratio, 2)} | ${s[100]!.perSecond.toLocaleString('en-US')} | ${f(s[100]!.ratio, 2)} |`;
  }),
  '',
  '### Load balance: peak-to-mean keys per node over 100k keys (1.000 is perfect)',
  '',
  '| strategy | 10 nodes | 100 nodes |',
  '|---|---:|---:|',
  ...names.map((name) => `| ${name} | ${f(results[name]!.peakToMean[10]!)} | ${f(results[name]!.peakToMean[100]!)} |`),
  '',
  '### Keys moved when one node leaves or joins (ideal: 1/N on remove, 1/(N+1) on add)',
  '',
  '| strategy | remove, N=10 | add, N=10 | remove, N=100 | add, N=100 |',
  '|---|---:|---:|---:|---:|',
  `| ideal | ${f(1 / 10)} | ${f(1 / 11)} | ${f(1 / 100)} | ${f(1 / 101)} |`,
  ...names.map((name) => {
    const r = results[name]!;
    return `| ${name} | ${f(r.moveOnRemove[10]!)} | ${f(r.moveOnAdd[10]!)} | ${f(r.moveOnRemove[100]!)} | ${f(r.moveOnAdd[100]!)} |`;
  }),
  '',
  JSON.stringify({ bench: '@infermesh/router', keys: KEYS.length, node: process.version, results }),
  '',
];
process.stdout.write(out.join('\n'));
