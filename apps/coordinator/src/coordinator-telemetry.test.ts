import { createLogger } from '@infermesh/telemetry';
import { describe, expect, it } from 'vitest';
import { CoordinatorTelemetry } from './coordinator-telemetry.js';
import type { WorkerStatus } from './worker-pool.js';

const worker = (workerId: string, inFlight: number): WorkerStatus => ({
  workerId, role: 'model', address: '127.0.0.1', models: ['mlp:1'], shards: {}, maxConcurrency: 4, inFlight, served: 0, failed: 0, balancing: {},
});

const sample = (body: string, series: string): number | undefined => {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('CoordinatorTelemetry', () => {
  it('reads the scrape-time gauges from its sources and counts ejections from 0', async () => {
    const telemetry = new CoordinatorTelemetry({ traceStoreSize: 10 }, createLogger({ level: 'silent' }));
    let workers = [worker('w1', 3), worker('w2', 0)];
    telemetry.attach({
      workers: () => workers, inFlight: () => 7, queueDepths: () => new Map([['mlp', 2]]),
      healthyWorkers: () => new Map([['mlp', 1], ['digits', 0]]), maxInFlight: 4096,
    });
    telemetry.onWorkersChanged();
    telemetry.onWorkerState('w2', 'ejected');
    telemetry.onWorkerState('w2', 'healthy');
    telemetry.onWorkerState('w2', 'ejected');
    let { body } = await telemetry.exposition();
    expect(sample(body, 'infermesh_worker_ejections_total{worker="w1"}')).toBe(0);
    expect(sample(body, 'infermesh_worker_ejections_total{worker="w2"}')).toBe(2);
    expect(sample(body, 'infermesh_worker_state{worker="w2",state="ejected"}')).toBe(1);
    expect(sample(body, 'infermesh_worker_in_flight{worker="w1"}')).toBe(3);
    expect(sample(body, 'infermesh_model_healthy_workers{model="digits"}')).toBe(0);
    expect(sample(body, 'infermesh_model_healthy_workers{model="mlp"}')).toBe(1);
    expect(sample(body, 'infermesh_queue_depth{model="mlp"}')).toBe(2);
    expect(sample(body, 'infermesh_in_flight_requests')).toBe(7);
    expect(sample(body, 'infermesh_max_in_flight_requests')).toBe(4096);

    // A worker that left loses every series of its own.
    workers = [worker('w1', 0)];
    telemetry.onWorkersChanged();
    ({ body } = await telemetry.exposition());
    expect(body).not.toContain('worker="w2"');
    expect(sample(body, 'infermesh_worker_in_flight{worker="w1"}')).toBe(0);
    await telemetry.close();
  });

  it('summarises the 429 refusals beyond the first of a window, not other failures, and writes the count when it closes', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger({ pretty: false, destination: { write: (line) => lines.push(JSON.parse(line)) } });
    const telemetry = new CoordinatorTelemetry({ traceStoreSize: 10 }, log, { accessSample: 1, refusalSummaryMs: 60_000, levels: {} });
    const entry = (code: string, status: number) => ({ protocol: 'http' as const, method: 'POST', route: '/v2/models/:name/infer', status, code, duration_ms: 0.1 });
    for (let i = 0; i < 4; i++) telemetry.accessLog.record(entry('IM_OVERLOADED', 429));
    for (let i = 0; i < 3; i++) telemetry.accessLog.record(entry('IM_RATE_LIMITED', 429));
    for (let i = 0; i < 2; i++) telemetry.accessLog.record(entry('IM_TIMEOUT', 504), true);
    expect(lines.map((l) => l['code'])).toEqual(['IM_OVERLOADED', 'IM_RATE_LIMITED', 'IM_TIMEOUT', 'IM_TIMEOUT']);
    await telemetry.close();
    expect(lines.slice(4).map((l) => [l['msg'], l['code'], l['count']])).toEqual([['requests refused', 'IM_OVERLOADED', 3], ['requests refused', 'IM_RATE_LIMITED', 2]]);
  });
});
