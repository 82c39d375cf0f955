import { join } from 'node:path';
import { buildDemoModels, type Cluster } from '@infermesh/launcher';
import { loadModelRepository } from '@infermesh/registry';
import { BENCH_APP_ENTRIES } from '../bench-context.js';
import type { InfermeshLayout } from './infermesh-layouts.js';
import { BASELINE_MODELS, type BaselineModel, type BenchContext } from './scenario.js';

/**
 * The two MLPs of `BASELINE_MODELS` on disk, and infermesh serving one of them in a layout of
 * `INFERMESH_LAYOUTS`: shared by the plain-server and protocols scenarios (through `ctx.resource`, so a
 * run with both builds each repository and starts each cluster once).
 */
export interface ModelFiles {
  repository: string;
  onnxPath: string;
  maxBatchSize: number;
  maxDelayMs: number;
}

/** The heavy MLP is the bench's own repository; the demo one is built beside it at the builder's default widths. */
export function modelFiles(ctx: BenchContext, model: BaselineModel): Promise<ModelFiles> {
  return ctx.resource(`baseline:model:${model}`, async () => {
    let repository = ctx.repository;
    if (model !== 'heavy') {
      repository = join(ctx.tempDir, `models-${model}`);
      await buildDemoModels(repository, undefined, ['--mlp-dims', BASELINE_MODELS[model].dims.join(',')], BENCH_APP_ENTRIES);
    }
    const [mlp] = await loadModelRepository(repository, { models: ['mlp'] });
    if (!mlp) throw new Error(`${repository} has no mlp model`);
    const dims = BASELINE_MODELS[model].dims;
    if (mlp.spec.inputs[0]?.shape.at(-1) !== dims[0]) throw new Error(`${repository}/mlp is not the ${BASELINE_MODELS[model].label}`);
    return { repository, onnxPath: mlp.file, maxBatchSize: mlp.spec.batching.maxBatchSize, maxDelayMs: mlp.spec.batching.maxDelayMs };
  });
}

/** infermesh in `layout` on one MLP's repository; the refusal's reason when the coordinator refuses the layout's flags. */
export async function layoutCluster(ctx: BenchContext, model: BaselineModel, layout: InfermeshLayout): Promise<Cluster | string> {
  const { repository } = await modelFiles(ctx, model);
  const started = await ctx.startCluster({ name: `${BASELINE_MODELS[model].label}, ${layout.name}`, workers: layout.workers, coordinatorArgs: [
    ...(layout.embeddedWorkers > 0 || layout.inlineModels.length > 0 ? ['--embedded-workers', String(layout.embeddedWorkers), '--embedded-repository', repository] : []),
    ...layout.inlineModels.flatMap((m) => ['--embedded-inline-model', m]),
    ...layout.coordinatorArgs,
  ], repository, processes: layout.processes });
  return started.ok ? started.cluster : started.reason;
}
