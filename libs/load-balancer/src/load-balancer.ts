import type { AbortLike } from '@infermesh/foundation';
import { EventEmitter } from 'node:events';
import { AcquireQueue } from './acquire-queue.js';
import { Capacity } from './capacity.js';
import { systemClock, type Clock, type RandomSource } from './clock.js';
import { EndpointRecord, type EndpointMetrics, type RecordSettings } from './endpoint-state.js';
import {
  AcquireAbortedError, AcquireTimeoutError, AtCapacityError, DuplicateEndpointError, LoadBalancerClosedError, NoEndpointError,
  UnknownEndpointError,
} from './errors.js';
import { HealthChecker } from './health-checker.js';
import {
  EndpointOptionsSchema, LoadBalancerOptionsSchema, parseOptions, type EndpointOptions, type HealthCheck, type LoadBalancerOptions,
  type ParsedLoadBalancerOptions,
} from './options.js';
import { OutlierDetector } from './outlier-detector.js';
import type { LoadBalancerEvents } from './events.js';
import { createStrategy } from './strategies/create-strategy.js';
import type { PickContext, Strategy, StrategyName } from './strategies/strategy.js';

/**
 * How a request ended. `ok: false` is an endpoint failure unless `failure: 'request'` says the request
 * itself was bad (a 4xx, a validation error): those never count against the endpoint. `latencyMs`
 * defaults to the time since `acquire()` on the balancer's clock.
 */
export interface ReleaseOutcome {
  readonly ok: boolean;
  readonly latencyMs?: number;
  readonly failure?: 'endpoint' | 'request';
}
export interface Lease<E> {
  readonly id: string;
  readonly endpoint: E;
  /** Ends the request. Only the first call counts; later calls do nothing. */
  release(outcome: ReleaseOutcome): void;
}
export interface TryAcquireOptions {
  /** Ids not to pick (e.g. endpoints a retry already tried). */
  readonly exclude?: ReadonlySet<string> | undefined;
}
export interface AcquireOptions extends TryAcquireOptions {
  /** Gives up waiting (`AcquireAbortedError`) when it aborts: an AbortSignal, or anything read like one (`AbortLike`). */
  readonly signal?: AbortLike | undefined;
  /** Gives up waiting (`AcquireTimeoutError`) at this time on the balancer's clock (absolute, ms). */
  readonly deadline?: number | undefined;
}
export interface LoadBalancerSnapshot {
  readonly strategy: StrategyName;
  readonly panic: boolean;
  readonly healthy: number;
  readonly total: number;
  readonly endpoints: readonly EndpointMetrics[];
}

interface Drain {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

/** Balances requests over endpoints of any type `E`, identified by string ids. */
export class LoadBalancer<E> extends EventEmitter<LoadBalancerEvents> {
  readonly #options: ParsedLoadBalancerOptions;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #strategy: Strategy;
  readonly #settings: RecordSettings;
  readonly #health: HealthChecker<E> | undefined;
  readonly #outlier: OutlierDetector;
  readonly #members = new Map<string, EndpointRecord<E>>();
  readonly #drains = new Map<string, Drain>();
  /** `acquire()` calls waiting for a slot, oldest first. */
  readonly #waiters: AcquireQueue<Lease<E>>;
  readonly #wake = (): void => this.#serveWaiters();
  #healthy: EndpointRecord<E>[] = [];
  #routable: EndpointRecord<E>[] = [];
  #panic = false;
  #closed = false;

