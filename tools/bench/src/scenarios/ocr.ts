import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { buildDemoModels, type Cluster } from '@infermesh/launcher';
import { ctcCharacters, readText, type FloatTensor } from '@infermesh/processing';
import ort from 'onnxruntime-node';
import { BENCH_APP_ENTRIES } from '../bench-context.js';
import { runAutocannon } from '../load/autocannon-run.js';
import type { CpuPerRequest, LoadResult } from '../load/load-result.js';
import { cpuPerAnswer } from '../load/process-cpu.js';
import { levelsFor, OCR_VARIANTS, SERIES, type BenchContext, type OcrVariant, type Scenario } from './scenario.js';

const VARIANTS = Object.keys(OCR_VARIANTS) as OcrVariant[];
const WORDS = ['invoice', 'total', 'order', 'meeting', 'platform', 'queue', 'worker', 'model', 'latency', 'batch', 'page', 'gate'];
const IMAGES = 24;

/** Distinct images of one to three lines of words and digits (DejaVu Sans, 30 px), PNG. */
function images(): Buffer[] {
  return Array.from({ length: IMAGES }, (_, i) => {
    const lines = Array.from({ length: (i % 3) + 1 }, (_, j) => `${WORDS[(i + j) % WORDS.length]} ${(i * 37 + j * 101) % 1000} ${WORDS[(i * 5 + j) % WORDS.length]}`);
    const canvas = createCanvas(420, 30 + lines.length * 60);
    const g = canvas.getContext('2d');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#000000';
    g.font = '30px DejaVu Sans';
    lines.forEach((l, j) => g.fillText(l, 20, 55 + j * 60));
    return canvas.toBuffer('image/png');
  });
}

const body = (png: Buffer): string => JSON.stringify({ inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], data: [png.toString('base64')] }] });

/**
 * The floor a user would write: both networks in this process, one image after another, with the same
 * pre- and post-processing (`readText`) and no serving. Answers images/s.
 */
async function plainScript(repository: string, pngs: readonly Buffer[], seconds: number): Promise<number> {
  const det = await ort.InferenceSession.create(join(repository, 'ocr-det', '1', 'model.onnx'));
  const rec = await ort.InferenceSession.create(join(repository, 'ocr-rec', '1', 'model.onnx'));
  const characters = ctcCharacters(await readFile(join(repository, 'ocr-rec', '1', 'ppocr_keys_v1.txt'), 'utf8'));
  const run = (s: ort.InferenceSession) => async (t: FloatTensor): Promise<FloatTensor> => {
    const out = Object.values(await s.run({ x: new ort.Tensor('float32', t.data, t.shape) }))[0]!;
    return { data: out.data as Float32Array, shape: [...out.dims] };
  };
  const networks = { detect: run(det), recognize: run(rec) };
  for (const png of pngs.slice(0, 4)) await readText(png, networks, characters); // warm-up
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) await readText(pngs[done++ % pngs.length]!, networks, characters);
  const rate = done / ((performance.now() - start) / 1000);
  await Promise.all([det.release(), rec.release()]);
  return rate;
}

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

let ocrRepository: Promise<string> | undefined;
/** The OCR pipeline and its two networks, in a repository of their own (the other scenarios' workers need not load 15 MB of networks). */
function repositoryOf(ctx: BenchContext): Promise<string> {
  ocrRepository ??= (async () => {
    const dir = await mkdtemp(join(ctx.tempDir, 'ocr-'));
    await buildDemoModels(dir, undefined, ['--models', 'ocr-det,ocr-rec,ocr'], BENCH_APP_ENTRIES);
    return dir;
  })();
  return ocrRepository;
}

const start = async (ctx: BenchContext, variant: OcrVariant) => {
  const v = OCR_VARIANTS[variant];
  return ctx.startCluster({ name: `ocr ${variant}`, workers: v.workers, processors: v.processors, coordinatorArgs: [...v.args], repository: await repositoryOf(ctx) });
};

/**
 * OCR (issue #21): images/s and latency of `ocr` (detector → recognizer, one pipeline) at 1, 8 and 32
 * connections, with the recognizer's batching on and off, co-located and with the processing on a
 * processor, CPU ms per image by process role, and the ratio to a plain script running both networks
 * one image after another in one process.
 */
export const ocrScenario: Scenario = {
  id: 'ocr',
  name: 'ocr',
  prepare: (ctx) => Promise.all(VARIANTS.map((v) => start(ctx, v))),
  async run(ctx) {
    const pngs = images();
    const bodies = pngs.map(body);
    const plain = await plainScript(await repositoryOf(ctx), pngs, ctx.durationS);
    process.stdout.write(`  plain script (both networks, one image after another, one process): ${plain.toFixed(1)} images/s\n`);
    const clusters = new Map<OcrVariant, Cluster>();
    for (const variant of VARIANTS) {
      const started = await start(ctx, variant);
      if (started.ok) clusters.set(variant, started.cluster);
      else ctx.skip(`ocr, ${OCR_VARIANTS[variant].label}`, started.reason);
    }
    const load = (url: string, connections: number, durationS: number, onAnswer?: (ok: boolean) => void) =>
      runAutocannon({ url: `${url}/v2/models/ocr/infer`, bodies, rotation: 'shared', connections, durationS, ...(onAnswer ? { onAnswer } : {}) });
    for (const cluster of clusters.values()) await load(cluster.url, 4, 1); // warm-up, unrecorded
    for (const connections of levelsFor(ctx, [1, 8, 32])) {
      for (const [variant, cluster] of clusters) {
        const m = await ctx.measure(
          { scenario: 'ocr', series: SERIES.ocr(variant), connections },
          (onAnswer) => withCpu(cluster, () => load(cluster.url, connections, ctx.durationS, onAnswer)),
        );
        process.stdout.write(`  ${SERIES.ocr(variant)} @ ${connections}: ${m.rps.toFixed(1)} images/s (${(m.rps / plain).toFixed(2)}× the plain script)\n`);
      }
    }
  },
};
