import { API_ERRORS } from '@infermesh/contracts';
import type { Cluster } from '@infermesh/launcher';
import { http } from '../fixtures.js';
import { mlpExpected, mlpInput } from '../references.js';

export interface LoadOptions {
  clients: number;
  /** Rows per request: larger batches keep work in flight on the workers. */
  rows: number;
  /** Most requests per client, so a run is bounded even if stop is never called. */
  maxPerClient: number;
  /** A request not answered within this long counts as lost. */
  answerWithinMs?: number;
}

export interface LoadResult {
  sent: number;
  ok: number;
  /** Refusals with a documented code, e.g. `503 IM_NO_WORKER`. */
  refused: string[];
  /** Answers that are wrong, or errors without a documented code. */
  wrong: string[];
  /** Requests never answered (the client's own deadline passed, or the connection broke). */
  lost: string[];
  /** Requests served by each worker. */
  byWorker: Record<string, number>;
}

/**
 * Closed-loop MLP clients for the fault tests: each request's answer is checked against the
 * TypeScript reference, and each one ends in exactly one of ok / refused / wrong / lost.
 */
export function mlpLoad(cluster: Cluster | { url: string }, options: LoadOptions): { stop(): Promise<LoadResult>; finished(): Promise<LoadResult> } {
  let stopped = false;
  const result: LoadResult = { sent: 0, ok: 0, refused: [], wrong: [], lost: [], byWorker: {} };
  const client = async (c: number): Promise<void> => {
    for (let i = 0; !stopped && i < options.maxPerClient; i++) {
      const data = mlpInput(options.rows, c * 100_000 + i);
      result.sent++;
      let res;
      try {
        res = await http(cluster as Cluster, '/v2/models/mlp/infer', {
          json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [options.rows, 64], data }] },
          signal: AbortSignal.timeout(options.answerWithinMs ?? 20_000),
        });
      } catch (error) {
        result.lost.push(String((error as Error).message));
        continue;
      }
      if (res.status === 200) {
        const expected = mlpExpected(data, options.rows);
        const got: number[] = res.body?.outputs?.[0]?.data ?? [];
        const diff = got.length === expected.length ? Math.max(...got.map((x, k) => Math.abs(x - expected[k]!))) : Infinity;
        if (diff > 1e-4) result.wrong.push(`wrong answer (diff ${diff})`);
        else {
          result.ok++;
          const worker = String(res.body.parameters?.infermesh_worker);
          result.byWorker[worker] = (result.byWorker[worker] ?? 0) + 1;
        }
      } else {
        const code = res.body?.code as keyof typeof API_ERRORS | undefined;
        if (code && API_ERRORS[code].http === res.status) result.refused.push(`${res.status} ${code}`);
        else result.wrong.push(`${res.status} ${JSON.stringify(res.body)}`);
      }
    }
  };
  const clients = Array.from({ length: options.clients }, (_, c) => client(c));
  return {
    async stop() {
      stopped = true;
      await Promise.all(clients);
      return result;
    },
    /** Waits for every client to send its `maxPerClient` requests. */
    async finished() {
      await Promise.all(clients);
      return result;
    },
  };
}