  constructor(options: LoadBalancerOptions<E> = {}) {
    super();
    this.#options = parseOptions(LoadBalancerOptionsSchema, options, 'load balancer');
    this.#clock = this.#options.clock ?? systemClock;
    this.#waiters = new AcquireQueue(this.#clock);
    this.#random = this.#options.random ?? Math.random;
    this.#strategy = createStrategy(this.#options.strategy, this.#options.leastLatency);
    this.#settings = {
      decayMs: this.#options.leastLatency.decayMs,
      penaltyHalfLifeMs: this.#options.leastLatency.penaltyHalfLifeMs,
      latencyWindow: this.#options.latencyWindow,
      slowStartMs: this.#options.slowStart.durationMs,
      slowStartMinFraction: this.#options.slowStart.minWeightFraction,
    };
    const check = this.#options.health.check as HealthCheck<E> | undefined;
    this.#health =
      check === undefined
        ? undefined
        : new HealthChecker(this.#options.health, check, this.#clock, this.#random, (id, healthy, reason) =>
            this.#set(id, (r) => (r.activeHealthy = healthy), reason),
          );
    this.#outlier = new OutlierDetector(this.#options.outlier, this.#clock, {
      eject: (id, ms, reason) => this.#set(id, (r) => (r.ejected = true), `${reason}: ejected for ${ms} ms`),
      restore: (id) => this.#set(id, (r) => (r.ejected = false), 'ejection ended'),
    });
  }

  get strategy(): StrategyName {
    return this.#strategy.name;
  }

  /** Members, draining ones included. */
  get size(): number {
    return this.#members.size;
  }

  /** True while the healthy fraction is below `panicThreshold` and picks use every non-draining member. */
  get panicking(): boolean {
    return this.#panic;
  }

  /**
   * Members a pick may choose now: the healthy ones, or in panic every non-draining one. Unlike
   * `snapshot()`, it computes no latency percentiles, so it is cheap enough to ask per request.
   */
  get available(): number {
    return this.#panic ? this.#routable.length : this.#healthy.length;
  }

  has(id: string): boolean {
    return this.#members.has(id);
  }

  /** Whether a pick may choose member `id` now (healthy, or in panic not draining), full or not. */
  isAvailable(id: string): boolean {
    const state = this.#members.get(id)?.state;
    return state === 'healthy' || (this.#panic && state !== undefined && state !== 'draining');
  }

  /** Adds a member. It starts healthy, in slow start, and is health-checked if a `check` was given. */
  add(id: string, endpoint: E, options: EndpointOptions = {}): void {
    this.#assertOpen();
    if (this.#members.has(id)) throw new DuplicateEndpointError(id);
    const { weight, capacity } = parseOptions(EndpointOptionsSchema, options, 'endpoint');
    const slots = capacity instanceof Capacity ? capacity : new Capacity(capacity);
    const record = new EndpointRecord(id, endpoint, weight, slots, this.#clock, this.#settings);
    record.unsubscribe = slots.onFree(this.#wake);
    record.startSlowStart();
    this.#members.set(id, record);
    this.#outlier.track(id);
    this.#health?.watch(id, endpoint);
    this.#rebuild();
    this.emit('added', { id, reason: 'added' });
    this.#checkPanic();
    this.#serveWaiters();
  }

  /** Removes a member at once. Its outstanding leases may still be released; they change nothing. */
  remove(id: string): void {
    this.#assertOpen();
    this.#remove(this.#get(id), 'removed');
  }

  /**
   * Stops giving `id` new work and removes it once its outstanding leases are released. The promise
   * resolves on removal (also if `remove()` gets there first) and rejects if the balancer closes.
   * Draining a draining member returns the same promise.
   */
  drain(id: string): Promise<void> {
    if (this.#closed) return Promise.reject(new LoadBalancerClosedError());
    const record = this.#members.get(id);
    if (record === undefined) return Promise.reject(new UnknownEndpointError(id));
    const existing = this.#drains.get(id);
    if (existing !== undefined) return existing.promise;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#drains.set(id, { promise, resolve, reject });
    this.#set(id, (r) => (r.draining = true), 'drain requested');
    if (record.outstanding === 0) this.#remove(record, 'drained');
    return promise;
  }

  /** Changes a member's configured weight; it applies from the next pick. */
  setWeight(id: string, weight: number): void {
    this.#assertOpen();
    const record = this.#get(id);
    record.baseWeight = parseOptions(EndpointOptionsSchema, { weight }, 'endpoint').weight;
  }

  /**
   * Picks an endpoint with a free slot now, and counts a request as outstanding on it until the lease
   * is released. Throws `NoEndpointError` when no member can be picked, `AtCapacityError` when some
   * could but every one is at its capacity.
   */
  tryAcquire(options: TryAcquireOptions = {}): Lease<E> {
    this.#assertOpen();
    const lease = this.#pick(options.exclude);
    if (lease === undefined) throw new AtCapacityError();
    if (lease === null) throw this.#noEndpoint(options.exclude);
    return lease;
  }

  /**
   * Like `tryAcquire`, but while members exist that could take the request later (all at capacity,
   * or not healthy now), it waits: it is woken when a slot is given back, a member changes state or
   * one is added, never by polling. Oldest waiter first. Rejects with `NoEndpointError` when no member
   * is left that could ever take it, `AcquireTimeoutError` at `deadline`, `AcquireAbortedError` when
   * `signal` aborts, `LoadBalancerClosedError` on `close()`.
   */
  acquire(options: AcquireOptions = {}): Promise<Lease<E>> {
    if (this.#closed) return Promise.reject(new LoadBalancerClosedError());
    const { exclude, signal, deadline } = options;
    if (this.#waiters.size === 0) {
      const lease = this.#pick(exclude);
      if (lease) return Promise.resolve(lease);
    }
    if (!this.#couldServe(exclude)) return Promise.reject(this.#noEndpoint(exclude));
    if (signal?.aborted) return Promise.reject(new AcquireAbortedError({ cause: signal.reason }));
    const now = this.#clock.now();
    if (deadline !== undefined && deadline <= now) return Promise.reject(new AcquireTimeoutError(deadline));
    return this.#waiters.wait(exclude, deadline, signal, now);
  }

  /** Callers waiting in `acquire()` now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** A lease on a pickable member with a free slot; `undefined` when all are full, `null` when none is pickable. */
  #pick(exclude: ReadonlySet<string> | undefined): Lease<E> | undefined | null {
    const members = this.#panic ? this.#routable : this.#healthy;
    const pool: EndpointRecord<E>[] = [];
    let full = false;
    for (const r of members) {
      if (exclude !== undefined && exclude.has(r.id)) continue;
      if (r.capacity.free) pool.push(r);
      else full = true;
    }
    if (pool.length === 0) return full ? undefined : null;
    const now = this.#clock.now();
    const context: PickContext = { now, random: this.#random };
    const record = this.#strategy.pick(pool, context) as EndpointRecord<E>;
    record.outstanding += 1;
    record.capacity.take();
    let released = false;
    return {
      id: record.id,
      endpoint: record.endpoint,
      release: (outcome) => {
        if (released) return;
        released = true;
        this.#release(record, now, outcome);
      },
    };
  }

  /** Some member, not draining and not excluded, may take a request now or once healthy or free. */
  #couldServe(exclude: ReadonlySet<string> | undefined): boolean {
    if (exclude === undefined || exclude.size === 0) return this.#routable.length > 0;
    return this.#routable.some((r) => !exclude.has(r.id));
  }

  #noEndpoint(exclude: ReadonlySet<string> | undefined): NoEndpointError {
    const excluded = exclude === undefined ? 0 : this.#routable.filter((r) => exclude.has(r.id)).length;
    return new NoEndpointError(this.#routable.length, excluded);
  }

  /** Hands free slots to waiters, oldest first; fails those no member is left to serve. */
  #serveWaiters(): void {
    if (this.#waiters.size === 0 || this.#closed) return;
    this.#waiters.serve((exclude) => this.#pick(exclude), (exclude) => (this.#couldServe(exclude) ? undefined : this.#noEndpoint(exclude)));
  }

  snapshot(): LoadBalancerSnapshot {
    return {
      strategy: this.#strategy.name,
      panic: this.#panic,
      healthy: this.#healthy.length,
      total: this.#routable.length,
      endpoints: [...this.#members.values()].map((r) => r.metrics(this.#outlier.ejections(r.id))),
    };
  }

  /** Stops health checks and ejection timers, rejects pending drains and refuses further calls. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#health?.close();
    this.#outlier.close();
    for (const drain of this.#drains.values()) drain.reject(new LoadBalancerClosedError());
    this.#drains.clear();
    this.#waiters.rejectAll(new LoadBalancerClosedError());
    for (const r of this.#members.values()) r.unsubscribe();
    const ids = [...this.#members.keys()];
    this.#members.clear();
    this.#rebuild();
    for (const id of ids) this.emit('removed', { id, reason: 'closed' });
  }

  #release(record: EndpointRecord<E>, startedAt: number, outcome: ReleaseOutcome): void {
    record.outstanding -= 1;
    if (this.#members.get(record.id) !== record) {
      record.capacity.give();
      return;
    }
    const now = this.#clock.now();
    const latencyMs = outcome.latencyMs ?? now - startedAt;
    record.requests += 1;
    if (outcome.ok || outcome.failure === 'request') {
      // The endpoint answered: its latency is real and its failure streak ends.
      if (!outcome.ok) record.requestFailures += 1;
      record.estimator.observe(now, latencyMs);
      record.window.add(latencyMs);
      this.#outlier.success(record.id);
    } else {
      record.failures += 1;
      this.#outlier.failure(record.id);
    }
    if (record.draining && record.outstanding === 0 && this.#members.get(record.id) === record) this.#remove(record, 'drained');
    // Last: giving the slot back wakes waiters (here and in balancers sharing the capacity), who see the books settled.
    record.capacity.give();
  }

  #remove(record: EndpointRecord<E>, reason: 'removed' | 'drained'): void {
    this.#members.delete(record.id);
    record.unsubscribe();
    this.#health?.unwatch(record.id);
    this.#outlier.untrack(record.id);
    this.#strategy.forget?.(record.id);
    this.#rebuild();
    this.emit('removed', { id: record.id, reason });
    this.#checkPanic();
    const drain = this.#drains.get(record.id);
    if (drain !== undefined) {
      this.#drains.delete(record.id);
      drain.resolve();
    }
    this.#serveWaiters();
  }

  #set(id: string, change: (record: EndpointRecord<E>) => void, reason: string): void {
    const record = this.#members.get(id);
    if (record === undefined) return;
    change(record);
    const to = record.derive();
    const from = record.state;
    if (to === from) return;
    record.state = to;
    if (to === 'healthy' && (from === 'unhealthy' || from === 'ejected')) record.startSlowStart();
    this.#rebuild();
    this.emit('state', { id, from, to, reason });
    this.#checkPanic();
    this.#serveWaiters();
  }

  #rebuild(): void {
    const routable: EndpointRecord<E>[] = [];
    const healthy: EndpointRecord<E>[] = [];
    for (const r of this.#members.values()) {
      if (r.state === 'draining') continue;
      routable.push(r);
      if (r.state === 'healthy') healthy.push(r);
    }
    this.#routable = routable;
    this.#healthy = healthy;
  }

  #checkPanic(): void {
    const total = this.#routable.length;
    const healthy = this.#healthy.length;
    const panic = total > 0 && healthy * 100 < this.#options.panicThreshold * total;
    if (panic === this.#panic) return;
    this.#panic = panic;
    this.emit('panic', { active: panic, healthy, total });
  }

  #get(id: string): EndpointRecord<E> {
    const record = this.#members.get(id);
    if (record === undefined) throw new UnknownEndpointError(id);
    return record;
  }

  #assertOpen(): void {
    if (this.#closed) throw new LoadBalancerClosedError();
  }
}
