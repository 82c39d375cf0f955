import { execFileSync } from 'node:child_process';
import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, http } from '../fixtures.js';
import { mlpExpected, mlpInput } from '../references.js';

const CAPACITY = 16;
let cluster: Cluster;

const rssMiB = (pid: number): number => Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024;

beforeAll(async () => {
  cluster = await demoCluster({ workers: 1, coordinatorArgs: ['--cache', 'off', '--max-in-flight', String(CAPACITY)] });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('ten times the capacity offered', () => {
  it('refuses the excess at once with 429 and Retry-After, answers the rest correctly, and keeps memory bounded', async () => {
    const pid = cluster.coordinator.child.pid!;
    const before = rssMiB(pid);
    const logged = cluster.coordinator.output.length;
    let ok = 0;
    let refused = 0;
    const other: string[] = [];
    for (let wave = 0; wave < 8; wave++) {
      const inputs = Array.from({ length: CAPACITY * 10 }, (_, i) => mlpInput(8, wave * 1000 + i));
      const answers = await Promise.all(
        inputs.map((data) => http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [8, 64], data }] } })),
      );
      answers.forEach((res, i) => {
        if (res.status === 200) {
          const expected = mlpExpected(inputs[i]!, 8);
          if (Math.max(...res.body.outputs[0].data.map((x: number, k: number) => Math.abs(x - expected[k]!))) > 1e-4) other.push('wrong answer');
          else ok++;
        } else if (res.status === 429 && res.body.code === 'IM_OVERLOADED' && res.headers.get('retry-after') === '1' && /^[0-9a-f]{32}$/.test(res.headers.get('x-request-id') ?? '')) refused++;
        else other.push(`${res.status} ${JSON.stringify(res.body)}`);
      });
    }
    const after = rssMiB(pid);
    expect(other).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(ok + refused).toBe(8 * CAPACITY * 10);
    // 1280 requests offered in waves of 160 against a limit of 16: the excess is refused, not queued.
    expect(after - before).toBeLessThan(120);
    process.stdout.write(`overload: ${ok} answered, ${refused} refused with 429; coordinator RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB\n`);
    expect((await http(cluster, '/v2/health/ready')).status).toBe(200);
    // Each refusal is in the access log, whole or counted in a summary line, and not a line each: the
    // summaries of the last window are written when it ends (1 s).
    await new Promise((r) => setTimeout(r, 1_500));
    const lines = cluster.coordinator.output.slice(logged).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; code?: string; count?: number });
    const whole = lines.filter((l) => l.msg === 'request' && l.code === 'IM_OVERLOADED').length;
    const counted = lines.filter((l) => l.msg === 'requests refused' && l.code === 'IM_OVERLOADED').reduce((n, l) => n + l.count!, 0);
    expect(whole + counted).toBe(refused);
    expect(whole).toBeLessThan(refused / 10);
  });
});
