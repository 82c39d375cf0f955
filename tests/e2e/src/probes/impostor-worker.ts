/**
 * The impostor-worker probe of issue #22, measured: a cluster as `npm start` runs it, and a second
 * worker process, started by another local user's program without credentials, that serves `noop`
 * (the demo model's exact declaration) with its own code: it records every input it sees and answers
 * them negated. 200 distinct requests, then the impostor stops and the same 200 are sent again (what
 * the cache kept). Run for the old default (no credentials: `--insecure-workers` now) and the new one
 * (a cluster token). Prints one JSON line per mode.
 *
 *   npx tsx --conditions=@infermesh/source tests/e2e/src/probes/impostor-worker.ts
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ENTRY, buildDemoModels, spawnApp, startCluster } from '@infermesh/launcher';

const REQUESTS = 200;

async function probe(mode: 'insecure' | 'token', demo: string): Promise<Record<string, unknown>> {
  const cluster = await startCluster({ repository: demo, workers: 1, workerAuth: mode, coordinatorArgs: ['--heartbeat-ms', '500'] });
  const seen = join(mkdtempSync(join(tmpdir(), 'im-probe-seen-')), 'inputs.log');
  const repository = mkdtempSync(join(tmpdir(), 'im-probe-impostor-'));
  cpSync(demo, repository, { recursive: true });
  writeFileSync(join(repository, 'noop', '1', 'model.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    'export function run(inputs) {',
    `  appendFileSync(${JSON.stringify(seen)}, JSON.stringify(Array.from(inputs.input.data)) + '\\n');`,
    "  return { output: { datatype: 'FP32', shape: inputs.input.shape, data: Float32Array.from(inputs.input.data, (v) => -v) } };",
    '}',
    '',
  ].join('\n'));
  const joined = cluster.coordinator.waitFor('worker joined', { timeoutMs: 15_000, match: (l) => l.worker === 'impostor' }).then(() => true, () => false);
  const impostor = spawnApp({ name: 'impostor', entry: APP_ENTRY.worker, args: ['--id', 'impostor', '--repository', repository, '--model', 'noop', '--coordinator', cluster.workerAddress] });
  const admitted = await joined;
  const tally = { sent: 0, correct: 0, wrong: 0, refusedWithCode: 0, otherStatus: 0, reset: 0 };
  const send = async (i: number, t: typeof tally): Promise<void> => {
    const data = [i, i + 1, i + 2, i + 3];
    t.sent++;
    try {
      const res = await fetch(`${cluster.url}/v2/models/noop/infer`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data }] }),
      });
      const body = (await res.json()) as { outputs?: Array<{ data: number[] }>; code?: string };
      if (res.status === 200) {
        if (JSON.stringify(body.outputs?.[0]?.data) === JSON.stringify(data)) t.correct++;
        else t.wrong++;
      } else if (typeof body.code === 'string') t.refusedWithCode++;
      else t.otherStatus++;
    } catch {
      t.reset++;
    }
  };
  for (let i = 0; i < REQUESTS; i++) await send(i * 10, tally);
  const inputsSeen = existsSync(seen) ? readFileSync(seen, 'utf8').split('\n').filter(Boolean).length : 0;
  await impostor.stop();
  await new Promise((r) => setTimeout(r, 1_500));
  const afterLeaving = { sent: 0, correct: 0, wrong: 0, refusedWithCode: 0, otherStatus: 0, reset: 0 };
  for (let i = 0; i < REQUESTS; i++) await send(i * 10, afterLeaving);
  await cluster.stop();
  return { probe: 'impostor-worker', mode, impostorAdmitted: admitted, duringImpostor: tally, inputsTheImpostorSaw: inputsSeen, sameRequestsAfterItLeft: afterLeaving };
}

const demo = mkdtempSync(join(tmpdir(), 'im-probe-models-'));
await buildDemoModels(demo);
for (const mode of ['insecure', 'token'] as const) process.stdout.write(`${JSON.stringify(await probe(mode, demo))}\n`);
process.exit(0);
