import { describe, expect, it } from 'vitest';
import { flush, ManualClock } from '../tests/manual-clock.js';
import { LoadBalancer, type StateChangeEvent } from './index.js';

type Mode = 'ok' | 'fail' | 'hang';

function setup(options: { unhealthyThreshold?: number; healthyThreshold?: number } = {}) {
  const clock = new ManualClock();
  const modes = new Map<string, Mode>();
  const signals: AbortSignal[] = [];
  const lb = new LoadBalancer<string>({
    clock,
    panicThreshold: 0,
    health: {
      intervalMs: 1_000,
      timeoutMs: 100,
      jitter: 0,
      unhealthyThreshold: options.unhealthyThreshold ?? 2,
      healthyThreshold: options.healthyThreshold ?? 3,
      check: (endpoint, signal) => {
        signals.push(signal);
        const mode = modes.get(endpoint) ?? 'ok';
        if (mode === 'ok') return Promise.resolve();
        if (mode === 'fail') return Promise.reject(new Error('refused'));
        return new Promise<void>(() => {});
      },
    },
  });
  const events: StateChangeEvent[] = [];
  lb.on('state', (e) => events.push(e));
  /** Runs the checks due within `ms` and lets their promises settle. */
  const tick = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      await flush();
    }
  };
  return { clock, modes, lb, events, tick, signals };
}

describe('health checker', () => {
  it('turns unhealthy after unhealthyThreshold failures and healthy after healthyThreshold successes', async () => {
    const { lb, modes, events, tick, clock } = setup();
    lb.add('a', 'a');
    lb.add('b', 'b');
    clock.advance(0);
    await flush();
    modes.set('a', 'fail');
    await tick(1_000); // one failure
    expect(lb.snapshot().endpoints[0]?.state).toBe('healthy');
    await tick(1_000); // second failure
    expect(lb.snapshot().endpoints[0]?.state).toBe('unhealthy');
    expect(events).toEqual([{ id: 'a', from: 'healthy', to: 'unhealthy', reason: 'health check failed: refused (2 in a row)' }]);
    expect(Array.from({ length: 4 }, () => lb.tryAcquire().id)).toEqual(['b', 'b', 'b', 'b']);

    modes.set('a', 'ok');
    await tick(2_000);
    expect(lb.snapshot().endpoints[0]?.state).toBe('unhealthy');
    await tick(1_000);
    expect(lb.snapshot().endpoints[0]?.state).toBe('healthy');
    expect(events[1]).toMatchObject({ id: 'a', from: 'unhealthy', to: 'healthy' });
  });

  it('counts a check that outlives timeoutMs as a failure and aborts its signal', async () => {
    const { lb, modes, events, tick, signals, clock } = setup({ unhealthyThreshold: 1 });
    lb.add('a', 'a');
    modes.set('a', 'hang');
    clock.advance(0);
    await flush();
    expect(signals[0]?.aborted).toBe(false);
    await tick(100);
    expect(signals[0]?.aborted).toBe(true);
    expect(events).toEqual([{ id: 'a', from: 'healthy', to: 'unhealthy', reason: 'health check timed out after 100 ms (1 in a row)' }]);
  });

  it('a failure in between resets the success streak', async () => {
    const { lb, modes, tick, clock } = setup({ unhealthyThreshold: 1, healthyThreshold: 2 });
    lb.add('a', 'a');
    modes.set('a', 'fail');
    clock.advance(0);
    await flush();
    expect(lb.snapshot().endpoints[0]?.state).toBe('unhealthy');
    modes.set('a', 'ok');
    await tick(1_000);
    modes.set('a', 'fail');
    await tick(1_000);
    modes.set('a', 'ok');
    await tick(1_000);
    expect(lb.snapshot().endpoints[0]?.state).toBe('unhealthy');
    await tick(1_000);
    expect(lb.snapshot().endpoints[0]?.state).toBe('healthy');
  });

  it('spreads checks with jitter and stops checking removed endpoints', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const lb = new LoadBalancer<string>({
      clock,
      random: () => 1,
      health: { intervalMs: 1_000, jitter: 0.5, check: () => ((calls += 1), Promise.resolve()) },
    });
    lb.add('a', 'a');
    clock.advance(499);
    expect(calls).toBe(0); // first check at 0.5 × 1000 × random()
    clock.advance(1);
    expect(calls).toBe(1);
    await flush();
    clock.advance(1_499);
    expect(calls).toBe(1); // next after 1000 × (1 + 0.5 × (2·1 − 1))
    clock.advance(1);
    expect(calls).toBe(2);
    await flush();
    lb.remove('a');
    expect(clock.pending).toBe(0);
  });
});
