import { MAX_TIMER_MS, fn, parseOptions } from '@infermesh/foundation';
import { z } from 'zod/v4';
import { Capacity } from './capacity.js';
import type { Clock, RandomSource } from './clock.js';
import { STRATEGY_NAMES } from './strategies/strategy.js';

/** A caller-supplied probe: resolve if the endpoint is healthy, reject (or let `signal` abort) if not. */
export type HealthCheck<E> = (endpoint: E, signal: AbortSignal) => Promise<void>;

export const LeastLatencyOptionsSchema = z.strictObject({
  decayMs: z.number().positive().max(MAX_TIMER_MS).default(1_000),
  penaltyHalfLifeMs: z.number().positive().max(MAX_TIMER_MS).default(5_000),
  unsampledPenaltyMs: z.number().min(0).default(1_000),
});

export const HealthOptionsSchema = z
  .strictObject({
    check: fn<HealthCheck<unknown>>().optional(),
    intervalMs: z.int().min(1).max(MAX_TIMER_MS).default(10_000),
    timeoutMs: z.int().min(1).max(MAX_TIMER_MS).default(2_000),
    unhealthyThreshold: z.int().min(1).default(3),
    healthyThreshold: z.int().min(1).default(2),
    jitter: z.number().min(0).max(1).default(0.1),
  });

export const OutlierOptionsSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    consecutiveFailures: z.int().min(1).default(5),
    baseEjectionMs: z.int().min(1).max(MAX_TIMER_MS).default(30_000),
    maxEjectionMs: z.int().min(1).max(MAX_TIMER_MS).default(300_000),
    maxEjectionPercent: z.number().min(0).max(100).default(50),
  })
  .superRefine((o, ctx) => {
    if (o.maxEjectionMs < o.baseEjectionMs) {
      ctx.addIssue({ code: 'custom', path: ['maxEjectionMs'], message: 'must be >= baseEjectionMs', params: { range: true } });
    }
  });

export const SlowStartOptionsSchema = z.strictObject({
  durationMs: z.int().min(0).max(MAX_TIMER_MS).default(0),
  minWeightFraction: z.number().gt(0).max(1).default(0.1),
});

export const LoadBalancerOptionsSchema = z.strictObject({
  strategy: z.enum(STRATEGY_NAMES).default('round-robin'),
  leastLatency: LeastLatencyOptionsSchema.default(() => LeastLatencyOptionsSchema.parse({})),
  health: HealthOptionsSchema.default(() => HealthOptionsSchema.parse({})),
  outlier: OutlierOptionsSchema.default(() => OutlierOptionsSchema.parse({})),
  panicThreshold: z.number().min(0).max(100).default(50),
  slowStart: SlowStartOptionsSchema.default(() => SlowStartOptionsSchema.parse({})),
  latencyWindow: z.int().min(1).max(1_000_000).default(1_024),
  clock: z
    .custom<Clock>(
      (v) =>
        typeof v === 'object' && v !== null &&
        typeof (v as Clock).now === 'function' && typeof (v as Clock).setTimeout === 'function' && typeof (v as Clock).clearTimeout === 'function',
      'expected { now, setTimeout, clearTimeout }',
    )
    .optional(),
  random: fn<RandomSource>().optional(),
});

export const EndpointOptionsSchema = z.strictObject({
  weight: z.number().positive().max(1_000_000).default(1),
  /** Requests the endpoint takes at once: a number, or a `Capacity` shared with other balancers. Unlimited by default. */
  capacity: z
    .union([
      z.custom<Capacity>((v) => v instanceof Capacity, 'expected a Capacity'),
      z.number().refine((n) => n === Infinity || (Number.isInteger(n) && n >= 1), {
        message: 'expected an integer >= 1 or Infinity', params: { range: true },
      }),
    ])
    .default(Infinity),
});

type WithCheck<T, E> = Omit<T, 'health'> & {
  health?: Omit<z.input<typeof HealthOptionsSchema>, 'check'> & { check?: HealthCheck<E> };
};
export type LoadBalancerOptions<E = unknown> = WithCheck<z.input<typeof LoadBalancerOptionsSchema>, E>;
export type ParsedLoadBalancerOptions = z.output<typeof LoadBalancerOptionsSchema>;
export type EndpointOptions = z.input<typeof EndpointOptionsSchema>;
export type ParsedHealthOptions = z.output<typeof HealthOptionsSchema>;
export type ParsedOutlierOptions = z.output<typeof OutlierOptionsSchema>;

// Re-exported for this library's own modules; the one implementation lives in @infermesh/foundation.
export { parseOptions };
