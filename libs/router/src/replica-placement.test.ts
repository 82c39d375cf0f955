import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desiredReplicas, planPlacement, type PlaceableEntry, type PlacementWorker } from './replica-placement.js';

const MB = 2 ** 20;
const worker = (id: string, o: { memoryMb?: number; load?: number; loaded?: string[]; repo?: Record<string, PlaceableEntry> } = {}): PlacementWorker => ({
  id,
  memoryBytes: o.memoryMb === undefined ? Infinity : o.memoryMb * MB,
  load: o.load ?? 0,
  loaded: new Set(o.loaded ?? []),
  placeable: new Map(Object.entries(o.repo ?? {})),
});
const ask = (replicas: number | undefined, memoryMb = 1): PlaceableEntry => ({ replicas, memoryBytes: memoryMb * MB });

describe('desiredReplicas', () => {
  it('takes the largest ask among the holders, and ignores models without one', () => {
    const d = desiredReplicas([worker('a', { repo: { m: ask(1), n: ask(undefined) } }), worker('b', { repo: { m: ask(3) } })]);
    expect([...d]).toEqual([['m', 3]]);
  });
});

describe('planPlacement', () => {
  it('places an ask on the least busy holders, ties by id', () => {
    const plan = planPlacement([
      worker('c', { repo: { m: ask(2) } }),
      worker('b', { load: 0.5, repo: { m: ask(2) } }),
      worker('a', { repo: { m: ask(2) } }),
    ]);
    expect(plan.actions).toEqual([{ type: 'load', model: 'm', workerId: 'a' }, { type: 'load', model: 'm', workerId: 'c' }]);
    expect(plan.models).toEqual([{ model: 'm', desired: 2, actual: 0, servedBy: [] }]);
  });

  it('breaks a tie of load by the most memory free, counting what it already serves and what the plan adds', () => {
    const repo = { big: ask(1, 60), small: ask(2, 10), other: ask(undefined, 30) };
    const plan = planPlacement([
      worker('a', { memoryMb: 100, loaded: ['other'], repo }),
      worker('b', { memoryMb: 100, repo }),
    ]);
    // big (60) first, on b (100 free against a's 70); then small on a (70 free against b's 40), then on b.
    expect(plan.actions).toEqual([
      { type: 'load', model: 'big', workerId: 'b' },
      { type: 'load', model: 'small', workerId: 'a' },
      { type: 'load', model: 'small', workerId: 'b' },
    ]);
  });

  it('does nothing when every ask is met, and leaves models without an ask alone', () => {
    const plan = planPlacement([
      worker('a', { loaded: ['m', 'free'], repo: { m: ask(1), free: ask(undefined) } }),
      worker('b', { loaded: ['free'], repo: { m: ask(1), free: ask(undefined) } }),
    ]);
    expect(plan.actions).toEqual([]);
    expect(plan.models).toEqual([{ model: 'm', desired: 1, actual: 1, servedBy: ['a'] }]);
  });

  it('reports an ask it cannot meet for want of memory, and still places what fits', () => {
    const plan = planPlacement([
      worker('a', { memoryMb: 50, repo: { m: ask(3, 40) } }),
      worker('b', { memoryMb: 30, repo: { m: ask(3, 40) } }),
      worker('c', { memoryMb: 100, loaded: ['n'], repo: { m: ask(3, 40), n: ask(undefined, 70) } }),
    ]);
    expect(plan.actions).toEqual([{ type: 'load', model: 'm', workerId: 'a' }]);
    expect(plan.models[0]?.shortfall).toBe('1 of 3 replicas: the other 2 worker(s) holding it lack 41943040 bytes free');
  });

  it('reports an ask no other worker can take because none holds the model', () => {
    const plan = planPlacement([worker('a', { loaded: ['m'], repo: { m: ask(2) } }), worker('b')]);
    expect(plan.actions).toEqual([]);
    expect(plan.models[0]).toMatchObject({ desired: 2, actual: 1, shortfall: '1 of 2 replicas: no other worker holds it in its repository' });
  });

  it('re-places the copy of a worker that is gone on a holder still there', () => {
    // Worker b served m; it is not in the list any more.
    const plan = planPlacement([worker('a', { repo: { m: ask(1) } }), worker('c', { loaded: ['x'], repo: { m: ask(1) } })]);
    expect(plan.actions).toEqual([{ type: 'load', model: 'm', workerId: 'a' }]);
  });

  it('unloads extra copies from the busiest workers first, then the least memory free, and uses the room freed', () => {
    const repo = { m: ask(1, 10), n: ask(1, 95) };
    const plan = planPlacement([
      worker('a', { memoryMb: 100, load: 0.25, loaded: ['m'], repo }),
      worker('b', { memoryMb: 100, load: 0.75, loaded: ['m'], repo }),
      worker('c', { memoryMb: 100, load: 0.25, loaded: ['m', 'x'], repo: { ...repo, x: ask(undefined, 50) } }),
    ]);
    // Two extra copies of m: b (busiest), then c (as busy as a, less free). n (95) fits only where m left, on b.
    expect(plan.actions).toEqual([
      { type: 'unload', model: 'm', workerId: 'b' },
      { type: 'unload', model: 'm', workerId: 'c' },
      { type: 'load', model: 'n', workerId: 'b' },
    ]);
  });

  it('skips a pair it is told to avoid (a failed load), placing elsewhere or reporting why', () => {
    const workers = [worker('a', { repo: { m: ask(1) } }), worker('b', { load: 0.5, repo: { m: ask(1) } })];
    expect(planPlacement(workers, { avoid: (w) => w === 'a' }).actions).toEqual([{ type: 'load', model: 'm', workerId: 'b' }]);
    const none = planPlacement(workers, { avoid: () => true });
    expect(none.actions).toEqual([]);
    expect(none.models[0]?.shortfall).toMatch(/failed to load it recently/);
  });

  it('never overfills a worker, never loads a model twice on one worker, and meets each ask when memory is unlimited (property)', () => {
    const arbitraryWorkers = fc.uniqueArray(
      fc.record({
        id: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        memoryMb: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
        load: fc.double({ min: 0, max: 1, noNaN: true }),
        loaded: fc.subarray(['m1', 'm2', 'm3']),
        holds: fc.subarray(['m1', 'm2', 'm3']),
      }),
      { selector: (w) => w.id, minLength: 1 },
    );
    const asks = fc.record({ m1: fc.integer({ min: 1, max: 4 }), m2: fc.integer({ min: 1, max: 4 }), m3: fc.integer({ min: 1, max: 4 }) });
    fc.assert(fc.property(arbitraryWorkers, asks, (ws, replicas) => {
      const sizes: Record<string, number> = { m1: 30, m2: 50, m3: 10 };
      const workers = ws.map((w) => worker(w.id, {
        memoryMb: w.memoryMb, load: w.load, loaded: w.loaded,
        repo: Object.fromEntries([...new Set([...w.holds, ...w.loaded])].map((m) => [m, ask(replicas[m as 'm1'], sizes[m])])),
      }));
      const plan = planPlacement(workers);
      const after = new Map(workers.map((w) => [w.id, new Set(w.loaded)]));
      for (const a of plan.actions) {
        const set = after.get(a.workerId)!;
        expect(set.has(a.model)).toBe(a.type === 'unload');
        if (a.type === 'load') set.add(a.model);
        else set.delete(a.model);
      }
      for (const w of workers) {
        const used = [...after.get(w.id)!].reduce((s, m) => s + sizes[m]! * MB, 0);
        const before = [...w.loaded].reduce((s, m) => s + sizes[m]! * MB, 0);
        // A worker already over its memory is never given more; any other stays within it.
        if (plan.actions.some((a) => a.type === 'load' && a.workerId === w.id)) expect(used).toBeLessThanOrEqual(Math.max(w.memoryBytes, before));
      }
      for (const m of plan.models) {
        const count = [...after.values()].filter((s) => s.has(m.model)).length;
        if (m.shortfall === undefined) expect(count).toBe(m.desired);
        else expect(count).toBeLessThan(m.desired);
        const unlimited = workers.every((w) => w.memoryBytes === Infinity);
        const holders = workers.filter((w) => w.placeable.has(m.model)).length;
        if (unlimited) expect(count).toBe(Math.min(m.desired, holders));
      }
    }), { numRuns: 300 });
  });
});
