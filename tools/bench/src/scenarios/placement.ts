import { readFile } from 'node:fs/promises';
import { buildPipeline, defaultCatalog } from '@infermesh/processing';
import { loadModelRepository } from '@infermesh/registry';
import type { Cluster } from '@infermesh/launcher';
import { runAutocannon } from '../load/autocannon-run.js';
import { warmUp } from '../load/warm-up.js';
import type { CpuPerRequest, LoadResult } from '../load/load-result.js';
import { cpuPerAnswer } from '../load/process-cpu.js';
import { LatencyRecorder } from '../load/latency-recorder.js';
import { sentimentHttpBody, sentimentTexts } from '../payloads.js';
import { levelsFor, PLACEMENT_VARIANTS, SERIES, type BenchContext, type PlacementVariant, type Scenario } from './scenario.js';

/** Distinct texts per cost level, sent in one turn shared by all connections: far more than are ever in flight. */
const DISTINCT_TEXTS = 256;
/** Requests whose pre-processing is timed in the bench process, per cost level. */
const TIMED_TEXTS = 200;

const VARIANTS = Object.keys(PLACEMENT_VARIANTS) as PlacementVariant[];

const clusterName = (variant: PlacementVariant): string => `placement ${variant}`;

function startVariant(ctx: BenchContext, variant: PlacementVariant) {
  const v = PLACEMENT_VARIANTS[variant];
  return ctx.startCluster({
    name: clusterName(variant),
    workers: v.workers,
    processors: v.processors,
    coordinatorArgs: ['--placement', v.placement],
  });
}

/**
 * Runs a load step and adds the CPU time each role of the cluster spent per answer: the cost of the
 * extra hops shows on the coordinator, the moved pre-processing on the processors.
 */
async function withCpu(cluster: Cluster, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const { result, perAnswer } = await cpuPerAnswer(
    {
      coordinator: [cluster.coordinator.child.pid],
      modelWorkers: cluster.workers.map((w) => w.child.pid),
      processors: cluster.processors.map((p) => p.child.pid),
    },
    run,
  );
  if (!perAnswer) return result;
  const cpu: CpuPerRequest = perAnswer;
  return { ...result, cpuMsPerRequest: cpu, cpuMsPerAnswer: cpu.coordinator + cpu.modelWorkers + cpu.processors };
}

/**
 * What pre-processing costs per request at each text length: the sentiment model's own pipeline,
 * built from its manifest as a worker builds it, run here on one text at a time.
 */
async function timePreprocessing(ctx: BenchContext, texts: readonly string[], words: number): Promise<void> {
  const [sentiment] = await loadModelRepository(ctx.repository, { models: ['sentiment'] });
  if (!sentiment) throw new Error('the bench repository has no sentiment model');
  const pipeline = await buildPipeline(sentiment.spec.preprocess, defaultCatalog(), { dir: sentiment.dir }, sentiment.spec.inputs);
  const sample = texts.slice(0, TIMED_TEXTS);
  let bowBytes = 0;
  const run = (text: string): void => {
    const out = pipeline.run({ text: { datatype: 'BYTES', shape: [1], data: [text] } });
    const bow = out.bow?.data;
    bowBytes = bow instanceof Float32Array ? bow.byteLength : 0;
  };
  for (const text of sample) run(text); // warm-up: the JIT, the vocabulary's hash map
  const times = new LatencyRecorder();
  for (const text of sample) {
    const t0 = performance.now();
    run(text);
    times.record(performance.now() - t0);
  }
  const summary = times.summary();
  ctx.recordPreprocessCost({
    words,
    p50Ms: summary.p50,
    p99Ms: summary.p99,
    bodyBytes: Buffer.byteLength(sentimentHttpBody(sample[0] ?? '')),
    bowBytes,
  });
  process.stdout.write(`  pre-processing of ${words} words: p50 ${summary.p50.toFixed(3)} ms, p99 ${summary.p99.toFixed(3)} ms per request (this process)\n`);
}

/**
 * Where pre- and post-processing pay to run: the sentiment model with texts of `--pre-words` words
 * (tokenizing costs time linear in their length) on three clusters of the same size: co-located on 2
 * model workers; disaggregated on 1 model worker + 1 processor; and on 1 model worker + 2 processors.
 * The variants take turns at each step, so the ratios between them compare neighbouring seconds.
 */
export const placementScenario: Scenario = {
  id: 'placement',
  name: 'placement',
  prepare: (ctx) => Promise.all(VARIANTS.map((v) => startVariant(ctx, v))),
  async run(ctx) {
    const vocabulary = JSON.parse(await readFile(`${ctx.repository}/sentiment/1/vocab.json`, 'utf8')) as string[];
    const clusters = new Map<PlacementVariant, Cluster>();
    for (const variant of VARIANTS) {
      const started = await startVariant(ctx, variant);
      if (started.ok) clusters.set(variant, started.cluster);
      else ctx.skip(`placement, ${PLACEMENT_VARIANTS[variant].label}`, started.reason);
    }
    for (const words of ctx.preWords) {
      const texts = sentimentTexts(vocabulary, words, DISTINCT_TEXTS, words);
      await timePreprocessing(ctx, texts, words);
      const bodies = texts.map(sentimentHttpBody);
      const load = (url: string, connections: number, durationS: number, onAnswer?: (ok: boolean) => void) =>
        runAutocannon({
          url: `${url}/v2/models/sentiment/infer`, bodies, rotation: 'shared', connections, durationS, ...(onAnswer ? { onAnswer } : {}),
        });
      // Unrecorded (load/warm-up.ts): a cold cluster's first steps at this text length (JIT, buffers) would count against whichever ran first.
      for (const cluster of clusters.values()) await warmUp({ url: `${cluster.url}/v2/models/sentiment/infer`, bodies, rotation: 'shared' });
      for (const connections of levelsFor(ctx, [16, 64])) {
        for (const [variant, cluster] of clusters) {
          await ctx.measure(
            { scenario: 'placement', series: SERIES.placement(words, variant), connections, placement: { words, variant } },
            (onAnswer) => withCpu(cluster, () => load(cluster.url, connections, ctx.durationS, onAnswer)),
          );
        }
      }
    }
  },
};
