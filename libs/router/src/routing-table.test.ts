import { beforeAll, describe, expect, it } from 'vitest';
import { keys, ready } from '../tests/fixtures.js';
import { RoutingTable, type RoutingTableChange } from './routing-table.js';

beforeAll(ready);

function table(): RoutingTable {
  const t = new RoutingTable({
    routes: {
      'llm:v2': { shards: 4, fallback: 'llm:v1' },
      'llm:v1': { shards: 2, strategy: 'rendezvous', fallback: 'default' },
      default: {},
    },
  });
  t.register('w1', { target: 'llm:v2', shards: [0, 1] });
  t.register('w2', { target: 'llm:v2', shards: [1, 2] });
  t.register('w3', { target: 'llm:v2', shards: [2, 3, 0] });
  t.register('w4', { target: 'llm:v2', shards: [3] });
  t.register('w5', { target: 'llm:v1' });
  t.register('w6', { target: 'default' });
  return t;
}

describe('RoutingTable', () => {
  it('resolves target → shard → the replicas holding that shard, in a stable per-key order', () => {
    const t = table();
    const holders: Record<number, string[]> = { 0: ['w1', 'w3'], 1: ['w1', 'w2'], 2: ['w2', 'w3'], 3: ['w3', 'w4'] };
    const seenShards = new Set<number>();
    for (const key of keys(200)) {
      const r = t.resolve('llm:v2', key);
      seenShards.add(r.shard);
      expect(r.target).toBe('llm:v2');
      expect(r.fallbackDepth).toBe(0);
      expect(r.shard).toBe(t.shardOf('llm:v2', key));
      expect([...r.candidates].sort()).toEqual(holders[r.shard]);
      expect(t.resolve('llm:v2', key).candidates).toEqual(r.candidates);
    }
    expect([...seenShards].sort()).toEqual([0, 1, 2, 3]);
  });

  it('leaves unhealthy replicas out and falls back along the chain when none is healthy', () => {
    const t = table();
    const key = keys(50).find((k) => t.shardOf('llm:v2', k) === 3)!;
    expect(t.resolve('llm:v2', key, { isHealthy: (n) => n !== 'w3' }).candidates).toEqual(['w4']);
    const v1 = t.resolve('llm:v2', key, { isHealthy: (n) => n !== 'w3' && n !== 'w4' });
    expect(v1).toMatchObject({ target: 'llm:v1', requestedTarget: 'llm:v2', candidates: ['w5'], fallbackDepth: 1 });
    const last = t.resolve('llm:v2', key, { isHealthy: (n) => n === 'w6' });
    const asked: string[] = [];
    t.resolve('llm:v2', key, { isHealthy: (n, where) => (asked.push(`${n}@${where.target}#${where.shard}`), where.target !== 'llm:v2') });
    expect(asked.some((a) => a.includes('@llm:v2#'))).toBe(true);
    expect(asked.some((a) => !a.includes('@llm:v2#'))).toBe(true);
    expect(last).toMatchObject({ target: 'default', candidates: ['w6'], fallbackDepth: 2 });
    expect(() => t.resolve('llm:v2', key, { isHealthy: () => false })).toThrow(
      expect.objectContaining({ code: 'IM_ROUTER_NO_HEALTHY_NODE' }),
    );
  });

  it('falls back when a shard has no replica at all, and stops on a fallback cycle', () => {
    const t = new RoutingTable({ routes: { a: { shards: 2, fallback: 'b' }, b: { fallback: 'a' } } });
    t.register('n1', { target: 'a', shards: [0] });
    const key = keys(50).find((k) => t.shardOf('a', k) === 1)!;
    expect(() => t.resolve('a', key)).toThrow(expect.objectContaining({ code: 'IM_ROUTER_NO_HEALTHY_NODE' }));
    t.register('n2', { target: 'b' });
    expect(t.resolve('a', key)).toMatchObject({ target: 'b', candidates: ['n2'] });
  });

  it('emits change events and keeps registrations per target', () => {
    const t = new RoutingTable();
    const changes: RoutingTableChange[] = [];
    t.on('change', (c) => changes.push(c));
    t.register('n1', { target: 'x' });
    t.register('n1', { target: 'y', shards: [0] });
    expect(t.targets.sort()).toEqual(['x', 'y']);
    t.unregister('n1', 'x');
    expect(t.nodesOf('x').size).toBe(0);
    t.unregister('n1');
    t.configure('x', { shards: 3 });
    expect(changes.map((c) => c.type)).toEqual(['register', 'register', 'unregister', 'unregister', 'configure']);
    expect(t.route('x')?.shards).toBe(3);
  });

  it('refuses duplicates, unknown nodes and targets, and shards out of range', () => {
    const t = table();
    expect(() => t.register('w1', { target: 'llm:v2' })).toThrow(expect.objectContaining({ code: 'IM_ROUTER_DUPLICATE_NODE' }));
    expect(() => t.unregister('nope')).toThrow(expect.objectContaining({ code: 'IM_ROUTER_UNKNOWN_NODE' }));
    expect(() => t.resolve('nope', 'k')).toThrow(expect.objectContaining({ code: 'IM_ROUTER_UNKNOWN_TARGET' }));
    expect(() => t.register('w9', { target: 'llm:v2', shards: [4] })).toThrow(RangeError);
    expect(() => t.configure('llm:v2', { shards: 2 })).toThrow(RangeError);
    expect(() => new RoutingTable({ routes: { x: { shards: 0 } } })).toThrow(RangeError);
  });

  it('moves few keys between shards when a target gains a shard (jump is the default shard strategy)', () => {
    const t = new RoutingTable({ routes: { m: { shards: 8 } } });
    const ks = keys(5_000);
    const before = ks.map((k) => t.shardOf('m', k));
    t.configure('m', { shards: 9 });
    const changed = ks.filter((k, i) => t.shardOf('m', k) !== before[i]);
    expect(changed.every((k) => t.shardOf('m', k) === 8)).toBe(true);
    expect(changed.length / ks.length).toBeLessThan(0.15);
  });
});
